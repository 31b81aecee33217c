//! Image outputs other than a registry: an OCI image layout directory
//! (`oci:DIR`) or a tar of one (`oci-archive:FILE`), which `podman load`,
//! `skopeo copy oci:`/`oci-archive:` and `umoci` read. Base layers are
//! downloaded from the base registry and verified against their digests.
//! Layout outputs always use OCI media types (Docker ones are converted).

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::base::BaseImage;
use crate::digest::{Digest, Sha256Writer};
use crate::image::{Blob, NewImage};
use crate::layer::Layer;
use crate::registry::{media, Registry, RegistryError};

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("cannot {op} {}: {source}", path.display())]
    Io {
        op: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} exists and is not an OCI image layout (no oci-layout file); choose an empty or new directory", path.display())]
    NotALayout { path: PathBuf },
    #[error("{}: index.json is not valid JSON: {detail}", path.display())]
    BadIndex { path: PathBuf, detail: String },
    #[error("base layer {digest} downloaded with digest {found}; refusing it")]
    DigestMismatch { digest: Digest, found: Digest },
    #[error(transparent)]
    Registry(#[from] RegistryError),
}

fn io(op: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> OutputError {
    let path = path.to_owned();
    move |source| OutputError::Io { op, path, source }
}

/// Writes (or adds to) the layout at `dir`, naming the image `ref_name`.
pub async fn write_layout(
    dir: &Path,
    ref_name: &str,
    source: &Registry,
    base: &BaseImage,
    layers: &[Layer],
    image: &NewImage,
) -> Result<(), OutputError> {
    let layout_file = dir.join("oci-layout");
    if dir.exists() && fs::read_dir(dir).map_err(io("list", dir))?.next().is_some() && !layout_file.exists() {
        return Err(OutputError::NotALayout { path: dir.to_owned() });
    }
    let blobs = dir.join("blobs/sha256");
    fs::create_dir_all(&blobs).map_err(io("create", &blobs))?;
    fs::write(&layout_file, br#"{"imageLayoutVersion":"1.0.0"}"#).map_err(io("write", &layout_file))?;

    for layer in &base.layers {
        let target = blobs.join(layer.digest.hex());
        if fs::metadata(&target).is_ok_and(|m| m.len() == layer.size) {
            continue;
        }
        // A download that breaks off starts over (the temporary file is new each time).
        let repo = &base.reference.repository;
        source
            .with_retries(&format!("download of {}", layer.digest), || async {
                download(source, repo, &layer.digest, &target).await.map_err(|e| match e {
                    OutputError::Registry(r) => r,
                    other => RegistryError::Protocol { registry: source.name().into(), detail: other.to_string() },
                })
            })
            .await?;
    }
    for layer in layers {
        let target = blobs.join(layer.digest.hex());
        // Layout outputs build every layer locally (there is no previous image to reuse from).
        let built = layer.path.as_ref().expect("layout outputs build every layer locally");
        fs::copy(built, &target).map_err(io("copy layer into", &target))?;
    }
    for blob in [&image.config, &image.manifest] {
        let target = blobs.join(blob.digest.hex());
        fs::write(&target, &blob.bytes).map_err(io("write", &target))?;
    }
    update_index(dir, ref_name, &image.manifest)
}

async fn download(source: &Registry, repo: &str, digest: &Digest, target: &Path) -> Result<(), OutputError> {
    let mut resp = source.get_blob(repo, digest).await?;
    let parent = target.parent().expect("blob path has a parent");
    let tmp = tempfile::NamedTempFile::new_in(parent).map_err(io("create a temporary file in", parent))?;
    let mut writer = Sha256Writer::new(BufWriter::new(tmp));
    while let Some(chunk) = resp.chunk().await.map_err(|e| {
        OutputError::Registry(RegistryError::Unreachable { registry: source.name().into(), detail: e.to_string() })
    })? {
        writer.write_all(&chunk).map_err(io("write", target))?;
    }
    let (buffered, found, _) = writer.finish();
    if &found != digest {
        return Err(OutputError::DigestMismatch { digest: digest.clone(), found });
    }
    let tmp = buffered.into_inner().map_err(|e| OutputError::Io {
        op: "write",
        path: target.to_owned(),
        source: e.into_error(),
    })?;
    tmp.persist(target).map_err(|e| OutputError::Io { op: "rename into", path: target.to_owned(), source: e.error })?;
    Ok(())
}

fn update_index(dir: &Path, ref_name: &str, manifest: &Blob) -> Result<(), OutputError> {
    let path = dir.join("index.json");
    let mut index = match fs::read(&path) {
        Ok(bytes) => serde_json::from_slice::<Value>(&bytes)
            .map_err(|e| OutputError::BadIndex { path: path.clone(), detail: e.to_string() })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            json!({"schemaVersion": 2, "mediaType": media::OCI_INDEX, "manifests": []})
        }
        Err(source) => return Err(OutputError::Io { op: "read", path, source }),
    };
    let manifests = index
        .get_mut("manifests")
        .and_then(Value::as_array_mut)
        .ok_or_else(|| OutputError::BadIndex { path: path.clone(), detail: "no manifests array".into() })?;
    // One image per name: a rebuild replaces the entry.
    manifests.retain(|m| {
        m.pointer("/annotations/org.opencontainers.image.ref.name").and_then(Value::as_str) != Some(ref_name)
    });
    manifests.push(json!({
        "mediaType": manifest.media_type,
        "digest": manifest.digest,
        "size": manifest.size(),
        "annotations": {"org.opencontainers.image.ref.name": ref_name},
    }));
    let bytes = serde_json::to_vec(&index).expect("JSON values always serialise");
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io("create a temporary file in", dir))?;
    tmp.write_all(&bytes).map_err(io("write", &path))?;
    tmp.persist(&path).map_err(|e| OutputError::Io { op: "rename into", path: path.clone(), source: e.error })?;
    Ok(())
}

/// Packs a layout directory into `archive` (a plain tar, written beside it
/// and renamed into place).
pub fn write_archive(layout: &Path, archive: &Path) -> Result<(), OutputError> {
    let parent = match archive.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let tmp = tempfile::NamedTempFile::new_in(parent).map_err(io("create a temporary file in", parent))?;
    let mut tar = tar::Builder::new(BufWriter::new(tmp));
    tar.mode(tar::HeaderMode::Deterministic);
    tar.follow_symlinks(false);
    let mut names = Vec::new();
    collect(layout, Path::new(""), &mut names)?;
    for rel in names {
        let full = layout.join(&rel);
        if full.is_dir() {
            tar.append_dir(&rel, &full).map_err(io("archive", &full))?;
        } else {
            let mut f = File::open(&full).map_err(io("open", &full))?;
            tar.append_file(&rel, &mut f).map_err(io("archive", &full))?;
        }
    }
    let writer = tar.into_inner().map_err(io("write", archive))?;
    let tmp = writer.into_inner().map_err(|e| OutputError::Io {
        op: "write",
        path: archive.to_owned(),
        source: e.into_error(),
    })?;
    tmp.persist(archive).map_err(|e| OutputError::Io {
        op: "rename into",
        path: archive.to_owned(),
        source: e.error,
    })?;
    Ok(())
}

/// Relative paths below `root`, sorted, parents first.
fn collect(root: &Path, rel: &Path, out: &mut Vec<PathBuf>) -> Result<(), OutputError> {
    let dir = root.join(rel);
    let mut entries: Vec<_> = fs::read_dir(&dir)
        .map_err(io("list", &dir))?
        .map(|e| e.map(|e| e.file_name()))
        .collect::<Result<_, _>>()
        .map_err(io("list", &dir))?;
    entries.sort();
    for name in entries {
        let child = rel.join(&name);
        out.push(child.clone());
        if root.join(&child).is_dir() {
            collect(root, &child, out)?;
        }
    }
    Ok(())
}
