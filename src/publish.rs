//! Pushing a built image: every blob first (skipped when present, mounted
//! from the base repository on the same registry, else uploaded or streamed
//! across), every blob confirmed, then the manifest under its tag, then the
//! tag read back and its digest compared. A tag therefore only ever moves to
//! a complete image.

use std::future::Future;
use std::pin::Pin;

use futures_util::stream::{self, StreamExt, TryStreamExt};
use serde::Serialize;

use crate::base::BaseImage;
use crate::digest::Digest;
use crate::image::{Blob, NewImage};
use crate::layer::Layer;
use crate::progress::Progress;
use crate::reference::Reference;
use crate::registry::{BlobAction, MountOutcome, Registry, RegistryError, Remote};
use reqwest::Url;

/// Blob transfers in flight at once; ECR throttles beyond a few.
pub const CONCURRENT_BLOBS: usize = 4;

#[derive(Debug, Clone, Serialize)]
pub struct BlobReport {
    pub digest: Digest,
    pub size: u64,
    pub kind: BlobKind,
    pub action: BlobAction,
}

/// Which part of the image a blob is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BlobKind {
    /// A layer of the base image.
    Base,
    /// A layer sitepack built.
    Layer,
    Config,
}

#[derive(Debug, Clone, Serialize)]
pub struct PushReport {
    pub blobs: Vec<BlobReport>,
    pub bytes_uploaded: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error("registry {registry}: blob {digest} is missing from {repo} after upload; not tagging an incomplete image")]
    BlobMissing { registry: String, repo: String, digest: Digest },
    #[error("registry {registry}: tag {image} reads back as {found}, not the pushed {expected}; another build may have pushed the same tag")]
    TagMoved { registry: String, image: String, expected: Digest, found: Digest },
    #[error("ECR repository `{repository}` does not exist in {registry}; create it with `aws ecr create-repository --repository-name {repository} --region {region} --image-scanning-configuration scanOnPush=true`, or pass --create-repository")]
    RepositoryMissing { registry: String, repository: String, region: String },
    #[error("tag {image} is immutable and already points at {existing}; this build is {new}. The tag is left as it is: push under a new tag (IMAGE_TAG)")]
    TagImmutable { image: String, existing: Digest, new: Digest },
    #[error("registry {registry}: tag {image} cannot be read back after the push")]
    TagMissing { registry: String, image: String },
}

type BlobFuture<'a> = Pin<Box<dyn Future<Output = Result<BlobReport, RegistryError>> + Send + 'a>>;

/// Blobs the tag's current manifest names: present in the repository
/// (that manifest keeps them), so not asked about again. Were one gone
/// anyway, the manifest PUT would be refused and nothing tagged.
pub type Known = std::collections::HashSet<Digest>;

/// One site layer into `repo`: nothing when it is the tag's current image's
/// (reused) or the registry has it, else uploaded and confirmed. Runs as
/// soon as the layer is built, before the rest of the push. `session`, an
/// upload session opened while the layer was built, is used or abandoned.
pub async fn layer_blob(
    dest: &Registry,
    repo: &str,
    layer: &Layer,
    session: Option<Url>,
    progress: &Progress,
) -> Result<BlobReport, PushError> {
    let report = |action| BlobReport { digest: layer.digest.clone(), size: layer.size, kind: BlobKind::Layer, action };
    let path = match &layer.path {
        Some(path) if dest.blob_exists(repo, &layer.digest).await?.is_none() => path,
        // Reused: a blob of the tag's current image, or one the registry has.
        _ => {
            if let Some(session) = session {
                dest.abandon_upload(repo, session).await;
            }
            return Ok(report(BlobAction::Reused));
        }
    };
    dest.upload_file(repo, &layer.digest, layer.size, path, session, progress).await?;
    confirm(dest, repo, &layer.digest).await?;
    Ok(report(BlobAction::Uploaded))
}

/// A manifest must never name a missing blob: read back what was sent.
async fn confirm(dest: &Registry, repo: &str, digest: &Digest) -> Result<(), PushError> {
    if dest.blob_exists(repo, digest).await?.is_none() {
        return Err(PushError::BlobMissing { registry: dest.name().into(), repo: repo.into(), digest: digest.clone() });
    }
    Ok(())
}

/// The base layers of every platform into `repo`: present, mounted from the
/// base repository on the same registry, or streamed across; each confirmed.
/// Runs while the site layers are being built. `slots` caps transfers in
/// flight together with the site layers' uploads.
pub async fn base_blobs(
    dest: &Registry,
    repo: &str,
    source: &Registry,
    bases: &[&BaseImage],
    known: &Known,
    slots: &tokio::sync::Semaphore,
    progress: &Progress,
) -> Result<Vec<BlobReport>, PushError> {
    let same_registry = dest.name() == source.name();
    let mut seen = std::collections::HashSet::new();
    let mut jobs: Vec<BlobFuture<'_>> = Vec::new();
    for base in bases {
        // Platforms may share base layers: each blob once.
        for layer in base.layers.iter().filter(|l| seen.insert(l.digest.clone())) {
            jobs.push(Box::pin(async move {
                let _slot = slots.acquire().await.expect("the semaphore is never closed");
                let report = |action| BlobReport {
                    digest: layer.digest.clone(),
                    size: layer.size,
                    kind: BlobKind::Base,
                    action,
                };
                if known.contains(&layer.digest) || dest.blob_exists(repo, &layer.digest).await?.is_some() {
                    return Ok(report(BlobAction::Reused));
                }
                let mut session = None;
                if same_registry {
                    match dest.mount_blob(repo, &layer.digest, &base.reference.repository).await? {
                        MountOutcome::Mounted => return Ok(report(BlobAction::Mounted)),
                        MountOutcome::Upload(url) => session = Some(url),
                    }
                }
                let from = Remote { registry: source, repo: &base.reference.repository };
                dest.copy_blob_from(repo, &layer.digest, layer.size, from, session, progress).await?;
                Ok(report(BlobAction::Uploaded))
            }));
        }
    }
    // `buffered` keeps the report in manifest order; `slots` bounds it.
    let blobs: Vec<BlobReport> = stream::iter(jobs).buffered(usize::MAX).try_collect().await?;
    for blob in blobs.iter().filter(|b| b.action != BlobAction::Reused) {
        confirm(dest, repo, &blob.digest).await?;
    }
    Ok(blobs)
}

/// An image config into `repo` (sent as soon as the layers are built,
/// while their uploads run): nothing when known or present, else uploaded
/// and confirmed.
pub async fn config_blob(dest: &Registry, repo: &str, config: &Blob, known: &Known) -> Result<BlobReport, PushError> {
    let report =
        |action| BlobReport { digest: config.digest.clone(), size: config.size(), kind: BlobKind::Config, action };
    if known.contains(&config.digest) || dest.blob_exists(repo, &config.digest).await?.is_some() {
        return Ok(report(BlobAction::Reused));
    }
    dest.upload_bytes(repo, &config.digest, config.bytes.clone()).await?;
    confirm(dest, repo, &config.digest).await?;
    Ok(report(BlobAction::Uploaded))
}

/// The manifest, last: under the tag, or by digest for one image of an
/// index. Every blob it names is in `repo` by now. When the tag already
/// names this very manifest (`current`), it is not sent again. Returns the
/// bytes sent.
pub async fn manifest(
    dest: &Registry,
    image: &Reference,
    new: &NewImage,
    tag_it: bool,
    current: Option<&Digest>,
) -> Result<u64, PushError> {
    if current == Some(&new.manifest.digest) {
        tracing::info!("{image} already names this image: the tag is left as it is");
        return Ok(0);
    }
    // One image of several goes in by digest; the index takes the tag.
    let reference = match (&image.tag, tag_it) {
        (Some(tag), true) => tag.clone(),
        _ => new.manifest.digest.to_string(),
    };
    dest.put_manifest(&image.repository, &reference, new.manifest.media_type, new.manifest.bytes.clone()).await?;
    Ok(new.manifest.size())
}

/// Reads the tag back and checks it names the manifest just pushed.
pub async fn verify(dest: &Registry, image: &Reference, expected: &Digest) -> Result<(), PushError> {
    let reference = image.manifest_ref();
    let (bytes, _) = dest
        .get_manifest(&image.repository, &reference)
        .await?
        .ok_or_else(|| PushError::TagMissing { registry: dest.name().into(), image: image.to_string() })?;
    let found = Digest::of_bytes(&bytes);
    if &found != expected {
        return Err(PushError::TagMoved {
            registry: dest.name().into(),
            image: image.to_string(),
            expected: expected.clone(),
            found,
        });
    }
    Ok(())
}
