//! Soak: many builds through a proxy that faults a fifth of all requests at
//! random (fixed seed), each build changing the site. A build that reports
//! success must leave the tag naming its digest, of a complete image (skopeo
//! copies it and checks every blob's digest); a build that fails must fail
//! cleanly (exit 1 or 2 with an `error:` line, never a panic or a signal),
//! leaving the tag, if any, on a complete image.
//! Short by default (CI); the long form:
//!   SITEPACK_SOAK_BUILDS=200 cargo test --release --test soak -- --nocapture

mod common;

use std::time::Instant;

use common::fault_proxy::FaultProxy;
use common::*;

fn env_or<T: std::str::FromStr>(key: &str, default: T) -> T {
    std::env::var(key).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// What one build's outcome says against the rules above; None when it keeps them.
fn judge(reg: &Registry, repo_tag: &str, out: &Run) -> Option<String> {
    if out.status.success() {
        // A success is a digest that the tag names, of a complete image.
        let reported = out.json()["digest"].as_str().map(str::to_owned);
        let tagged = reg.manifest_digest(repo_tag);
        if reported.is_none() || tagged != reported {
            return Some(format!("reported success with {reported:?}, but the tag names {tagged:?}"));
        }
        return reg.copy_out(repo_tag).err().map(|e| format!("reported success, but {e}"));
    }
    // A failure is a clean error exit: 1 (the world) or 2 (the input) with an
    // `error:` line; a panic exits 101, a signal with no code.
    let clean_exit = matches!(out.status.code(), Some(1 | 2));
    if !clean_exit || out.stderr.contains("panicked") || !out.stderr.lines().any(|l| l.starts_with("error:")) {
        return Some(format!("failed, but not cleanly ({}):\n{}", out.status, out.stderr));
    }
    // Whatever the tag still names (an earlier build's image) is complete.
    reg.manifest_digest(repo_tag)
        .and_then(|_| reg.copy_out(repo_tag).err())
        .map(|e| format!("failed cleanly, but the tag names an incomplete image: {e}"))
}

#[test]
fn builds_under_random_faults_never_tag_an_incomplete_image() {
    let builds: usize = env_or("SITEPACK_SOAK_BUILDS", 20);
    let seed: u64 = env_or("SITEPACK_SOAK_SEED", 20_261_126);
    let rate: f64 = env_or("SITEPACK_SOAK_FAULT_RATE", 0.2);
    let reg = Registry::start();
    let base_direct = reg.push_tiny_base("base/tiny:1");
    let proxy = FaultProxy::start(reg.port);
    let base = base_direct.replacen(&reg.host, &proxy.host, 1);
    proxy.set_random(seed, rate);
    let repo = example_repo();
    let started = Instant::now();
    let (mut ok, mut failed, mut retries, mut broken) = (0, 0, 0u64, Vec::new());
    for i in 0..builds {
        std::fs::write(repo.path().join("site/coffeefans/build.txt"), format!("build {i}\n")).unwrap();
        let out = run(sitepack(repo.path())
            .args(["build", "--json", "--http-timeout", "2", "--retry-deadline", "60", "--base", &base, "--image"])
            .arg(format!("{}/sites/soak:latest", proxy.host)));
        if out.status.success() {
            ok += 1;
            retries += out.json()["retries"].as_u64().unwrap();
        } else {
            failed += 1;
            eprintln!("build {i} failed: {}", out.stderr.lines().last().unwrap_or(""));
        }
        if let Some(problem) = judge(&reg, "sites/soak:latest", &out) {
            broken.push(format!("build {i}: {problem}"));
        }
    }
    eprintln!(
        "soak: {builds} builds, {ok} succeeded, {failed} failed, {} faults injected, {retries} retries, {:.1} s",
        proxy.faults(),
        started.elapsed().as_secs_f64()
    );
    assert!(broken.is_empty(), "{} of {builds} builds broke the rules:\n{}", broken.len(), broken.join("\n"));
    assert!(proxy.faults() > 0, "faults were injected");
    assert!(ok > 0, "some builds succeed");
}
