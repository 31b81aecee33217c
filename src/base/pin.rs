//! What maintainers do to bases: `pin` (resolve a reference, read each
//! platform's layers once as a stream, detect httpd, record it in the
//! lock), `verify` (are the pins still there, has the tag moved on) and
//! `mirror` (copy a base, index and all, without changing its digest).

use std::io::Read;

use futures_util::TryStreamExt;
use serde::Serialize;
use serde_json::Value;

use super::detect::{Facts, Scanner};
use super::lock::{Pin, PlatformPin};
use super::{resolve, BaseError, BaseImage, Platform};
use crate::digest::{Digest, Hasher};
use crate::progress::Progress;
use crate::reference::Reference;
use crate::registry::{media, Registry, RegistryError, Remote};

/// A manifest document as served, with its digest and parsed form.
struct Document {
    bytes: Vec<u8>,
    media_type: String,
    digest: Digest,
    json: Value,
}

impl Document {
    fn is_index(&self) -> bool {
        self.media_type == media::OCI_INDEX
            || self.media_type == media::DOCKER_LIST
            || self.json.get("manifests").is_some()
    }

    /// The document as an index, through the OCI spec's types.
    fn index(&self, reference: &Reference) -> Result<oci_spec::image::ImageIndex, BaseError> {
        serde_json::from_value(self.json.clone())
            .map_err(|e| BaseError::Malformed { reference: reference.to_string(), detail: format!("index: {e}") })
    }

    /// The document as an image manifest, through the OCI spec's types.
    fn manifest(&self, reference: &Reference) -> Result<oci_spec::image::ImageManifest, BaseError> {
        serde_json::from_value(self.json.clone()).map_err(|e| BaseError::Malformed {
            reference: reference.to_string(),
            detail: format!("manifest {}: {e}", self.digest),
        })
    }

    /// Index entries that are images (attestations say `unknown/unknown`).
    fn platforms(&self, reference: &Reference) -> Result<Vec<(Platform, Digest)>, BaseError> {
        let mut out = Vec::new();
        for entry in self.index(reference)?.manifests() {
            let Some(p) = entry.platform() else { continue };
            let os = p.os().to_string();
            if os == "unknown" {
                continue;
            }
            out.push((
                Platform { os, architecture: p.architecture().to_string(), variant: p.variant().clone() },
                spec_digest(reference, entry.digest())?,
            ));
        }
        Ok(out)
    }
}

/// An OCI spec digest as sitepack's, or what is wrong with it.
fn spec_digest(reference: &Reference, d: &oci_spec::image::Digest) -> Result<Digest, BaseError> {
    Digest::parse(d.as_ref())
        .map_err(|e| BaseError::Malformed { reference: reference.to_string(), detail: format!("digest {d}: {e}") })
}

/// Reads `reference` (tag or digest); a pinned digest must match the bytes.
async fn fetch(registry: &Registry, reference: &Reference) -> Result<Document, BaseError> {
    let shown = reference.to_string();
    let (bytes, content_type) = registry
        .get_manifest(&reference.repository, &reference.manifest_ref())
        .await?
        .ok_or_else(|| BaseError::NotFound { reference: shown.clone() })?;
    let digest = Digest::of_bytes(&bytes);
    if let Some(expected) = &reference.digest {
        if expected != &digest {
            return Err(BaseError::PinMismatch { reference: shown, expected: expected.clone(), found: digest });
        }
    }
    let json: Value = serde_json::from_slice(&bytes)
        .map_err(|e| BaseError::Malformed { reference: shown, detail: format!("manifest is not JSON: {e}") })?;
    let media_type = json.get("mediaType").and_then(Value::as_str).unwrap_or(&content_type).to_owned();
    Ok(Document { bytes, media_type, digest, json })
}

/// Pins `reference` for `wanted` platforms (all of an index's when empty).
pub async fn pin(registry: &Registry, reference: &Reference, wanted: &[Platform]) -> Result<Pin, BaseError> {
    let doc = fetch(registry, reference).await?;
    let shown = reference.to_string();
    let pinned = Reference { digest: Some(doc.digest.clone()), ..reference.clone() };
    let targets: Vec<Platform> = if doc.is_index() {
        let offered = doc.platforms(reference)?;
        if wanted.is_empty() {
            offered.into_iter().map(|(p, _)| p).collect()
        } else {
            wanted.to_vec()
        }
    } else {
        let platform = manifest_platform(registry, reference, &doc).await?;
        if let Some(other) = wanted.iter().find(|w| !w.same_as(&platform)) {
            return Err(BaseError::WrongPlatform {
                reference: shown,
                platform: other.clone(),
                found: platform.to_string(),
            });
        }
        vec![platform]
    };
    if targets.is_empty() {
        return Err(BaseError::Malformed { reference: shown, detail: "the index lists no image platforms".into() });
    }
    let mut platforms = Vec::new();
    for (platform, base) in targets.iter().zip(resolve(registry, &pinned, &targets).await?) {
        tracing::info!(
            "{platform}: manifest {}; reading its {} layer(s) for httpd",
            base.manifest_digest,
            base.layers.len()
        );
        let facts = detect(registry, &base).await?;
        platforms.push(PlatformPin { platform: platform.to_string(), manifest: base.manifest_digest, facts });
    }
    platforms.sort_by(|a, b| a.platform.cmp(&b.platform));
    // `--platform linux/arm64,linux/arm64/v8` may name one image twice.
    platforms.dedup_by(|a, b| a.manifest == b.manifest);
    let mut as_given = reference.clone();
    as_given.digest = None;
    if as_given.tag.is_none() && reference.digest.is_none() {
        as_given.tag = Some("latest".into());
    }
    Ok(Pin {
        reference: as_given.to_string(),
        index: doc.is_index().then(|| doc.digest.clone()),
        pinned_at: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        platforms,
    })
}

async fn manifest_platform(registry: &Registry, reference: &Reference, doc: &Document) -> Result<Platform, BaseError> {
    let malformed = |detail: String| BaseError::Malformed { reference: reference.to_string(), detail };
    let config = spec_digest(reference, doc.manifest(reference)?.config().digest())?;
    let bytes = registry.get_blob_verified(&reference.repository, &config).await?;
    let config = oci_spec::image::ImageConfiguration::from_reader(&bytes[..])
        .map_err(|e| malformed(format!("config {config}: {e}")))?;
    Ok(Platform {
        os: config.os().to_string(),
        architecture: config.architecture().to_string(),
        variant: config.variant().clone(),
    })
}

/// Streams every layer of `base` once through the scanner: a layer is
/// verified against its digest as it passes, and its changes count only
/// once it has been read whole (a broken stream is read again).
pub async fn detect(registry: &Registry, base: &BaseImage) -> Result<Facts, BaseError> {
    let repo = &base.reference.repository;
    let mut scanner = Scanner::new();
    for layer in &base.layers {
        let changes = registry
            .with_retries(&format!("read of base layer {}", layer.digest), || async {
                let resp = registry.get_blob(repo, &layer.digest).await?;
                let name = registry.name().to_owned();
                let stream = resp.bytes_stream().map_err(move |e| {
                    let detail = format!("the layer download broke off: {e}");
                    std::io::Error::other(Transport(RegistryError::Unreachable { registry: name.clone(), detail }))
                });
                let reader = tokio_util::io::SyncIoBridge::new(tokio_util::io::StreamReader::new(stream));
                let digest = layer.digest.clone();
                let scanned = tokio::task::spawn_blocking(move || scan_blob(reader, &digest))
                    .await
                    .map_err(|e| RegistryError::Protocol { registry: registry.name().into(), detail: e.to_string() })?;
                match scanned {
                    Ok(changes) => Ok(Ok(changes)),
                    Err(ScanError::Transport(e)) => Err(e),
                    Err(ScanError::Data(detail)) => Ok(Err(detail)),
                }
            })
            .await?
            .map_err(|detail| {
                detect_error(base, super::detect::DetectError::Layer { layer: layer.digest.to_string(), detail })
            })?;
        scanner.apply(changes);
    }
    scanner.finish().map_err(|e| detect_error(base, e))
}

fn detect_error(base: &BaseImage, source: super::detect::DetectError) -> BaseError {
    BaseError::Detect { reference: format!("{} ({})", base.reference, base.platform), source }
}

/// A transport failure inside the byte stream, told apart from bad data.
#[derive(Debug)]
struct Transport(RegistryError);

impl std::fmt::Display for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Transport {}

enum ScanError {
    Transport(RegistryError),
    Data(String),
}

/// Hashes the compressed bytes while the tar inside is scanned.
struct HashingReader<R> {
    inner: R,
    hasher: Hasher,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

fn scan_blob(reader: impl Read, digest: &Digest) -> Result<super::detect::LayerChanges, ScanError> {
    let classify = |e: std::io::Error| match e.get_ref().and_then(|i| i.downcast_ref::<Transport>()) {
        Some(_) => {
            let inner = e.into_inner().expect("checked").downcast::<Transport>().expect("checked");
            ScanError::Transport(inner.0)
        }
        None => ScanError::Data(e.to_string()),
    };
    let mut hashing =
        std::io::BufReader::with_capacity(256 << 10, HashingReader { inner: reader, hasher: Hasher::default() });
    let magic =
        std::io::BufRead::fill_buf(&mut hashing).map_err(classify)?.get(..4).map(<[u8]>::to_vec).unwrap_or_default();
    let changes = match magic.as_slice() {
        [0x1f, 0x8b, ..] => Scanner::read_layer(flate2::bufread::MultiGzDecoder::new(&mut hashing)),
        [0x28, 0xb5, 0x2f, 0xfd] => {
            return Err(ScanError::Data("zstd-compressed layers are not supported; use a gzip base".into()))
        }
        _ => Scanner::read_layer(&mut hashing),
    }
    .map_err(classify)?;
    // The tar may end before the blob does (padding): read the rest so the
    // digest covers every byte.
    std::io::copy(&mut hashing, &mut std::io::sink()).map_err(classify)?;
    let (found, _) = hashing.into_inner().hasher.finish();
    if &found != digest {
        return Err(ScanError::Data(format!("its bytes have digest {found}; refusing it")));
    }
    Ok(changes)
}

/// One pin's state in the registry, for `verify`.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    pub name: String,
    pub reference: String,
    pub pinned: Digest,
    #[serde(flatten)]
    pub state: State,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum State {
    Unchanged,
    /// The tag now names another digest.
    UpdateAvailable {
        current: Digest,
        /// What differs in the configuration files the checks read
        /// (`conf.modules.d/00-base.conf changed`), platform by platform.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        config_changes: Vec<String>,
    },
    /// Pinned by digest alone: nothing to follow.
    DigestOnly,
    Error {
        message: String,
    },
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (name, reference, pinned) = (&self.name, &self.reference, &self.pinned);
        match &self.state {
            State::Unchanged => write!(f, "{name}: unchanged: {reference} is still {pinned}"),
            State::DigestOnly => write!(f, "{name}: present: {pinned} (pinned by digest, no tag to follow)"),
            State::UpdateAvailable { current, config_changes } => {
                write!(f, "{name}: update available: {reference} now points at {current} (pinned {pinned})")?;
                if !config_changes.is_empty() {
                    write!(f, "; configuration files the checks read: {}", config_changes.join(", "))?;
                }
                write!(f, "; review it, then `sitepack base pin {reference} --name {name}`")
            }
            State::Error { message } => write!(f, "{name}: error: {message}"),
        }
    }
}

/// Checks one pin: every pinned digest still resolves, and where its tag points now.
pub async fn verify(registry: &Registry, name: &str, pin: &Pin) -> Verdict {
    let pinned_ref = pin.pinned_reference();
    let pinned = pinned_ref.digest.clone().expect("a pinned reference has a digest");
    let state = match verify_state(registry, pin, &pinned_ref, &pinned).await {
        Ok(s) => s,
        Err(e) => State::Error { message: e.to_string() },
    };
    Verdict { name: name.to_owned(), reference: pin.reference.clone(), pinned, state }
}

async fn verify_state(
    registry: &Registry,
    pin: &Pin,
    pinned_ref: &Reference,
    pinned: &Digest,
) -> Result<State, BaseError> {
    let repo = &pinned_ref.repository;
    let gone = |digest: &Digest, what: &str| {
        BaseError::Malformed {
        reference: pin.reference.clone(),
        detail: format!("the pinned {what} {digest} no longer exists in the registry; builds on this pin will fail. Pin a base that exists (`sitepack base pin`)"),
    }
    };
    fetch(registry, pinned_ref).await.map_err(|e| match e {
        BaseError::NotFound { .. } => gone(pinned, if pin.index.is_some() { "index" } else { "manifest" }),
        other => other,
    })?;
    if pin.index.is_some() {
        for p in &pin.platforms {
            let Some((bytes, _)) = registry.get_manifest(repo, p.manifest.as_str()).await? else {
                return Err(gone(&p.manifest, &format!("{} manifest", p.platform)));
            };
            let found = Digest::of_bytes(&bytes);
            if found != p.manifest {
                return Err(BaseError::PinMismatch {
                    reference: pin.reference.clone(),
                    expected: p.manifest.clone(),
                    found,
                });
            }
        }
    }
    let Some(tag) = &pinned_ref.tag else { return Ok(State::DigestOnly) };
    match registry.get_manifest(repo, tag).await? {
        None => Err(BaseError::Malformed {
            reference: pin.reference.clone(),
            detail: format!("the tag `{tag}` no longer exists (the pinned digest still does); the maintainers of the base may have retired it"),
        }),
        Some((bytes, _)) => {
            let current = Digest::of_bytes(&bytes);
            if &current == pinned {
                return Ok(State::Unchanged);
            }
            let config_changes = config_changes(registry, pin, &Reference { digest: Some(current.clone()), ..pinned_ref.clone() })
                .await
                .unwrap_or_else(|e| vec![format!("not compared ({e})")]);
            Ok(State::UpdateAvailable { current, config_changes })
        }
    }
}

/// The configuration files (under ServerRoot) of the image the tag names
/// now, against the pinned ones: what an Include would read differently.
async fn config_changes(registry: &Registry, pin: &Pin, current: &Reference) -> Result<Vec<String>, BaseError> {
    // Every platform of a loaded lock parses (Lock::load checks them), so
    // the results below pair with the pins one to one.
    let platforms: Vec<Platform> =
        pin.platforms.iter().map(|p| p.platform.parse().expect("validated by Lock::load")).collect();
    let mut changes = Vec::new();
    for (pinned, base) in pin.platforms.iter().zip(resolve(registry, current, &platforms).await?) {
        // The same manifest is the same layers, so the same files: no need
        // to download and scan them (a lock from before `config_files` was
        // recorded still gets them listed as added).
        if base.manifest_digest == pinned.manifest && pinned.facts.config_files.is_some() {
            continue;
        }
        let now = detect(registry, &base).await?;
        let empty = Default::default();
        let (before, after) =
            (pinned.facts.config_files.as_ref().unwrap_or(&empty), now.config_files.as_ref().unwrap_or(&empty));
        let prefix = if pin.platforms.len() > 1 { format!("{}: ", pinned.platform) } else { String::new() };
        for path in before.keys().chain(after.keys()).collect::<std::collections::BTreeSet<_>>() {
            let what = match (before.get(path), after.get(path)) {
                (Some(a), Some(b)) if a != b => "changed",
                (Some(_), None) => "removed",
                (None, Some(_)) => "added",
                _ => continue,
            };
            changes.push(format!("{prefix}{path} {what}"));
        }
    }
    Ok(changes)
}

/// Copies `src` (an image or a whole index) to `dst` byte for byte, so the
/// digests stay what they were; returns the digest `dst` now names.
pub async fn mirror(
    src_reg: &Registry,
    src: &Reference,
    dst_reg: &Registry,
    dst: &Reference,
) -> Result<Digest, BaseError> {
    let doc = fetch(src_reg, src).await?;
    let progress = Progress::for_uploads();
    if doc.is_index() {
        for entry in doc.index(src)?.manifests() {
            let digest = spec_digest(src, entry.digest())?;
            let child = fetch(src_reg, &src.with_digest(digest)).await?;
            if child.is_index() {
                return Err(BaseError::Malformed {
                    reference: src.to_string(),
                    detail: "nested indexes are not supported".into(),
                });
            }
            copy_image(src_reg, src, dst_reg, dst, &child, &progress).await?;
        }
    } else {
        copy_image(src_reg, src, dst_reg, dst, &doc, &progress).await?;
    }
    progress.finish();
    let target = dst.tag.clone().unwrap_or_else(|| doc.digest.to_string());
    dst_reg.put_manifest(&dst.repository, &target, &doc.media_type, doc.bytes.clone().into()).await?;
    let (bytes, _) = dst_reg
        .get_manifest(&dst.repository, &target)
        .await?
        .ok_or_else(|| BaseError::NotFound { reference: dst.to_string() })?;
    let found = Digest::of_bytes(&bytes);
    if found != doc.digest {
        return Err(BaseError::PinMismatch { reference: dst.to_string(), expected: doc.digest, found });
    }
    Ok(found)
}

/// Blobs first (config and layers), then the manifest by its digest.
async fn copy_image(
    src_reg: &Registry,
    src: &Reference,
    dst_reg: &Registry,
    dst: &Reference,
    doc: &Document,
    progress: &Progress,
) -> Result<(), BaseError> {
    let manifest = doc.manifest(src)?;
    for d in std::iter::once(manifest.config()).chain(manifest.layers()) {
        let (digest, size) = (spec_digest(src, d.digest())?, d.size());
        if dst_reg.blob_exists(&dst.repository, &digest).await?.is_some() {
            continue;
        }
        let from = Remote { registry: src_reg, repo: &src.repository };
        dst_reg.copy_blob_from(&dst.repository, &digest, size, from, None, progress).await?;
    }
    dst_reg.put_manifest(&dst.repository, doc.digest.as_str(), &doc.media_type, doc.bytes.clone().into()).await?;
    Ok(())
}
