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

/// What the destination tag named when the build started.
enum TagRead {
    /// No tag (a digest-only image), or it could not be read: no reuse.
    Unknown,
    /// The tag names nothing yet: `--cache-from` is read instead.
    Absent,
    /// The manifest (or index) it names.
    Names(Vec<u8>),
}

async fn previous_image(
    dest: &Registry,
    image: &reference::Reference,
    tag: TagRead,
    cache_from: Option<&str>,
) -> Previous {
    // The destination tag's image; else the --cache-from tag's, which is
    // only a source of layers, not what the tag names now.
    let (bytes, current) = match (tag, cache_from) {
        (TagRead::Names(bytes), _) => (bytes, true),
        (TagRead::Absent, Some(from)) => match dest.get_manifest(&image.repository, from).await {
            Ok(Some((bytes, _))) => {
                tracing::info!("{image} names no image yet: reusing layers from tag {from}");
                (bytes, false)
            }
            _ => return Previous::default(),
        },
        (TagRead::Absent, None) | (TagRead::Unknown, _) => return Previous::default(),
    };
    match read_previous(dest, image, &bytes).await {
        Ok(read) => {
            tracing::debug!("previous image of {image}: {} layers to reuse from", read.reuse.len());
            Previous { digest: current.then(|| digest::Digest::of_bytes(&bytes)), ..read }
        }
        // Only reuse is lost: every layer is built and sent as if new.
        Err(why) => {
            tracing::info!("not reusing the layers of {image}'s previous image: {why}");
            Previous::default()
        }
    }
}

/// The previous image's layers by diff_id and the blobs it holds (its
/// digest left unset), read through the OCI spec's types: anything
/// malformed says what. An index (a multi-platform build) answers for its
/// first image: every image has the same site layers.
async fn read_previous(dest: &Registry, image: &reference::Reference, bytes: &[u8]) -> Result<Previous, String> {
    use oci_spec::image::{ImageConfiguration, ImageIndex, ImageManifest};
    let parse_digest = |d: &str, what: &str| digest::Digest::parse(d).map_err(|e| format!("{what} digest {d}: {e}"));
    let is_index = serde_json::from_slice::<serde_json::Value>(bytes)
        .map_err(|e| format!("its manifest is not JSON: {e}"))?
        .get("manifests")
        .is_some();
    let manifest = if is_index {
        let index = ImageIndex::from_reader(bytes).map_err(|e| format!("its index: {e}"))?;
        let first = index.manifests().first().ok_or("its index lists no image")?;
        let first = first.digest().to_string();
        let (inner, _) = dest
            .get_manifest(&image.repository, &first)
            .await
            .map_err(|e| format!("manifest {first}: {e}"))?
            .ok_or_else(|| format!("manifest {first} is gone"))?;
        ImageManifest::from_reader(&inner[..]).map_err(|e| format!("manifest {first}: {e}"))?
    } else {
        ImageManifest::from_reader(bytes).map_err(|e| format!("its manifest: {e}"))?
    };
    let config_digest = parse_digest(manifest.config().digest().as_ref(), "config")?;
    let config = dest
        .get_blob_verified(&image.repository, &config_digest)
        .await
        .map_err(|e| format!("config {config_digest}: {e}"))?;
    let config = ImageConfiguration::from_reader(&config[..]).map_err(|e| format!("config {config_digest}: {e}"))?;
    let diff_ids = config.rootfs().diff_ids();
    if diff_ids.len() != manifest.layers().len() {
        return Err(format!("{} layers but {} diff_ids", manifest.layers().len(), diff_ids.len()));
    }
    let mut previous = Previous::default();
    for (diff_id, layer) in diff_ids.iter().zip(manifest.layers()) {
        let digest = parse_digest(layer.digest().as_ref(), "layer")?;
        previous.known.insert(digest.clone());
        previous.reuse.insert(parse_digest(diff_id, "diff_id")?, (digest, layer.size()));
    }
    previous.known.insert(config_digest);
    Ok(previous)
}

async fn run(plan: &BuildPlan) -> Result<BuildReport, Error> {
    let started = Instant::now();
    let mut timings = Timings::default();
    let work = tempfile::Builder::new()
        .prefix("sitepack-")
        .tempdir()
        .map_err(|source| Error::WorkDir { path: std::env::temp_dir(), source })?;
    let aws = aws::Aws::default();
    let mut prepared = preflight(plan, &aws, work.path()).await?;

    let mut registries = connect::Registries::new(access(plan), &aws);
    let base_reg = registries.get(&plan.base).await?;
    let dest = match &plan.output {
        Output::Registry { image } => Some((registries.get(image).await?, image)),
        _ => None,
    };
    let dest = dest.as_ref().map(|(registry, image)| (registry, *image));

    // The base and the destination are read at once: each is a chain of
    // small requests (manifest, then config), so together they cost the
    // longer chain, not the sum. The layers need the destination (whether
    // blobs go up now, what can be reused), not the base: they start as
    // soon as it is read, while the base's manifest and config are still
    // on their way.
    let start_layers = async {
        let mut read = read_destination(plan, &registries.ecr, dest).await?;
        let since = Instant::now();
        // Blobs go over early unless an immutable tag is already taken.
        let uploads_to = dest.filter(|_| read.taken.is_none());
        let reuse = std::mem::take(&mut read.previous.reuse);
        let tasks = spawn_layers(plan, &mut prepared, reuse, uploads_to, work.path());
        Ok::<_, Error>(LayersStarted { read, tasks, since, uploads_to })
    };
    // Both are awaited, so that when both fail the error shown is always
    // the base's (as when they ran one after the other), not the faster one.
    let (base_read, layers_started) = tokio::join!(resolve_base(plan, &base_reg), start_layers);
    let (bases, resolve_ms) = base_read?;
    let LayersStarted { read, tasks, since: t, uploads_to } = layers_started?;
    timings.resolve_base = resolve_ms;

    let progress = progress::Progress::for_uploads();
    let known = &read.previous.known;
    let sent = transfer(&bases, tasks, &base_reg, dest, uploads_to, known, &prepared.metadata, &progress).await;
    progress.finish();
    let Sent { layers, images, blobs } = sent?;
    timings.build_layers = t.elapsed().as_millis() as u64;
    log_built(plan, &bases, &layers, timings.build_layers);

    let built = Built { plan, bases: &bases, layers: &layers, started };
    match &plan.output {
        Output::Registry { image } => {
            let (dest, _) = dest.expect("a registry output has a destination");
            let published = publish_to_registry(
                plan,
                &pairs(&bases, &images),
                image,
                dest,
                &prepared.metadata,
                blobs,
                read.taken,
                read.previous.digest,
                &mut timings,
            )
            .await?;
            let deploy_files = write_deploy_files(plan, image, &published.top.digest)?;
            let retries = registries.retries();
            if retries > 0 {
                tracing::info!("{retries} registry request(s) retried after transient failures");
            }
            Ok(built.report(
                Image {
                    shown: format!("{}@{}", image.name(), published.top.digest),
                    digest: published.top.digest.clone(),
                    media_type: published.top.media_type,
                    tag: image.tag.clone(),
                    also_tags: plan.also_tags.clone(),
                    platforms: published.platforms,
                },
                Some(published.pushed),
                deploy_files,
                retries,
                timings,
            ))
        }
        Output::OciDir { path, ref_name } | Output::OciArchive { path, ref_name } => {
            let archive = matches!(plan.output, Output::OciArchive { .. });
            let base = &bases[0];
            let t = Instant::now();
            let new = write_layout(path, ref_name, archive, &base_reg, base, &layers, &prepared.metadata, work.path())
                .await?;
            timings.push = t.elapsed().as_millis() as u64;
            Ok(built.report(
                Image {
                    shown: path.display().to_string(),
                    digest: new.manifest.digest.clone(),
                    media_type: new.manifest.media_type,
                    tag: Some(ref_name.clone()),
                    also_tags: Vec::new(),
                    platforms: vec![PlatformImage {
                        platform: base.platform.to_string(),
                        manifest: new.manifest.digest.clone(),
                        base_manifest: base.manifest_digest.clone(),
                    }],
                },
                None,
                Vec::new(),
                registries.retries(),
                timings,
            ))
        }
    }
}

/// What the checks and the operator's conf leave for the rest of the build.
struct Prepared {
    tree: check::TreeOutcome,
    /// The httpd.conf on disk for its layer.
    conf: std::path::PathBuf,
    /// The image's metadata, with the conf's provenance when it came from S3.
    metadata: image::Metadata,
}

/// Everything that can refuse the build before any registry call: the
/// plan's warnings, the contributor's files (before any network call),
/// the operator's conf (local or S3) and every `.htaccess` against it.
async fn preflight(plan: &BuildPlan, aws: &aws::Aws, work: &std::path::Path) -> Result<Prepared, Error> {
    if plan.epoch.source == EpochSource::Now {
        tracing::warn!(
            "no SOURCE_DATE_EPOCH and no git commit: timestamps use the current time, so this build is not reproducible"
        );
    }
    for warning in &plan.warnings {
        tracing::warn!("{warning}");
    }
    let inputs = check::Inputs { site: &plan.inputs.site, htpasswd: &plan.inputs.htpasswd };
    let tree = check::check_inputs(&inputs, &plan.checks);
    refuse_on_errors(&tree.report)?;
    let mut metadata = plan.metadata.clone();
    let (conf, conf_text) = httpd_conf(plan, aws, work, &mut metadata).await?;
    let conf_shown = plan.inputs.httpd_conf.to_string();
    refuse_on_errors(&check::check_against_conf(Some((&conf_text, &conf_shown)), &tree, &plan.checks))?;
    Ok(Prepared { tree, conf, metadata })
}

/// How registries are reached: the destination by the plan's mode.
fn access(plan: &BuildPlan) -> connect::Access<'_> {
    let auth_host = match &plan.output {
        Output::Registry { image } => Some(image.registry.as_str()),
        _ => None,
    };
    connect::Access {
        options: &plan.registry,
        auth: plan.registry_auth,
        auth_host,
        aws_account: plan.aws_account.clone(),
    }
}

/// The base by digest, every platform's manifest checked against the lock;
/// with the time it took.
async fn resolve_base(plan: &BuildPlan, base_reg: &Registry) -> Result<(Vec<base::BaseImage>, u64), Error> {
    let t = Instant::now();
    let platforms: Vec<base::Platform> = plan.targets.iter().map(|t| t.platform.clone()).collect();
    let bases = base::resolve(base_reg, &plan.base, &platforms).await?;
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
    Ok((bases, t.elapsed().as_millis() as u64))
}

/// The layers under way, with what reading the destination left for the push.
struct LayersStarted<'a> {
    read: DestinationRead,
    tasks: Vec<LayerTask>,
    /// When the layers started (`timings.build_layers`).
    since: Instant,
    /// Where blobs go as soon as they are built: none when an immutable tag
    /// is already taken.
    uploads_to: Option<(&'a Arc<Registry>, &'a reference::Reference)>,
}

/// The destination as the build starts.
struct DestinationRead {
    /// An immutable tag that already names an image: the build can only be
    /// a no-op (same digest) or refused, and nothing is uploaded.
    taken: Option<digest::Digest>,
    previous: Previous,
}

/// The destination, read before the layers so each is uploaded as soon as
/// it is built: an ECR repository checked (or created), and the tag's
/// previous image, whose unchanged layers are reused by diff_id without
/// being compressed again.
async fn read_destination(
    plan: &BuildPlan,
    ecr: &std::collections::HashMap<String, aws::ecr::Ecr>,
    dest: Option<(&Arc<Registry>, &reference::Reference)>,
) -> Result<DestinationRead, Error> {
    let Some((dest, image)) = dest else { return Ok(DestinationRead { taken: None, previous: Previous::default() }) };
    let immutable = match ecr.get(&image.registry) {
        Some(ecr) => ensure_ecr_repository(plan, ecr, image).await?,
        None => false,
    };
    // What the tag names now, read once for both uses. For an immutable
    // tag it decides whether anything may be pushed, so a failed read stops
    // the build; otherwise it only means no reuse.
    let tag = match image.tag.as_deref() {
        Some(tag) => match dest.get_manifest(&image.repository, tag).await {
            Ok(Some((bytes, _))) => TagRead::Names(bytes),
            Ok(None) => TagRead::Absent,
            Err(e) if immutable => return Err(e.into()),
            Err(_) => TagRead::Unknown,
        },
        None => TagRead::Unknown,
    };
    let taken = match (&tag, immutable) {
        (TagRead::Names(bytes), true) => Some(digest::Digest::of_bytes(bytes)),
        _ => None,
    };
    let previous = previous_image(dest, image, tag, plan.cache_from.as_deref()).await;
    Ok(DestinationRead { taken, previous })
}

/// A layer being built on a blocking thread, with the upload session
/// opened for it meanwhile (if any).
type LayerTask = tokio::task::JoinHandle<(
    Result<Result<layer::Layer, layer::LayerError>, tokio::task::JoinError>,
    Option<reqwest::Url>,
)>;

/// Starts every layer of the plan's rule (CPU and disk work, off the async
/// runtime), as many at once as there are cores (more only adds buffers and
/// switching); each streams through a bounded buffer.
fn spawn_layers(
    plan: &BuildPlan,
    prepared: &mut Prepared,
    reuse: layer::Reuse,
    uploads_to: Option<(&Arc<Registry>, &reference::Reference)>,
    work: &std::path::Path,
) -> Vec<LayerTask> {
    let facts = &prepared.tree.facts;
    let mut specs = plan::layer_specs(
        &prepared.conf,
        &plan.inputs,
        &prepared.tree.layout.dest(crate::layout::DOCROOT),
        facts.media_bytes,
        facts.bytes - facts.media_bytes,
    );
    let mtime = plan.epoch.seconds;
    // The checks' walk of the site (error-free, or the build stopped) is
    // the listing every bucket layer takes its files from.
    let listing = Arc::new(std::mem::take(&mut prepared.tree.facts.listing));
    for source in specs.iter_mut().flat_map(|s| s.sources.iter_mut()) {
        if source.kind == layer::SourceKind::Tree {
            source.listing = Some(listing.clone());
        }
    }
    let reuse = Arc::new(reuse);
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let slots = Arc::new(tokio::sync::Semaphore::new(cores));
    // No earlier image to reuse from: every layer will almost surely be
    // sent, so its upload session is opened while it is being built.
    let preopen =
        uploads_to.filter(|_| reuse.is_empty()).map(|(dest, image)| (Arc::clone(dest), image.repository.clone()));
    specs
        .into_iter()
        .enumerate()
        .map(|(i, spec)| {
            let (reuse, out) = (reuse.clone(), work.join(format!("layer-{i}.tar.gz")));
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
        .collect()
}

/// What the transfers leave: the layers as built, and for a registry the
/// assembled images and every blob's fate.
struct Sent {
    layers: Vec<layer::Layer>,
    images: Vec<image::NewImage>,
    blobs: Vec<publish::BlobReport>,
}

/// Transfers overlap the compression, in a few shared slots: the base
/// layers at once, each site layer as soon as it is built; the configs
/// (outside the slots) as soon as every layer is (they need the diff_ids).
/// The first failure stops the rest (a base copy too) at once.
#[allow(clippy::too_many_arguments)]
async fn transfer(
    bases: &[base::BaseImage],
    tasks: Vec<LayerTask>,
    base_reg: &Registry,
    dest: Option<(&Arc<Registry>, &reference::Reference)>,
    uploads_to: Option<(&Arc<Registry>, &reference::Reference)>,
    known: &publish::Known,
    metadata: &image::Metadata,
    progress: &progress::Progress,
) -> Result<Sent, Error> {
    let transfers = &tokio::sync::Semaphore::new(publish::CONCURRENT_BLOBS);
    let layer_count = tasks.len();
    let (built_tx, mut built_rx) = tokio::sync::mpsc::unbounded_channel::<(usize, layer::Layer)>();
    let site_layers = futures_util::future::try_join_all(tasks.into_iter().enumerate().map(|(i, task)| {
        let built_tx = built_tx.clone();
        async move {
            let (built, session) = task.await.map_err(Error::Join)?;
            let layer = built.map_err(Error::Join)??;
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
        let images =
            bases.iter().map(|b| image::assemble(b, &all, metadata, b.family)).collect::<Result<Vec<_>, _>>()?;
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
                Ok::<_, Error>(publish::base_blobs(dest, repo, base_reg, &all, known, transfers, progress).await?)
            }
            None => Ok(Vec::new()),
        }
    };
    let (built, base_blobs, (images, config_blobs)) = tokio::try_join!(site_layers, base_layers, configs)?;
    let (layers, layer_blobs): (Vec<layer::Layer>, Vec<Option<publish::BlobReport>>) = built.into_iter().unzip();
    let blobs = base_blobs.into_iter().chain(layer_blobs.into_iter().flatten()).chain(config_blobs).collect();
    Ok(Sent { layers, images, blobs })
}

fn log_built(plan: &BuildPlan, bases: &[base::BaseImage], layers: &[layer::Layer], ms: u64) {
    for b in bases {
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
        "layers built: {} layers ({} reused from the tag's previous image), {} files, {} bytes compressed, in {ms} ms",
        layers.len(),
        layers.iter().filter(|l| l.path.is_none()).count(),
        layers.iter().map(|l| l.files).sum::<u64>(),
        layers.iter().filter(|l| l.path.is_some()).map(|l| l.size).sum::<u64>(),
    );
}

/// Each platform's base with the image built on it.
fn pairs<'a>(
    bases: &'a [base::BaseImage],
    images: &'a [image::NewImage],
) -> Vec<(&'a base::BaseImage, &'a image::NewImage)> {
    bases.iter().zip(images).collect()
}

/// What a push to the registry left.
struct Published {
    /// The manifest, or the index over one per platform, the tag names.
    top: image::Blob,
    platforms: Vec<PlatformImage>,
    pushed: publish::PushReport,
}

/// The manifests (and an index for several platforms) put, the tag read
/// back, the extra tags set once the image is verified.
#[allow(clippy::too_many_arguments)]
async fn publish_to_registry(
    plan: &BuildPlan,
    pairs: &[(&base::BaseImage, &image::NewImage)],
    image: &reference::Reference,
    dest: &Registry,
    metadata: &image::Metadata,
    blobs: Vec<publish::BlobReport>,
    taken: Option<digest::Digest>,
    previous_digest: Option<digest::Digest>,
    timings: &mut Timings,
) -> Result<Published, Error> {
    let t = Instant::now();
    // Several platforms: an index over the images takes the tag.
    let index = (pairs.len() > 1).then(|| image::index(pairs, metadata));
    let top = index.clone().unwrap_or_else(|| pairs[0].1.manifest.clone());
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
    let mut pushed = publish::PushReport {
        bytes_uploaded: blobs.iter().filter(|b| b.action == BlobAction::Uploaded).map(|b| b.size).sum(),
        blobs,
    };
    if !already_there {
        for (_, new) in pairs {
            let current = previous_digest.as_ref().filter(|_| index.is_none());
            pushed.bytes_uploaded += publish::manifest(dest, image, new, index.is_none(), current).await?;
        }
        if let Some(index) = index.as_ref().filter(|i| previous_digest.as_ref() != Some(&i.digest)) {
            let reference = image.tag.clone().unwrap_or_else(|| index.digest.to_string());
            dest.put_manifest(&image.repository, &reference, index.media_type, index.bytes.clone()).await?;
            pushed.bytes_uploaded += index.size();
        }
    }
    timings.push = t.elapsed().as_millis() as u64;
    let count = |a| pushed.blobs.iter().filter(|b| b.action == a).count();
    tracing::info!(
        "blobs: {} reused, {} mounted, {} uploaded ({} bytes)",
        count(BlobAction::Reused),
        count(BlobAction::Mounted),
        count(BlobAction::Uploaded),
        pushed.bytes_uploaded
    );
    for (b, new) in pairs {
        tracing::info!("manifest pushed: {}@{} ({})", image.name(), new.manifest.digest, b.platform);
    }
    if index.is_some() {
        tracing::info!("index pushed: {}@{} ({} platforms)", image.name(), top.digest, pairs.len());
    }
    let t = Instant::now();
    publish::verify(dest, image, &top.digest).await?;
    tracing::info!("verified: {image} → {}", top.digest);
    // Only once the image is verified, and before any deploy file.
    for tag in &plan.also_tags {
        let also = reference::Reference { tag: Some(tag.clone()), digest: None, ..image.clone() };
        dest.put_manifest(&image.repository, tag, top.media_type, top.bytes.clone()).await?;
        publish::verify(dest, &also, &top.digest).await?;
        tracing::info!("also tagged: {also} → {}", top.digest);
    }
    timings.verify = t.elapsed().as_millis() as u64;
    let platforms = pairs
        .iter()
        .map(|(b, i)| PlatformImage {
            platform: b.platform.to_string(),
            manifest: i.manifest.digest.clone(),
            base_manifest: b.manifest_digest.clone(),
        })
        .collect();
    Ok(Published { top, platforms, pushed })
}

/// The deploy files, naming the verified digest.
fn write_deploy_files(
    plan: &BuildPlan,
    image: &reference::Reference,
    digest: &digest::Digest,
) -> Result<Vec<String>, Error> {
    let uri = deploy::image_uri(image, digest, plan.deploy.form);
    let written = deploy::write(&plan.deploy, &uri)?;
    for path in &written {
        tracing::info!("{} written: {uri}", path.display());
    }
    if plan.deploy.definitions.is_none() {
        tracing::info!("no container name (--container-name or CONTAINER_NAME): imagedefinitions.json not written");
    }
    Ok(written.iter().map(|p| p.display().to_string()).collect())
}

/// An OCI layout (or an archive of one) instead of a push.
#[allow(clippy::too_many_arguments)]
async fn write_layout(
    path: &std::path::Path,
    ref_name: &str,
    archive: bool,
    base_reg: &Registry,
    base: &base::BaseImage,
    layers: &[layer::Layer],
    metadata: &image::Metadata,
    work: &std::path::Path,
) -> Result<image::NewImage, Error> {
    let new = image::assemble(base, layers, metadata, base::Family::Oci)?;
    let layout_dir = if archive { work.join("layout") } else { path.to_owned() };
    output::write_layout(&layout_dir, ref_name, base_reg, base, layers, &new).await?;
    if archive {
        let (layout_dir, path) = (layout_dir.clone(), path.to_owned());
        tokio::task::spawn_blocking(move || output::write_archive(&layout_dir, &path)).await.map_err(Error::Join)??;
    }
    tracing::info!("image written: {} ({ref_name}) → {}", path.display(), new.manifest.digest);
    Ok(new)
}

/// The image a build produced, as the report names it.
struct Image {
    shown: String,
    digest: digest::Digest,
    media_type: &'static str,
    tag: Option<String>,
    also_tags: Vec<String>,
    platforms: Vec<PlatformImage>,
}

/// What every report holds whatever the output.
struct Built<'a> {
    plan: &'a BuildPlan,
    bases: &'a [base::BaseImage],
    layers: &'a [layer::Layer],
    started: Instant,
}

impl Built<'_> {
    fn report(
        &self,
        image: Image,
        pushed: Option<publish::PushReport>,
        deploy_files: Vec<String>,
        retries: u64,
        mut timings: Timings,
    ) -> BuildReport {
        timings.total = self.started.elapsed().as_millis() as u64;
        let base = &self.bases[0];
        let layers = self
            .layers
            .iter()
            .map(|l| LayerSummary {
                digest: l.digest.clone(),
                diff_id: l.diff_id.clone(),
                size: l.size,
                files: l.files,
                created_by: l.created_by.clone(),
                action: pushed.as_ref().and_then(|p| {
                    p.blobs
                        .iter()
                        .find(|b| b.digest == l.digest && b.kind == publish::BlobKind::Layer)
                        .map(|b| b.action)
                }),
            })
            .collect();
        BuildReport {
            digest: image.digest,
            image: image.shown,
            tag: image.tag,
            also_tags: image.also_tags,
            manifest_media_type: image.media_type,
            platforms: image.platforms,
            base: BaseSummary {
                reference: self.plan.base.to_string(),
                name: self.plan.base_name.clone(),
                manifest_digest: base.manifest_digest.clone(),
                platform: self.bases.iter().map(|b| b.platform.to_string()).collect::<Vec<_>>().join(","),
            },
            layers,
            bytes_uploaded: pushed.as_ref().map_or(0, |p| p.bytes_uploaded),
            retries,
            blobs: pushed.map(|p| p.blobs),
            deploy_files,
            reproducible: self.plan.epoch.source != EpochSource::Now,
            timings_ms: timings,
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
