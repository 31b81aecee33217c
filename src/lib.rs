//! sitepack: build a contributor's web site into an Apache httpd image on a
//! pinned base and push it to an OCI registry, without a container daemon.
//!
//! The pipeline, in `build`: a validated plan (`plan`) → the base resolved
//! by digest (`base`) while the layers are written (`layer`) → config and
//! manifest (`image`) → blobs, manifest and tag pushed and read back
//! (`publish`, `registry`) or an OCI layout written (`output`) → the deploy
//! file (`deploy`).

pub mod base;
pub mod cli;
pub mod deploy;
pub mod digest;
pub mod error;
pub mod image;
pub mod layer;
pub mod output;
pub mod plan;
pub mod progress;
pub mod publish;
pub mod reference;
pub mod registry;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;

pub use error::Error;
use plan::{BuildPlan, EpochSource, Output};
use registry::{BlobAction, Registry};

/// What a build did, for `--json` and the closing log line.
#[derive(Debug, Serialize)]
pub struct BuildReport {
    pub digest: digest::Digest,
    /// `REGISTRY/REPO@sha256:…`, or the layout path for file outputs.
    pub image: String,
    pub tag: Option<String>,
    pub manifest_media_type: &'static str,
    pub base: BaseSummary,
    pub layers: Vec<LayerSummary>,
    pub bytes_uploaded: u64,
    pub blobs: Option<Vec<publish::BlobReport>>,
    pub image_definitions: Option<String>,
    pub reproducible: bool,
    pub timings_ms: Timings,
}

#[derive(Debug, Serialize)]
pub struct BaseSummary {
    pub reference: String,
    pub manifest_digest: digest::Digest,
    pub platform: String,
}

#[derive(Debug, Serialize)]
pub struct LayerSummary {
    pub digest: digest::Digest,
    pub diff_id: digest::Digest,
    pub size: u64,
    pub files: u64,
    pub created_by: String,
    /// What happened to it on push (`reused`, `uploaded`); absent for file outputs.
    pub action: Option<BlobAction>,
}

#[derive(Debug, Default, Serialize)]
pub struct Timings {
    pub resolve_base: u64,
    pub build_layers: u64,
    pub push: u64,
    pub verify: u64,
    pub total: u64,
}

/// Flags to plan. When the plan is refused, a stale deploy file is removed
/// too, so a pipeline never deploys an earlier run's image after a failure.
pub fn plan(args: cli::BuildArgs, env: plan::Env<'_>) -> Result<BuildPlan, Error> {
    let hint = plan::deploy_path_hint(&args);
    plan::build_plan(args, env).map_err(|e| {
        if let Some(path) = hint {
            // Best effort: the planning error is what the user needs to see.
            let _ = deploy::remove_stale(&path);
        }
        e.into()
    })
}

/// Runs a build. On any failure the deploy file is absent afterwards.
pub async fn build(plan: BuildPlan) -> Result<BuildReport, Error> {
    if let Some(d) = &plan.deploy {
        deploy::remove_stale(&d.path)?;
    }
    let result = run(&plan).await;
    if result.is_err() {
        if let Some(d) = &plan.deploy {
            // Best effort: the original error is what the user needs to see.
            let _ = deploy::remove_stale(&d.path);
        }
    }
    result
}

/// Registries by host, connected once and shared between base and destination.
struct Registries {
    options: registry::Options,
    connected: HashMap<String, Arc<Registry>>,
}

impl Registries {
    async fn get(&mut self, reference: &reference::Reference) -> Result<Arc<Registry>, Error> {
        if let Some(r) = self.connected.get(&reference.registry) {
            return Ok(r.clone());
        }
        let credentials =
            registry::auth::from_docker_config(&reference.registry).map_err(registry::RegistryError::from)?;
        tracing::debug!(registry = %reference.registry, credentials = credentials.describe(), "connecting");
        let reg =
            Arc::new(Registry::connect(&reference.registry, reference.api_host(), credentials, &self.options).await?);
        self.connected.insert(reference.registry.clone(), reg.clone());
        Ok(reg)
    }
}

async fn run(plan: &BuildPlan) -> Result<BuildReport, Error> {
    let started = Instant::now();
    let mut timings = Timings::default();
    if plan.epoch.source == EpochSource::Now {
        tracing::warn!(
            "no SOURCE_DATE_EPOCH and no git commit: timestamps use the current time, so this build is not reproducible"
        );
    }
    let work = tempfile::Builder::new()
        .prefix("sitepack-")
        .tempdir()
        .map_err(|source| Error::WorkDir { path: std::env::temp_dir(), source })?;

    // Layers are CPU and disk work: off the async runtime, overlapping the
    // base lookups.
    let specs = plan.layers.clone();
    let mtime = plan.epoch.seconds;
    let dir = work.path().to_owned();
    let layer_task = tokio::task::spawn_blocking(move || {
        let t = Instant::now();
        let layers = specs
            .iter()
            .enumerate()
            .map(|(i, spec)| layer::build(spec, mtime, &dir.join(format!("layer-{i}.tar.gz"))))
            .collect::<Result<Vec<_>, _>>();
        (layers, t.elapsed())
    });

    let mut registries = Registries { options: plan.registry.clone(), connected: HashMap::new() };
    let t = Instant::now();
    let base_result = async {
        let reg = registries.get(&plan.base).await?;
        let base = base::resolve(&reg, &plan.base, &plan.platform).await?;
        Ok::<_, Error>((reg, base))
    }
    .await;
    timings.resolve_base = t.elapsed().as_millis() as u64;
    let (layers, layer_time) = layer_task.await.map_err(|e| Error::Task(e.to_string()))?;
    // A bad input tree is the more useful error when both fail.
    let layers = layers?;
    let (base_reg, base) = base_result?;
    timings.build_layers = layer_time.as_millis() as u64;
    tracing::info!(
        "base resolved: {} → {} manifest {} ({} base layers)",
        plan.base,
        base.platform,
        base.manifest_digest,
        base.layers.len()
    );
    tracing::info!(
        "layers built: {} layers, {} files, {} bytes compressed, in {} ms",
        layers.len(),
        layers.iter().map(|l| l.files).sum::<u64>(),
        layers.iter().map(|l| l.size).sum::<u64>(),
        timings.build_layers
    );

    let summary = |actions: Option<&[publish::BlobReport]>| -> Vec<LayerSummary> {
        layers
            .iter()
            .map(|l| LayerSummary {
                digest: l.digest.clone(),
                diff_id: l.diff_id.clone(),
                size: l.size,
                files: l.files,
                created_by: l.created_by.clone(),
                action: actions
                    .and_then(|a| a.iter().find(|b| b.digest == l.digest && b.kind == "layer"))
                    .map(|b| b.action),
            })
            .collect()
    };
    let base_summary = BaseSummary {
        reference: plan.base.to_string(),
        manifest_digest: base.manifest_digest.clone(),
        platform: base.platform.to_string(),
    };
    let reproducible = plan.epoch.source != EpochSource::Now;

    match &plan.output {
        Output::Registry { image } => {
            let new = image::assemble(&base, &layers, &plan.metadata, base.family)?;
            let dest = registries.get(image).await?;
            let t = Instant::now();
            let pushed = publish::push(&dest, image, &base_reg, &base, &layers, &new).await?;
            timings.push = t.elapsed().as_millis() as u64;
            let count = |a| pushed.blobs.iter().filter(|b| b.action == a).count();
            tracing::info!(
                "blobs: {} reused, {} mounted, {} uploaded ({} bytes)",
                count(BlobAction::Reused),
                count(BlobAction::Mounted),
                count(BlobAction::Uploaded),
                pushed.bytes_uploaded
            );
            tracing::info!("manifest pushed: {}@{}", image.name(), new.manifest.digest);
            let t = Instant::now();
            publish::verify(&dest, image, &new.manifest.digest).await?;
            timings.verify = t.elapsed().as_millis() as u64;
            tracing::info!("verified: {image} → {}", new.manifest.digest);
            let image_definitions = match &plan.deploy {
                Some(d) => {
                    let uri = deploy::image_uri(image, &new.manifest.digest, d.form);
                    deploy::write(d, &uri)?;
                    tracing::info!("{} written: {} → {uri}", d.path.display(), d.container_name);
                    Some(d.path.display().to_string())
                }
                None => {
                    tracing::info!(
                        "no container name (--container-name or CONTAINER_NAME): imagedefinitions.json not written"
                    );
                    None
                }
            };
            timings.total = started.elapsed().as_millis() as u64;
            Ok(BuildReport {
                image: format!("{}@{}", image.name(), new.manifest.digest),
                digest: new.manifest.digest.clone(),
                tag: image.tag.clone(),
                manifest_media_type: new.manifest.media_type,
                base: base_summary,
                layers: summary(Some(&pushed.blobs)),
                bytes_uploaded: pushed.bytes_uploaded,
                blobs: Some(pushed.blobs),
                image_definitions,
                reproducible,
                timings_ms: timings,
            })
        }
        Output::OciDir { path, ref_name } | Output::OciArchive { path, ref_name } => {
            let new = image::assemble(&base, &layers, &plan.metadata, base::Family::Oci)?;
            let t = Instant::now();
            let archive = matches!(plan.output, Output::OciArchive { .. });
            let layout_dir = if archive { work.path().join("layout") } else { path.clone() };
            output::write_layout(&layout_dir, ref_name, &base_reg, &base, &layers, &new).await?;
            if archive {
                let (layout_dir, path) = (layout_dir.clone(), path.clone());
                tokio::task::spawn_blocking(move || output::write_archive(&layout_dir, &path))
                    .await
                    .map_err(|e| Error::Task(e.to_string()))??;
            }
            timings.push = t.elapsed().as_millis() as u64;
            tracing::info!("image written: {} ({ref_name}) → {}", path.display(), new.manifest.digest);
            timings.total = started.elapsed().as_millis() as u64;
            Ok(BuildReport {
                image: path.display().to_string(),
                digest: new.manifest.digest.clone(),
                tag: Some(ref_name.clone()),
                manifest_media_type: new.manifest.media_type,
                base: base_summary,
                layers: summary(None),
                bytes_uploaded: 0,
                blobs: None,
                image_definitions: None,
                reproducible,
                timings_ms: timings,
            })
        }
    }
}
