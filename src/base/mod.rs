//! The base image: a digest-pinned reference, resolved to the manifest and
//! config of one platform. Only those two documents are read; base layers
//! stay in the registry (the push mounts, skips or streams them).
//!
//! The manifest bytes received are hashed and must match the pin, so a
//! registry (or a man in the middle) cannot substitute another base.

pub mod detect;
pub mod lock;
pub mod pin;

use std::fmt;
use std::str::FromStr;

use serde_json::Value;

use crate::digest::Digest;
use crate::reference::Reference;
use crate::registry::{media, Registry, RegistryError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
}

impl Default for Platform {
    fn default() -> Self {
        Platform { os: "linux".into(), architecture: "amd64".into(), variant: None }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("platform `{0}` is not OS/ARCH[/VARIANT] (for example linux/amd64 or linux/arm64/v8)")]
pub struct PlatformParseError(String);

impl FromStr for Platform {
    type Err = PlatformParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = s.split('/').collect();
        let ok = |p: &&str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        match parts.as_slice() {
            [os, arch] if ok(os) && ok(arch) => {
                Ok(Platform { os: os.to_string(), architecture: arch.to_string(), variant: None })
            }
            [os, arch, v] if ok(os) && ok(arch) && ok(v) => {
                Ok(Platform { os: os.to_string(), architecture: arch.to_string(), variant: Some(v.to_string()) })
            }
            _ => Err(PlatformParseError(s.to_owned())),
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

impl Platform {
    /// Whether `other` names this platform (an omitted variant matches any).
    pub fn same_as(&self, other: &Platform) -> bool {
        self.matches(&other.os, &other.architecture, other.variant.as_deref())
    }

    fn matches(&self, os: &str, arch: &str, variant: Option<&str>) -> bool {
        self.os == os
            && self.architecture == arch
            && match (&self.variant, variant) {
                (None, _) => true,
                (Some(want), Some(have)) => want == have,
                // arm64 images usually omit the implied v8.
                (Some(want), None) => self.architecture == "arm64" && want == "v8",
            }
    }
}

/// Docker schema 2 or OCI: the pushed manifest keeps the base's family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    Docker,
    Oci,
}

impl Family {
    pub fn manifest_type(self) -> &'static str {
        match self {
            Family::Docker => media::DOCKER_MANIFEST,
            Family::Oci => media::OCI_MANIFEST,
        }
    }
    pub fn config_type(self) -> &'static str {
        match self {
            Family::Docker => media::DOCKER_CONFIG,
            Family::Oci => media::OCI_CONFIG,
        }
    }
    pub fn layer_type(self) -> &'static str {
        match self {
            Family::Docker => media::DOCKER_LAYER_GZIP,
            Family::Oci => media::OCI_LAYER_GZIP,
        }
    }
}

/// One base layer as the base manifest describes it; the raw descriptor is
/// kept so fields sitepack does not know (urls, annotations) survive.
#[derive(Debug, Clone)]
pub struct BaseLayer {
    pub digest: Digest,
    pub size: u64,
    pub descriptor: Value,
}

#[derive(Debug, Clone)]
pub struct BaseImage {
    /// The pinned reference as given.
    pub reference: Reference,
    /// Digest of the pinned document (an index or a manifest).
    pub pinned_digest: Digest,
    /// Digest of the selected platform's manifest.
    pub manifest_digest: Digest,
    pub family: Family,
    pub platform: Platform,
    /// The base config, raw, exactly as served (verified against its digest).
    pub config: Value,
    pub layers: Vec<BaseLayer>,
}

#[derive(Debug, thiserror::Error)]
pub enum BaseError {
    #[error("base image `{reference}` is not pinned by digest; use `{reference}@sha256:…` (find the digest with `skopeo inspect --format '{{{{.Digest}}}}' docker://{reference}`)")]
    NotPinned { reference: String },
    #[error("base image {reference}: the registry has no manifest with that digest")]
    NotFound { reference: String },
    #[error("base image {reference}: the registry served a manifest with digest {found}, not the pinned {expected}; refusing it")]
    PinMismatch { reference: String, expected: Digest, found: Digest },
    #[error("base image {reference} has no {platform} image; it offers: {available}")]
    NoPlatform { reference: String, platform: Platform, available: String },
    #[error("base image {reference} is for {found}, not {platform}; pick a base built for {platform} or pass --platform {found}")]
    WrongPlatform { reference: String, platform: Platform, found: String },
    #[error("base image {reference}: {detail}")]
    Malformed { reference: String, detail: String },
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error("base image {reference}: {source}")]
    Detect {
        reference: String,
        #[source]
        source: detect::DetectError,
    },
    #[error("base image {reference}: the registry gives {platform} manifest {found}, but the base lock pins {expected}; the index changed under its digest or the lock is stale: run `sitepack base verify`")]
    LockMismatch { reference: String, platform: Platform, expected: Digest, found: Digest },
}

pub fn require_pin(reference: &Reference) -> Result<Digest, BaseError> {
    reference.digest.clone().ok_or_else(|| BaseError::NotPinned { reference: reference.to_string() })
}

/// Fetches and verifies the pinned document once, then for each platform
/// descends into an index and reads the manifest and config.
pub async fn resolve(
    registry: &Registry,
    reference: &Reference,
    platforms: &[Platform],
) -> Result<Vec<BaseImage>, BaseError> {
    let pinned = require_pin(reference)?;
    let (bytes, content_type) = fetch_verified(registry, reference, &pinned).await?;
    let doc: Value = serde_json::from_slice(&bytes).map_err(|e| BaseError::Malformed {
        reference: reference.to_string(),
        detail: format!("manifest is not JSON: {e}"),
    })?;
    let media_type = doc.get("mediaType").and_then(Value::as_str).unwrap_or(&content_type).to_owned();
    let mut bases = Vec::with_capacity(platforms.len());
    for platform in platforms {
        bases.push(resolve_platform(registry, reference, &pinned, &doc, &media_type, platform).await?);
    }
    Ok(bases)
}

/// One platform of the pinned document `doc` (an index or a manifest).
async fn resolve_platform(
    registry: &Registry,
    reference: &Reference,
    pinned: &Digest,
    doc: &Value,
    media_type: &str,
    platform: &Platform,
) -> Result<BaseImage, BaseError> {
    let repo = &reference.repository;
    let name = reference.to_string();
    let malformed = |detail: String| BaseError::Malformed { reference: name.clone(), detail };

    let (manifest_digest, manifest) =
        if media_type == media::OCI_INDEX || media_type == media::DOCKER_LIST || doc.get("manifests").is_some() {
            // Read through the OCI spec's types: a malformed index says what.
            let index: oci_spec::image::ImageIndex =
                serde_json::from_value(doc.clone()).map_err(|e| malformed(format!("index: {e}")))?;
            let mut available = Vec::new();
            let mut chosen = None;
            for entry in index.manifests() {
                let Some(p) = entry.platform() else { continue };
                let (os, arch, variant) = (p.os().to_string(), p.architecture().to_string(), p.variant().as_deref());
                available.push(match variant {
                    Some(v) => format!("{os}/{arch}/{v}"),
                    None => format!("{os}/{arch}"),
                });
                if chosen.is_none() && platform.matches(&os, &arch, variant) {
                    chosen = Some(entry);
                }
            }
            let entry = chosen.ok_or_else(|| BaseError::NoPlatform {
                reference: name.clone(),
                platform: platform.clone(),
                available: if available.is_empty() { "no platforms".into() } else { available.join(", ") },
            })?;
            let digest = Digest::parse(entry.digest().as_ref())
                .map_err(|e| malformed(format!("index entry digest {}: {e}", entry.digest())))?;
            let (bytes, _) = fetch_verified(registry, reference, &digest).await?;
            let manifest: Value =
                serde_json::from_slice(&bytes).map_err(|e| malformed(format!("manifest {digest} is not JSON: {e}")))?;
            (digest, manifest)
        } else {
            (pinned.clone(), doc.clone())
        };

    let family = match manifest.get("mediaType").and_then(Value::as_str).unwrap_or(media_type) {
        media::DOCKER_MANIFEST => Family::Docker,
        media::OCI_MANIFEST => Family::Oci,
        // An OCI manifest may omit mediaType; its config type tells.
        _ if manifest.pointer("/config/mediaType").and_then(Value::as_str) == Some(media::OCI_CONFIG) => Family::Oci,
        other => return Err(malformed(format!("unsupported manifest media type `{other}`"))),
    };

    // The manifest through the OCI spec's types (what is wrong is named);
    // each layer's descriptor is also kept raw, as the new manifest repeats it.
    let typed: oci_spec::image::ImageManifest =
        serde_json::from_value(manifest.clone()).map_err(|e| malformed(format!("manifest {manifest_digest}: {e}")))?;
    let config_digest = Digest::parse(typed.config().digest().as_ref())
        .map_err(|e| malformed(format!("manifest {manifest_digest}: config digest: {e}")))?;
    let raw_layers = manifest.get("layers").and_then(Value::as_array).cloned().unwrap_or_default();
    let layers = typed
        .layers()
        .iter()
        .zip(raw_layers)
        .map(|(d, descriptor)| {
            let digest = Digest::parse(d.digest().as_ref())
                .map_err(|e| malformed(format!("manifest {manifest_digest}: layer digest {}: {e}", d.digest())))?;
            Ok(BaseLayer { digest, size: d.size(), descriptor })
        })
        .collect::<Result<Vec<_>, BaseError>>()?;

    let config_bytes = registry.get_blob_verified(repo, &config_digest).await?;
    // Kept raw (it is patched and written back, unknown fields and all);
    // read through the spec's types for what the checks below need.
    let config: Value =
        serde_json::from_slice(&config_bytes).map_err(|e| malformed(format!("config is not JSON: {e}")))?;
    let typed_config = oci_spec::image::ImageConfiguration::from_reader(&config_bytes[..])
        .map_err(|e| malformed(format!("config {config_digest}: {e}")))?;
    let (os, arch) = (typed_config.os().to_string(), typed_config.architecture().to_string());
    let variant = typed_config.variant().as_deref();
    if !platform.matches(&os, &arch, variant) {
        return Err(BaseError::WrongPlatform {
            reference: name,
            platform: platform.clone(),
            found: format!("{os}/{arch}{}", variant.map(|v| format!("/{v}")).unwrap_or_default()),
        });
    }
    let diff_ids = typed_config.rootfs().diff_ids().len();
    if diff_ids != layers.len() {
        return Err(malformed(format!("config lists {diff_ids} diff_ids for {} layers", layers.len())));
    }
    Ok(BaseImage {
        reference: reference.clone(),
        pinned_digest: pinned.clone(),
        manifest_digest,
        family,
        platform: platform.clone(),
        config,
        layers,
    })
}

async fn fetch_verified(
    registry: &Registry,
    reference: &Reference,
    digest: &Digest,
) -> Result<(Vec<u8>, String), BaseError> {
    let (bytes, content_type) = registry
        .get_manifest(&reference.repository, digest.as_str())
        .await?
        .ok_or_else(|| BaseError::NotFound { reference: reference.with_digest(digest.clone()).to_string() })?;
    let found = Digest::of_bytes(&bytes);
    if &found != digest {
        return Err(BaseError::PinMismatch { reference: reference.to_string(), expected: digest.clone(), found });
    }
    Ok((bytes, content_type))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_parsing_and_matching() {
        let p: Platform = "linux/arm64/v8".parse().unwrap();
        assert_eq!(p.variant.as_deref(), Some("v8"));
        assert!(p.matches("linux", "arm64", None));
        assert!(!p.matches("linux", "amd64", None));
        let amd: Platform = "linux/amd64".parse().unwrap();
        assert!(amd.matches("linux", "amd64", Some("v3")));
        assert!("linux".parse::<Platform>().is_err());
        assert!("linux/amd64/v2/x".parse::<Platform>().is_err());
        assert_eq!(amd.to_string(), "linux/amd64");
    }

    #[test]
    fn unpinned_reference_is_refused_with_a_hint() {
        let r = Reference::parse("registry.example/httpd:2.4").unwrap();
        let e = require_pin(&r).unwrap_err().to_string();
        assert!(e.contains("not pinned by digest") && e.contains("registry.example/httpd:2.4@sha256:"), "{e}");
    }
}
