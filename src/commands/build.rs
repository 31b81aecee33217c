//! `sitepack build`: flags to a validated plan, then the plan to an image:
//! the checks, the base resolved while the destination is read and the
//! layers are built, transfers, the manifest pushed and read back (or an
//! OCI layout written), and the deploy files.

use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;

use super::{load_conf, LoadedConf};
use crate::error::Error;
use crate::plan::{self, BuildPlan, EpochSource, Output};
use crate::registry::{BlobAction, Registry};
use crate::{aws, base, check, cli, connect, deploy, digest, image, layer, output, progress, publish, reference};

/// What a build did, for `--json` and the closing log line.
#[derive(Debug, Serialize)]
pub struct BuildReport {
    pub digest: digest::Digest,
    /// `REGISTRY/REPO@sha256:…`, or the layout path for file outputs.
    pub image: String,
    pub tag: Option<String>,
    /// More tags set to the image once verified (`--also-tag`).
    pub also_tags: Vec<String>,
    /// Of `digest`: a manifest, or an index over one image per platform.
    pub manifest_media_type: &'static str,
    /// One image per platform built.
    pub platforms: Vec<PlatformImage>,
    pub base: BaseSummary,
    pub layers: Vec<LayerSummary>,
    pub bytes_uploaded: u64,
    /// Registry requests repeated after transient failures.
    pub retries: u64,
    pub blobs: Option<Vec<publish::BlobReport>>,
    /// imagedefinitions.json / imageDetail.json written.
    pub deploy_files: Vec<String>,
    pub reproducible: bool,
    pub timings_ms: Timings,
}

#[derive(Debug, Serialize)]
pub struct PlatformImage {
    pub platform: String,
    pub manifest: digest::Digest,
    pub base_manifest: digest::Digest,
}

#[derive(Debug, Serialize)]
pub struct BaseSummary {
    pub reference: String,
    /// Its name in the base lock, when it is pinned there.
    pub name: Option<String>,
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

/// Flags to plan. When the plan is refused, stale deploy files are removed
/// too, so a pipeline never deploys an earlier run's image after a failure.
pub fn plan(args: cli::BuildArgs, env: plan::Env<'_>) -> Result<BuildPlan, Error> {
    let stale = plan::deploy_paths_hint(&args, env);
    plan::build_plan(args, env).map_err(|e| {
        for path in stale {
            // Best effort: the planning error is what the user needs to see.
            let _ = deploy::remove_stale(&path);
        }
        e.into()
    })
}

/// Runs a build. On any failure the deploy files are absent afterwards.
pub async fn build(plan: BuildPlan) -> Result<BuildReport, Error> {
    for path in plan.deploy.paths() {
        deploy::remove_stale(path)?;
    }
    let result = run(&plan).await;
    if result.is_err() {
        for path in plan.deploy.paths() {
            let _ = deploy::remove_stale(path);
        }
    }
    result
}

/// The httpd.conf on disk for the layer (the local file, or the S3 object
/// written into `work`) and its text; S3 provenance goes into `meta`.
async fn httpd_conf(
    plan: &BuildPlan,
    aws: &aws::Aws,
    work: &std::path::Path,
    meta: &mut image::Metadata,
) -> Result<(std::path::PathBuf, String), Error> {
    let inputs = &plan.inputs;
    let loaded = load_conf(
        &inputs.httpd_conf,
        inputs.httpd_conf_sha256.as_deref(),
        inputs.httpd_conf_max_bytes,
        plan.aws_account.as_deref(),
        aws,
    )
    .await?;
    let text = loaded.text();
    match (&inputs.httpd_conf, loaded) {
        (plan::ConfSource::S3(uri), LoadedConf::S3(fetched)) => {
            let path = work.join("httpd.conf");
            std::fs::write(&path, &fetched.bytes).map_err(|source| Error::Write { path: path.clone(), source })?;
            tracing::info!("httpd.conf fetched: {uri} ({} bytes, sha256 {})", fetched.bytes.len(), fetched.sha256);
            meta.extra.insert("sitepack.httpd-conf.uri".into(), uri.to_string());
            meta.extra.insert("sitepack.httpd-conf.sha256".into(), fetched.sha256);
            if let Some(v) = fetched.version_id {
                meta.extra.insert("sitepack.httpd-conf.version-id".into(), v);
            }
            if let Some(e) = fetched.etag {
                meta.extra.insert("sitepack.httpd-conf.etag".into(), e);
            }
            Ok((path, text))
        }
        (plan::ConfSource::Local(path), _) => Ok((path.clone(), text)),
        (plan::ConfSource::S3(_), LoadedConf::Local(_)) => unreachable!("an S3 source loads from S3"),
    }
}

/// ECR only, before any upload: the repository must exist (or is created
/// on request). Returns whether its tags are immutable.
async fn ensure_ecr_repository(
    plan: &BuildPlan,
    ecr: &aws::ecr::Ecr,
    image: &reference::Reference,
) -> Result<bool, Error> {
    let info = match ecr.repository(&image.repository).await? {
        Some(info) => info,
        None => match plan.create_repository {
            Some(mutability) => {
                let info = ecr.create_repository(&image.repository, mutability).await?;
                tracing::info!("created ECR repository {} (scan on push, {mutability:?} tags)", image.repository);
                info
            }
            None => {
                return Err(publish::PushError::RepositoryMissing {
                    registry: image.registry.clone(),
                    repository: image.repository.clone(),
                    region: ecr.region().unwrap_or("REGION").to_owned(),
                }
                .into())
            }
        },
    };
    Ok(info.immutable_tags)
}

/// The image `image`'s tag names as the build starts: its layers by
/// diff_id (reused without being compressed again), every blob it names
/// (present, since that manifest keeps them: no HEAD needed), and its
/// digest. Anything unexpected (no tag, unreadable config) means none.
#[derive(Debug, Default)]
struct Previous {
    reuse: layer::Reuse,
    known: publish::Known,
    digest: Option<digest::Digest>,
}

/// `tag_manifest` is the destination tag's manifest as read at the start:
/// `None` when there is no tag or it could not be read (no reuse),
/// `Some(None)` when the tag names nothing yet (then `cache_from` is read).
async fn previous_image(
    dest: &Registry,
    image: &reference::Reference,
    tag_manifest: Option<Option<Vec<u8>>>,
    cache_from: Option<&str>,
) -> Previous {
    let mut previous = Previous::default();
    // The destination tag's image; else the --cache-from tag's, which is
    // only a source of layers, not what the tag names now.
    let (bytes, current) = match tag_manifest {
        Some(Some(bytes)) => (bytes, true),
        Some(None) => match cache_from {
            Some(from) => match dest.get_manifest(&image.repository, from).await {
                Ok(Some((bytes, _))) => {
                    tracing::info!("{image} names no image yet: reusing layers from tag {from}");
                    (bytes, false)
                }
                _ => return previous,
            },
            None => return previous,
        },
        None => return previous,
    };
    let top = digest::Digest::of_bytes(&bytes);
    let Ok(mut manifest) = serde_json::from_slice::<serde_json::Value>(&bytes) else { return previous };
    // An index (a multi-platform build): every image has the same site
    // layers, so the first image answers.
    if let Some(first) = manifest.pointer("/manifests/0/digest").and_then(|d| d.as_str()).map(str::to_owned) {
        let Ok(Some((bytes, _))) = dest.get_manifest(&image.repository, &first).await else { return previous };
        let Ok(inner) = serde_json::from_slice::<serde_json::Value>(&bytes) else { return previous };
        manifest = inner;
    }
    let config_digest =
        manifest.pointer("/config/digest").and_then(|d| d.as_str()).and_then(|d| digest::Digest::parse(d).ok());
    let (Some(config_digest), Some(layers)) = (config_digest, manifest.get("layers").and_then(|l| l.as_array())) else {
        return previous;
    };
    let Ok(config) = dest.get_blob_verified(&image.repository, &config_digest).await else { return previous };
    let Ok(config) = serde_json::from_slice::<serde_json::Value>(&config) else { return previous };
    let diff_ids = config.pointer("/rootfs/diff_ids").and_then(|d| d.as_array()).cloned().unwrap_or_default();
    for (diff_id, layer) in diff_ids.iter().zip(layers) {
        let diff_id = diff_id.as_str().and_then(|d| digest::Digest::parse(d).ok());
        let digest = layer.get("digest").and_then(|d| d.as_str()).and_then(|d| digest::Digest::parse(d).ok());
        if let (Some(diff_id), Some(digest), Some(size)) = (diff_id, digest, layer.get("size").and_then(|s| s.as_u64()))
        {
            previous.known.insert(digest.clone());
            previous.reuse.insert(diff_id, (digest, size));
        }
    }
    previous.known.insert(config_digest);
    previous.digest = current.then_some(top);
    tracing::debug!("previous image of {image}: {} layers to reuse from", previous.reuse.len());
    previous
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

    for warning in &plan.warnings {
        tracing::warn!("{warning}");
    }
    // The contributor's files first, before any network call.
    let inputs = check::Inputs { site: &plan.inputs.site, htpasswd: &plan.inputs.htpasswd };
    let mut tree = check::check_inputs(&inputs, &plan.checks);
    refuse_on_errors(&tree.report)?;

    let aws = aws::Aws::default();
    let mut metadata = plan.metadata.clone();
    let (conf, conf_text) = httpd_conf(plan, &aws, work.path(), &mut metadata).await?;
    // Then every .htaccess against the operator's conf, before any registry call.
    let conf_shown = plan.inputs.httpd_conf.to_string();
    refuse_on_errors(&check::check_against_conf(Some((&conf_text, &conf_shown)), &tree, &plan.checks))?;

    let dest_host = match &plan.output {
        Output::Registry { image } => Some(image.registry.as_str()),
        _ => None,
    };
    let access = connect::Access {
        options: &plan.registry,
        auth: plan.registry_auth,
        auth_host: dest_host,
        aws_account: plan.aws_account.clone(),
    };
    let mut registries = connect::Registries::new(access, &aws);
    let base_reg = registries.get(&plan.base).await?;
    let dest = match &plan.output {
        Output::Registry { image } => Some((registries.get(image).await?, image)),
        _ => None,
    };
    // The base and the destination are read at once: each is a chain of
    // small requests (manifest, then config), so together they cost the
    // longer chain, not the sum.
    let platforms: Vec<base::Platform> = plan.targets.iter().map(|t| t.platform.clone()).collect();
    let resolve_base = async {
        let t = Instant::now();
        let bases = base::resolve(&base_reg, &plan.base, &platforms).await?;
        for (target, base) in plan.targets.iter().zip(&bases) {
            // The lock pins each platform's manifest, not only the index.
            if let Some(expected) = target.expected_manifest.as_ref().filter(|e| **e != base.manifest_digest) {
                return Err(base::BaseError::LockMismatch {
                    reference: plan.base.to_string(),
                    platform: target.platform.clone(),
                    expected: expected.clone(),
                    found: base.manifest_digest.clone(),
                }
                .into());
            }
        }
        Ok::<_, Error>((bases, t.elapsed().as_millis() as u64))
    };
    // The destination, ready before the layers so each is uploaded as soon
    // as it is built; and the tag's previous image, by diff_id: unchanged
    // layers reuse its blobs without being compressed again.
    let ecr = &registries.ecr;
    let read_destination = async {
        let Some((dest, image)) = &dest else { return Ok::<_, Error>((None, Previous::default())) };
        let immutable = match ecr.get(&image.registry) {
            Some(ecr) => ensure_ecr_repository(plan, ecr, image).await?,
            None => false,
        };
        // What the tag names now, read once for both uses. For an
        // immutable tag it decides whether anything may be pushed, so a
        // failed read stops the build; otherwise it only means no reuse.
        let tag_manifest = match image.tag.as_deref() {
            Some(tag) => match dest.get_manifest(&image.repository, tag).await {
                Ok(found) => Some(found.map(|(bytes, _)| bytes)),
                Err(e) if immutable => return Err(e.into()),
                Err(_) => None,
            },
            None => None,
        };
        // An immutable tag already taken: the build can only be a no-op
        // (same digest) or refused, and nothing is uploaded.
        let taken = match (&tag_manifest, immutable) {
            (Some(Some(bytes)), true) => Some(digest::Digest::of_bytes(bytes)),
            _ => None,
        };
        Ok((taken, previous_image(dest, image, tag_manifest, plan.cache_from.as_deref()).await))
    };
    // The layers need the destination (whether blobs go up now, what can be
    // reused), not the base: they start as soon as it is read, while the
    // base's manifest and config are still on their way.
    let start_layers = async {
        let (taken, previous) = read_destination.await?;
        // Blobs go over early unless an immutable tag is already taken.
        let uploads_to = dest.as_ref().filter(|_| taken.is_none());
        // Layers are CPU and disk work: off the async runtime.
        let facts = &tree.facts;
        let mut specs = plan::layer_specs(
            &conf,
            &plan.inputs,
            &tree.layout.dest(plan::DOCROOT),
            facts.media_bytes,
            facts.bytes - facts.media_bytes,
        );
        let mtime = plan.epoch.seconds;
        let t = Instant::now();
        // The checks' walk of the site (error-free, or the build stopped) is
        // the listing every bucket layer takes its files from.
        let listing = Arc::new(std::mem::take(&mut tree.facts.listing));
        for source in specs.iter_mut().flat_map(|s| s.sources.iter_mut()) {
            if source.kind == layer::SourceKind::Tree {
                source.listing = Some(listing.clone());
            }
        }
        // Each layer on a blocking thread, as many at once as there are cores
        // (more only adds buffers and switching); each streams through a
        // bounded buffer.
        let reuse = Arc::new(previous.reuse);
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let slots = Arc::new(tokio::sync::Semaphore::new(cores));
        // No earlier image to reuse from: every layer will almost surely be
        // sent, so its upload session is opened while it is being built.
        let preopen =
            uploads_to.filter(|_| reuse.is_empty()).map(|(dest, image)| (Arc::clone(dest), image.repository.clone()));
        let tasks: Vec<_> = specs
            .into_iter()
            .enumerate()
            .map(|(i, spec)| {
                let (reuse, out) = (reuse.clone(), work.path().join(format!("layer-{i}.tar.gz")));
                let (slots, preopen) = (slots.clone(), preopen.clone());
                tokio::spawn(async move {
                    let _slot = slots.acquire_owned().await.expect("the semaphore is never closed");
                    // Best effort: without a session, the upload opens its own.
                    let session = async {
                        match &preopen {
                            Some((dest, repo)) => dest.open_upload(repo).await.ok(),
                            None => None,
                        }
                    };
                    let build = tokio::task::spawn_blocking(move || layer::build(&spec, mtime, &out, &reuse));
                    tokio::join!(build, session)
                })
            })
            .collect();
        Ok::<_, Error>((taken, previous.known, previous.digest, tasks, t))
    };
    // Both are awaited, so that when both fail the error shown is always
    // the base's (as when they ran one after the other), not the faster one.
    let (base_read, layers_started) = tokio::join!(resolve_base, start_layers);
    let (bases, resolve_ms) = base_read?;
    let (taken, known, previous_digest, tasks, t) = layers_started?;
    let known = &known;
    timings.resolve_base = resolve_ms;
    let base = &bases[0];
    let dest = dest.as_ref().map(|(dest, image)| (dest, *image));
    let uploads_to = dest.as_ref().filter(|_| taken.is_none());
    // Transfers overlap the compression, in a few shared slots: the base
    // layers at once, each site layer as soon as it is built; the configs
    // (outside the slots) as soon as every layer is (they need the diff_ids).
    let progress = &progress::Progress::for_uploads();
    let transfers = &tokio::sync::Semaphore::new(publish::CONCURRENT_BLOBS);
    let layer_count = tasks.len();
    let (built_tx, mut built_rx) = tokio::sync::mpsc::unbounded_channel::<(usize, layer::Layer)>();
    let site_layers = futures_util::future::try_join_all(tasks.into_iter().enumerate().map(|(i, task)| {
        let built_tx = built_tx.clone();
        async move {
            let (built, session) = task.await.map_err(|e| Error::Task(e.to_string()))?;
            let layer = built.map_err(|e| Error::Task(e.to_string()))??;
            // The receiver only goes away when the build is failing already.
            let _ = built_tx.send((i, layer.clone()));
            let report = match uploads_to {
                Some((dest, image)) => {
                    let _slot = transfers.acquire().await.expect("the semaphore is never closed");
                    Some(publish::layer_blob(dest, &image.repository, &layer, session, progress).await?)
                }
                None => None,
            };
            Ok::<_, Error>((layer, report))
        }
    }));
    drop(built_tx);
    let meta = &metadata;
    let configs = async {
        let mut got: Vec<Option<layer::Layer>> = vec![None; layer_count];
        // Not until the channel closes: each sender lives on through its
        // layer's upload, and the config need not wait for those.
        let mut pending = layer_count;
        while pending > 0 {
            let Some((i, layer)) = built_rx.recv().await else { break };
            got[i] = Some(layer);
            pending -= 1;
        }
        // A build failed (`site_layers` carries its error), or the output is
        // a file, which assembles an OCI image of its own.
        let (Some(_), Some(all)) = (dest, got.into_iter().collect::<Option<Vec<_>>>()) else {
            return Ok((Vec::new(), Vec::new()));
        };
        // Assembled once: these configs are sent now, and their manifests
        // after the join.
        let images = bases.iter().map(|b| image::assemble(b, &all, meta, b.family)).collect::<Result<Vec<_>, _>>()?;
        let mut reports: Vec<publish::BlobReport> = Vec::new();
        if let Some((dest, image)) = uploads_to {
            for config in images.iter().map(|i| &i.config) {
                // A config is a few kilobytes and the manifest waits on it
                // alone: it does not queue behind the layers for a slot.
                if reports.iter().all(|r| r.digest != config.digest) {
                    reports.push(publish::config_blob(dest, &image.repository, config, known).await?);
                }
            }
        }
        Ok::<_, Error>((images, reports))
    };
    let base_layers = async {
        match uploads_to {
            Some((dest, image)) => {
                let all: Vec<&base::BaseImage> = bases.iter().collect();
                let repo = &image.repository;
                Ok::<_, Error>(publish::base_blobs(dest, repo, &base_reg, &all, known, transfers, progress).await?)
            }
            None => Ok(Vec::new()),
        }
    };
    // The first failure stops the rest (a base copy too) at once.
    let joined = tokio::try_join!(site_layers, base_layers, configs);
    progress.finish();
    let (built, base_blobs, (images, config_blobs)) = joined?;
    let (layers, layer_blobs): (Vec<layer::Layer>, Vec<Option<publish::BlobReport>>) = built.into_iter().unzip();
    let layer_blobs: Vec<publish::BlobReport> = layer_blobs.into_iter().flatten().collect();
    timings.build_layers = t.elapsed().as_millis() as u64;
    for b in &bases {
        tracing::info!(
            "base resolved: {}{} → {} manifest {} ({} base layers)",
            plan.base,
            plan.base_name.as_deref().map(|n| format!(" (`{n}` in the base lock)")).unwrap_or_default(),
            b.platform,
            b.manifest_digest,
            b.layers.len()
        );
    }
    tracing::info!(
        "layers built: {} layers ({} reused from the tag's previous image), {} files, {} bytes compressed, in {} ms",
        layers.len(),
        layers.iter().filter(|l| l.path.is_none()).count(),
        layers.iter().map(|l| l.files).sum::<u64>(),
        layers.iter().filter(|l| l.path.is_some()).map(|l| l.size).sum::<u64>(),
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
        name: plan.base_name.clone(),
        manifest_digest: base.manifest_digest.clone(),
        platform: bases.iter().map(|b| b.platform.to_string()).collect::<Vec<_>>().join(","),
    };
    let reproducible = plan.epoch.source != EpochSource::Now;

    match &plan.output {
        Output::Registry { image } => {
            let pairs: Vec<(&base::BaseImage, &image::NewImage)> = bases.iter().zip(&images).collect();
            // Several platforms: an index over the images takes the tag.
            let index = (images.len() > 1).then(|| image::index(&pairs, &metadata));
            let top = index.as_ref().unwrap_or(&images[0].manifest);
            let dest = &dest.as_ref().expect("a registry output has a destination").0;
            let t = Instant::now();
            let already_there = match taken {
                Some(existing) if existing == top.digest => {
                    tracing::info!("{image} already holds this image and its tags are immutable: nothing to push");
                    true
                }
                Some(existing) => {
                    let new = top.digest.clone();
                    return Err(publish::PushError::TagImmutable { image: image.to_string(), existing, new }.into());
                }
                None => false,
            };
            let early: Vec<publish::BlobReport> =
                base_blobs.into_iter().chain(layer_blobs).chain(config_blobs).collect();
            let mut pushed = publish::PushReport {
                bytes_uploaded: early.iter().filter(|b| b.action == BlobAction::Uploaded).map(|b| b.size).sum(),
                blobs: early,
            };
            if !already_there {
                for (_, new) in &pairs {
                    let current = previous_digest.as_ref().filter(|_| index.is_none());
                    pushed.bytes_uploaded += publish::manifest(dest, image, new, index.is_none(), current).await?;
                }
                if let Some(index) = index.as_ref().filter(|i| previous_digest.as_ref() != Some(&i.digest)) {
                    let reference = image.tag.clone().unwrap_or_else(|| index.digest.to_string());
                    dest.put_manifest(&image.repository, &reference, index.media_type, index.bytes.clone()).await?;
                    pushed.bytes_uploaded += index.size();
                }
            }
            let new = top;
            timings.push = t.elapsed().as_millis() as u64;
            let count = |a| pushed.blobs.iter().filter(|b| b.action == a).count();
            tracing::info!(
                "blobs: {} reused, {} mounted, {} uploaded ({} bytes)",
                count(BlobAction::Reused),
                count(BlobAction::Mounted),
                count(BlobAction::Uploaded),
                pushed.bytes_uploaded
            );
            for (b, i) in &pairs {
                tracing::info!("manifest pushed: {}@{} ({})", image.name(), i.manifest.digest, b.platform);
            }
            if index.is_some() {
                tracing::info!("index pushed: {}@{} ({} platforms)", image.name(), new.digest, pairs.len());
            }
            let t = Instant::now();
            publish::verify(dest, image, &new.digest).await?;
            tracing::info!("verified: {image} → {}", new.digest);
            // Only once the image is verified, and before any deploy file.
            for tag in &plan.also_tags {
                let also = reference::Reference { tag: Some(tag.clone()), digest: None, ..image.clone() };
                dest.put_manifest(&image.repository, tag, new.media_type, new.bytes.clone()).await?;
                publish::verify(dest, &also, &new.digest).await?;
                tracing::info!("also tagged: {also} → {}", new.digest);
            }
            timings.verify = t.elapsed().as_millis() as u64;
            let uri = deploy::image_uri(image, &new.digest, plan.deploy.form);
            let deploy_files = deploy::write(&plan.deploy, &uri)?;
            for path in &deploy_files {
                tracing::info!("{} written: {uri}", path.display());
            }
            if plan.deploy.definitions.is_none() {
                tracing::info!(
                    "no container name (--container-name or CONTAINER_NAME): imagedefinitions.json not written"
                );
            }
            timings.total = started.elapsed().as_millis() as u64;
            let retries = registries.retries();
            if retries > 0 {
                tracing::info!("{retries} registry request(s) retried after transient failures");
            }
            Ok(BuildReport {
                retries,
                image: format!("{}@{}", image.name(), new.digest),
                digest: new.digest.clone(),
                tag: image.tag.clone(),
                also_tags: plan.also_tags.clone(),
                manifest_media_type: new.media_type,
                platforms: pairs
                    .iter()
                    .map(|(b, i)| PlatformImage {
                        platform: b.platform.to_string(),
                        manifest: i.manifest.digest.clone(),
                        base_manifest: b.manifest_digest.clone(),
                    })
                    .collect(),
                base: base_summary,
                layers: summary(Some(&pushed.blobs)),
                bytes_uploaded: pushed.bytes_uploaded,
                blobs: Some(pushed.blobs),
                deploy_files: deploy_files.iter().map(|p| p.display().to_string()).collect(),
                reproducible,
                timings_ms: timings,
            })
        }
        Output::OciDir { path, ref_name } | Output::OciArchive { path, ref_name } => {
            let new = image::assemble(base, &layers, &metadata, base::Family::Oci)?;
            let t = Instant::now();
            let archive = matches!(plan.output, Output::OciArchive { .. });
            let layout_dir = if archive { work.path().join("layout") } else { path.clone() };
            output::write_layout(&layout_dir, ref_name, &base_reg, base, &layers, &new).await?;
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
                retries: registries.retries(),
                image: path.display().to_string(),
                digest: new.manifest.digest.clone(),
                tag: Some(ref_name.clone()),
                also_tags: Vec::new(),
                manifest_media_type: new.manifest.media_type,
                platforms: vec![PlatformImage {
                    platform: base.platform.to_string(),
                    manifest: new.manifest.digest.clone(),
                    base_manifest: base.manifest_digest.clone(),
                }],
                base: base_summary,
                layers: summary(None),
                bytes_uploaded: 0,
                blobs: None,
                deploy_files: Vec::new(),
                reproducible,
                timings_ms: timings,
            })
        }
    }
}

/// Logs warnings; any error stops the build.
pub(crate) fn refuse_on_errors(report: &check::Report) -> Result<(), Error> {
    for f in report.findings.iter().filter(|f| f.severity == check::Severity::Warning) {
        tracing::warn!("{f}");
    }
    if report.errors() > 0 {
        return Err(Error::Checks(report.clone()));
    }
    Ok(())
}
