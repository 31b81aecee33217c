//! Flags, environment and `sitepack.toml` become one validated `BuildPlan`
//! before any network call: references parsed, the base pin checked, input
//! paths checked, the build epoch and provenance decided.
//!
//! Precedence is flags, then environment, then file. The destination falls
//! back to CodeBuild's variables (`AWS_ACCOUNT_ID`, `AWS_DEFAULT_REGION`,
//! `IMAGE_REPO_NAME`, `IMAGE_TAG`); the base to `SITEPACK_BASE`; the
//! operator's httpd.conf to `HTTPD_CONF_URI`.
//!
//! A `sitepack.toml` found in the working directory is the contributor's
//! (in CodeBuild the working directory is their checkout): it may set only
//! the contributor's inputs, and those must stay inside the checkout (see
//! `FileSettings` and `confine`). Flags, environment and `--config FILE` are
//! the operator's.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

use crate::aws::ecr::{self, TagMutability};
use crate::aws::s3::S3Uri;
use crate::base::{self, Platform};
use crate::cli::BuildArgs;
use crate::connect::RegistryAuth;
use crate::deploy::{DeployPlan, ImageDefinitions, ImageUriForm};
use crate::image::Metadata;
use crate::layer::{Kind, LayerSpec, Select, Source, SourceKind};
use crate::reference::Reference;
use crate::registry;

use crate::layout::{CONTRIBUTOR_CONF, DOCROOT, HTPASSWD_DEST, HTTPD_CONF_DEST};
pub const DEFAULT_CONF_MAX_BYTES: u64 = 1 << 20;

#[derive(Debug, Clone)]
pub struct BuildPlan {
    pub base: Reference,
    /// The base lock's name for it, when it came from (or is in) a lock.
    pub base_name: Option<String>,
    /// One image per platform; several make an index.
    pub targets: Vec<Target>,
    pub output: Output,
    pub inputs: Inputs,
    pub epoch: Epoch,
    pub metadata: Metadata,
    pub deploy: DeployPlan,
    pub registry: registry::Options,
    /// Applies to the destination registry (and the base when on the same host).
    pub registry_auth: RegistryAuth,
    /// ECR: create a missing destination repository with this tag mutability.
    pub create_repository: Option<TagMutability>,
    /// The AWS account, when known (`AWS_ACCOUNT_ID` or an ECR host): the
    /// registry the ECR token is for, and the expected S3 bucket owner.
    pub aws_account: Option<String>,
    /// Said once the build starts (the plan itself does no logging).
    pub warnings: Vec<String>,
    pub checks: crate::check::Settings,
    /// Tag of the destination repository to reuse layers from when the
    /// destination tag names no image yet.
    pub cache_from: Option<String>,
    /// More tags of the destination repository set to the image once verified.
    pub also_tags: Vec<String>,
}

/// One platform to build, and the base manifest the lock pins for it.
#[derive(Debug, Clone)]
pub struct Target {
    pub platform: Platform,
    pub expected_manifest: Option<crate::digest::Digest>,
}

/// The base a build stands on, its platforms, and what the checks learn from the lock.
pub struct ChosenBase {
    pub reference: Reference,
    pub name: Option<String>,
    pub targets: Vec<Target>,
    pub facts: Option<crate::check::BaseFacts>,
}

/// `--platform a,b`: each parsed, none twice; linux/amd64 by default.
fn parse_platforms(text: Option<String>) -> Result<Vec<Platform>, PlanError> {
    let Some(text) = text else { return Ok(vec![Platform::default()]) };
    let mut out: Vec<Platform> = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let p: Platform = part.parse()?;
        if out.iter().any(|o| o.same_as(&p) || p.same_as(o)) {
            return Err(PlanError::DuplicatePlatform(part.to_owned()));
        }
        out.push(p);
    }
    if out.is_empty() {
        return Err(PlanError::DuplicatePlatform(text));
    }
    Ok(out)
}

/// The lock to read: the one named, else `base/base.lock` when present.
/// That default is a file of the working directory (in CodeBuild, the
/// contributor's checkout): it must be a plain file inside it, since a
/// lock that does not parse is quoted in the error.
pub fn find_lock(explicit: Option<PathBuf>) -> Result<Option<(base::lock::Lock, PathBuf)>, PlanError> {
    let path = match explicit {
        Some(p) => p,
        None if std::fs::symlink_metadata(base::lock::DEFAULT_PATH).is_ok_and(|m| !m.is_dir()) => {
            let path = default_input("base lock", base::lock::DEFAULT_PATH)?;
            check_input("base lock", &path, "--base-lock", false)?;
            path
        }
        None => return Ok(None),
    };
    Ok(Some((base::lock::Lock::load(&path)?, path)))
}

/// `--base` (pinned by hand, looked up in the lock for its facts) or the
/// lock's base by name; per platform, the manifest the lock pins.
pub fn choose_base(
    explicit: Option<String>,
    lock_path: Option<PathBuf>,
    name: Option<String>,
    platforms: &[Platform],
    env: Env<'_>,
    warnings: &mut Vec<String>,
) -> Result<ChosenBase, PlanError> {
    // In CodeBuild the working directory is the contributor's checkout: a
    // base/base.lock there would let the contributor choose the base (or
    // the facts the checks judge by), so only the operator's lock counts.
    let in_codebuild = env("CODEBUILD_BUILD_ID").is_some();
    let lock = match lock_path {
        None if in_codebuild => {
            if std::fs::symlink_metadata(base::lock::DEFAULT_PATH).is_ok() {
                warnings.push(format!(
                    "{} in the checkout is ignored in CodeBuild: the base comes from the operator (SITEPACK_BASE_LOCK, the maintainers' copy from a secondary source), so a contributor cannot choose it",
                    base::lock::DEFAULT_PATH
                ));
            }
            None
        }
        given => find_lock(given)?,
    };
    let no_base = if in_codebuild { PlanError::NoBaseInCodeBuild } else { PlanError::NoBase };
    let (reference, found) = match explicit {
        Some(text) => {
            if name.is_some() {
                return Err(PlanError::BaseAndName);
            }
            let r = Reference::parse(&text).map_err(|source| PlanError::Reference { flag: "base", source })?;
            let digest = base::require_pin(&r)?;
            let found =
                lock.as_ref().and_then(|(l, p)| l.find(&digest).map(|(n, pin)| (n.to_owned(), pin.clone(), p.clone())));
            (r, found)
        }
        None => {
            let (lock, path) = lock.ok_or(no_base)?;
            let (n, pin) = lock.select(name.as_deref(), &path)?;
            (pin.pinned_reference(), Some((n.to_owned(), pin.clone(), path)))
        }
    };
    let Some((name, pin, path)) = found else {
        warnings.push(format!(
            "base {reference} is not in a base lock: the checks assume the httpd of --httpd-version (default 2.4) and --builtin-modules; pin it with `sitepack base pin` so they use what the base really holds"
        ));
        let targets = platforms.iter().map(|p| Target { platform: p.clone(), expected_manifest: None }).collect();
        return Ok(ChosenBase { reference, name: None, targets, facts: None });
    };
    let mut targets = Vec::new();
    let mut facts = Vec::new();
    for platform in platforms {
        let pp = pin.platform(platform).ok_or_else(|| base::lock::LockError::NoPlatform {
            path: path.clone(),
            name: name.clone(),
            platform: platform.clone(),
            available: pin.available(),
            reference: pin.reference.clone(),
        })?;
        // A hand-given --base naming one platform's manifest: that manifest.
        let expected = match &reference.digest {
            Some(d) if pin.index.as_ref() != Some(d) && d != &pp.manifest => None,
            _ => Some(pp.manifest.clone()),
        };
        targets.push(Target { platform: platform.clone(), expected_manifest: expected });
        facts.push(&pp.facts);
    }
    let facts = check_facts(&name, &facts);
    Ok(ChosenBase { reference, name: Some(name), targets, facts })
}

/// What the checks need of a pinned base, in their own type, merged over
/// the platforms built: the oldest version, every module built in on any
/// platform, the modules loadable on all, and the configuration files all
/// of them hold alike (one that differs is known by none). `None` when
/// `facts` is empty or names a version the checks do not know.
pub fn check_facts(name: &str, facts: &[&base::detect::Facts]) -> Option<crate::check::BaseFacts> {
    use std::collections::BTreeSet;
    let version = facts.iter().map(|f| crate::check::HttpdVersion::from_release(&f.httpd_version)).min()??;
    let builtins: BTreeSet<String> =
        facts.iter().flat_map(|f| f.builtin_modules.iter().map(|m| crate::check::conf::canonical_module(m))).collect();
    let first = facts.first()?;
    let mut dsos: BTreeSet<String> = first.dso_modules.iter().cloned().collect();
    for f in &facts[1..] {
        dsos.retain(|m| f.dso_modules.contains(m));
    }
    let tree = facts.iter().all(|f| f.config_files.is_some() && f.server_root == first.server_root).then(|| {
        let files = first.config_files.as_ref().expect("checked above");
        crate::check::base_tree::ConfigTree {
            server_root: first.server_root.clone(),
            files: files
                .iter()
                .map(|(path, file)| {
                    let same = facts.iter().all(|f| f.config_files.as_ref().and_then(|c| c.get(path)) == Some(file));
                    (path.clone(), file.text.clone().filter(|_| same).map(String::into_bytes))
                })
                .collect(),
            source: format!("the base lock (base {name})"),
        }
    });
    let mut versions: Vec<&str> = facts.iter().map(|f| f.httpd_version.as_str()).collect();
    versions.dedup();
    Some(crate::check::BaseFacts {
        version,
        builtins: builtins.into_iter().collect(),
        dsos,
        tree,
        shown: format!("httpd {} (base {name})", versions.join(", ")),
    })
}

#[derive(Debug, Clone)]
pub struct Inputs {
    pub httpd_conf: ConfSource,
    pub httpd_conf_sha256: Option<String>,
    pub httpd_conf_max_bytes: u64,
    pub htpasswd: PathBuf,
    pub site: PathBuf,
}

#[derive(Debug, Clone)]
pub enum ConfSource {
    Local(PathBuf),
    S3(S3Uri),
}

impl std::fmt::Display for ConfSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConfSource::Local(p) => write!(f, "{}", p.display()),
            ConfSource::S3(uri) => write!(f, "{uri}"),
        }
    }
}

/// `--httpd-conf`: an `s3://` URI, or a file that must exist.
pub fn conf_source(text: String) -> Result<ConfSource, PlanError> {
    if text.starts_with("s3://") {
        return Ok(ConfSource::S3(S3Uri::parse(&text)?));
    }
    let path = PathBuf::from(text);
    check_input("httpd.conf", &path, "--httpd-conf", false)?;
    Ok(ConfSource::Local(path))
}

#[derive(Debug, Clone)]
pub enum Output {
    Registry { image: Reference },
    OciDir { path: PathBuf, ref_name: String },
    OciArchive { path: PathBuf, ref_name: String },
}

/// The one timestamp every entry, the config and the history carry.
#[derive(Debug, Clone, Copy)]
pub struct Epoch {
    pub seconds: u64,
    pub source: EpochSource,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EpochSource {
    SourceDateEpoch,
    GitCommit,
    /// Not reproducible: a rebuild gives another digest.
    Now,
}

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("{what} {} (from {flag}) does not exist", path.display())]
    Missing { what: &'static str, path: PathBuf, flag: &'static str },
    #[error("{what} {} (from {flag}) is not a {expected}", path.display())]
    WrongKind { what: &'static str, path: PathBuf, flag: &'static str, expected: &'static str },
    #[error("{what} {} (from {flag}) is a symbolic link; give the real path", path.display())]
    Symlink { what: &'static str, path: PathBuf, flag: &'static str },
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no base image: pin one with `sitepack base pin REF` (writes base/base.lock), or pass --base-lock FILE, or --base REF@sha256:… (SITEPACK_BASE, `base` in sitepack.toml)")]
    NoBase,
    #[error("no base image: in CodeBuild set SITEPACK_BASE_LOCK to the maintainers' base lock (or SITEPACK_BASE to a pinned REF@sha256:…); a base/base.lock in the contributor's checkout is not used")]
    NoBaseInCodeBuild,
    #[error("no destination image: pass --image REGISTRY/REPO:TAG, or set {missing} (CodeBuild's variables)")]
    NoImage { missing: String },
    #[error("--image {image}: give a tag, not a digest (the registry computes the digest)")]
    ImageHasDigest { image: String },
    #[error("--{flag}: {source}")]
    Reference {
        flag: &'static str,
        #[source]
        source: crate::reference::ReferenceError,
    },
    #[error(transparent)]
    Base(#[from] base::BaseError),
    #[error("base name `{0}`: use 1-64 lower-case letters, digits, '-', '_' or '.'")]
    BaseName(String),
    #[error(transparent)]
    Lock(#[from] base::lock::LockError),
    #[error("--platform: `{0}` is named twice (or is empty)")]
    DuplicatePlatform(String),
    #[error("several platforms build an index, which only --output registry can hold (not {0})")]
    MultiPlatformOutput(String),
    #[error(
        "--cache-from and --also-tag name tags of the destination repository; they need --output registry (not {0})"
    )]
    TagsWithoutRegistry(String),
    #[error("tag `{0}` (--cache-from/--also-tag): 1-128 characters of [A-Za-z0-9_.-], not starting with '.' or '-'")]
    BadTag(String),
    #[error("--base and --base-name both given: --base names the image itself; drop one")]
    BaseAndName,
    #[error("--platform: {0}")]
    Platform(#[from] base::PlatformParseError),
    #[error("--output `{0}`: expected registry, oci:DIR or oci-archive:FILE")]
    Output(String),
    #[error("--image-definitions needs a container name: pass --container-name or set CONTAINER_NAME")]
    NoContainerName,
    #[error("--image-definitions and --image-detail apply only to --output registry (nothing is deployable from {0})")]
    DefinitionsWithoutRegistry(String),
    #[error("deploy file {}: its folder does not exist", path.display())]
    DeployFolderMissing { path: PathBuf },
    #[error("SOURCE_DATE_EPOCH=`{0}` is not a whole number of seconds since 1970")]
    BadEpoch(String),
    #[error("settings file {}: {detail}", path.display())]
    ConfigFile { path: PathBuf, detail: String },
    #[error(
        "{setting} `{}` (from {from}) {why}: the contributor's inputs must stay inside the checkout (the working directory)",
        path.display()
    )]
    OutsideCheckout { setting: &'static str, path: PathBuf, from: &'static str, why: Escape },
    #[error(
        "settings file {}: {} set by the operator in the pipeline, not by the contributor's repository; in CodeBuild (CODEBUILD_BUILD_ID is set) the checkout's sitepack.toml may hold only {}; remove the key or ask the operator",
        path.display(),
        KeyAt::list(keys),
        CONTRIBUTOR_KEYS.map(|k| format!("`{k}`")).join(" and ")
    )]
    OperatorKeys { path: PathBuf, keys: Vec<KeyAt> },
    #[error("no httpd.conf: pass --httpd-conf s3://BUCKET/KEY (or a local file), or set HTTPD_CONF_URI; the operator's conf never comes from the contributor's repo")]
    NoHttpdConf,
    #[error("--httpd-conf: {0}")]
    S3Uri(#[from] crate::aws::s3::S3UriError),
    #[error("--httpd-conf-sha256 `{0}` is not 64 hexadecimal characters")]
    BadSha256(String),
    #[error(transparent)]
    Checks(#[from] crate::check::SettingsError),
    #[error("--create-repository applies to ECR registries only (use --registry-auth ecr for a private ECR endpoint)")]
    CreateWithoutEcr,
}

/// `sitepack.toml`: the same settings as the flags, in two owners' hands.
///
/// The contributor's keys are `site` and `htpasswd`: where their own files
/// are. Every other key is the operator's: the base (`base`, `base_lock`,
/// `base_name`, `platform`), the server configuration (`httpd_conf`,
/// `httpd_conf_sha256`, `httpd_conf_max_bytes`), where the image goes and
/// how (`image`, `output`, `insecure_registries`, `registry_auth`,
/// `cache_from`, `also_tags`) and what the deploy stage reads
/// (`container_name`, `image_definitions`, `image_detail`, `image_uri`).
/// Each of those decides what the public image runs on, which server
/// configuration it gets, which registry and credentials are used, or
/// which file of the build host is written: none of it is the site's
/// content, and a contributor choosing it could replace the pinned base,
/// loosen the server or point the deploy elsewhere.
///
/// Who wrote the file decides what it may hold (`SettingsOwner`):
/// - `--config FILE` is the operator's and may hold any key.
/// - `sitepack.toml` found in the working directory is the checkout's. In
///   CodeBuild (`CODEBUILD_BUILD_ID` set) an operator key there refuses the
///   build. Elsewhere (a contributor's own machine) it applies unless the
///   operator set the same thing by flag or environment, which wins with a
///   warning naming the key ignored. Its `site` and `htpasswd`, and their
///   defaults, must resolve inside the checkout (`confine`).
///
/// `merge` names every field without `..`, so a key added here does not
/// compile until it is merged; and a unit test
/// (`a_key_without_an_owner_cannot_be_added`) fails until it is a
/// contributor's key or an `OperatorKey`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSettings {
    pub base: Option<String>,
    pub base_lock: Option<PathBuf>,
    pub base_name: Option<String>,
    pub platform: Option<String>,
    pub image: Option<String>,
    pub output: Option<String>,
    pub site: Option<PathBuf>,
    pub htpasswd: Option<PathBuf>,
    pub httpd_conf: Option<String>,
    pub httpd_conf_sha256: Option<String>,
    pub httpd_conf_max_bytes: Option<u64>,
    /// Named like its flag (`--insecure-registry`); the old plural is read too.
    #[serde(default, alias = "insecure_registries")]
    pub insecure_registry: Vec<String>,
    pub registry_auth: Option<RegistryAuth>,
    pub container_name: Option<String>,
    pub image_definitions: Option<PathBuf>,
    pub image_detail: Option<PathBuf>,
    pub image_uri: Option<ImageUriForm>,
    pub cache_from: Option<String>,
    /// Named like its flag (`--also-tag`); the old plural is read too.
    #[serde(default, alias = "also_tags")]
    pub also_tag: Vec<String>,
    pub namespace: Option<String>,
    pub httpd_version: Option<crate::check::HttpdVersion>,
    #[serde(default)]
    pub builtin_modules: Vec<String>,
    pub max_file_bytes: Option<u64>,
    pub max_total_bytes: Option<u64>,
    pub max_files: Option<u64>,
    pub max_path_bytes: Option<usize>,
    #[serde(default)]
    pub allow: Vec<String>,
    pub retry_deadline: Option<u64>,
    pub http_timeout: Option<u64>,
    pub create_repository: Option<bool>,
    pub tag_mutability: Option<crate::aws::ecr::TagMutability>,
}

/// The keys a checkout's `sitepack.toml` may hold in CodeBuild.
pub const CONTRIBUTOR_KEYS: [&str; 2] = ["site", "htpasswd"];

/// A key of `FileSettings` that only the operator may set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperatorKey {
    Base,
    BaseLock,
    BaseName,
    Platform,
    Image,
    Output,
    HttpdConf,
    HttpdConfSha256,
    HttpdConfMaxBytes,
    InsecureRegistries,
    RegistryAuth,
    ContainerName,
    ImageDefinitions,
    ImageDetail,
    ImageUri,
    CacheFrom,
    AlsoTags,
    Namespace,
    HttpdVersion,
    BuiltinModules,
    MaxFileBytes,
    MaxTotalBytes,
    MaxFiles,
    MaxPathBytes,
    Allow,
    RetryDeadline,
    HttpTimeout,
    CreateRepository,
    TagMutability,
}

impl OperatorKey {
    /// Every key, in the order of the file's fields.
    pub const ALL: [OperatorKey; 29] = [
        OperatorKey::Base,
        OperatorKey::BaseLock,
        OperatorKey::BaseName,
        OperatorKey::Platform,
        OperatorKey::Image,
        OperatorKey::Output,
        OperatorKey::HttpdConf,
        OperatorKey::HttpdConfSha256,
        OperatorKey::HttpdConfMaxBytes,
        OperatorKey::InsecureRegistries,
        OperatorKey::RegistryAuth,
        OperatorKey::ContainerName,
        OperatorKey::ImageDefinitions,
        OperatorKey::ImageDetail,
        OperatorKey::ImageUri,
        OperatorKey::CacheFrom,
        OperatorKey::AlsoTags,
        OperatorKey::Namespace,
        OperatorKey::HttpdVersion,
        OperatorKey::BuiltinModules,
        OperatorKey::MaxFileBytes,
        OperatorKey::MaxTotalBytes,
        OperatorKey::MaxFiles,
        OperatorKey::MaxPathBytes,
        OperatorKey::Allow,
        OperatorKey::RetryDeadline,
        OperatorKey::HttpTimeout,
        OperatorKey::CreateRepository,
        OperatorKey::TagMutability,
    ];

    /// Its name in the file.
    pub fn name(self) -> &'static str {
        match self {
            OperatorKey::Base => "base",
            OperatorKey::BaseLock => "base_lock",
            OperatorKey::BaseName => "base_name",
            OperatorKey::Platform => "platform",
            OperatorKey::Image => "image",
            OperatorKey::Output => "output",
            OperatorKey::HttpdConf => "httpd_conf",
            OperatorKey::HttpdConfSha256 => "httpd_conf_sha256",
            OperatorKey::HttpdConfMaxBytes => "httpd_conf_max_bytes",
            OperatorKey::InsecureRegistries => "insecure_registry",
            OperatorKey::RegistryAuth => "registry_auth",
            OperatorKey::ContainerName => "container_name",
            OperatorKey::ImageDefinitions => "image_definitions",
            OperatorKey::ImageDetail => "image_detail",
            OperatorKey::ImageUri => "image_uri",
            OperatorKey::CacheFrom => "cache_from",
            OperatorKey::AlsoTags => "also_tag",
            OperatorKey::Namespace => "namespace",
            OperatorKey::HttpdVersion => "httpd_version",
            OperatorKey::BuiltinModules => "builtin_modules",
            OperatorKey::MaxFileBytes => "max_file_bytes",
            OperatorKey::MaxTotalBytes => "max_total_bytes",
            OperatorKey::MaxFiles => "max_files",
            OperatorKey::MaxPathBytes => "max_path_bytes",
            OperatorKey::Allow => "allow",
            OperatorKey::RetryDeadline => "retry_deadline",
            OperatorKey::HttpTimeout => "http_timeout",
            OperatorKey::CreateRepository => "create_repository",
            OperatorKey::TagMutability => "tag_mutability",
        }
    }

    /// The name the key had before it was named like its flag (still read).
    pub fn old_name(self) -> Option<&'static str> {
        match self {
            OperatorKey::InsecureRegistries => Some("insecure_registries"),
            OperatorKey::AlsoTags => Some("also_tags"),
            _ => None,
        }
    }

    /// The flag or variable by which the operator set the same thing, if
    /// they did. The base and the conf are each one setting: a lock from
    /// the operator is not to be overridden by a file's `base`, nor a conf
    /// by a file's pin or size limit.
    pub fn set_by_operator(self, args: &BuildArgs, env: Env<'_>) -> Option<&'static str> {
        let first = |pairs: &[(bool, &'static str)]| pairs.iter().find(|(set, _)| *set).map(|(_, by)| *by);
        match self {
            OperatorKey::Base | OperatorKey::BaseLock | OperatorKey::BaseName => first(&[
                (args.base_image.base.is_some(), "--base/SITEPACK_BASE"),
                (args.base_image.base_lock.is_some(), "--base-lock/SITEPACK_BASE_LOCK"),
                (args.base_image.base_name.is_some(), "--base-name/SITEPACK_BASE_NAME"),
            ]),
            OperatorKey::Platform => first(&[(args.platform.is_some(), "--platform")]),
            OperatorKey::Image => first(&[
                (args.image.is_some(), "--image/SITEPACK_IMAGE"),
                (codebuild_image(env).is_ok(), "AWS_ACCOUNT_ID, AWS_DEFAULT_REGION, IMAGE_REPO_NAME and IMAGE_TAG"),
            ]),
            OperatorKey::Output => first(&[(args.output.is_some(), "--output")]),
            OperatorKey::HttpdConf | OperatorKey::HttpdConfSha256 | OperatorKey::HttpdConfMaxBytes => first(&[
                (args.inputs.httpd_conf.is_some(), "--httpd-conf/HTTPD_CONF_URI"),
                (args.inputs.httpd_conf_sha256.is_some(), "--httpd-conf-sha256"),
                (args.httpd_conf_max_bytes.is_some(), "--httpd-conf-max-bytes"),
            ]),
            OperatorKey::InsecureRegistries => first(&[(!args.insecure_registry.is_empty(), "--insecure-registry")]),
            OperatorKey::RegistryAuth => {
                first(&[(args.registry_auth.is_some(), "--registry-auth/SITEPACK_REGISTRY_AUTH")])
            }
            OperatorKey::ContainerName => first(&[(args.container_name.is_some(), "--container-name/CONTAINER_NAME")]),
            OperatorKey::ImageDefinitions => first(&[(args.image_definitions.is_some(), "--image-definitions")]),
            OperatorKey::ImageDetail => first(&[(args.image_detail.is_some(), "--image-detail")]),
            OperatorKey::ImageUri => first(&[(args.image_uri.is_some(), "--image-uri")]),
            OperatorKey::CacheFrom => first(&[(args.cache_from.is_some(), "--cache-from/SITEPACK_CACHE_FROM")]),
            OperatorKey::AlsoTags => first(&[(!args.also_tag.is_empty(), "--also-tag")]),
            OperatorKey::Namespace => first(&[(args.checks.namespace.is_some(), "--namespace/SITEPACK_NAMESPACE")]),
            OperatorKey::HttpdVersion => first(&[(args.checks.httpd_version.is_some(), "--httpd-version")]),
            OperatorKey::BuiltinModules => first(&[(!args.checks.builtin_modules.is_empty(), "--builtin-modules")]),
            OperatorKey::MaxFileBytes => first(&[(args.checks.max_file_bytes.is_some(), "--max-file-bytes")]),
            OperatorKey::MaxTotalBytes => first(&[(args.checks.max_total_bytes.is_some(), "--max-total-bytes")]),
            OperatorKey::MaxFiles => first(&[(args.checks.max_files.is_some(), "--max-files")]),
            OperatorKey::MaxPathBytes => first(&[(args.checks.max_path_bytes.is_some(), "--max-path-bytes")]),
            OperatorKey::Allow => first(&[(!args.checks.allow.is_empty(), "--allow")]),
            OperatorKey::RetryDeadline => first(&[(args.retry_deadline.is_some(), "--retry-deadline")]),
            OperatorKey::HttpTimeout => first(&[(args.http_timeout.is_some(), "--http-timeout")]),
            OperatorKey::CreateRepository | OperatorKey::TagMutability => first(&[(
                args.create_repository || args.tag_mutability.is_some(),
                "--create-repository/--tag-mutability",
            )]),
        }
    }
}

impl FileSettings {
    /// The operator's keys this file sets.
    pub fn operator_keys(&self) -> Vec<OperatorKey> {
        let mut probe = self.clone();
        OperatorKey::ALL.into_iter().filter(|key| probe.forget(*key)).collect()
    }

    /// Unsets one of the operator's keys; whether it was set. One match over
    /// every key, so a key added to `OperatorKey` is not found until it is
    /// given its field here.
    fn forget(&mut self, key: OperatorKey) -> bool {
        match key {
            OperatorKey::Base => self.base.take().is_some(),
            OperatorKey::BaseLock => self.base_lock.take().is_some(),
            OperatorKey::BaseName => self.base_name.take().is_some(),
            OperatorKey::Platform => self.platform.take().is_some(),
            OperatorKey::Image => self.image.take().is_some(),
            OperatorKey::Output => self.output.take().is_some(),
            OperatorKey::HttpdConf => self.httpd_conf.take().is_some(),
            OperatorKey::HttpdConfSha256 => self.httpd_conf_sha256.take().is_some(),
            OperatorKey::HttpdConfMaxBytes => self.httpd_conf_max_bytes.take().is_some(),
            OperatorKey::InsecureRegistries => !std::mem::take(&mut self.insecure_registry).is_empty(),
            OperatorKey::RegistryAuth => self.registry_auth.take().is_some(),
            OperatorKey::ContainerName => self.container_name.take().is_some(),
            OperatorKey::ImageDefinitions => self.image_definitions.take().is_some(),
            OperatorKey::ImageDetail => self.image_detail.take().is_some(),
            OperatorKey::ImageUri => self.image_uri.take().is_some(),
            OperatorKey::CacheFrom => self.cache_from.take().is_some(),
            OperatorKey::AlsoTags => !std::mem::take(&mut self.also_tag).is_empty(),
            OperatorKey::Namespace => self.namespace.take().is_some(),
            OperatorKey::HttpdVersion => self.httpd_version.take().is_some(),
            OperatorKey::BuiltinModules => !std::mem::take(&mut self.builtin_modules).is_empty(),
            OperatorKey::MaxFileBytes => self.max_file_bytes.take().is_some(),
            OperatorKey::MaxTotalBytes => self.max_total_bytes.take().is_some(),
            OperatorKey::MaxFiles => self.max_files.take().is_some(),
            OperatorKey::MaxPathBytes => self.max_path_bytes.take().is_some(),
            OperatorKey::Allow => !std::mem::take(&mut self.allow).is_empty(),
            OperatorKey::RetryDeadline => self.retry_deadline.take().is_some(),
            OperatorKey::HttpTimeout => self.http_timeout.take().is_some(),
            OperatorKey::CreateRepository => self.create_repository.take().is_some(),
            OperatorKey::TagMutability => self.tag_mutability.take().is_some(),
        }
    }
}

/// Who wrote a settings file, which decides what it may set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingsOwner {
    /// Named by `--config`: the operator's, any key.
    Operator,
    /// `sitepack.toml` found in the working directory: the checkout's.
    Checkout,
}

/// A settings file as read.
#[derive(Debug)]
pub struct SettingsFile {
    pub path: PathBuf,
    pub owner: SettingsOwner,
    pub settings: FileSettings,
    /// The line each top-level key is on, for messages.
    pub lines: std::collections::HashMap<String, usize>,
}

impl SettingsFile {
    fn at(&self, key: OperatorKey) -> KeyAt {
        let line = self.lines.get(key.name()).or_else(|| key.old_name().and_then(|old| self.lines.get(old)));
        KeyAt { key: key.name(), line: line.copied() }
    }
}

/// A key of a settings file and its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyAt {
    pub key: &'static str,
    pub line: Option<usize>,
}

impl std::fmt::Display for KeyAt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "`{}` (line {line})", self.key),
            None => write!(f, "`{}`", self.key),
        }
    }
}

impl KeyAt {
    /// "`a` (line 1) is" / "`a` (line 1), `b` (line 2) are".
    fn list(keys: &[KeyAt]) -> String {
        let shown: Vec<String> = keys.iter().map(ToString::to_string).collect();
        format!("{} {}", shown.join(", "), if keys.len() == 1 { "is" } else { "are" })
    }
}

/// What the file may set, given who wrote it: the operator's file as it is;
/// the checkout's refused in CodeBuild when it holds an operator key, and
/// elsewhere without the operator keys the operator set too (each named in
/// a warning).
pub fn apply_ownership(
    file: Option<SettingsFile>,
    args: &BuildArgs,
    env: Env<'_>,
    warnings: &mut Vec<String>,
) -> Result<FileSettings, PlanError> {
    let Some(mut file) = file else { return Ok(FileSettings::default()) };
    if file.owner == SettingsOwner::Operator {
        return Ok(file.settings);
    }
    let keys = file.settings.operator_keys();
    if env("CODEBUILD_BUILD_ID").is_some() && !keys.is_empty() {
        let mut keys: Vec<KeyAt> = keys.iter().map(|k| file.at(*k)).collect();
        keys.sort_by_key(|k| k.line.unwrap_or(usize::MAX));
        return Err(PlanError::OperatorKeys { path: file.path.clone(), keys });
    }
    for key in keys {
        if let Some(by) = key.set_by_operator(args, env) {
            warnings.push(format!(
                "settings file {}: {} ignored: the operator sets it ({by}), and the operator's setting wins",
                file.path.display(),
                file.at(key)
            ));
            file.settings.forget(key);
        }
    }
    Ok(file.settings)
}

/// Environment lookup, injectable for tests.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

pub fn process_env(key: &str) -> Option<String> {
    std::env::var(key).ok().filter(|v| !v.is_empty())
}

/// Flags (with the environment variables clap reads into them) win; what
/// they leave unset, the settings file fills: the one place where the two
/// meet. Lists add up. The contributor's paths and the image are not
/// merged here: where a path came from decides whether it is confined,
/// and CodeBuild's variables rank between the flag and the file for the image.
fn merge(mut a: BuildArgs, file: FileSettings) -> BuildArgs {
    fn fill<T>(slot: &mut Option<T>, from: Option<T>) {
        if slot.is_none() {
            *slot = from;
        }
    }
    let FileSettings {
        base,
        base_lock,
        base_name,
        platform,
        image: _,
        output,
        site: _,
        htpasswd: _,
        httpd_conf,
        httpd_conf_sha256,
        httpd_conf_max_bytes,
        insecure_registry,
        registry_auth,
        container_name,
        image_definitions,
        image_detail,
        image_uri,
        cache_from,
        also_tag,
        namespace,
        httpd_version,
        builtin_modules,
        max_file_bytes,
        max_total_bytes,
        max_files,
        max_path_bytes,
        allow,
        retry_deadline,
        http_timeout,
        create_repository,
        tag_mutability,
    } = file;
    fill(&mut a.base_image.base, base);
    fill(&mut a.base_image.base_lock, base_lock);
    fill(&mut a.base_image.base_name, base_name);
    fill(&mut a.platform, platform);
    fill(&mut a.output, output);
    fill(&mut a.inputs.httpd_conf, httpd_conf);
    fill(&mut a.inputs.httpd_conf_sha256, httpd_conf_sha256);
    fill(&mut a.httpd_conf_max_bytes, httpd_conf_max_bytes);
    a.insecure_registry.extend(insecure_registry);
    fill(&mut a.registry_auth, registry_auth);
    fill(&mut a.container_name, container_name);
    fill(&mut a.image_definitions, image_definitions);
    fill(&mut a.image_detail, image_detail);
    fill(&mut a.image_uri, image_uri);
    fill(&mut a.cache_from, cache_from);
    a.also_tag.extend(also_tag);
    fill(&mut a.retry_deadline, retry_deadline);
    fill(&mut a.http_timeout, http_timeout);
    a.create_repository |= create_repository.unwrap_or(false);
    fill(&mut a.tag_mutability, tag_mutability);
    let c = &mut a.checks;
    fill(&mut c.namespace, namespace);
    fill(&mut c.httpd_version, httpd_version);
    if c.builtin_modules.is_empty() {
        c.builtin_modules = builtin_modules;
    }
    fill(&mut c.max_file_bytes, max_file_bytes);
    fill(&mut c.max_total_bytes, max_total_bytes);
    fill(&mut c.max_files, max_files);
    fill(&mut c.max_path_bytes, max_path_bytes);
    c.allow.extend(allow);
    a
}

pub fn build_plan(args: BuildArgs, env: Env<'_>) -> Result<BuildPlan, PlanError> {
    let mut warnings = Vec::new();
    let loaded = load_settings(args.config.as_deref())?;
    let owner = loaded.as_ref().map(|f| f.owner);
    let mut file = apply_ownership(loaded, &args, env, &mut warnings)?;
    // The contributor's paths (the checkout's file or the defaults) are
    // confined to the checkout before anything there is opened; the
    // operator's (flags, --config) are taken as given.
    let (site, site_from) = input_path(args.inputs.site.clone(), file.site.take(), owner, crate::layout::SITE);
    let (htpasswd, htpasswd_from) =
        input_path(args.inputs.htpasswd.clone(), file.htpasswd.take(), owner, crate::layout::HTPASSWD);
    let file_image = file.image.take();
    let args = merge(args, file);
    for (setting, path, from) in [("site", &site, site_from), ("htpasswd", &htpasswd, htpasswd_from)] {
        if let Some(from) = from {
            confine(setting, path, from, Path::new("."))?;
        }
    }

    let platforms = parse_platforms(args.platform)?;
    let chosen = choose_base(
        args.base_image.base,
        args.base_image.base_lock,
        args.base_image.base_name,
        &platforms,
        env,
        &mut warnings,
    )?;
    let base = chosen.reference;
    let targets = chosen.targets;

    let output_text = args.output.unwrap_or_else(|| "registry".into());
    let image_text = args.image.or_else(|| codebuild_image(env).ok()).or(file_image);
    let image = image_text
        .as_deref()
        .map(|t| {
            let r = Reference::parse(t).map_err(|source| PlanError::Reference { flag: "image", source })?;
            if r.digest.is_some() {
                return Err(PlanError::ImageHasDigest { image: t.to_owned() });
            }
            Ok(r)
        })
        .transpose()?;
    let ref_name = || image.as_ref().and_then(|i| i.tag.clone()).unwrap_or_else(|| "latest".into());
    let output = if output_text == "registry" {
        let image = match image.clone() {
            Some(i) => i,
            None => return Err(PlanError::NoImage { missing: codebuild_image(env).unwrap_err() }),
        };
        Output::Registry { image }
    } else if let Some(dir) = output_text.strip_prefix("oci:").filter(|d| !d.is_empty()) {
        Output::OciDir { path: dir.into(), ref_name: ref_name() }
    } else if let Some(file) = output_text.strip_prefix("oci-archive:").filter(|d| !d.is_empty()) {
        Output::OciArchive { path: file.into(), ref_name: ref_name() }
    } else {
        return Err(PlanError::Output(output_text));
    };

    check_input("site directory", &site, shown_from(site_from, "--site"), true)?;
    check_input("htpasswd file", &htpasswd, shown_from(htpasswd_from, "--htpasswd"), false)?;
    let httpd_conf = conf_source(args.inputs.httpd_conf.ok_or(PlanError::NoHttpdConf)?)?;
    let contributor_conf = Path::new(CONTRIBUTOR_CONF);
    let conf_is_contributors = matches!(&httpd_conf, ConfSource::Local(p) if p == contributor_conf);
    if contributor_conf.exists() && !conf_is_contributors {
        warnings.push(format!(
            "{CONTRIBUTOR_CONF} in the contributor's repository is ignored: the operator's httpd.conf is used (contributors do not control server configuration)"
        ));
    }
    let httpd_conf_sha256 = args.inputs.httpd_conf_sha256.map(|h| h.to_ascii_lowercase());
    if let Some(h) = &httpd_conf_sha256 {
        if h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(PlanError::BadSha256(h.clone()));
        }
    }
    let inputs = Inputs {
        httpd_conf,
        httpd_conf_sha256,
        httpd_conf_max_bytes: args.httpd_conf_max_bytes.unwrap_or(DEFAULT_CONF_MAX_BYTES),
        htpasswd,
        site,
    };

    let git_dir = if inputs.site.is_dir() { inputs.site.clone() } else { PathBuf::from(".") };
    let epoch = decide_epoch(env, &git_dir)?;
    let metadata = Metadata {
        created: humantime::format_rfc3339_seconds(
            std::time::UNIX_EPOCH + std::time::Duration::from_secs(epoch.seconds),
        )
        .to_string(),
        revision: env("CODEBUILD_RESOLVED_SOURCE_VERSION").or_else(|| git(&git_dir, &["rev-parse", "HEAD"])),
        source: env("CODEBUILD_SOURCE_REPO_URL")
            .or_else(|| git(&git_dir, &["config", "--get", "remote.origin.url"]))
            .map(|u| strip_userinfo(&u)),
        extra: Default::default(),
    };

    let container_name = args.container_name;
    let definitions = args.image_definitions;
    let image_detail = args.image_detail;
    let form = args.image_uri.unwrap_or(ImageUriForm::Digest);
    let registry_output = matches!(output, Output::Registry { .. });
    if !registry_output && (definitions.is_some() || image_detail.is_some()) {
        return Err(PlanError::DefinitionsWithoutRegistry(output_text));
    }
    let definitions = match (registry_output, container_name, definitions) {
        (true, Some(container_name), path) => Some(ImageDefinitions {
            path: path.unwrap_or_else(|| crate::layout::IMAGE_DEFINITIONS.into()),
            container_name,
        }),
        (true, None, Some(_)) => return Err(PlanError::NoContainerName),
        _ => None,
    };
    let deploy = DeployPlan { definitions, image_detail, form };
    // Found out now, not after the push.
    for path in deploy.paths() {
        if path.parent().is_some_and(|dir| !dir.as_os_str().is_empty() && !dir.is_dir()) {
            return Err(PlanError::DeployFolderMissing { path: path.to_owned() });
        }
    }

    if targets.len() > 1 && !registry_output {
        return Err(PlanError::MultiPlatformOutput(output_text));
    }
    let cache_from = args.cache_from;
    let also_tags = args.also_tag;
    if !registry_output && (cache_from.is_some() || !also_tags.is_empty()) {
        return Err(PlanError::TagsWithoutRegistry(output_text));
    }
    if let Output::Registry { image } = &output {
        for tag in cache_from.iter().chain(&also_tags) {
            let parsed = Reference::parse(&format!("{}:{tag}", image.name())).ok();
            if parsed.is_none_or(|r| r.tag.as_deref() != Some(tag.as_str()) || r.repository != image.repository) {
                return Err(PlanError::BadTag(tag.clone()));
            }
        }
    }

    let registry_auth = args.registry_auth.unwrap_or(RegistryAuth::Auto);
    let dest_ecr = match &output {
        Output::Registry { image } => ecr::parse_host(&image.registry),
        _ => None,
    };
    let create_repository = args.create_repository.then(|| args.tag_mutability.unwrap_or(TagMutability::Mutable));
    let uses_ecr = registry_auth == RegistryAuth::Ecr || (registry_auth == RegistryAuth::Auto && dest_ecr.is_some());
    if create_repository.is_some() && !(registry_output && uses_ecr) {
        return Err(PlanError::CreateWithoutEcr);
    }
    let aws_account = dest_ecr.map(|h| h.account).or_else(|| env("AWS_ACCOUNT_ID"));

    let insecure = args.insecure_registry;
    Ok(BuildPlan {
        base,
        targets,
        output,
        inputs,
        epoch,
        metadata,
        deploy,
        registry: registry::Options {
            insecure,
            retry: registry::retry::RetryPolicy::new(std::time::Duration::from_secs(
                args.retry_deadline.unwrap_or(600),
            )),
            io_timeout: std::time::Duration::from_secs(args.http_timeout.unwrap_or(60).max(1)),
        },
        registry_auth,
        create_repository,
        aws_account,
        warnings,
        checks: crate::check::Settings::new(&args.checks.options(), DOCROOT, chosen.facts.as_ref())?,
        base_name: chosen.name,
        cache_from,
        also_tags,
    })
}

/// Bytes of pages per site layer, and of media per media layer.
const PAGE_BUCKET: u64 = 4 << 20;
const MEDIA_BUCKET: u64 = 64 << 20;

/// The layers, least changing first, so an edit leaves the earlier ones
/// untouched: the operator's conf with the htpasswd (a few kB together),
/// then the site. The site is split by a fixed rule: already-compressed
/// media first, then everything else (pages, css, js); each kind spread
/// over buckets by the hash of a file's path in the image, one bucket per
/// 64 MiB of media (at most 4) and per 4 MiB of pages (at most 16): an
/// edited page re-sends one bucket, 4 MiB of pages or a sixteenth of them.
/// Under 4 MiB of media, media and pages share the page buckets. A site of
/// one bucket (under 4 MiB in all) is one layer together with the conf and
/// the htpasswd: every blob costs a registry round trip or four, which on a
/// small site is most of the build, and an edit re-sends that one bucket
/// whichever file changed. Every site layer carries the folder entries, so
/// together they give exactly the tree the three `COPY`s give. `conf` is
/// where the httpd.conf is on disk; `site_dest` the document root, or
/// `/NAME/` in it for a flat namespace.
pub fn layer_specs(conf: &Path, inputs: &Inputs, site_dest: &str, media_bytes: u64, page_bytes: u64) -> Vec<LayerSpec> {
    let settings = [
        copy(conf, HTTPD_CONF_DEST, SourceKind::File, Select::All, "conf/httpd.conf", "/etc/httpd/conf/"),
        copy(&inputs.htpasswd, HTPASSWD_DEST, SourceKind::File, Select::All, crate::layout::HTPASSWD, HTPASSWD_DEST),
    ];
    let site_shown = format!("{site_dest}/");
    let buckets = |bytes: u64, per: u64, max: u64| bytes.div_ceil(per).clamp(1, max) as u32;
    // Media gets layers of its own only when there is at least a page
    // bucket's worth of it: below that, keeping it apart would save an edit
    // less than one bucket re-sends anyway, and cost a blob (four requests).
    let kinds = if media_bytes >= PAGE_BUCKET {
        vec![(Kind::Media, buckets(media_bytes, MEDIA_BUCKET, 4)), (Kind::Pages, buckets(page_bytes, PAGE_BUCKET, 16))]
    } else {
        vec![(Kind::Any, buckets(media_bytes + page_bytes, PAGE_BUCKET, 16))]
    };
    if kinds == [(Kind::Any, 1)] {
        let site = copy(&inputs.site, site_dest, SourceKind::Tree, Select::All, "site/", &site_shown);
        return vec![layer(settings.into_iter().chain([site]))];
    }
    let mut layers = vec![layer(settings)];
    for (kind, of) in kinds {
        for index in 0..of {
            let what = match kind {
                Kind::Media => "media",
                Kind::Pages | Kind::Any => "pages",
            };
            let shown = match of {
                1 => format!("site/ ({what})"),
                _ => format!("site/ ({what} {}/{of})", index + 1),
            };
            let select = Select::Bucket { kind, index, of };
            layers.push(layer([copy(&inputs.site, site_dest, SourceKind::Tree, select, &shown, &site_shown)]));
        }
    }
    layers
}

/// The deploy files a failed run must not leave behind, decided leniently
/// (a broken settings file is ignored here). `imagedefinitions.json` counts
/// only when a container name is known, since only then is it ever written.
pub fn deploy_paths_hint(args: &BuildArgs, env: Env<'_>) -> Vec<PathBuf> {
    // A refused file names no path: a checkout cannot make a failed build
    // delete a file of the build host.
    let file = load_settings(args.config.as_deref())
        .and_then(|f| apply_ownership(f, args, env, &mut Vec::new()))
        .unwrap_or_default();
    let merged = merge(args.clone(), file);
    let mut out = Vec::new();
    if merged.container_name.is_some() {
        out.push(merged.image_definitions.unwrap_or_else(|| crate::layout::IMAGE_DEFINITIONS.into()));
    }
    out.extend(merged.image_detail);
    out
}

/// One source of a layer, with its `COPY` line for the history.
fn copy(
    host: &Path,
    dest: &str,
    kind: SourceKind,
    select: Select,
    shown_src: &str,
    shown_dest: &str,
) -> (Source, String) {
    let source = Source { host: host.to_owned(), dest: dest.to_owned(), kind, select, listing: None };
    (source, format!("COPY --chown=root:root {shown_src} {shown_dest}"))
}

/// A layer of these sources, its history line their `COPY`s in order.
fn layer(parts: impl IntoIterator<Item = (Source, String)>) -> LayerSpec {
    let (sources, lines): (Vec<Source>, Vec<String>) = parts.into_iter().unzip();
    LayerSpec { sources, created_by: format!("{} # sitepack", lines.join("; ")) }
}

/// The implicit settings file, in the working directory.
pub const SETTINGS_FILE: &str = "sitepack.toml";

/// `--config FILE` (the operator's), else `sitepack.toml` when the working
/// directory holds one as a plain file (the checkout's). A link there is
/// refused, not followed: a file that does not parse is quoted in the error.
pub fn load_settings(explicit: Option<&Path>) -> Result<Option<SettingsFile>, PlanError> {
    let (path, owner) = match explicit {
        Some(p) => (p.to_owned(), SettingsOwner::Operator),
        None => match std::fs::symlink_metadata(SETTINGS_FILE) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(PlanError::Symlink {
                    what: "settings file",
                    path: SETTINGS_FILE.into(),
                    flag: "the checkout",
                })
            }
            Ok(m) if m.is_file() => (PathBuf::from(SETTINGS_FILE), SettingsOwner::Checkout),
            _ => return Ok(None),
        },
    };
    let text = std::fs::read_to_string(&path).map_err(|source| PlanError::Io { path: path.clone(), source })?;
    // toml's message names the line and column.
    let settings = toml::from_str(&text)
        .map_err(|e| PlanError::ConfigFile { path: path.clone(), detail: e.to_string().trim_end().to_owned() })?;
    Ok(Some(SettingsFile { lines: key_lines(&text), path, owner, settings }))
}

/// The line of each top-level key (where its value starts).
fn key_lines(text: &str) -> std::collections::HashMap<String, usize> {
    let spans: std::collections::HashMap<String, toml::Spanned<toml::Value>> = toml::from_str(text).unwrap_or_default();
    spans.into_iter().map(|(k, v)| (k, text[..v.span().start].matches('\n').count() + 1)).collect()
}

/// Why a contributor's path is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escape {
    Absolute,
    ParentDir,
    /// `.git` is git's, not the contributor's (a clone's config may hold a token).
    GitDir,
    /// A symbolic link on the way resolves outside the checkout.
    Link,
}

impl std::fmt::Display for Escape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Escape::Absolute => "is an absolute path",
            Escape::ParentDir => "goes up with `..`",
            Escape::GitDir => "goes into .git",
            Escape::Link => "leads outside the checkout through a symbolic link",
        })
    }
}

/// A contributor's input path must name something inside the checkout
/// `root`: relative, without `..` or `.git`, and still inside once every
/// link on the way is resolved (of the deepest part that exists, so a
/// linked folder is caught even when the file under it is missing).
/// Checked before anything at the path is opened. `setting` and `from`
/// name it in the error, with the path as written, never what it leads to.
pub fn confine(setting: &'static str, path: &Path, from: &'static str, root: &Path) -> Result<(), PlanError> {
    use std::path::Component;
    let refuse = |why| Err(PlanError::OutsideCheckout { setting, path: path.to_owned(), from, why });
    for component in path.components() {
        match component {
            Component::Prefix(_) | Component::RootDir => return refuse(Escape::Absolute),
            Component::ParentDir => return refuse(Escape::ParentDir),
            Component::Normal(name) if name == ".git" => return refuse(Escape::GitDir),
            Component::Normal(_) | Component::CurDir => {}
        }
    }
    let real_root = std::fs::canonicalize(root).map_err(|source| PlanError::Io { path: root.to_owned(), source })?;
    let joined = root.join(path);
    // The root itself always resolves, so this finds one.
    let real = joined.ancestors().find_map(|a| std::fs::canonicalize(a).ok());
    match real {
        Some(real) if real.starts_with(&real_root) => Ok(()),
        _ => refuse(Escape::Link),
    }
}

/// A contributor input's default path (`site`, `users/htpasswd`), confined
/// to the checkout (the working directory) before anything there is opened.
pub fn default_input(setting: &'static str, default: &str) -> Result<PathBuf, PlanError> {
    confine(setting, Path::new(default), "the default", Path::new("."))?;
    Ok(default.into())
}

/// How an input's origin is named when it is missing or of the wrong kind.
fn shown_from(from: Option<&'static str>, flag: &'static str) -> &'static str {
    match from {
        Some(SETTINGS_FILE) => SETTINGS_FILE,
        _ => flag,
    }
}

/// An input path and, when it is the contributor's (from the checkout's
/// file, or the default), where it came from; `None` for the operator's.
fn input_path(
    flag: Option<PathBuf>,
    file: Option<PathBuf>,
    owner: Option<SettingsOwner>,
    default: &str,
) -> (PathBuf, Option<&'static str>) {
    match (flag, file, owner) {
        (Some(p), _, _) => (p, None),
        (None, Some(p), Some(SettingsOwner::Operator)) => (p, None),
        (None, Some(p), _) => (p, Some(SETTINGS_FILE)),
        (None, None, _) => (default.into(), Some("the default")),
    }
}

/// The ECR image CodeBuild describes, or the list of variables missing.
fn codebuild_image(env: Env<'_>) -> Result<String, String> {
    let keys = ["AWS_ACCOUNT_ID", "AWS_DEFAULT_REGION", "IMAGE_REPO_NAME", "IMAGE_TAG"];
    let values: Vec<Option<String>> = keys.iter().map(|k| env(k)).collect();
    let missing: Vec<&str> = keys.iter().zip(&values).filter(|(_, v)| v.is_none()).map(|(k, _)| *k).collect();
    if !missing.is_empty() {
        return Err(missing.join(", "));
    }
    let v: Vec<String> = values.into_iter().flatten().collect();
    Ok(format!("{}.dkr.ecr.{}.amazonaws.com/{}:{}", v[0], v[1], v[2], v[3]))
}

pub fn check_input(what: &'static str, path: &Path, flag: &'static str, dir: bool) -> Result<(), PlanError> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(PlanError::Missing { what, path: path.to_owned(), flag })
        }
        Err(source) => return Err(PlanError::Io { path: path.to_owned(), source }),
    };
    if meta.file_type().is_symlink() {
        return Err(PlanError::Symlink { what, path: path.to_owned(), flag });
    }
    let expected = if dir { "directory" } else { "regular file" };
    if (dir && !meta.is_dir()) || (!dir && !meta.is_file()) {
        return Err(PlanError::WrongKind { what, path: path.to_owned(), flag, expected });
    }
    Ok(())
}

fn decide_epoch(env: Env<'_>, git_dir: &Path) -> Result<Epoch, PlanError> {
    if let Some(v) = env("SOURCE_DATE_EPOCH") {
        let seconds = v.trim().parse().map_err(|_| PlanError::BadEpoch(v.clone()))?;
        return Ok(Epoch { seconds, source: EpochSource::SourceDateEpoch });
    }
    if let Some(seconds) = git(git_dir, &["log", "-1", "--format=%ct"]).and_then(|s| s.parse().ok()) {
        return Ok(Epoch { seconds, source: EpochSource::GitCommit });
    }
    let seconds = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    Ok(Epoch { seconds, source: EpochSource::Now })
}

/// One line of git's output, or None when git or the repository is absent.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    // Outside a checkout there is nothing to ask, and each git process
    // costs over a millisecond.
    if !in_git_checkout(dir) {
        return None;
    }
    let out = Command::new("git").arg("-C").arg(dir).args(args).stderr(std::process::Stdio::null()).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (out.status.success() && !text.is_empty()).then_some(text)
}

/// Whether `dir` or a folder above it holds `.git`, or GIT_DIR is set.
fn in_git_checkout(dir: &Path) -> bool {
    if std::env::var_os("GIT_DIR").is_some() {
        return true;
    }
    std::fs::canonicalize(dir).is_ok_and(|abs| abs.ancestors().any(|a| a.join(".git").exists()))
}

/// `https://user:token@host/x.git` → `https://host/x.git`: a clone URL may
/// carry a credential, and this value is published in the image.
fn strip_userinfo(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
            let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            if path.is_empty() && !rest.contains('/') {
                format!("{scheme}://{host}")
            } else {
                format!("{scheme}://{host}/{path}")
            }
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const PIN: &str = "127.0.0.1:5000/base@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn args(dir: &Path) -> BuildArgs {
        BuildArgs {
            inputs: crate::cli::InputArgs {
                site: Some(dir.join("site")),
                htpasswd: Some(dir.join("users/htpasswd")),
                httpd_conf: Some(dir.join("conf/httpd.conf").display().to_string()),
                httpd_conf_sha256: None,
            },
            httpd_conf_max_bytes: None,
            registry_auth: None,
            retry_deadline: None,
            http_timeout: None,
            create_repository: false,
            tag_mutability: None,
            image_detail: None,
            checks: crate::cli::CheckArgs::default(),
            config: Some(dir.join("none.toml")),
            base_image: crate::cli::BaseImageArgs { base: Some(PIN.into()), ..Default::default() },
            platform: None,
            image: None,
            output: None,
            insecure_registry: vec![],
            container_name: None,
            image_definitions: None,
            image_uri: None,
            json: false,
            cache_from: None,
            also_tag: vec![],
        }
    }

    fn repo() -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("site")).unwrap();
        std::fs::create_dir_all(d.path().join("users")).unwrap();
        std::fs::create_dir_all(d.path().join("conf")).unwrap();
        std::fs::write(d.path().join("users/htpasswd"), "").unwrap();
        std::fs::write(d.path().join("conf/httpd.conf"), "").unwrap();
        std::fs::write(d.path().join("none.toml"), "").unwrap();
        d
    }

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn codebuild_variables_name_the_ecr_image_and_container() {
        let d = repo();
        let mut a = args(d.path());
        a.container_name = Some("web".into());
        let env = env_of(&[
            ("AWS_ACCOUNT_ID", "123456789012"),
            ("AWS_DEFAULT_REGION", "eu-west-1"),
            ("IMAGE_REPO_NAME", "coffeefans"),
            ("IMAGE_TAG", "abc123"),
            ("SOURCE_DATE_EPOCH", "1700000000"),
        ]);
        let plan = build_plan(a, &env).unwrap();
        match &plan.output {
            Output::Registry { image } => {
                assert_eq!(image.to_string(), "123456789012.dkr.ecr.eu-west-1.amazonaws.com/coffeefans:abc123")
            }
            o => panic!("{o:?}"),
        }
        assert_eq!(plan.epoch.seconds, 1_700_000_000);
        assert_eq!(plan.metadata.created, "2023-11-14T22:13:20Z");
        let definitions = plan.deploy.definitions.clone().unwrap();
        assert_eq!(
            definitions,
            ImageDefinitions { path: PathBuf::from("imagedefinitions.json"), container_name: "web".into() }
        );
        assert_eq!(plan.deploy.form, ImageUriForm::Digest);
        assert_eq!(plan.aws_account.as_deref(), Some("123456789012"), "the ECR host names the account");
    }

    #[test]
    fn missing_codebuild_variables_are_listed() {
        let d = repo();
        let env = env_of(&[("AWS_ACCOUNT_ID", "1"), ("IMAGE_TAG", "t")]);
        let e = build_plan(args(d.path()), &env).unwrap_err().to_string();
        assert!(e.contains("AWS_DEFAULT_REGION, IMAGE_REPO_NAME"), "{e}");
    }

    #[test]
    fn tag_only_base_is_refused_before_anything_else() {
        let d = repo();
        let mut a = args(d.path());
        a.base_image.base = Some("127.0.0.1:5000/base:latest".into());
        let e = build_plan(a, &env_of(&[])).unwrap_err();
        assert!(matches!(e, PlanError::Base(base::BaseError::NotPinned { .. })), "{e}");
    }

    #[test]
    fn missing_inputs_name_path_and_flag() {
        let d = repo();
        std::fs::remove_file(d.path().join("users/htpasswd")).unwrap();
        let mut a = args(d.path());
        a.image = Some("127.0.0.1:5000/x:y".into());
        let e = build_plan(a, &env_of(&[])).unwrap_err().to_string();
        assert!(e.contains("users/htpasswd") && e.contains("--htpasswd") && e.contains("does not exist"), "{e}");
    }

    #[test]
    fn flags_win_over_env_over_file() {
        let d = repo();
        std::fs::write(
            d.path().join("s.toml"),
            "image = \"127.0.0.1:5000/from/file:1\"\nplatform = \"linux/arm64\"\ncontainer_name = \"file\"\n",
        )
        .unwrap();
        let mut a = args(d.path());
        a.config = Some(d.path().join("s.toml"));
        let plan = build_plan(a.clone(), &env_of(&[])).unwrap();
        assert!(matches!(&plan.output, Output::Registry { image } if image.repository == "from/file"));
        assert_eq!(plan.targets[0].platform.architecture, "arm64");
        assert_eq!(plan.deploy.definitions.as_ref().unwrap().container_name, "file");
        a.image = Some("127.0.0.1:5000/from/flag:1".into());
        a.container_name = Some("flag".into());
        let plan = build_plan(a, &env_of(&[])).unwrap();
        assert!(matches!(&plan.output, Output::Registry { image } if image.repository == "from/flag"));
        assert_eq!(plan.deploy.definitions.unwrap().container_name, "flag");
    }

    #[test]
    fn the_settings_file_holds_every_setting_named_like_its_flag() {
        let d = repo();
        std::fs::write(
            d.path().join("s.toml"),
            "image = \"127.0.0.1:5000/from/file:1\"\nnamespace = \"coffeefans\"\nhttpd_version = \"2.2\"\n\
             max_files = 7\nallow = [\"policy.php\"]\nretry_deadline = 9\nhttp_timeout = 3\n\
             also_tag = [\"live\"]\ninsecure_registry = [\"mirror.example\"]\n",
        )
        .unwrap();
        let mut a = args(d.path());
        a.config = Some(d.path().join("s.toml"));
        let plan = build_plan(a.clone(), &env_of(&[])).unwrap();
        assert_eq!(plan.checks.namespace.as_deref(), Some("coffeefans"));
        assert_eq!(plan.checks.version, crate::check::HttpdVersion::V22);
        assert_eq!(plan.checks.limits.max_files, 7);
        assert!(plan.checks.allowed.contains("policy.php"));
        assert_eq!(plan.registry.retry.budget, std::time::Duration::from_secs(9));
        assert_eq!(plan.registry.io_timeout, std::time::Duration::from_secs(3));
        assert_eq!(plan.also_tags, ["live"]);
        assert!(plan.registry.insecure.contains(&"mirror.example".to_owned()));
        // A flag still wins.
        a.checks.namespace = Some("tea".into());
        a.checks.max_files = Some(9);
        let plan = build_plan(a, &env_of(&[])).unwrap();
        assert_eq!((plan.checks.namespace.as_deref(), plan.checks.limits.max_files), (Some("tea"), 9));
    }

    #[test]
    fn settings_file_errors_name_file_and_line() {
        let d = repo();
        std::fs::write(d.path().join("s.toml"), "base = \"x\"\nbogus = 1\n").unwrap();
        let mut a = args(d.path());
        a.config = Some(d.path().join("s.toml"));
        let e = build_plan(a, &env_of(&[])).unwrap_err().to_string();
        assert!(e.contains("s.toml") && e.contains("line 2") && e.contains("bogus"), "{e}");
    }

    #[test]
    fn clone_url_credentials_are_not_published() {
        assert_eq!(strip_userinfo("https://user:tok@git.example/a/b.git"), "https://git.example/a/b.git");
        assert_eq!(strip_userinfo("https://git.example/a"), "https://git.example/a");
        assert_eq!(strip_userinfo("git@github.com:a/b.git"), "git@github.com:a/b.git");
    }

    #[test]
    fn without_source_date_epoch_the_site_repos_commit_time_is_used() {
        let d = repo();
        let git = |args: &[&str]| {
            let ok = Command::new("git")
                .arg("-C")
                .arg(d.path())
                .args(args)
                .env("GIT_COMMITTER_DATE", "@1600000000 +0000")
                .env("GIT_AUTHOR_DATE", "@1500000000 +0000")
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .status()
                .unwrap()
                .success();
            assert!(ok, "git {args:?}");
        };
        git(&["init", "-q"]);
        git(&["-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "--allow-empty", "-m", "x"]);
        let mut a = args(d.path());
        a.image = Some("127.0.0.1:5000/x:y".into());
        let plan = build_plan(a.clone(), &env_of(&[])).unwrap();
        assert_eq!(plan.epoch.source, EpochSource::GitCommit);
        assert_eq!(plan.epoch.seconds, 1_600_000_000, "committer time, not author time");
        assert_eq!(plan.metadata.revision.as_deref().map(str::len), Some(40));
        // CodeBuild's variable names the revision when set.
        let plan = build_plan(a, &env_of(&[("CODEBUILD_RESOLVED_SOURCE_VERSION", "cafe")])).unwrap();
        assert_eq!(plan.metadata.revision.as_deref(), Some("cafe"));
    }

    #[test]
    fn the_site_is_split_by_a_fixed_bounded_rule() {
        let d = repo();
        let mut a = args(d.path());
        a.image = Some("127.0.0.1:5000/x:y".into());
        let plan = build_plan(a, &env_of(&[])).unwrap();
        let names = |media: u64, pages: u64| -> Vec<String> {
            layer_specs(Path::new("c"), &plan.inputs, DOCROOT, media, pages).into_iter().map(|l| l.created_by).collect()
        };
        // Under one bucket (4 MiB): conf, htpasswd and site in one layer,
        // its history line the three COPYs.
        assert_eq!(
            names(0, 1000),
            ["COPY --chown=root:root conf/httpd.conf /etc/httpd/conf/; \
              COPY --chown=root:root users/htpasswd /opt/.htpasswd; \
              COPY --chown=root:root site/ /var/www/html/ # sitepack"]
        );
        // Under 4 MiB of media: media and pages share the site layer(s).
        assert_eq!(names(3 << 20, 1000).len(), 1);
        let shared = names((4 << 20) - 1, 9 << 20);
        assert_eq!(shared.len(), 1 + 4, "13 MiB in all: conf + htpasswd, then 4 shared buckets: {shared:?}");
        assert_eq!(
            shared[0],
            "COPY --chown=root:root conf/httpd.conf /etc/httpd/conf/; \
             COPY --chown=root:root users/htpasswd /opt/.htpasswd # sitepack"
        );
        assert!(shared[1].starts_with("COPY --chown=root:root site/ (pages 1/4) /var/www/html/"), "{shared:?}");
        // From 4 MiB of media on, media has layers of its own.
        let split = names(4 << 20, 1000);
        assert_eq!(split.len(), 3, "{split:?}");
        assert!(split[1].contains("site/ (media)") && split[2].contains("site/ (pages)"), "{split:?}");
        // 300 MB of media, 30 MB of pages: 4 media buckets (cap), 8 page buckets.
        let big = names(300 << 20, 30 << 20);
        assert_eq!(big.len(), 1 + 4 + 8);
        assert!(big[1].contains("site/ (media 1/4)") && big[12].contains("site/ (pages 8/8)"), "{big:?}");
        // Never more than 1 + 4 + 16 layers, whatever the size.
        assert_eq!(names(u64::MAX / 4, u64::MAX / 4).len(), 21);
    }

    #[test]
    fn bad_epoch_is_refused() {
        let d = repo();
        let mut a = args(d.path());
        a.image = Some("127.0.0.1:5000/x:y".into());
        let e = build_plan(a, &env_of(&[("SOURCE_DATE_EPOCH", "yesterday")])).unwrap_err();
        assert!(matches!(e, PlanError::BadEpoch(_)));
    }

    /// A lock with one base over amd64 and arm64 (arm64 on httpd 2.2, to see the merge).
    fn lock_file(dir: &Path) -> PathBuf {
        let facts = |version: &str, builtins: &str| {
            format!(
                "httpd_version = \"{version}\"\nhttpd_binary = \"/usr/sbin/httpd\"\nserver_root = \"/etc/httpd\"\nconf = \"/etc/httpd/conf/httpd.conf\"\nbuiltin_modules = [{builtins}]\ndso_modules = [\"mod_dir\", \"mod_rewrite\"]\n"
            )
        };
        let digest = |c: char| format!("sha256:{}", c.to_string().repeat(64));
        let text = format!(
            "format = 1\n[bases.web]\nreference = \"127.0.0.1:5000/base:1\"\nindex = \"{}\"\npinned_at = \"2026-11-26T00:00:00Z\"\n[[bases.web.platforms]]\nplatform = \"linux/amd64\"\nmanifest = \"{}\"\n{}[[bases.web.platforms]]\nplatform = \"linux/arm64\"\nmanifest = \"{}\"\n{}",
            digest('a'),
            digest('b'),
            facts("2.4.62", "\"core\", \"mod_so\""),
            digest('c'),
            facts("2.2.15", "\"core\", \"prefork\"")
        );
        let path = dir.join("base.lock");
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn without_base_the_lock_gives_the_reference_the_platform_pins_and_the_facts() {
        let d = repo();
        let mut a = args(d.path());
        a.base_image.base = None;
        a.base_image.base_lock = Some(lock_file(d.path()));
        a.image = Some("127.0.0.1:5000/x:y".into());
        a.platform = Some("linux/amd64,linux/arm64".into());
        let plan = build_plan(a.clone(), &env_of(&[])).unwrap();
        assert_eq!(plan.base.to_string(), format!("127.0.0.1:5000/base:1@sha256:{}", "a".repeat(64)));
        assert_eq!(plan.base_name.as_deref(), Some("web"));
        let expected: Vec<String> =
            plan.targets.iter().map(|t| t.expected_manifest.as_ref().unwrap().hex()[..1].to_owned()).collect();
        assert_eq!(expected, ["b", "c"]);
        // The strictest of both platforms: 2.2 rules, built-ins of either.
        assert_eq!(plan.checks.version, crate::check::HttpdVersion::V22);
        assert_eq!(plan.checks.builtins, ["core", "mod_so", "prefork"]);
        assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);

        // A flag still wins over the lock.
        let mut flagged = a.clone();
        flagged.checks.httpd_version = Some(crate::check::HttpdVersion::V24);
        assert_eq!(build_plan(flagged, &env_of(&[])).unwrap().checks.version, crate::check::HttpdVersion::V24);

        let mut s390 = a.clone();
        s390.platform = Some("linux/s390x".into());
        let e = build_plan(s390, &env_of(&[])).unwrap_err().to_string();
        assert!(e.contains("not pinned for linux/s390x") && e.contains("linux/amd64, linux/arm64"), "{e}");

        let mut twice = a.clone();
        twice.platform = Some("linux/amd64,linux/amd64".into());
        assert!(build_plan(twice, &env_of(&[])).unwrap_err().to_string().contains("named twice"));

        let mut oci = a.clone();
        oci.output = Some("oci:out".into());
        assert!(build_plan(oci, &env_of(&[])).unwrap_err().to_string().contains("only --output registry"));
    }

    #[test]
    fn a_hand_given_base_takes_its_facts_from_the_lock_when_pinned_there() {
        let d = repo();
        let mut a = args(d.path());
        a.base_image.base_lock = Some(lock_file(d.path()));
        a.image = Some("127.0.0.1:5000/x:y".into());
        // The amd64 manifest itself, by digest.
        a.base_image.base = Some(format!("127.0.0.1:5000/base@sha256:{}", "b".repeat(64)));
        let plan = build_plan(a.clone(), &env_of(&[])).unwrap();
        assert_eq!(plan.base_name.as_deref(), Some("web"));
        assert_eq!(plan.checks.version, crate::check::HttpdVersion::V24);
        assert_eq!(plan.checks.dsos.as_ref().unwrap().len(), 2);

        // Not in the lock: defaults, and a warning that says how to pin.
        a.base_image.base = Some(PIN.into());
        let plan = build_plan(a.clone(), &env_of(&[])).unwrap();
        assert_eq!(plan.base_name, None);
        assert!(plan.warnings.iter().any(|w| w.contains("not in a base lock") && w.contains("sitepack base pin")));

        a.base_image.base_name = Some("web".into());
        assert!(matches!(build_plan(a, &env_of(&[])), Err(PlanError::BaseAndName)));
    }

    /// The checkout's `sitepack.toml`, as `load_settings` reads it from the working directory.
    fn checkout_file(text: &str) -> SettingsFile {
        SettingsFile {
            path: SETTINGS_FILE.into(),
            owner: SettingsOwner::Checkout,
            settings: toml::from_str(text).unwrap(),
            lines: key_lines(text),
        }
    }

    const FILE_PIN: &str =
        "127.0.0.1:5000/evil@sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

    #[test]
    fn outside_codebuild_the_operators_setting_wins_over_the_checkouts_file_and_the_key_ignored_is_named() {
        let d = repo();
        let mut a = args(d.path());
        a.base_image.base = None;
        a.base_image.base_lock = Some(lock_file(d.path()));
        a.insecure_registry = vec!["registry.internal".into()];
        let text = format!(
            "site = \"site\"\nbase = \"{FILE_PIN}\"\nplatform = \"linux/arm64\"\ninsecure_registries = [\"evil.example\"]\n"
        );
        let mut warnings = Vec::new();
        let file = apply_ownership(Some(checkout_file(&text)), &a, &env_of(&[]), &mut warnings).unwrap();
        // The operator's lock chooses the base: the file's `base` is dropped,
        // not preferred over the lock as a more specific setting would be.
        assert_eq!(file.base, None);
        assert!(file.insecure_registry.is_empty(), "the operator's list is not extended by the checkout's");
        // Not set by the operator: a contributor's own machine may set it.
        assert_eq!(file.platform.as_deref(), Some("linux/arm64"));
        assert_eq!(file.site, Some(PathBuf::from("site")));
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(
            warnings[0].contains("sitepack.toml: `base` (line 2) ignored")
                && warnings[0].contains("--base-lock/SITEPACK_BASE_LOCK"),
            "{warnings:?}"
        );
        assert!(warnings[1].contains("`insecure_registry` (line 4) ignored"), "{warnings:?}");
    }

    #[test]
    fn outside_codebuild_codebuilds_image_variables_are_the_operators_setting() {
        let d = repo();
        let env = env_of(&[
            ("AWS_ACCOUNT_ID", "123456789012"),
            ("AWS_DEFAULT_REGION", "eu-west-1"),
            ("IMAGE_REPO_NAME", "coffeefans"),
            ("IMAGE_TAG", "abc123"),
        ]);
        let mut warnings = Vec::new();
        let text = "image = \"127.0.0.1:5000/from/file:1\"\ncontainer_name = \"file\"\n";
        let file = apply_ownership(Some(checkout_file(text)), &args(d.path()), &env, &mut warnings).unwrap();
        assert_eq!(file.image, None);
        assert_eq!(file.container_name.as_deref(), Some("file"), "no CONTAINER_NAME: the file's applies");
        assert!(warnings.len() == 1 && warnings[0].contains("`image` (line 1) ignored"), "{warnings:?}");
        assert!(warnings[0].contains("IMAGE_REPO_NAME"), "{warnings:?}");
    }

    #[test]
    fn in_codebuild_an_operator_key_in_the_checkouts_file_refuses_the_build_naming_key_and_line() {
        let d = repo();
        let env = env_of(&[("CODEBUILD_BUILD_ID", "coffeefans:1")]);
        let text = format!("site = \"site\"\n\nbase = \"{FILE_PIN}\"\nimage_detail = \"/tmp/x.json\"\n");
        let e = apply_ownership(Some(checkout_file(&text)), &args(d.path()), &env, &mut Vec::new()).unwrap_err();
        match &e {
            PlanError::OperatorKeys { path, keys } => {
                assert_eq!(path, Path::new("sitepack.toml"));
                assert_eq!(keys, &[KeyAt { key: "base", line: Some(3) }, KeyAt { key: "image_detail", line: Some(4) }]);
            }
            e => panic!("{e}"),
        }
        let shown = e.to_string();
        assert!(
            shown.contains("`base` (line 3), `image_detail` (line 4) are set by the operator in the pipeline, not by the contributor's repository")
                && shown.contains("may hold only `site` and `htpasswd`"),
            "{shown}"
        );
        // Only contributor keys: accepted as they are.
        let file = apply_ownership(Some(checkout_file("site = \"www\"\n")), &args(d.path()), &env, &mut Vec::new());
        assert_eq!(file.unwrap().site, Some(PathBuf::from("www")));
    }

    #[test]
    fn the_operators_config_file_may_hold_any_key_even_in_codebuild() {
        let d = repo();
        std::fs::write(d.path().join("s.toml"), format!("base = \"{FILE_PIN}\"\nsite = \"/srv/site\"\n")).unwrap();
        let loaded = load_settings(Some(&d.path().join("s.toml"))).unwrap();
        assert_eq!(loaded.as_ref().map(|f| f.owner), Some(SettingsOwner::Operator));
        let env = env_of(&[("CODEBUILD_BUILD_ID", "coffeefans:1")]);
        let mut warnings = Vec::new();
        let file = apply_ownership(loaded, &args(d.path()), &env, &mut warnings).unwrap();
        assert_eq!((file.base.as_deref(), warnings.len()), (Some(FILE_PIN), 0));
        // And its paths are not confined: the plan takes them as given.
        assert_eq!(input_path(None, file.site, Some(SettingsOwner::Operator), "site"), ("/srv/site".into(), None));
    }

    #[test]
    fn contributor_paths_must_resolve_inside_the_checkout() {
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let checkout = root.path();
        std::fs::create_dir_all(checkout.join("site/inner")).unwrap();
        std::fs::create_dir_all(outside.path().join("etc")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("etc"), checkout.join("users")).unwrap();
        std::os::unix::fs::symlink("site/inner", checkout.join("alias")).unwrap();
        let why = |path: &str| match confine("htpasswd", Path::new(path), SETTINGS_FILE, checkout) {
            Ok(()) => None,
            Err(PlanError::OutsideCheckout { why, .. }) => Some(why),
            Err(e) => panic!("{path}: {e}"),
        };
        assert_eq!(why("/proc/self/environ"), Some(Escape::Absolute));
        assert_eq!(why("../x"), Some(Escape::ParentDir));
        assert_eq!(why("site/../../x"), Some(Escape::ParentDir));
        assert_eq!(why(".git/config"), Some(Escape::GitDir));
        assert_eq!(why("users"), Some(Escape::Link));
        // The file under the escaping link is missing: still refused, so
        // whether it exists out there is not told either.
        assert_eq!(why("users/htpasswd"), Some(Escape::Link));
        assert_eq!(why("site"), None);
        assert_eq!(why("./site/inner"), None);
        assert_eq!(why("alias/missing"), None, "a link that stays inside resolves inside");
        assert_eq!(why("missing/htpasswd"), None, "missing inside: check_input names it");
        let e = confine("htpasswd", Path::new("users/htpasswd"), "the default", checkout).unwrap_err().to_string();
        assert_eq!(
            e,
            "htpasswd `users/htpasswd` (from the default) leads outside the checkout through a symbolic link: the contributor's inputs must stay inside the checkout (the working directory)"
        );
        assert!(!e.contains(&outside.path().display().to_string()), "the target is not named: {e}");
    }

    #[test]
    fn a_key_without_an_owner_cannot_be_added() {
        // serde names every field the file may hold when it refuses an unknown one.
        let refusal = toml::from_str::<FileSettings>("no_such_key = 1\n").unwrap_err().to_string();
        let listed = refusal.split("expected one of ").nth(1).expect(&refusal).lines().next().unwrap();
        let fields: std::collections::BTreeSet<&str> = listed.split(", ").map(|f| f.trim_matches('`')).collect();
        let owned: std::collections::BTreeSet<&str> = OperatorKey::ALL
            .iter()
            .flat_map(|k| [Some(k.name()), k.old_name()])
            .flatten()
            .chain(CONTRIBUTOR_KEYS)
            .collect();
        let unowned: Vec<_> = fields.iter().filter(|f| !owned.contains(*f)).collect();
        assert!(unowned.is_empty(), "fields that are neither the contributor's nor an OperatorKey: {unowned:?}");
        let names: Vec<_> = OperatorKey::ALL.iter().map(|k| k.name()).collect();
        assert!(names.iter().all(|n| fields.contains(n)), "an OperatorKey names no field: {names:?} vs {fields:?}");
        let distinct: std::collections::BTreeSet<_> = names.iter().collect();
        assert_eq!(distinct.len(), names.len(), "OperatorKey::ALL lists a key twice");

        // Every operator key is found by `operator_keys` at its line, and `forget` clears it.
        let value = |key: OperatorKey| match key {
            OperatorKey::HttpdConfMaxBytes
            | OperatorKey::MaxFileBytes
            | OperatorKey::MaxTotalBytes
            | OperatorKey::MaxFiles
            | OperatorKey::MaxPathBytes
            | OperatorKey::RetryDeadline
            | OperatorKey::HttpTimeout => "1",
            OperatorKey::InsecureRegistries
            | OperatorKey::AlsoTags
            | OperatorKey::BuiltinModules
            | OperatorKey::Allow => "[\"x\"]",
            OperatorKey::RegistryAuth => "\"anonymous\"",
            OperatorKey::ImageUri => "\"tag\"",
            OperatorKey::HttpdVersion => "\"2.4\"",
            OperatorKey::CreateRepository => "true",
            OperatorKey::TagMutability => "\"immutable\"",
            _ => "\"x\"",
        };
        let mut text: String = OperatorKey::ALL.iter().map(|k| format!("{} = {}\n", k.name(), value(*k))).collect();
        text.push_str("site = \"s\"\nhtpasswd = \"h\"\n");
        let mut file = checkout_file(&text);
        let keys = file.settings.operator_keys();
        assert_eq!(keys, OperatorKey::ALL.to_vec());
        for (i, key) in keys.iter().enumerate() {
            assert_eq!(file.at(*key).line, Some(i + 1), "{}", key.name());
            assert!(file.settings.forget(*key), "{} was set", key.name());
        }
        assert!(file.settings.operator_keys().is_empty());
        assert!(file.settings.site.is_some() && file.settings.htpasswd.is_some());
    }

    #[test]
    fn cache_and_extra_tags_are_tags_of_a_registry_destination() {
        let d = repo();
        let mut a = args(d.path());
        a.image = Some("127.0.0.1:5000/sites/x:c1".into());
        a.cache_from = Some("live".into());
        a.also_tag = vec!["live".into()];
        let plan = build_plan(a.clone(), &env_of(&[])).unwrap();
        assert_eq!((plan.cache_from.as_deref(), plan.also_tags.as_slice()), (Some("live"), &["live".to_owned()][..]));
        let mut bad = a.clone();
        bad.also_tag = vec!["other/repo".into()];
        assert!(matches!(build_plan(bad, &env_of(&[])), Err(PlanError::BadTag(t)) if t == "other/repo"));
        let mut oci = a;
        oci.output = Some("oci:out".into());
        assert!(matches!(build_plan(oci, &env_of(&[])), Err(PlanError::TagsWithoutRegistry(_))));
    }
}
