//! The one error `sitepack` returns, with each module's error folded in, and
//! the exit code each maps to.

use std::path::PathBuf;

use crate::{aws, base, check, connect, deploy, image, layer, output, plan, publish, registry};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Plan(#[from] plan::PlanError),
    #[error(transparent)]
    Base(#[from] base::BaseError),
    #[error(transparent)]
    Lock(#[from] base::lock::LockError),
    #[error(transparent)]
    Layer(#[from] layer::LayerError),
    #[error(transparent)]
    Image(#[from] image::ImageError),
    #[error(transparent)]
    Registry(#[from] registry::RegistryError),
    #[error(transparent)]
    Connect(#[from] connect::ConnectError),
    #[error(transparent)]
    Push(#[from] publish::PushError),
    #[error(transparent)]
    Output(#[from] output::OutputError),
    #[error(transparent)]
    Deploy(#[from] deploy::DeployError),
    #[error("the site would not publish, {} error(s):\n{}", .0.errors(), render_errors(.0))]
    Checks(check::Report),
    #[error(transparent)]
    Aws(#[from] aws::AwsError),
    #[error(transparent)]
    S3(#[from] aws::s3::S3Error),
    #[error("{}: content sha256 is {found}, but --httpd-conf-sha256 pins {expected}", path.display())]
    ConfDigest { path: PathBuf, expected: String, found: String },
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot create a working directory in {}: {source}", path.display())]
    WorkDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A worker task panicked or was cancelled (a bug, or the build stopping).
    #[error("a build task failed: {0}")]
    Join(#[source] tokio::task::JoinError),
}

/// Exit codes; documented in `--help` and the README.
pub const EXIT_FAILED: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

impl Error {
    /// One table, every variant on its own merits: 2 when the input must
    /// change (rerunning will not help), 1 when the world may (rerunning
    /// might). No wildcard: a new variant does not compile until it is here.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Plan(_) | Error::Checks(_) | Error::Lock(_) | Error::ConfDigest { .. } => EXIT_USAGE,
            Error::Layer(e) => match e {
                // What the contributor put in the tree.
                layer::LayerError::Site(_) | layer::LayerError::WrongKind { .. } => EXIT_USAGE,
                // A full disk, a file edited during the build: rerun.
                layer::LayerError::Io { .. } | layer::LayerError::Changed { .. } => EXIT_FAILED,
            },
            Error::Base(e) => match e {
                base::BaseError::NotPinned { .. } => EXIT_USAGE,
                // A platform or pin the registry does not give as the plan
                // says: the registry may change under a tag, so 1, as before.
                base::BaseError::NoPlatform { .. }
                | base::BaseError::WrongPlatform { .. }
                | base::BaseError::PinMismatch { .. }
                | base::BaseError::LockMismatch { .. }
                | base::BaseError::NotFound { .. }
                | base::BaseError::Malformed { .. }
                | base::BaseError::Registry(_)
                | base::BaseError::Detect { .. } => EXIT_FAILED,
            },
            // The registry's answer (a repository not created yet, a tag
            // taken): what a pipeline treats as a failed push.
            Error::Push(_) => EXIT_FAILED,
            Error::Image(_)
            | Error::Registry(_)
            | Error::Connect(_)
            | Error::Output(_)
            | Error::Deploy(_)
            | Error::Aws(_)
            | Error::S3(_)
            | Error::Read { .. }
            | Error::Write { .. }
            | Error::WorkDir { .. }
            | Error::Join(_) => EXIT_FAILED,
        }
    }
}

fn render_errors(report: &check::Report) -> String {
    report
        .findings
        .iter()
        .filter(|f| f.severity == check::Severity::Error)
        .map(|f| f.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_errors_exit_2_and_what_a_rerun_may_fix_exits_1() {
        let io = || std::io::Error::other("disk full");
        let layer = |e| Error::Layer(e);
        assert_eq!(layer(layer::LayerError::Io { op: "write", path: "/tmp/x".into(), source: io() }).exit_code(), 1);
        assert_eq!(layer(layer::LayerError::Changed { path: "a".into(), expected: 1 }).exit_code(), 1);
        assert_eq!(layer(layer::LayerError::Site(crate::site::SiteError::Symlink { path: "a".into() })).exit_code(), 2);
        assert_eq!(Error::Plan(plan::PlanError::NoHttpdConf).exit_code(), 2);
        assert_eq!(Error::Read { path: "a".into(), source: io() }.exit_code(), 1);
        let immutable = publish::PushError::TagImmutable {
            image: "r/x:1".into(),
            existing: crate::digest::Digest::of_bytes(b"a"),
            new: crate::digest::Digest::of_bytes(b"b"),
        };
        assert_eq!(Error::Push(immutable).exit_code(), 1);
    }
}
