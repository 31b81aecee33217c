//! sitepack: build a contributor's web site into an Apache httpd image on a
//! pinned base and push it to an OCI registry, without a container daemon.
//!
//! The pipeline, in `build`: a validated plan (`plan`) → the base resolved
//! by digest (`base`) while the layers are written (`layer`) → config and
//! manifest (`image`) → blobs, manifest and tag pushed and read back
//! (`publish`, `registry`) or an OCI layout written (`output`) → the deploy
//! file (`deploy`).

pub(crate) mod atomic;
pub(crate) mod aws;
pub mod base;
pub mod check;
pub mod cli;
pub mod commands;
pub(crate) mod connect;
mod deflate;
pub(crate) mod deploy;
pub(crate) mod digest;
pub mod error;
pub mod gzip;
pub(crate) mod image;
pub(crate) mod layer;
pub(crate) mod layout;
pub(crate) mod output;
pub mod plan;
pub(crate) mod progress;
pub(crate) mod publish;
pub(crate) mod reference;
pub(crate) mod registry;
pub mod site;

pub use error::Error;
