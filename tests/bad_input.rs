//! Bad input, one case per row: each must fail with a clear message and the
//! documented exit code, leave the destination tag absent, and leave no
//! imagedefinitions.json behind (a stale one from an earlier run is removed).

mod common;

use std::path::Path;

use common::*;
use serde_json::json;

/// Adjusts the repo and returns the extra arguments.
type Setup = Box<dyn Fn(&Path, &Rig) -> Vec<String>>;

struct Case {
    name: &'static str,
    setup: Setup,
    exit: i32,
    message: &'static str,
}

struct Rig {
    anon: Registry,
    auth: Registry,
    base: String,
}

const SECRET: &str = "correct-horse-battery";

fn rig() -> Rig {
    let anon = Registry::start();
    let auth = Registry::start_with_auth("ci", SECRET);
    let base = anon.push_tiny_base("base/tiny:1");
    Rig { anon, auth, base }
}

fn args(base: &str, image: &str) -> Vec<String> {
    ["--base", base, "--image", image].map(String::from).to_vec()
}

#[test]
fn each_bad_input_fails_clearly_and_publishes_nothing() {
    let rig = rig();
    let cases = vec![
        Case {
            name: "base given by tag only",
            setup: Box::new(|_, r| args(&format!("{}/base/tiny:1", r.anon.host), &format!("{}/out/x:1", r.anon.host))),
            exit: 2,
            message: "is not pinned by digest",
        },
        Case {
            name: "pin names a digest the registry does not hold",
            setup: Box::new(|_, r| {
                let other = r.base.rsplit_once('@').unwrap().0.to_owned();
                args(&format!("{other}@sha256:{}", "ab".repeat(32)), &format!("{}/out/x:1", r.anon.host))
            }),
            exit: 1,
            message: "the registry has no manifest with that digest",
        },
        Case {
            name: "malformed digest in the pin",
            setup: Box::new(|_, r| {
                args(&format!("{}/base/tiny@sha256:1234", r.anon.host), &format!("{}/out/x:1", r.anon.host))
            }),
            exit: 2,
            message: "is not a sha256 digest",
        },
        Case {
            name: "missing site directory",
            setup: Box::new(|repo, r| {
                std::fs::remove_dir_all(repo.join("site")).unwrap();
                args(&r.base, &format!("{}/out/x:1", r.anon.host))
            }),
            exit: 2,
            message: "site directory site (from --site) does not exist",
        },
        Case {
            name: "missing htpasswd",
            setup: Box::new(|_, r| {
                let mut a = args(&r.base, &format!("{}/out/x:1", r.anon.host));
                a.extend(["--htpasswd".into(), "users/nope".into()]);
                a
            }),
            exit: 2,
            message: "htpasswd file users/nope (from --htpasswd) does not exist",
        },
        Case {
            name: "symlink in the site is refused, not followed",
            setup: Box::new(|repo, r| {
                std::os::unix::fs::symlink("/proc/self/environ", repo.join("site/coffeefans/env.txt")).unwrap();
                args(&r.base, &format!("{}/out/x:1", r.anon.host))
            }),
            exit: 2,
            message:
                "env.txt: error: is a symbolic link (to /proc/self/environ); links are never published (tree.symlink)",
        },
        Case {
            name: "unreachable destination registry",
            setup: Box::new(|_, r| args(&r.base, &format!("127.0.0.1:{}/out/x:1", free_port()))),
            exit: 1,
            message: "cannot reach registry 127.0.0.1:",
        },
        Case {
            name: "unreachable base registry",
            setup: Box::new(|_, r| {
                let pinned = r.base.replacen(&r.anon.host, &format!("127.0.0.1:{}", free_port()), 1);
                args(&pinned, &format!("{}/out/x:1", r.anon.host))
            }),
            exit: 1,
            message: "cannot reach registry 127.0.0.1:",
        },
        Case {
            name: "wrong password",
            setup: Box::new(|repo, r| {
                use base64::Engine as _;
                let auth = base64::engine::general_purpose::STANDARD.encode("ci:not-the-password");
                write_docker_config(repo, &json!({"auths": {r.auth.host.clone(): {"auth": auth}}}));
                args(&r.base, &format!("{}/out/x:1", r.auth.host))
            }),
            exit: 1,
            message: "refused the credentials",
        },
        Case {
            name: "platform the base does not have",
            setup: Box::new(|_, r| {
                let mut a = args(&r.base, &format!("{}/out/x:1", r.anon.host));
                a.extend(["--platform".into(), "linux/arm64".into()]);
                a
            }),
            exit: 1,
            message: "is for linux/amd64, not linux/arm64",
        },
        Case {
            name: "unknown output kind",
            setup: Box::new(|_, r| {
                let mut a = args(&r.base, &format!("{}/out/x:1", r.anon.host));
                a.extend(["--output".into(), "tarball:x".into()]);
                a
            }),
            exit: 2,
            message: "expected registry, oci:DIR or oci-archive:FILE",
        },
    ];

    let mut failures = Vec::new();
    for case in &cases {
        let repo = example_repo();
        let extra = (case.setup)(repo.path(), &rig);
        let stale = repo.path().join("imagedefinitions.json");
        std::fs::write(&stale, r#"[{"name":"web","imageUri":"old"}]"#).unwrap();
        let out = run(sitepack(repo.path()).env("CONTAINER_NAME", "web").arg("build").args(&extra));
        let mut problems = Vec::new();
        if out.status.code() != Some(case.exit) {
            problems.push(format!("exit {:?}, expected {}", out.status.code(), case.exit));
        }
        if !out.stderr.contains(case.message) {
            problems.push(format!("stderr lacks {:?}", case.message));
        }
        if !out.stdout.is_empty() {
            problems.push(format!("stdout not empty: {}", out.stdout));
        }
        if stale.exists() {
            problems.push("imagedefinitions.json left behind".into());
        }
        if out.stderr.contains(SECRET) || out.stderr.contains("not-the-password") {
            problems.push("a password appears in the output".into());
        }
        for reg in [&rig.anon, &rig.auth] {
            if reg.manifest_digest("out/x:1").is_some() {
                problems.push(format!("tag out/x:1 exists on {}", reg.host));
            }
        }
        if !problems.is_empty() {
            failures.push(format!("{}: {}\n--- stderr:\n{}", case.name, problems.join("; "), out.stderr));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n\n"));
}
