//! sitepack: build a contributor's web site into an Apache httpd image on a
//! pinned base and push it to an OCI registry, without a container daemon.
//!
//! The pipeline, in `build`: a validated plan (`plan`) → the base resolved
//! by digest (`base`) while the layers are written (`layer`) → config and
//! manifest (`image`) → blobs, manifest and tag pushed and read back
//! (`publish`, `registry`) or an OCI layout written (`output`) → the deploy
//! file (`deploy`).

pub mod atomic;
pub mod aws;
pub mod base;
pub mod check;
pub mod cli;
pub mod commands;
pub mod connect;
mod deflate;
pub mod deploy;
pub mod digest;
pub mod error;
pub mod gzip;
pub mod image;
pub mod layer;
pub mod layout;
pub mod output;
pub mod plan;
pub mod progress;
pub mod publish;
pub mod reference;
pub mod registry;
pub mod site;

pub use error::Error;
