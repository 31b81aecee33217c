//! Faults between sitepack and a real registry, injected by a proxy: each
//! transient one is survived with the same digest as a clean run, each final
//! one fails cleanly with the tag untouched, and an interruption leaves the
//! tag where the point it struck says: untouched before the manifest, on the
//! new complete image after it.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::fault_proxy::{status, Fault, FaultProxy, Rule, Seen};
use common::*;
use serde_json::Value;

struct Rig {
    reg: Registry,
    proxy: FaultProxy,
    base: String,
    repo: tempfile::TempDir,
}

fn rig_with(reg: Registry) -> Rig {
    let base_direct = reg.push_tiny_base("base/tiny:1");
    let proxy = FaultProxy::start(reg.port);
    let base = base_direct.replacen(&reg.host, &proxy.host, 1);
    Rig { reg, proxy, base, repo: example_repo() }
}

fn rig() -> Rig {
    rig_with(Registry::start())
}

impl Rig {
    fn cmd(&self, repo_tag: &str) -> Command {
        let mut cmd = sitepack(self.repo.path());
        cmd.args(["build", "--json", "--http-timeout", "2", "--base", &self.base, "--image"])
            .arg(format!("{}/{repo_tag}", self.proxy.host));
        cmd
    }

    /// The digest of a fault-free build through the proxy (into its own repository).
    fn clean_digest(&self) -> String {
        let out = run(&mut self.cmd("sites/clean:1")).ok();
        out.json()["digest"].as_str().unwrap().to_owned()
    }

    fn spawn(&self, repo_tag: &str) -> Child {
        self.cmd(repo_tag).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap()
    }

    /// Waits until the proxy has seen a request matching `method` and `path`.
    fn wait_for(&self, method: &str, path: &str) {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while !self.proxy.log().iter().any(|s| s.method == method && s.path.contains(path)) {
            assert!(std::time::Instant::now() < deadline, "no {method} {path} reached the proxy");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Starts a build of `repo_tag`, waits until the proxy's log shows
    /// `reached`, and kills the build with SIGKILL there.
    fn kill_9_when(&self, repo_tag: &str, what: &str, reached: impl Fn(&[Seen]) -> bool) {
        let mut child = self.spawn(repo_tag);
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while !reached(&self.proxy.log()) {
            assert!(std::time::Instant::now() < deadline, "the build never reached {what}: {:?}", self.proxy.log());
            assert!(child.try_wait().unwrap().is_none(), "the build ended before {what}: {:?}", self.proxy.log());
            std::thread::sleep(Duration::from_millis(10));
        }
        child.kill().unwrap();
        child.wait().unwrap();
    }
}

fn is_blob_put(s: &Seen, repo: &str) -> bool {
    s.method == "PUT" && s.path.starts_with(&format!("/v2/{repo}/blobs/uploads/"))
}

fn is_manifest_put(s: &Seen, repo: &str) -> bool {
    s.method == "PUT" && s.path.starts_with(&format!("/v2/{repo}/manifests/"))
}

/// The blob an upload's closing PUT names (`?digest=sha256:…`, maybe escaped).
fn put_digest(s: &Seen) -> String {
    let query = s.path.split_once('?').map_or("", |(_, q)| q);
    let digest = query.split('&').find_map(|kv| kv.strip_prefix("digest=")).expect("a closing PUT names its digest");
    digest.replace("%3A", ":").replace("%3a", ":")
}

fn retries(report: &Value) -> u64 {
    report["retries"].as_u64().unwrap()
}

#[test]
fn transient_statuses_are_retried_and_the_image_is_the_same() {
    let rig = rig();
    let clean = rig.clean_digest();
    rig.proxy.set_rules(vec![
        Rule::new("GET", "/v2/base/tiny/manifests/", status(504)),
        Rule::new("HEAD", "/v2/sites/faulty/blobs/", status(500)),
        Rule::new("POST", "/v2/sites/faulty/blobs/uploads/", status(502)),
        Rule::new(
            "PUT",
            "/v2/sites/faulty/blobs/uploads/",
            Fault::Status { code: 503, retry_after: Some(1), body: None },
        ),
        Rule::new("PUT", "/v2/sites/faulty/manifests/", Fault::Status { code: 429, retry_after: Some(1), body: None }),
        Rule::new("GET", "/v2/sites/faulty/manifests/", status(408)),
    ]);
    let out = run(&mut rig.cmd("sites/faulty:1")).ok();
    let report = out.json();
    assert_eq!(report["digest"], clean.as_str(), "same image as the clean run");
    assert_eq!(rig.proxy.faults(), 6, "every scripted fault was hit");
    // The 408 is met by the read-back that follows the 429 on the manifest.
    assert!(retries(&report) >= 5, "{report}");
    assert!(out.stderr.contains("retry 1 of at most 7"), "retries are logged: {}", out.stderr);
    assert!(out.stderr.contains("503 Service Unavailable"), "with their reason: {}", out.stderr);
    rig.reg.assert_complete("sites/faulty:1");
}

#[test]
fn a_reset_mid_upload_starts_a_new_session_and_resends_the_blob() {
    let rig = rig();
    let clean = rig.clean_digest();
    rig.proxy.set_rules(vec![Rule::new("PUT", "/v2/sites/faulty/blobs/uploads/", Fault::ResetMidBody).times(2)]);
    let report = run(&mut rig.cmd("sites/faulty:1")).ok().json();
    assert_eq!(report["digest"], clean.as_str());
    let log = rig.proxy.log();
    let sessions = log
        .iter()
        .filter(|s| {
            s.method == "POST" && s.path.starts_with("/v2/sites/faulty/blobs/uploads/") && !s.path.contains("mount=")
        })
        .count();
    let uploads =
        log.iter().filter(|s| s.method == "PUT" && s.path.contains("/v2/sites/faulty/blobs/uploads/")).count();
    assert_eq!(uploads, sessions, "each attempt opens its own session: {sessions} sessions, {uploads} uploads");
    assert!(log.iter().any(|s| s.method == "DELETE"), "a failed session is abandoned");
}

#[test]
fn a_stalled_connection_times_out_and_is_retried() {
    let rig = rig();
    let clean = rig.clean_digest();
    rig.proxy.set_rules(vec![Rule::new(
        "PUT",
        "/v2/sites/faulty/blobs/uploads/",
        Fault::Stall(Duration::from_secs(30)),
    )]);
    let out = run(&mut rig.cmd("sites/faulty:1")).ok();
    assert_eq!(out.json()["digest"], clean.as_str());
    assert!(out.stderr.contains("timed out") || out.stderr.contains("operation timed out"), "{}", out.stderr);
}

#[test]
fn a_truncated_answer_is_retried() {
    let rig = rig();
    let clean = rig.clean_digest();
    rig.proxy.set_rules(vec![
        Rule::new("GET", "/v2/base/tiny/manifests/", Fault::Truncate),
        Rule::new("GET", "/v2/base/tiny/blobs/", Fault::Truncate),
    ]);
    let report = run(&mut rig.cmd("sites/faulty:1")).ok().json();
    assert_eq!(report["digest"], clean.as_str());
    assert_eq!(rig.proxy.faults(), 2);
}

#[test]
fn a_manifest_that_landed_despite_a_5xx_answer_counts_as_pushed() {
    let rig = rig();
    let clean = rig.clean_digest();
    rig.proxy.set_rules(vec![Rule::new("PUT", "/v2/sites/faulty/manifests/", Fault::ForwardThenStatus(502))]);
    let out = run(&mut rig.cmd("sites/faulty:1")).ok();
    assert_eq!(out.json()["digest"], clean.as_str());
    assert!(out.stderr.contains("the manifest landed"), "{}", out.stderr);
    let puts =
        rig.proxy.log().iter().filter(|s| s.method == "PUT" && s.path.contains("/v2/sites/faulty/manifests/")).count();
    assert_eq!(puts, 1, "recognised, not pushed again");
}

#[test]
fn final_errors_fail_at_once_with_the_registry_code_and_leave_no_tag() {
    let rig = rig();
    let denied = r#"{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}"#;
    let invalid = r#"{"errors":[{"code":"MANIFEST_INVALID","message":"manifest invalid"}]}"#;
    let cases: [(Rule, &str, &str); 2] = [
        (
            Rule::new(
                "POST",
                "/v2/sites/f403/blobs/uploads/",
                Fault::Status { code: 403, retry_after: None, body: Some(denied.into()) },
            )
            .times(usize::MAX),
            "sites/f403:1",
            // A base-layer mount or a site-layer upload: whichever starts first.
            "answered 403 Forbidden to POST ",
        ),
        (
            Rule::new(
                "PUT",
                "/v2/sites/f400/manifests/",
                Fault::Status { code: 400, retry_after: None, body: Some(invalid.into()) },
            )
            .times(usize::MAX),
            "sites/f400:1",
            "400 Bad Request to PUT manifest sites/f400:1: MANIFEST_INVALID: manifest invalid",
        ),
    ];
    for (rule, tag, message) in cases {
        rig.proxy.set_rules(vec![rule]);
        rig.proxy.clear_log();
        let out = run(&mut rig.cmd(tag));
        assert_eq!(out.status.code(), Some(1), "{tag}: {}", out.stderr);
        assert!(out.stderr.contains(message), "{tag}: {}", out.stderr);
        assert!(out.stderr.contains(if tag.contains("403") { "DENIED: requested access" } else { "MANIFEST_INVALID" }));
        assert!(!out.stderr.contains("retry 1 of"), "{tag}: a final error is not retried: {}", out.stderr);
        assert!(rig.reg.manifest_digest(tag).is_none(), "{tag} was tagged");
    }
}

#[test]
fn the_retry_deadline_bounds_a_registry_that_keeps_failing() {
    let rig = rig();
    rig.proxy.set_rules(vec![Rule::new("HEAD", "/v2/sites/down/blobs/", status(503)).times(usize::MAX)]);
    let out = run(rig.cmd("sites/down:1").args(["--retry-deadline", "2"]));
    assert_eq!(out.status.code(), Some(1), "{}", out.stderr);
    assert!(out.stderr.contains("retry 1 of") && out.stderr.contains("error: registry"), "{}", out.stderr);
    assert!(out.stderr.contains("503 Service Unavailable"), "{}", out.stderr);
    assert!(rig.reg.manifest_digest("sites/down:1").is_none());
}

#[test]
fn a_401_mid_push_gets_one_fresh_credential_and_a_second_fails() {
    let rig = rig_with(Registry::start_with_auth("builder", "s3cret-pass"));
    use base64::Engine as _;
    let auth = base64::engine::general_purpose::STANDARD.encode("builder:s3cret-pass");
    // The proxy's host is what sitepack talks to.
    write_docker_config(rig.repo.path(), &serde_json::json!({"auths": {rig.proxy.host.clone(): {"auth": auth}}}));
    let challenge = Fault::Status { code: 401, retry_after: None, body: None };
    rig.proxy.set_rules(vec![Rule::new("PUT", "/v2/sites/faulty/blobs/uploads/", challenge.clone())]);
    let out = run(rig.cmd("sites/faulty:1").env("RUST_LOG", "trace")).ok();
    assert!(rig.reg.manifest_digest("sites/faulty:1").is_some());
    for secret in ["s3cret-pass", auth.as_str()] {
        assert!(!out.stderr.contains(secret), "credential in a trace log");
    }

    // Every blob upload refused: one fresh credential, then a clear failure.
    rig.proxy.set_rules(vec![
        Rule::new("PUT", "/v2/sites/refused-blob/blobs/uploads/", challenge.clone()).times(usize::MAX)
    ]);
    let refused = run(&mut rig.cmd("sites/refused-blob:1"));
    assert_eq!(refused.status.code(), Some(1), "{}", refused.stderr);
    assert!(refused.stderr.contains("refused the credentials"), "{}", refused.stderr);

    rig.proxy.set_rules(vec![Rule::new("PUT", "/v2/sites/refused/manifests/", challenge).times(usize::MAX)]);
    let refused = run(&mut rig.cmd("sites/refused:1"));
    assert_eq!(refused.status.code(), Some(1), "{}", refused.stderr);
    assert!(refused.stderr.contains("refused the credentials"), "{}", refused.stderr);
    assert!(rig.reg.manifest_digest("sites/refused:1").is_none());
}

#[test]
fn a_redirected_blob_read_does_not_carry_the_registry_credentials() {
    let rig = rig_with(Registry::start_with_auth("builder", "s3cret-pass"));
    use base64::Engine as _;
    let auth = base64::engine::general_purpose::STANDARD.encode("builder:s3cret-pass");
    write_docker_config(rig.repo.path(), &serde_json::json!({"auths": {rig.proxy.host.clone(): {"auth": auth}}}));
    // The base's layer reads go elsewhere, as ECR sends them to S3: a second
    // proxy on another port (another origin) in front of the same registry,
    // which would accept the credentials if they came along.
    let other = FaultProxy::start(rig.reg.port);
    rig.proxy.set_rules(vec![Rule::new(
        "GET",
        "/v2/base/tiny/blobs/",
        Fault::Redirect(format!("http://{}", other.host)),
    )
    .times(usize::MAX)]);
    let layout = rig.repo.path().join("layout");
    let out = run(sitepack(rig.repo.path())
        .args(["build", "--base", &rig.base, "--output"])
        .arg(format!("oci:{}", layout.display())));
    let seen = other.log();
    assert!(!seen.is_empty(), "the redirect was followed");
    assert!(seen.iter().all(|s| !s.authorization), "Authorization reached another origin: {seen:?}");
    // Without credentials the other origin refuses: the build fails cleanly.
    assert_eq!(out.status.code(), Some(1), "{}", out.stderr);
}

#[test]
fn sigterm_during_an_upload_stops_cleanly_and_a_rerun_finishes() {
    let rig = rig();
    let clean = rig.clean_digest();
    rig.proxy.set_rules(vec![Rule::new("PUT", "/v2/sites/sig/blobs/uploads/", Fault::Delay(Duration::from_secs(20)))]);
    let stale = rig.repo.path().join("imagedefinitions.json");
    std::fs::write(&stale, "[]").unwrap();
    let child = rig
        .cmd("sites/sig:1")
        .env("CONTAINER_NAME", "web")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    rig.wait_for("PUT", "/v2/sites/sig/blobs/uploads/");
    run_ok(Command::new("kill").args(["-TERM", &child.id().to_string()]));
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(143), "{stderr}");
    assert_eq!(
        stderr.lines().last().map(|l| l.starts_with("sitepack: interrupted by SIGTERM")),
        Some(true),
        "{stderr}"
    );
    assert!(!stale.exists(), "no deploy file after an interruption");
    assert!(rig.reg.manifest_digest("sites/sig:1").is_none(), "tag untouched");

    rig.proxy.set_rules(vec![]);
    let report = run(rig.cmd("sites/sig:1").env("CONTAINER_NAME", "web")).ok().json();
    assert_eq!(report["digest"], clean.as_str());
    assert!(stale.exists());
}

#[test]
fn kill_9_during_a_blob_leaves_no_tag_and_a_rerun_converges() {
    let rig = rig();
    let clean = rig.clean_digest();
    rig.proxy.set_rules(vec![Rule::new("PUT", "/v2/sites/k0/blobs/uploads/", Fault::Delay(Duration::from_secs(20)))]);
    rig.kill_9_when("sites/k0:1", "a blob upload held by the proxy", |log| {
        log.iter().any(|s| is_blob_put(s, "sites/k0") && s.fault.is_some())
    });
    assert!(!rig.proxy.log().iter().any(|s| is_manifest_put(s, "sites/k0")), "no manifest was sent");
    assert_eq!(rig.reg.manifest_digest("sites/k0:1"), None, "no tag");

    rig.proxy.set_rules(vec![]);
    let report = run(&mut rig.cmd("sites/k0:1")).ok().json();
    assert_eq!(report["digest"], clean.as_str(), "the rerun gives the same digest");
    rig.reg.assert_complete("sites/k0:1");
}

#[test]
fn kill_9_between_blobs_leaves_the_old_tag_and_a_rerun_converges() {
    let rig = rig();
    let clean = rig.clean_digest();
    // The tag names an older image, which the interrupted build must not move.
    let old = rig.reg.push_tiny_base("sites/k1:1");
    let old = old.rsplit_once('@').unwrap().1.to_owned();
    // The first blob upload goes through; the next is held.
    rig.proxy.set_rules(vec![
        Rule::new("PUT", "/v2/sites/k1/blobs/uploads/", Fault::Delay(Duration::from_secs(20))).skip(1)
    ]);
    rig.kill_9_when("sites/k1:1", "one blob stored and the next held", |log| {
        let puts: Vec<&Seen> = log.iter().filter(|s| is_blob_put(s, "sites/k1")).collect();
        puts.iter().any(|s| s.fault.is_none() && s.answered == Some(201)) && puts.iter().any(|s| s.fault.is_some())
    });
    let log = rig.proxy.log();
    assert!(!log.iter().any(|s| is_manifest_put(s, "sites/k1")), "killed before the manifest: {log:?}");
    let stored = log
        .iter()
        .find(|s| is_blob_put(s, "sites/k1") && s.answered == Some(201))
        .unwrap_or_else(|| panic!("no blob upload finished before the kill: {log:?}"));
    let digest = put_digest(stored);
    let hex = digest.trim_start_matches("sha256:");
    let data = rig.reg.dir.path().join("data/docker/registry/v2/blobs/sha256").join(&hex[..2]).join(hex).join("data");
    assert!(data.exists(), "the first blob {digest} is in the registry");
    assert_eq!(rig.reg.manifest_digest("sites/k1:1"), Some(old), "the tag still names the old image");

    rig.proxy.set_rules(vec![]);
    let report = run(&mut rig.cmd("sites/k1:1")).ok().json();
    assert_eq!(report["digest"], clean.as_str(), "the rerun gives the same digest");
    assert_eq!(rig.reg.manifest_digest("sites/k1:1").as_deref(), Some(clean.as_str()));
    rig.reg.assert_complete("sites/k1:1");
}

#[test]
fn kill_9_after_the_manifest_landed_leaves_the_new_complete_tag() {
    let rig = rig();
    let clean = rig.clean_digest();
    // The registry stores the manifest; its answer is held from the build.
    let answer_held = Fault::ForwardThenDelay(Duration::from_secs(20));
    rig.proxy.set_rules(vec![Rule::new("PUT", "/v2/sites/k2/manifests/", answer_held)]);
    rig.kill_9_when("sites/k2:1", "the manifest stored, its answer held", |_| {
        rig.reg.manifest_digest("sites/k2:1").is_some()
    });
    assert_eq!(rig.reg.manifest_digest("sites/k2:1").as_deref(), Some(clean.as_str()), "the new image is tagged");
    rig.reg.assert_complete("sites/k2:1");

    rig.proxy.set_rules(vec![]);
    let report = run(&mut rig.cmd("sites/k2:1")).ok().json();
    assert_eq!(report["digest"], clean.as_str(), "the rerun gives the same digest");
}

#[test]
fn two_builds_racing_for_one_tag_leave_it_on_one_complete_image() {
    let reg = Registry::start();
    let base = reg.push_tiny_base("base/tiny:1");
    let (a, b) = (example_repo(), example_repo());
    std::fs::write(b.path().join("site/coffeefans/index.html"), "the other build").unwrap();
    let spawn = |repo: &tempfile::TempDir| {
        sitepack(repo.path())
            .args(["build", "--base", &base, "--image", &format!("{}/sites/race:1", reg.host)])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (ca, cb) = (spawn(&a), spawn(&b));
    let (oa, ob) = (ca.wait_with_output().unwrap(), cb.wait_with_output().unwrap());
    let digests: Vec<String> = [&oa, &ob]
        .iter()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .collect();
    assert!(!digests.is_empty(), "at least one build succeeds");
    let tag = reg.manifest_digest("sites/race:1").expect("tagged");
    assert!(digests.contains(&tag), "the tag names a build that reported success: {tag} vs {digests:?}");
    reg.assert_complete("sites/race:1");
}
