//! Command-line surface: clap structures only, no I/O. `plan` turns these
//! into a validated `BuildPlan`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use crate::connect::RegistryAuth;
pub use crate::deploy::ImageUriForm;

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
    Build(Box<BuildArgs>),
    /// Tell, before pushing, whether the site would publish: file and line of every problem.
    #[command(after_long_help = CHECK_EXAMPLES)]
    Check(Box<CheckCommand>),
    /// Maintainers: pin, verify and mirror the httpd base images builds use (base/base.lock).
    #[command(subcommand, after_long_help = BASE_HELP)]
    Base(BaseCommand),
    /// Build the site as `build` would, run it in the local podman on a loopback port, show the URL.
    #[command(after_long_help = PREVIEW_EXAMPLES)]
    Preview(Box<PreviewArgs>),
}

const BASE_HELP: &str = "\
The base lock (base/base.lock) records, for each named base, the reference it was pinned from,
its index and per-platform manifest digests, and what its layers hold: the httpd version, the
binary, ServerRoot, the conf, DocumentRoot, the user httpd runs as, and its built-in and loadable
modules. `sitepack build` without --base builds on the lock's base; `build` and `check` judge the
site against that httpd. Commit the lock and review its changes like code.

Examples:
  sitepack base pin 123456789012.dkr.ecr.eu-west-1.amazonaws.com/httpd-base:rocky9 --name rocky9
  sitepack base verify                      # scheduled job: 0 unchanged, 1 error, 3 update available
  sitepack base mirror docker.io/library/httpd:2.4 123456789012.dkr.ecr.eu-west-1.amazonaws.com/httpd:2.4";

#[derive(Debug, Subcommand)]
pub enum BaseCommand {
    /// Resolve a base, read its layers once to find its httpd, and record the pin in the lock.
    Pin(BasePinArgs),
    /// Check every pin still resolves and whether its tag has moved: exit 0 unchanged, 1 error, 3 update available.
    Verify(BaseVerifyArgs),
    /// Copy a base (every platform) to another registry without changing its digest, then pin the copy.
    Mirror(BaseMirrorArgs),
}

/// Where the lock is and how registries are reached; shared by the base commands.
#[derive(Debug, Clone, Args)]
pub struct BaseAccess {
    /// The base lock file (`--lock` is accepted too, the name it had before build and check shared it)
    #[arg(long, alias = "lock", env = "SITEPACK_BASE_LOCK", value_name = "FILE", default_value = crate::layout::BASE_LOCK)]
    pub base_lock: PathBuf,
    /// Registry host that may be reached over plain HTTP (repeatable; loopback hosts always may)
    #[arg(long = "insecure-registry", value_name = "HOST")]
    pub insecure_registry: Vec<String>,
}

#[derive(Debug, Clone, Args)]
pub struct BasePinArgs {
    /// The base to pin: REGISTRY/REPO:TAG (or @sha256:… to pin exactly that digest)
    #[arg(value_name = "REF")]
    pub reference: String,
    /// Name of the pin in the lock [default: the repository's last path component]
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Platforms to pin from a multi-platform base, comma separated [default: all it offers]
    #[arg(long, value_name = "OS/ARCH[/VARIANT]", value_delimiter = ',')]
    pub platform: Vec<String>,
    #[command(flatten)]
    pub access: BaseAccess,
}

#[derive(Debug, Clone, Args)]
pub struct BaseVerifyArgs {
    /// Verify only this pin [default: every pin in the lock]
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Print the verdicts as JSON on stdout
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub access: BaseAccess,
}

#[derive(Debug, Clone, Args)]
pub struct BaseMirrorArgs {
    /// Where the base is now: REGISTRY/REPO:TAG[@sha256:…]
    #[arg(value_name = "SRC")]
    pub source: String,
    /// Where to copy it: REGISTRY/REPO[:TAG] (the tag defaults to the source's)
    #[arg(value_name = "DST")]
    pub destination: String,
    /// Name of the mirror's pin in the lock [default: the repository's last path component]
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Platforms to pin (all platforms are copied) [default: all]
    #[arg(long, value_name = "OS/ARCH[/VARIANT]", value_delimiter = ',')]
    pub platform: Vec<String>,
    /// Copy only; leave the lock alone
    #[arg(long)]
    pub no_pin: bool,
    #[command(flatten)]
    pub access: BaseAccess,
}

const CHECK_EXAMPLES: &str = "\
Checks the site tree (links, special files, names, sizes), users/htpasswd (format, hash
schemes for the httpd version), every .htaccess (what httpd would refuse with a 500 in
that folder, given the operator's httpd.conf, plus the operator's policy) and lints the
httpd.conf itself. `sitepack build` runs the same checks and refuses on any error.

Examples:
  sitepack check --httpd-conf operator/httpd.conf --namespace coffeefans
  sitepack check --httpd-version 2.2 --format json
  sitepack check --format github            # in a GitHub Actions workflow: annotations on the diff
  sitepack check --format junit > reports/sitepack-check.xml

Without --httpd-conf, AllowOverride All and every standard module are assumed.

Exit codes: 0 clean or warnings only; 1 errors found; 2 usage.";

#[derive(Debug, Clone, Args)]
pub struct CheckCommand {
    /// Contributor site directory [default: site]
    #[arg(long, value_name = "DIR")]
    pub site: Option<PathBuf>,
    /// htpasswd file [default: users/htpasswd]
    #[arg(long, value_name = "FILE")]
    pub htpasswd: Option<PathBuf>,
    /// The operator's httpd.conf (s3://… or a FILE); without it, a permissive conf is assumed
    #[arg(long, env = "HTTPD_CONF_URI", value_name = "URI|FILE")]
    pub httpd_conf: Option<String>,
    /// Where the site lands in the image
    #[arg(long, value_name = "PATH", default_value = crate::layout::DOCROOT)]
    pub docroot: String,
    /// human; json for tools; github for workflow annotations; junit for CI test reports
    #[arg(long, value_enum, default_value = "human")]
    pub format: ReportFormat,
    /// Base lock whose httpd the site is checked against [default: base/base.lock when it exists]
    #[arg(long, env = "SITEPACK_BASE_LOCK", value_name = "FILE")]
    pub base_lock: Option<PathBuf>,
    /// Which base of the lock [default: the only one]
    #[arg(long, env = "SITEPACK_BASE_NAME", value_name = "NAME")]
    pub base_name: Option<String>,
    #[command(flatten)]
    pub rules: CheckArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Human,
    Json,
    /// GitHub Actions workflow commands (`::error file=…,line=…::…`): annotations on a pull request
    Github,
    /// JUnit XML: a test case per file checked, a failure per error (CodeBuild reports, other CI)
    Junit,
}

/// What the checks judge against; shared by `build` and `check`.
#[derive(Debug, Clone, Default, Args)]
pub struct CheckArgs {
    /// httpd version the checks assume [default: the base lock's, else 2.4]
    #[arg(long, value_enum, help_heading = "Checks")]
    pub httpd_version: Option<crate::check::HttpdVersion>,
    /// Modules the base's httpd builds in (`httpd -l`), comma separated [default: the base lock's, else CentOS's core,http_core,mod_so]
    #[arg(long, value_name = "LIST", value_delimiter = ',', help_heading = "Checks")]
    pub builtin_modules: Vec<String>,
    /// A local copy of the base's ServerRoot (e.g. its /etc/httpd), whose files the conf's Include lines read [default: the files the base lock records]
    #[arg(long, value_name = "DIR", help_heading = "Checks")]
    pub base_tree: Option<std::path::PathBuf>,
    /// Where that copy is in the image [default: /etc/httpd]
    #[arg(long, value_name = "PATH", requires = "base_tree", help_heading = "Checks")]
    pub base_server_root: Option<String>,
    /// The site's namespace: it must be served under /NAME/ (site/NAME/…, or site/… placed there)
    #[arg(long, value_name = "NAME", env = "SITEPACK_NAMESPACE", help_heading = "Checks")]
    pub namespace: Option<String>,
    /// Largest file [default: 100 MiB]
    #[arg(long, value_name = "BYTES", help_heading = "Checks")]
    pub max_file_bytes: Option<u64>,
    /// Largest site [default: 2 GiB]
    #[arg(long, value_name = "BYTES", help_heading = "Checks")]
    pub max_total_bytes: Option<u64>,
    /// Most files [default: 100000]
    #[arg(long, value_name = "N", help_heading = "Checks")]
    pub max_files: Option<u64>,
    /// Longest path in the image [default: 1024]
    #[arg(long, value_name = "BYTES", help_heading = "Checks")]
    pub max_path_bytes: Option<usize>,
    /// Switch a contributor-policy rule off (repeatable), e.g. policy.php; the rules and what each opens: docs/contributor-policy.md
    #[arg(long = "allow", value_name = "RULE", help_heading = "Checks")]
    pub allow: Vec<String>,
}

impl CheckArgs {
    /// The checks' own options from these flags.
    pub fn options(&self) -> crate::check::Options {
        crate::check::Options {
            httpd_version: self.httpd_version,
            builtin_modules: self.builtin_modules.clone(),
            base_tree: self.base_tree.clone(),
            base_server_root: self.base_server_root.clone(),
            namespace: self.namespace.clone(),
            max_file_bytes: self.max_file_bytes,
            max_total_bytes: self.max_total_bytes,
            max_files: self.max_files,
            max_path_bytes: self.max_path_bytes,
            allow: self.allow.clone(),
        }
    }
}

const BUILD_EXAMPLES: &str = "\
Examples:
  # In CodeBuild (see buildspec.yml): image name from AWS_ACCOUNT_ID, AWS_DEFAULT_REGION,
  # IMAGE_REPO_NAME, IMAGE_TAG; base from SITEPACK_BASE; httpd.conf from HTTPD_CONF_URI;
  # container name for imagedefinitions.json from CONTAINER_NAME. ECR hosts use an ECR token.
  sitepack build --image-detail imageDetail.json

  # Against a local registry (loopback hosts may use plain HTTP):
  sitepack build --base 127.0.0.1:5000/httpd@sha256:… --image 127.0.0.1:5000/sites/coffeefans:dev \
    --httpd-conf /srv/operator/httpd.conf

  # Into an OCI archive for `podman load -i site.tar`:
  sitepack build --base … --output oci-archive:site.tar

Settings may also live in a file (same names, snake_case): flags win over environment over file.
--config FILE is the operator's and may set anything. A sitepack.toml found in the working directory
is the checkout's: in CodeBuild (CODEBUILD_BUILD_ID set) it may hold only site and htpasswd, which
must stay inside the checkout; elsewhere an operator setting given by flag or environment wins over
it, with a warning.

Exit codes: 0 built and verified; 1 build or push failed; 2 invalid input or usage.";

/// The image's inputs (the site, the htpasswd, the operator's conf and its pin); build and preview share them.
#[derive(Debug, Clone, Default, Args)]
pub struct InputArgs {
    /// Contributor site directory, copied to /var/www/html/ [default: site]
    #[arg(long, value_name = "DIR", help_heading = "Inputs")]
    pub site: Option<PathBuf>,
    /// htpasswd file, copied to /opt/.htpasswd [default: users/htpasswd]
    #[arg(long, value_name = "FILE", help_heading = "Inputs")]
    pub htpasswd: Option<PathBuf>,
    /// The operator's httpd.conf: s3://BUCKET/KEY[?versionId=…] or a local FILE; copied to
    /// /etc/httpd/conf/httpd.conf. A conf/httpd.conf in the contributor's repo is never used.
    #[arg(long, env = "HTTPD_CONF_URI", value_name = "URI|FILE", help_heading = "Inputs")]
    pub httpd_conf: Option<String>,
    /// Refuse the httpd.conf unless its content has this sha256 (64 hex characters)
    #[arg(long, value_name = "HEX", help_heading = "Inputs")]
    pub httpd_conf_sha256: Option<String>,
}

/// Which base image to build on; build and preview share it.
#[derive(Debug, Clone, Default, Args)]
pub struct BaseImageArgs {
    /// Base image pinned by digest: REGISTRY/REPO[:TAG]@sha256:… [default: the base lock's]
    #[arg(long, env = "SITEPACK_BASE", value_name = "REF", help_heading = "Base image")]
    pub base: Option<String>,
    /// Base lock written by `sitepack base pin` [default: base/base.lock when it exists]
    #[arg(long, env = "SITEPACK_BASE_LOCK", value_name = "FILE", help_heading = "Base image")]
    pub base_lock: Option<PathBuf>,
    /// Which base of the lock to build on [default: the only one]
    #[arg(long, env = "SITEPACK_BASE_NAME", value_name = "NAME", help_heading = "Base image")]
    pub base_name: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub inputs: InputArgs,
    /// Largest httpd.conf accepted from S3 [default: 1048576]
    #[arg(long, value_name = "BYTES", help_heading = "Inputs")]
    pub httpd_conf_max_bytes: Option<u64>,
    /// Settings file, the operator's (any key) [default: sitepack.toml when it exists, the checkout's]
    #[arg(long, value_name = "FILE", help_heading = "Inputs")]
    pub config: Option<PathBuf>,

    #[command(flatten)]
    pub base_image: BaseImageArgs,
    /// Platforms to build, comma separated; several push an index over one image per platform
    /// (e.g. linux/amd64,linux/arm64) [default: linux/amd64]
    #[arg(long, value_name = "OS/ARCH[/VARIANT],…", help_heading = "Base image")]
    pub platform: Option<String>,

    /// Image to push: REGISTRY/REPO:TAG [default: $AWS_ACCOUNT_ID.dkr.ecr.$AWS_DEFAULT_REGION.amazonaws.com/$IMAGE_REPO_NAME:$IMAGE_TAG]
    #[arg(long, env = "SITEPACK_IMAGE", value_name = "REF", help_heading = "Destination")]
    pub image: Option<String>,
    /// When --image's tag names no image yet, reuse unchanged layers from the image this tag of the
    /// same repository names (e.g. a moving `live` kept by --also-tag)
    #[arg(long, env = "SITEPACK_CACHE_FROM", value_name = "TAG", help_heading = "Destination")]
    pub cache_from: Option<String>,
    /// Also point this tag of the same repository at the image, after it is verified (repeatable;
    /// needs mutable tags)
    #[arg(long = "also-tag", value_name = "TAG", help_heading = "Destination")]
    pub also_tag: Vec<String>,
    /// How to authenticate to the destination registry: auto (ECR for *.dkr.ecr.*.amazonaws.com
    /// hosts, else docker's config.json), ecr, docker-config or anonymous [default: auto]
    #[arg(long, env = "SITEPACK_REGISTRY_AUTH", value_enum, value_name = "MODE", help_heading = "Destination")]
    pub registry_auth: Option<RegistryAuth>,
    /// Give up retrying transient registry failures after this long, for the whole build [default: 600]
    #[arg(long, value_name = "SECONDS", help_heading = "Destination")]
    pub retry_deadline: Option<u64>,
    /// A registry connection silent for this long is treated as stalled and retried [default: 60]
    #[arg(long, value_name = "SECONDS", help_heading = "Destination")]
    pub http_timeout: Option<u64>,
    /// ECR: create the repository when it does not exist (scan on push enabled)
    #[arg(long, help_heading = "Destination")]
    pub create_repository: bool,
    /// ECR: tag mutability of a repository created by --create-repository [default: mutable]
    #[arg(long, value_enum, value_name = "MUTABILITY", requires = "create_repository", help_heading = "Destination")]
    pub tag_mutability: Option<crate::aws::ecr::TagMutability>,
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
    /// Also write imageDetail.json ({"ImageURI": …}) for ECS blue/green deployments, here
    #[arg(long, value_name = "PATH", help_heading = "Deploy file")]
    pub image_detail: Option<PathBuf>,
    /// Form of the image URI in the deploy files [default: digest]
    #[arg(long, value_enum, value_name = "FORM", help_heading = "Deploy file")]
    pub image_uri: Option<ImageUriForm>,

    /// Print a JSON summary on stdout instead of the bare digest
    #[arg(long, help_heading = "Output")]
    pub json: bool,

    #[command(flatten)]
    pub checks: CheckArgs,
}

const PREVIEW_EXAMPLES: &str = "\
Builds exactly as `sitepack build` does (same checks and refusals, the base from the lock or
--base, the operator's httpd.conf from a FILE or s3://), into an OCI archive in a temporary
folder, loads it into the local podman and runs it on 127.0.0.1. Nothing is pushed anywhere.
Ctrl-C (or SIGTERM) stops and removes the container, the image and the temporary files.
A second preview of the same repository replaces the first (the container is named after the
repository's path).

Examples:
  sitepack preview --httpd-conf operator-httpd.conf --namespace coffeefans
  sitepack preview --port 0 --detach         # any free port; leaves it running
  SITEPACK_PODMAN_ARGS='--runtime /usr/sbin/runc --cgroup-manager cgroupfs' sitepack preview

Exit codes: 0 stopped cleanly (or detached); 1 podman or the build failed; 2 invalid input, or
the site would not publish.";

#[derive(Debug, Clone, Args)]
pub struct PreviewArgs {
    #[command(flatten)]
    pub inputs: InputArgs,
    #[command(flatten)]
    pub base_image: BaseImageArgs,
    /// The platform to build and run, e.g. linux/arm64 on an arm64 podman machine [default: linux/amd64]
    #[arg(long, value_name = "OS/ARCH[/VARIANT]", help_heading = "Base image")]
    pub platform: Option<String>,
    /// Registry host of the base that may be reached over plain HTTP (repeatable; loopback hosts always may)
    #[arg(long = "insecure-registry", value_name = "HOST", help_heading = "Base image")]
    pub insecure_registry: Vec<String>,

    /// Loopback port to serve on; 0 lets podman pick a free one
    #[arg(long, value_name = "PORT", default_value_t = 8080, help_heading = "Preview")]
    pub port: u16,
    /// Leave the container running and print how to stop it
    #[arg(long, help_heading = "Preview")]
    pub detach: bool,
    /// The podman program
    #[arg(long, env = "SITEPACK_PODMAN", value_name = "PROGRAM", default_value = "podman", help_heading = "Preview")]
    pub podman: String,
    /// Global flags for every podman call, space separated, e.g. `--runtime /usr/sbin/runc
    /// --cgroup-manager cgroupfs` where crun cannot run containers
    #[arg(
        long,
        env = "SITEPACK_PODMAN_ARGS",
        value_name = "FLAGS",
        allow_hyphen_values = true,
        help_heading = "Preview"
    )]
    pub podman_args: Option<String>,

    #[command(flatten)]
    pub checks: CheckArgs,
}
