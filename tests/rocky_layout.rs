//! The operator's conf in the stock CentOS 7 / Rocky Linux layout, which
//! loads no module itself (`Include conf.modules.d/*.conf`): the checks
//! follow its Includes into the base's configuration files, which `sitepack
//! base pin` records in the lock; without a lock they say once what they
//! could not read instead of refusing a site Apache serves. Against the
//! offline Debian test base, whose /etc/httpd/conf.modules.d/ holds Rocky's
//! files, in a real registry, run by podman.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use serde_json::Value;

fn rocky_conf() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/operator/httpd-rocky.conf")
}

/// The test base in `reg` as `base/httpd:rocky`, pinned into the repo's
/// base/base.lock.
fn pinned_base(reg: &Registry, repo: &Path) {
    reg.push_apache_base("base/httpd:rocky");
    run(sitepack(repo).args(["base", "pin", &format!("{}/base/httpd:rocky", reg.host)])).ok();
}

/// `sitepack check --format json` of `repo` with the Rocky-layout conf.
fn check(repo: &Path, extra: &[&str]) -> (Option<i32>, Vec<Value>) {
    let out = run(sitepack(repo).args(["check", "--format", "json", "--httpd-conf"]).arg(rocky_conf()).args(extra));
    let report: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("check output is not JSON ({e}): {}{}", out.stdout, out.stderr));
    (out.status.code(), report["findings"].as_array().unwrap().clone())
}

fn rules(findings: &[Value], severity: &str) -> Vec<String> {
    findings
        .iter()
        .filter(|f| f["severity"] == severity)
        .map(|f| format!("{} {}", f["file"].as_str().unwrap(), f["rule"].as_str().unwrap()))
        .collect()
}

#[test]
fn without_a_lock_a_basic_auth_site_passes_with_one_warning_naming_the_include() {
    let repo = example_repo();
    let (code, findings) = check(repo.path(), &[]);
    assert_eq!(code, Some(0), "{findings:#?}");
    assert_eq!(rules(&findings, "error"), Vec::<String>::new());
    let warnings: Vec<&Value> = findings.iter().filter(|f| f["severity"] == "warning").collect();
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    let w = warnings[0];
    assert_eq!(w["rule"], "conf.include-unread");
    assert_eq!(w["line"], 18, "the line of `Include conf.modules.d/*.conf`");
    let message = w["message"].as_str().unwrap();
    assert!(message.contains("Include conf.modules.d/*.conf"), "{message}");
    // What it leaves unchecked: the modules the protected folder needs.
    assert!(message.contains("mod_auth_basic (for site/coffeefans/members/.htaccess)"), "{message}");
    assert!(w["hint"].as_str().unwrap().contains("sitepack base pin"), "{w}");
}

#[test]
fn a_module_the_includes_may_or_may_not_load_is_a_warning_without_the_lock_and_exact_with_it() {
    let reg = Registry::start();
    let repo = example_repo();
    let members = repo.path().join("site/coffeefans/members/.htaccess");
    let mut text = std::fs::read_to_string(&members).unwrap();
    // mod_headers is loaded by the base's 00-base.conf; mod_speling is not
    // (Rocky does not load it): CheckSpelling makes the folder answer 500.
    text.push_str("Header set X-Members yes\nCheckSpelling On\n");
    std::fs::write(&members, text).unwrap();

    let (code, findings) = check(repo.path(), &[]);
    assert_eq!(code, Some(0), "{findings:#?}");
    assert_eq!(rules(&findings, "error"), Vec::<String>::new(), "no error without knowing the base");
    let unread = findings.iter().find(|f| f["rule"] == "conf.include-unread").expect("the include warning");
    assert!(unread["message"].as_str().unwrap().contains("mod_speling"), "{unread}");

    pinned_base(&reg, repo.path());
    let (code, findings) = check(repo.path(), &[]);
    assert_eq!(code, Some(1), "{findings:#?}");
    let errors: Vec<&Value> = findings.iter().filter(|f| f["severity"] == "error").collect();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!((errors[0]["rule"].as_str(), errors[0]["line"].as_u64()), (Some("htaccess.module"), Some(8)));
    assert!(errors[0]["message"].as_str().unwrap().contains("mod_speling"), "{}", errors[0]);
    assert!(findings.iter().all(|f| f["rule"] != "conf.include-unread"), "the lock holds the included files");
}

#[test]
fn a_dormant_proxy_rule_is_refused_with_and_without_the_lock() {
    let reg = Registry::start();
    let repo = example_repo();
    std::fs::write(
        repo.path().join("site/coffeefans/.htaccess"),
        "<IfModule mod_rewrite.c>\nRewriteEngine On\nRewriteRule ^meta/(.*)$ http://169.254.169.254/$1 [P]\n</IfModule>\n",
    )
    .unwrap();
    let refused = |findings: &[Value]| {
        findings
            .iter()
            .any(|f| f["rule"] == "policy.proxy" && f["file"] == "site/coffeefans/.htaccess" && f["line"] == 3)
    };
    let (code, findings) = check(repo.path(), &[]);
    assert_eq!(code, Some(1));
    assert!(refused(&findings), "{findings:#?}");
    pinned_base(&reg, repo.path());
    let (code, findings) = check(repo.path(), &[]);
    assert_eq!(code, Some(1));
    assert!(refused(&findings), "{findings:#?}");
}

#[test]
fn the_example_site_with_the_rocky_conf_and_the_pinned_base_builds_without_base_and_serves() {
    let reg = Registry::start();
    let repo = example_repo();
    pinned_base(&reg, repo.path());
    let lock = std::fs::read_to_string(repo.path().join("base/base.lock")).unwrap();
    assert!(lock.contains("conf.modules.d/00-base.conf"), "the lock records the base's configuration files");

    let image = format!("{}/sites/coffeefans:rocky", reg.host);
    let out = run(sitepack(repo.path())
        .args(["build", "--image", &image, "--httpd-conf"])
        .arg(rocky_conf())
        .env("SOURCE_DATE_EPOCH", EPOCH))
    .ok();
    assert!(!out.stderr.contains("conf.include-unread"), "{}", out.stderr);
    let digest = out.stdout.trim();
    let pulled = format!("{}/sites/coffeefans@{digest}", reg.host);
    podman_pull(&pulled);
    let c = Container::run(&pulled, &format!("sitepack-test-rocky-{}", std::process::id()));
    assert_serves_example_site(&c);
}

#[test]
fn verify_names_a_configuration_file_that_changed_under_the_pinned_tag() {
    let reg = Registry::start();
    let repo = example_repo();
    pinned_base(&reg, repo.path());

    // The base's maintainers push a new image to the tag whose 00-base.conf
    // no longer loads mod_headers.
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("oci");
    run_ok(Command::new("cp").arg("-a").arg(apache_base_layout()).arg(&layout));
    let files = dir.path().join("files");
    let conf = files.join("etc/httpd/conf.modules.d/00-base.conf");
    std::fs::create_dir_all(conf.parent().unwrap()).unwrap();
    std::fs::write(&conf, "LoadModule dir_module modules/mod_dir.so\n").unwrap();
    let layer = dir.path().join("layer.tar");
    run_ok(Command::new("tar").arg("--numeric-owner").arg("-C").arg(&files).arg("-cf").arg(&layer).arg("etc"));
    run_ok(
        Command::new("umoci")
            .args(["raw", "add-layer", "--image"])
            .arg(format!("{}:latest", layout.display()))
            .arg(&layer),
    );
    reg.push_image(&format!("oci:{}:latest", layout.display()), "base/httpd:rocky");

    let out = run(sitepack(repo.path()).args(["base", "verify"]));
    assert_eq!(out.status.code(), Some(3), "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("update available"), "{}", out.stdout);
    assert!(out.stdout.contains("conf.modules.d/00-base.conf changed"), "{}", out.stdout);
    assert!(!out.stdout.contains("00-lua.conf"), "unchanged files are not named: {}", out.stdout);
}
