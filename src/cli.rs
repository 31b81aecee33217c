//! Command-line surface: clap structures only, no I/O. `plan` turns these
//! into a validated `BuildPlan`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "sitepack",
    version,
    about = "Build a community web site into an Apache httpd container image and push it, without a Docker daemon",
    long_about = "sitepack layers a contributor's site/, users/htpasswd and the operator's httpd.conf onto a \
digest-pinned Apache httpd base image and pushes the result straight to an OCI registry (such as Amazon ECR). \
It needs no Docker daemon, no privileged mode and no package manager at build time.\n\n\
The image is what this Dockerfile would give on top of the base:\n  \
COPY --chown=root:root conf/httpd.conf /etc/httpd/conf/\n  \
COPY --chown=root:root users/htpasswd /opt/.htpasswd\n  \
COPY --chown=root:root site/ /var/www/html/\n  \
EXPOSE 80\n  \
ENTRYPOINT [\"/usr/sbin/httpd\",\"-e\",\"DEBUG\",\"-D\",\"FOREGROUND\"]",
    after_help = "Logs go to stderr (RUST_LOG=debug for more); results go to stdout."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// More log detail on stderr (-v debug, -vv trace). RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Only warnings and errors on stderr.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into an image on the pinned base and push it.
    #[command(after_long_help = BUILD_EXAMPLES)]
    Build(BuildArgs),
}

const BUILD_EXAMPLES: &str = "\
Examples:
  # In CodeBuild: image name from AWS_ACCOUNT_ID, AWS_DEFAULT_REGION, IMAGE_REPO_NAME, IMAGE_TAG;
  # container name for imagedefinitions.json from CONTAINER_NAME.
  sitepack build --base 123456789012.dkr.ecr.eu-west-1.amazonaws.com/httpd-base@sha256:… --httpd-conf conf/httpd.conf

  # Against a local registry (loopback hosts may use plain HTTP):
  sitepack build --base 127.0.0.1:5000/httpd@sha256:… --image 127.0.0.1:5000/sites/coffeefans:dev

  # Into an OCI archive for `podman load -i site.tar`:
  sitepack build --base … --output oci-archive:site.tar

Settings may also live in sitepack.toml (same names, snake_case): flags win over environment over file.

Exit codes: 0 built and verified; 1 build or push failed; 2 invalid input or usage.";

#[derive(Debug, Clone, Args)]
pub struct BuildArgs {
    /// Contributor site directory, copied to /var/www/html/ [default: site]
    #[arg(long, value_name = "DIR", help_heading = "Inputs")]
    pub site: Option<PathBuf>,
    /// htpasswd file, copied to /opt/.htpasswd [default: users/htpasswd]
    #[arg(long, value_name = "FILE", help_heading = "Inputs")]
    pub htpasswd: Option<PathBuf>,
    /// The operator's httpd.conf, copied to /etc/httpd/conf/httpd.conf [default: conf/httpd.conf]
    #[arg(long, value_name = "FILE", help_heading = "Inputs")]
    pub httpd_conf: Option<PathBuf>,
    /// Settings file [default: sitepack.toml when it exists]
    #[arg(long, value_name = "FILE", help_heading = "Inputs")]
    pub config: Option<PathBuf>,

    /// Base image pinned by digest: REGISTRY/REPO[:TAG]@sha256:…
    #[arg(long, env = "SITEPACK_BASE", value_name = "REF", help_heading = "Base image")]
    pub base: Option<String>,
    /// Platform to take from a multi-platform base [default: linux/amd64]
    #[arg(long, value_name = "OS/ARCH[/VARIANT]", help_heading = "Base image")]
    pub platform: Option<String>,

    /// Image to push: REGISTRY/REPO:TAG [default: $AWS_ACCOUNT_ID.dkr.ecr.$AWS_DEFAULT_REGION.amazonaws.com/$IMAGE_REPO_NAME:$IMAGE_TAG]
    #[arg(long, value_name = "REF", help_heading = "Destination")]
    pub image: Option<String>,
    /// Where the image goes: registry, oci:DIR (OCI image layout) or oci-archive:FILE [default: registry]
    #[arg(long, value_name = "KIND", help_heading = "Destination")]
    pub output: Option<String>,
    /// Registry host that may be reached over plain HTTP (repeatable; loopback hosts always may)
    #[arg(long = "insecure-registry", value_name = "HOST", help_heading = "Destination")]
    pub insecure_registry: Vec<String>,

    /// Container name for imagedefinitions.json
    #[arg(long, env = "CONTAINER_NAME", value_name = "NAME", help_heading = "Deploy file")]
    pub container_name: Option<String>,
    /// Where to write imagedefinitions.json [default: imagedefinitions.json, when a container name is known]
    #[arg(long, value_name = "PATH", help_heading = "Deploy file")]
    pub image_definitions: Option<PathBuf>,
    /// Form of imageUri in imagedefinitions.json [default: digest]
    #[arg(long, value_enum, value_name = "FORM", help_heading = "Deploy file")]
    pub image_uri: Option<ImageUriForm>,

    /// Print a JSON summary on stdout instead of the bare digest
    #[arg(long, help_heading = "Output")]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageUriForm {
    /// REPO@sha256:… — what was verified is what deploys
    Digest,
    /// REPO:TAG — follows the tag
    Tag,
}
