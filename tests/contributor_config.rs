//! The contributor's checkout configures only the contributor's part. Run
//! as CodeBuild runs sitepack (its variables set, the maintainers' lock in
//! `SITEPACK_BASE_LOCK`, the operator's conf in `HTTPD_CONF_URI`, the
//! checkout as working directory), a `sitepack.toml` naming an input
//! outside the checkout, or any setting of the operator's, is refused with
//! exit code 2 and a message naming the key; no byte of a file outside the
//! checkout or of the build's environment appears in the output, nothing
//! is pushed, and no file outside the checkout is touched. The refused
//! checkouts are listed in `contributor_config/cases.toml`.

mod common;

use std::collections::BTreeMap;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

/// Planted in files outside the checkout and in the build's environment.
const MARKER: &str = "SITEPACK_OUTSIDE_MARKER_51c0de";

/// The build host around a checkout: the checkout (a copy of the example),
/// an `outside` folder of the host beside it, and the maintainers' lock of
/// a base in the registry at `registry`.
struct Host {
    root: tempfile::TempDir,
    registry: String,
    lock: PathBuf,
}

impl Host {
    fn checkout(&self) -> PathBuf {
        self.root.path().join("checkout")
    }

    fn outside(&self) -> PathBuf {
        self.root.path().join("outside")
    }

    /// `text` with `{outside}`, `{registry}` and `{marker}` filled in.
    fn fill(&self, text: &str) -> String {
        text.replace("{outside}", &self.outside().display().to_string())
            .replace("{registry}", &self.registry)
            .replace("{marker}", MARKER)
    }
}

/// A fresh checkout, host folder and lock for the base `base` of `registry`.
fn host(registry: &Registry, base: &str) -> Host {
    let root = tempfile::tempdir().unwrap();
    let checkout = root.path().join("checkout");
    std::fs::create_dir_all(&checkout).unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/coffeefans/.");
    run_ok(Command::new("cp").arg("-a").arg(example).arg(&checkout));
    let outside = root.path().join("outside");
    std::fs::create_dir_all(outside.join("site")).unwrap();
    std::fs::write(outside.join("site/index.html"), MARKER).unwrap();
    std::fs::write(outside.join("htpasswd"), format!("{MARKER}\0user:plain\n")).unwrap();
    std::fs::write(outside.join("victim.json"), MARKER).unwrap();
    let lock = root.path().join("maintainers/base.lock");
    std::fs::create_dir_all(lock.parent().unwrap()).unwrap();
    std::fs::write(&lock, tiny_base_lock(base)).unwrap();
    Host { root, registry: registry.host.clone(), lock }
}

fn start() -> (Registry, String) {
    let registry = Registry::start();
    let base = registry.push_tiny_base("base/tiny:1");
    (registry, base)
}

/// `sitepack` as the CodeBuild project runs it in the checkout, with a
/// marker in the environment (what a read of /proc/self/environ would show).
fn codebuild(host: &Host) -> Command {
    let mut cmd = sitepack(&host.checkout());
    cmd.envs([
        ("CODEBUILD_BUILD_ID", "coffeefans:0f1e2d3c"),
        ("CONTAINER_NAME", "web"),
        ("AWS_DEFAULT_REGION", "eu-west-1"),
        ("IMAGE_REPO_NAME", "coffeefans"),
        ("IMAGE_TAG", "abc123"),
        ("AWS_ACCOUNT_ID", "123456789012"),
        // Sorted first in /proc/self/environ, before any `:`.
        ("AAA_LEAK_CANARY", MARKER),
    ]);
    cmd.env("SITEPACK_BASE_LOCK", &host.lock);
    cmd
}

/// Writes the checkout's `sitepack.toml`, filled in as `Host::fill` does.
fn settings(host: &Host, text: &str) {
    std::fs::write(host.checkout().join("sitepack.toml"), host.fill(text)).unwrap();
}

/// A checkout that must be refused: one `[[case]]` of
/// `tests/contributor_config/cases.toml`, whose header says how it is made.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    #[serde(default)]
    remove: Vec<String>,
    #[serde(default)]
    files: BTreeMap<String, String>,
    #[serde(default)]
    links: BTreeMap<String, String>,
    settings: Option<String>,
    message: String,
}

impl Case {
    /// Prepares `host`'s checkout as the case says.
    fn set_up(&self, host: &Host) {
        let checkout = host.checkout();
        let parent_made = |path: &str| {
            let path = checkout.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            path
        };
        for path in &self.remove {
            std::fs::remove_dir_all(checkout.join(path)).unwrap();
        }
        for (path, text) in &self.files {
            std::fs::write(parent_made(path), host.fill(text)).unwrap();
        }
        for (path, target) in &self.links {
            symlink(host.fill(target), parent_made(path)).unwrap();
        }
        if let Some(text) = &self.settings {
            settings(host, &format!("{}\n", text.trim_end()));
        }
    }
}

fn cases() -> Vec<Case> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Cases {
        case: Vec<Case>,
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/contributor_config/cases.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    toml::from_str::<Cases>(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display())).case
}

#[test]
fn in_codebuild_the_checkouts_settings_reach_nothing_of_the_operators_or_the_hosts() {
    let (registry, base) = start();
    // A tag the contributor's `image` names, absent before.
    assert!(registry.manifest_digest("out/x:1").is_none());
    let cases = cases();
    assert!(!cases.is_empty(), "no cases read");
    let mut failures = Vec::new();
    for case in &cases {
        let fresh = host(&registry, &base);
        case.set_up(&fresh);
        let out = run(codebuild(&fresh).arg("build").arg("--json"));
        let mut problems = Vec::new();
        if out.status.code() != Some(2) {
            problems.push(format!("exit {:?}, expected 2", out.status.code()));
        }
        if !out.stderr.contains(&case.message) {
            problems.push(format!("stderr lacks {:?}", case.message));
        }
        if !out.stdout.is_empty() {
            problems.push(format!("stdout not empty: {}", out.stdout));
        }
        if out.stderr.contains(MARKER) || out.stdout.contains(MARKER) {
            problems.push("a byte from outside the checkout appears in the output".into());
        }
        if std::fs::read_to_string(fresh.outside().join("victim.json")).ok().as_deref() != Some(MARKER) {
            problems.push("a file outside the checkout was changed or removed".into());
        }
        if fresh.outside().join("layout").exists() {
            problems.push("an image layout was written outside the checkout".into());
        }
        if registry.manifest_digest("out/x:1").is_some() {
            problems.push("tag out/x:1 exists".into());
        }
        if !problems.is_empty() {
            failures.push(format!("{}: {}\n--- stderr:\n{}", case.name, problems.join("; "), out.stderr));
        }
    }
    let total = cases.len();
    assert!(failures.is_empty(), "{} of {total} cases failed:\n{}", failures.len(), failures.join("\n\n"));
}

#[test]
fn in_codebuild_a_checkout_whose_settings_name_only_its_own_files_still_builds() {
    let (registry, base) = start();
    let host = host(&registry, &base);
    settings(&host, "site = \"site\"\nhtpasswd = \"users/htpasswd\"\n");
    // --output is the operator's flag: a layout avoids needing ECR here.
    let out = run(codebuild(&host).args(["build", "--json", "--output", "oci:layout"])).ok();
    let report = out.json();
    assert_eq!(report["base"]["name"], "web", "built on the maintainers' lock: {report}");
    assert!(host.checkout().join("layout/index.json").is_file());
    assert!(!out.stderr.contains("ignored"), "{}", out.stderr);
}

#[test]
fn outside_codebuild_the_operators_lock_wins_over_the_checkouts_base_with_a_warning() {
    let (registry, base) = start();
    let host = host(&registry, &base);
    settings(
        &host,
        "site = \"site\"\nbase = \"{registry}/base/tiny@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"\n",
    );
    let out = run(sitepack(&host.checkout()).env("SITEPACK_BASE_LOCK", &host.lock).args([
        "build",
        "--json",
        "--output",
        "oci:layout",
    ]))
    .ok();
    assert_eq!(out.json()["base"]["name"], "web", "the lock's base, not the file's");
    assert!(
        out.stderr.contains("settings file sitepack.toml: `base` (line 2) ignored: the operator sets it (--base-lock/SITEPACK_BASE_LOCK)"),
        "{}",
        out.stderr
    );
}

#[test]
fn check_refuses_a_default_input_linked_out_of_the_checkout_without_reading_it() {
    let (registry, base) = start();
    let host = host(&registry, &base);
    std::fs::remove_dir_all(host.checkout().join("users")).unwrap();
    symlink(host.outside(), host.checkout().join("users")).unwrap();
    let out = run(sitepack(&host.checkout()).env("AAA_LEAK_CANARY", MARKER).arg("check"));
    assert_eq!(out.status.code(), Some(2), "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("htpasswd `users/htpasswd` (from the default) leads outside the checkout"),
        "{}",
        out.stderr
    );
    assert!(!out.stdout.contains(MARKER) && !out.stderr.contains(MARKER), "{}{}", out.stdout, out.stderr);
}

#[test]
fn in_codebuild_a_base_lock_in_the_checkout_is_not_used() {
    let (registry, base) = start();
    let host = host(&registry, &base);
    std::fs::create_dir_all(host.checkout().join("base")).unwrap();
    std::fs::write(host.checkout().join("base/base.lock"), tiny_base_lock(&base)).unwrap();
    let out = run(codebuild(&host).env_remove("SITEPACK_BASE_LOCK").args(["build", "--output", "oci:layout"]));
    assert_eq!(out.status.code(), Some(2), "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("in CodeBuild set SITEPACK_BASE_LOCK to the maintainers' base lock")
            && out.stderr.contains("a base/base.lock in the contributor's checkout is not used"),
        "{}",
        out.stderr
    );
    assert!(!host.checkout().join("layout").exists(), "nothing is built on the checkout's lock");
}
