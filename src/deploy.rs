//! The files CodePipeline's ECS deploy actions read: `imagedefinitions.json`
//! (`[{"name": CONTAINER_NAME, "imageUri": …}]`, standard deploy) and
//! `imageDetail.json` (`{"ImageURI": …}`, blue/green through CodeDeploy).
//! They exist only for a verified push: stale ones are removed before the
//! build starts (and again on failure), and new ones are written atomically.

use std::path::{Path, PathBuf};

use serde_json::json;

use crate::digest::Digest;
use crate::reference::Reference;

/// How the deploy files name the image.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageUriForm {
    /// REPO@sha256:… — what was verified is what deploys
    #[default]
    Digest,
    /// REPO:TAG — follows the tag
    Tag,
}

/// The files the deploy stage reads; each exists only after a verified push.
#[derive(Debug, Clone, Default)]
pub struct DeployPlan {
    /// `imagedefinitions.json` (ECS standard deploy).
    pub definitions: Option<ImageDefinitions>,
    /// `imageDetail.json` (ECS blue/green through CodeDeploy).
    pub image_detail: Option<PathBuf>,
    pub form: ImageUriForm,
}

/// Where `imagedefinitions.json` goes, and the container it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageDefinitions {
    pub path: PathBuf,
    pub container_name: String,
}

impl DeployPlan {
    pub fn paths(&self) -> Vec<&Path> {
        self.definitions.iter().map(|d| d.path.as_path()).chain(self.image_detail.as_deref()).collect()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    #[error("cannot {op} {}: {source}", path.display())]
    Io {
        op: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

pub fn remove_stale(path: &Path) -> Result<(), DeployError> {
    match std::fs::remove_file(path) {
        Ok(()) => {
            tracing::debug!(path = %path.display(), "removed stale deploy file");
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(DeployError::Io { op: "remove stale", path: path.to_owned(), source }),
    }
}

/// The URI ECS will pull.
pub fn image_uri(image: &Reference, digest: &Digest, form: ImageUriForm) -> String {
    match (form, &image.tag) {
        (ImageUriForm::Tag, Some(tag)) => format!("{}:{tag}", image.name()),
        _ => format!("{}@{digest}", image.name()),
    }
}

/// Writes every deploy file the plan asks for; returns their paths.
pub fn write(plan: &DeployPlan, uri: &str) -> Result<Vec<PathBuf>, DeployError> {
    let mut written = Vec::new();
    if let Some(ImageDefinitions { path, container_name }) = &plan.definitions {
        write_json(path, &json!([{ "name": container_name, "imageUri": uri }]))?;
        written.push(path.clone());
    }
    if let Some(path) = &plan.image_detail {
        write_json(path, &json!({ "ImageURI": uri }))?;
        written.push(path.clone());
    }
    Ok(written)
}

fn write_json(path: &Path, value: &serde_json::Value) -> Result<(), DeployError> {
    let mut bytes = serde_json::to_vec_pretty(value).expect("JSON values always serialise");
    bytes.push(b'\n');
    crate::atomic::write(path, &bytes).map_err(|(op, source)| DeployError::Io { op, path: path.to_owned(), source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_both_codepipeline_shapes_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let plan = DeployPlan {
            definitions: Some(ImageDefinitions {
                path: dir.path().join("imagedefinitions.json"),
                container_name: "web".into(),
            }),
            image_detail: Some(dir.path().join("imageDetail.json")),
            form: ImageUriForm::Digest,
        };
        let image = Reference::parse("123.dkr.ecr.eu-west-1.amazonaws.com/site:7").unwrap();
        let digest = Digest::of_bytes(b"m");
        let uri = image_uri(&image, &digest, plan.form);
        assert_eq!(uri, format!("123.dkr.ecr.eu-west-1.amazonaws.com/site@{digest}"));
        assert_eq!(image_uri(&image, &digest, ImageUriForm::Tag), "123.dkr.ecr.eu-west-1.amazonaws.com/site:7");
        assert_eq!(write(&plan, &uri).unwrap().len(), 2);
        let read = |name: &str| -> serde_json::Value {
            serde_json::from_slice(&std::fs::read(dir.path().join(name)).unwrap()).unwrap()
        };
        assert_eq!(read("imagedefinitions.json"), json!([{"name": "web", "imageUri": uri}]));
        assert_eq!(read("imageDetail.json"), json!({"ImageURI": uri}));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2, "no temporary file left");
        for path in plan.paths() {
            remove_stale(path).unwrap();
            assert!(!path.exists());
            remove_stale(path).unwrap();
        }
    }
}
