//! Running buildspec.yml as CodeBuild would: the phases' commands in order in
//! one bash shell (a failing command fails the build there), and the
//! contributor's checkout as a full clone (git metadata, a fixed commit time).
//! Used by tests/buildspec.rs and tests/pipeline.rs.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use super::{example_repo, run_ok};

/// A buildspec file parsed to JSON (PyYAML from moto's venv).
pub fn parse_buildspec(path: &Path) -> Value {
    let json = run_ok(
        Command::new(super::moto::venv().join("bin/python"))
            .args(["-c", "import sys, json, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))"])
            .arg(path),
    );
    serde_json::from_str(&json).unwrap()
}

/// The phases' commands as one bash script; a failing command fails the
/// build there, as in CodeBuild.
pub fn script(spec: &Value) -> String {
    let mut out = String::new();
    for phase in ["install", "pre_build", "build", "post_build"] {
        for cmd in spec["phases"][phase]["commands"].as_array().into_iter().flatten() {
            let cmd = cmd.as_str().unwrap();
            out.push_str(&format!("{{\n{cmd}\n}} || {{ echo \"buildspec: {phase} failed\" >&2; exit 1; }}\n"));
        }
    }
    out
}

/// The example contributor repository committed once at a fixed time
/// (CodePipeline's "full clone"); returns it with the commit id.
pub fn committed_example_repo() -> (tempfile::TempDir, String) {
    let repo = example_repo();
    let git = |args: &[&str]| {
        run_ok(
            Command::new("git")
                .arg("-C")
                .arg(repo.path())
                .args(args)
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .env("GIT_COMMITTER_DATE", "@1650000000 +0000")
                .env("GIT_AUTHOR_DATE", "@1650000000 +0000"),
        )
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["-c", "user.name=c", "-c", "user.email=c@example.org", "commit", "-q", "-m", "site"]);
    let commit = git(&["rev-parse", "HEAD"]).trim().to_owned();
    (repo, commit)
}
