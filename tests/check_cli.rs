//! `sitepack check` as a contributor runs it: the example passes cleanly,
//! problems print as `path:line: severity: message (rule)` with a hint, JSON
//! for tools, and the exit code says errors (1) from clean or warnings (0).

mod common;

use std::process::Command;

use common::*;

/// `sitepack check` in `repo`, with none of the host's settings: the
/// operator's conf only where a test names it.
fn check(repo: &std::path::Path) -> Command {
    let mut cmd = sitepack_scrubbed();
    cmd.current_dir(repo).arg("check");
    cmd
}

#[test]
fn the_example_contributor_repo_passes_cleanly() {
    let repo = example_repo();
    let out = run(check(repo.path()).arg("--httpd-conf").arg(operator_conf()).args(["--namespace", "coffeefans"]));
    assert_eq!(out.status.code(), Some(0), "{}{}", out.stdout, out.stderr);
    assert_eq!(out.stdout, "0 error(s), 0 warning(s)\n");
}

#[test]
fn findings_name_file_line_rule_and_fix_and_set_the_exit_code() {
    let repo = example_repo();
    std::fs::write(repo.path().join("site/coffeefans/members/.htaccess"), "AuthType Basic\nOptions +Indexes\n")
        .unwrap();
    std::fs::write(repo.path().join("site/coffeefans/notes.txt~"), "draft").unwrap();
    let out = run(check(repo.path()).arg("--httpd-conf").arg(operator_conf()));
    assert_eq!(out.status.code(), Some(1), "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(
        lines.contains(&"site/coffeefans/members/.htaccess:2: error: Options needs AllowOverride Options, but httpd.conf allows AuthConfig FileInfo Indexes Limit here; the folder would answer 500 (\"not allowed here\") (htaccess.not-allowed)"),
        "{}",
        out.stdout
    );
    assert!(lines.iter().any(|l| l.starts_with("    hint: ")), "{}", out.stdout);
    assert!(lines.contains(&"site/coffeefans/notes.txt~: warning: is not published (version control or editor/OS litter) (tree.excluded)"), "{}", out.stdout);
    assert_eq!(lines.last(), Some(&"1 error(s), 1 warning(s)"));

    let json = run(check(repo.path()).arg("--httpd-conf").arg(operator_conf()).args(["--format", "json"]));
    assert_eq!(json.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let first = &v["findings"][0];
    assert_eq!(first["file"], "site/coffeefans/members/.htaccess");
    assert_eq!(first["line"], 2);
    assert_eq!(first["severity"], "error");
    assert_eq!(first["rule"], "htaccess.not-allowed");
}

#[test]
fn warnings_alone_exit_zero_and_usage_errors_exit_two() {
    let repo = example_repo();
    std::fs::write(repo.path().join("site/coffeefans/.DS_Store"), "x").unwrap();
    let warn = run(check(repo.path()).arg("--httpd-conf").arg(operator_conf()));
    assert_eq!(warn.status.code(), Some(0), "{}", warn.stdout);
    assert!(warn.stdout.ends_with("0 error(s), 1 warning(s)\n"), "{}", warn.stdout);

    let usage = run(check(repo.path()).args(["--namespace", "Not/Valid"]));
    assert_eq!(usage.status.code(), Some(2), "{}", usage.stderr);
    assert!(usage.stderr.contains("--namespace `Not/Valid`"), "{}", usage.stderr);
    let missing = run(check(repo.path()).args(["--site", "nope"]));
    assert_eq!(missing.status.code(), Some(2));
    assert!(missing.stderr.contains("site directory nope (from --site) does not exist"), "{}", missing.stderr);

    // S3 unreachable is the world's fault, not the input's: 1, not 2.
    let port = free_port();
    let outage = run(check(repo.path())
        .args(["--httpd-conf", "s3://ops-conf/coffeefans/httpd.conf"])
        .env("AWS_ENDPOINT_URL_S3", format!("http://127.0.0.1:{port}"))
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env("AWS_DEFAULT_REGION", "eu-west-1")
        .env("AWS_MAX_ATTEMPTS", "1"));
    assert_eq!(outage.status.code(), Some(1), "{}", outage.stderr);
}

#[test]
fn without_a_conf_the_checks_assume_everything_is_allowed() {
    let repo = example_repo();
    std::fs::write(repo.path().join("site/coffeefans/.htaccess"), "Options -Indexes\nListen 8080\n").unwrap();
    let out = run(&mut check(repo.path()));
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.contains(".htaccess:2: error: Listen is not allowed in .htaccess"), "{}", out.stdout);
    assert!(!out.stdout.contains(".htaccess:1:"), "Options is allowed under the permissive stand-in: {}", out.stdout);
    assert!(out.stderr.contains("assuming AllowOverride All"), "{}", out.stderr);
}
