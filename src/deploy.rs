//! `imagedefinitions.json` for CodePipeline's ECS deploy action:
//! `[{"name": CONTAINER_NAME, "imageUri": …}]`. It exists only for a
//! verified push: a stale one is removed before the build starts (and again
//! on failure), and the new one is written atomically.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::cli::ImageUriForm;
use crate::digest::Digest;
use crate::plan::DeployPlan;
use crate::reference::Reference;

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

pub fn write(plan: &DeployPlan, uri: &str) -> Result<(), DeployError> {
    let io = |op, source| DeployError::Io { op, path: plan.path.clone(), source };
    let body = json!([{ "name": plan.container_name, "imageUri": uri }]);
    let mut bytes = serde_json::to_vec_pretty(&body).expect("JSON values always serialise");
    bytes.push(b'\n');
    let dir = match plan.path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // Same folder as the target, so the rename is atomic.
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| io("create a temporary file beside", e))?;
    tmp.write_all(&bytes).map_err(|e| io("write", e))?;
    tmp.as_file().sync_all().map_err(|e| io("sync", e))?;
    tmp.persist(&plan.path).map_err(|e| io("rename into", e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_the_codepipeline_shape_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let plan = DeployPlan {
            path: dir.path().join("imagedefinitions.json"),
            container_name: "web".into(),
            form: ImageUriForm::Digest,
        };
        let image = Reference::parse("123.dkr.ecr.eu-west-1.amazonaws.com/site:7").unwrap();
        let digest = Digest::of_bytes(b"m");
        let uri = image_uri(&image, &digest, plan.form);
        assert_eq!(uri, format!("123.dkr.ecr.eu-west-1.amazonaws.com/site@{digest}"));
        assert_eq!(image_uri(&image, &digest, ImageUriForm::Tag), "123.dkr.ecr.eu-west-1.amazonaws.com/site:7");
        write(&plan, &uri).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&plan.path).unwrap()).unwrap();
        assert_eq!(v, json!([{"name": "web", "imageUri": uri}]));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");
        remove_stale(&plan.path).unwrap();
        assert!(!plan.path.exists());
        remove_stale(&plan.path).unwrap();
    }
}
