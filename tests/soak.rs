//! Soak: many builds through a proxy that faults a fifth of all requests at
//! random (fixed seed), each build changing the site. After every build the
//! tag must name a complete image (skopeo copies it and checks every blob's
//! digest), and a build that reported success must be what the tag names.
//! Short by default (CI); the long form:
//!   SITEPACK_SOAK_BUILDS=200 cargo test --release --test soak -- --nocapture

mod common;

use std::process::Command;
use std::time::Instant;

use common::fault_proxy::FaultProxy;
use common::*;

fn env_or<T: std::str::FromStr>(key: &str, default: T) -> T {
    std::env::var(key).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[test]
fn builds_under_random_faults_never_tag_an_incomplete_image() {
    let builds: usize = env_or("SITEPACK_SOAK_BUILDS", 20);
    let seed: u64 = env_or("SITEPACK_SOAK_SEED", 20_261_126);
    let rate: f64 = env_or("SITEPACK_SOAK_FAULT_RATE", 0.2);
    let reg = Registry::start();
    let base_direct = reg.push_image(&format!("oci:{}:latest", tiny_base_layout().display()), "base/tiny:1");
    let proxy = FaultProxy::start(reg.port);
    let base = base_direct.replacen(&reg.host, &proxy.host, 1);
    proxy.set_random(seed, rate);
    let repo = example_repo();
    let started = Instant::now();
    let (mut ok, mut failed, mut retries, mut incomplete) = (0, 0, 0u64, Vec::new());
    for i in 0..builds {
        std::fs::write(repo.path().join("site/coffeefans/build.txt"), format!("build {i}\n")).unwrap();
        let out = run(sitepack(repo.path())
            .args(["build", "--json", "--http-timeout", "2", "--retry-deadline", "60", "--base", &base, "--image"])
            .arg(format!("{}/sites/soak:latest", proxy.host)));
        let reported = if out.status.success() {
            ok += 1;
            let report = out.json();
            retries += report["retries"].as_u64().unwrap();
            Some(report["digest"].as_str().unwrap().to_owned())
        } else {
            failed += 1;
            eprintln!("build {i} failed cleanly: {}", out.stderr.lines().last().unwrap_or(""));
            None
        };
        if let Some(tagged) = reg.manifest_digest("sites/soak:latest") {
            let dir = tempfile::tempdir().unwrap();
            let copy = Command::new("skopeo")
                .args(["copy", "--quiet", "--src-tls-verify=false"])
                .arg(format!("docker://{}/sites/soak:latest", reg.host))
                .arg(format!("oci:{}:x", dir.path().join("l").display()))
                .output()
                .unwrap();
            if !copy.status.success() {
                incomplete.push(format!("after build {i}: {}", String::from_utf8_lossy(&copy.stderr)));
            }
            if let Some(d) = &reported {
                assert_eq!(&tagged, d, "build {i} reported a digest the tag does not name");
            }
        }
    }
    eprintln!(
        "soak: {builds} builds, {ok} succeeded, {failed} failed cleanly, {} faults injected, {retries} retries, {:.1} s",
        proxy.faults(),
        started.elapsed().as_secs_f64()
    );
    assert!(incomplete.is_empty(), "the tag named an incomplete image:\n{}", incomplete.join("\n"));
    assert!(proxy.faults() > 0, "faults were injected");
    assert!(ok > 0, "some builds succeed");
}
