//! The commands, each as its phases: `build` (flags to a plan, the plan to
//! a pushed and verified image and its deploy files), `check` (the same
//! checks without building), `base` (pin, verify, mirror the base lock).
//! The only layer besides `main` and `plan` that knows the command line.

pub mod base;
pub mod build;
pub mod check;
pub mod preview;

use crate::error::Error;
use crate::{aws, digest, plan};

/// The operator's conf as read: a local file, or an S3 object with its provenance.
pub(crate) enum LoadedConf {
    Local(Vec<u8>),
    S3(aws::s3::Fetched),
}

impl LoadedConf {
    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            LoadedConf::Local(b) => b,
            LoadedConf::S3(f) => &f.bytes,
        }
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(self.bytes()).into_owned()
    }
}

/// Reads the operator's conf from its file or S3, checked against its pin.
pub(crate) async fn load_conf(
    source: &plan::ConfSource,
    pin: Option<&str>,
    max_bytes: u64,
    account: Option<&str>,
    aws: &aws::Aws,
) -> Result<LoadedConf, Error> {
    match source {
        plan::ConfSource::Local(path) => {
            let bytes = std::fs::read(path).map_err(|source| Error::Read { path: path.clone(), source })?;
            if let Some(expected) = pin {
                let found = digest::Digest::of_bytes(&bytes).hex().to_owned();
                if found != expected {
                    return Err(Error::ConfDigest { path: path.clone(), expected: expected.to_owned(), found });
                }
            }
            Ok(LoadedConf::Local(bytes))
        }
        plan::ConfSource::S3(uri) => Ok(LoadedConf::S3(aws::s3::fetch(aws, uri, account, max_bytes, pin).await?)),
    }
}
