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
    pub fn exit_code(&self) -> u8 {
        match self {
            // The user's input is wrong: fix it, rerunning will not help.
            Error::Plan(_)
            | Error::Layer(_)
            | Error::Checks(_)
            | Error::Lock(_)
            | Error::Base(base::BaseError::NotPinned { .. }) => EXIT_USAGE,
            _ => EXIT_FAILED,
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
