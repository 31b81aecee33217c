//! `sitepack preview` as a contributor runs it: the example repository
//! built on the Debian apache2 test base (from a real registry), loaded into
//! the real podman and served on a loopback port; Apache's answers checked
//! at the printed URL; SIGINT leaves no container, image or temporary file.
//! A site with an error is refused with `build`'s own message and nothing
//! runs; a missing or unusable podman is named with what to install or set.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::*;

/// The flags this machine's podman needs (as `common::podman()`), passed
/// the way a contributor passes them.
const PODMAN_ARGS: &str = "--runtime /usr/sbin/runc --cgroup-manager cgroupfs";

/// A base no registry serves: a refusal must come before any network call.
const UNREACHABLE_BASE: &str =
    "127.0.0.1:1/base/httpd@sha256:0000000000000000000000000000000000000000000000000000000000000000";

fn preview(repo: &Path, tmp: &Path) -> Command {
    let mut cmd = sitepack(repo);
    cmd.arg("preview").env("TMPDIR", tmp).env("SITEPACK_PODMAN_ARGS", PODMAN_ARGS).env_remove("SITEPACK_PODMAN");
    cmd
}

/// A preview running as a child: its stdout lines as they come, stderr in a file.
struct Previewing {
    child: Child,
    lines: mpsc::Receiver<String>,
    stderr: std::path::PathBuf,
}

impl Previewing {
    fn spawn(mut cmd: Command, stderr: std::path::PathBuf) -> Previewing {
        let mut child =
            cmd.stdout(Stdio::piped()).stderr(std::fs::File::create(&stderr).unwrap()).spawn().expect("sitepack runs");
        let out = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        Previewing { child, lines, stderr }
    }

    /// Stdout up to and including the `stop:`/`detached;` line.
    fn wait_until_running(&mut self) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(240);
        let mut got = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let last = line.starts_with("stop:") || line.starts_with("detached;");
                    got.push(line);
                    if last {
                        return got;
                    }
                }
                Err(_) => panic!("no preview within 240 s; stdout {got:?}; stderr:\n{}", self.stderr_text()),
            }
        }
    }

    fn stderr_text(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    fn signal(&self, name: &str) {
        run_ok(Command::new("kill").args([format!("-{name}"), self.child.id().to_string()]));
    }

    fn wait(&mut self, within: Duration) -> std::process::ExitStatus {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "sitepack preview did not stop; stderr:\n{}", self.stderr_text());
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Previewing {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn field<'a>(lines: &'a [String], prefix: &str) -> &'a str {
    lines.iter().find_map(|l| l.strip_prefix(prefix)).unwrap_or_else(|| panic!("no `{prefix}` line in {lines:?}"))
}

/// Names of every container (running or not) and every image podman holds.
fn podman_containers() -> String {
    run_ok(podman().args(["ps", "-a", "--format", "{{.Names}} {{.ImageID}}", "--no-trunc"]))
}
fn podman_images() -> String {
    run_ok(podman().args(["images", "-a", "--no-trunc", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"]))
}

fn assert_empty(dir: &Path) {
    let left: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(left.is_empty(), "temporary files left in {}: {left:?}", dir.display());
}

/// What a preview that runs starts from. One preview at a time: a load
/// beside another test's image removal can lose the base layer they share
/// (see `storage_lock`). Bind every field (`_storage`, not `_`), so the
/// lock and the registry live to the end of the test.
struct Start {
    _storage: std::sync::MutexGuard<'static, ()>,
    _reg: Registry,
    /// The Debian apache2 test base, pushed to the registry.
    base: String,
    repo: tempfile::TempDir,
    /// The preview's TMPDIR, checked empty at the end.
    tmp: tempfile::TempDir,
}

fn start() -> Start {
    let _storage = storage_lock();
    let reg = Registry::start();
    let base = reg.push_apache_base("base/httpd:bookworm");
    Start { _storage, _reg: reg, base, repo: example_repo(), tmp: tempfile::tempdir().unwrap() }
}

/// A `podman` that is this shell script, in a folder of its own.
fn fake_podman(script: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let bin = tempfile::tempdir().unwrap();
    let fake = bin.path().join("podman");
    std::fs::write(&fake, script).unwrap();
    run_ok(Command::new("chmod").arg("755").arg(&fake));
    (bin, fake)
}

#[test]
fn example_site_previewed_on_loopback_serves_htaccess_rules_and_sigint_leaves_nothing() {
    let Start { _storage, _reg, base, repo, tmp } = start();
    let logs = tempfile::tempdir().unwrap();
    let port = free_port();

    let mut cmd = preview(repo.path(), tmp.path());
    cmd.args(["--base", &base, "--port", &port.to_string()]);
    let mut p = Previewing::spawn(cmd, logs.path().join("stderr"));
    let out = p.wait_until_running();

    let url = field(&out, "preview: ");
    assert_eq!(url, format!("http://127.0.0.1:{port}/coffeefans/"), "the URL is under the site's namespace");
    let protected = field(&out, "protected: ");
    assert_eq!(
        protected,
        "/coffeefans/members/ (site/coffeefans/members/.htaccess): AuthType Basic; AuthName \"coffeefans members\"; \
AuthUserFile /opt/.htpasswd; Require valid-user (users: barista)"
    );
    let (container, image) = field(&out, "container: ").split_once(" (image ").unwrap();
    let image = image.trim_end_matches(')');
    let stderr = p.stderr_text();
    let image_id = stderr
        .lines()
        .find_map(|l| l.split("loaded into podman: ").nth(1))
        .and_then(|l| l.rsplit_once(" ("))
        .map(|(_, id)| id.trim_end_matches(')').to_owned())
        .unwrap_or_else(|| panic!("no image id in the log:\n{stderr}"));

    let (code, body) = curl(url, None).unwrap();
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("Welcome to coffeefans"), "{body}");
    let members = format!("{url}members/");
    assert_eq!(curl_status(&members, None), Some(401), "protected folder without credentials");
    let (code, body) = curl(&members, Some("barista:espresso")).unwrap();
    assert_eq!(code, 200, "protected folder with the password");
    assert!(body.contains("Members only"), "{body}");
    assert!(podman_containers().contains(container), "{}", podman_containers());
    assert_empty(tmp.path());

    p.signal("INT");
    let status = p.wait(Duration::from_secs(60));
    assert_eq!(status.code(), Some(0), "{}", p.stderr_text());
    let containers = podman_containers();
    assert!(!containers.contains(container) && !containers.contains(&image_id), "container left: {containers}");
    let images = podman_images();
    assert!(!images.contains(image) && !images.contains(&image_id), "image left: {images}");
    assert_eq!(curl_status(url, None), None, "nothing answers any more");
    assert_empty(tmp.path());
}

#[test]
fn a_second_preview_of_the_same_repository_replaces_the_first() {
    let Start { _storage, _reg, base, repo, tmp } = start();
    let logs = tempfile::tempdir().unwrap();

    let mut first = preview(repo.path(), tmp.path());
    first.args(["--base", &base, "--port", "0"]);
    let mut first = Previewing::spawn(first, logs.path().join("first"));
    let first_out = first.wait_until_running();
    let name = field(&first_out, "container: ").split_once(' ').unwrap().0.to_owned();

    // An edit, then a detached preview of the same checkout.
    std::fs::write(repo.path().join("site/coffeefans/index.html"), "<h1>Second</h1>\n").unwrap();
    let mut second = preview(repo.path(), tmp.path());
    second.args(["--base", &base, "--port", "0", "--detach"]);
    let second = run(&mut second).ok();
    let lines: Vec<String> = second.stdout.lines().map(str::to_owned).collect();
    assert_eq!(field(&lines, "container: ").split_once(' ').unwrap().0, name, "named after the repository");
    let (_, body) = curl(field(&lines, "preview: "), None).unwrap();
    assert!(body.contains("Second"), "{body}");
    // The first preview sees its container gone and ends.
    assert_eq!(first.wait(Duration::from_secs(60)).code(), Some(0), "{}", first.stderr_text());
    let ours: Vec<String> = podman_containers().lines().filter(|l| l.starts_with(&name)).map(str::to_owned).collect();
    assert_eq!(ours.len(), 1, "{ours:?}");

    // The printed stop command removes it all.
    let stop = field(&lines, "detached; stop it with: ");
    run_ok(Command::new("sh").args(["-c", stop]));
    assert!(!podman_containers().contains(&name));
    assert!(!podman_images().contains(&name), "{}", podman_images());
    assert_empty(tmp.path());
}

#[test]
fn a_site_with_an_error_is_refused_with_builds_message_and_nothing_runs() {
    let repo = example_repo();
    std::fs::write(repo.path().join("site/coffeefans/members/.htaccess"), "AuthType Basic\nOptions +Indexes\n")
        .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let built = run(sitepack(repo.path())
        .args(["build", "--base", UNREACHABLE_BASE, "--output"])
        .arg(format!("oci-archive:{}", tmp.path().join("x.tar").display())));
    let previewed = run(preview(repo.path(), tmp.path()).args(["--base", UNREACHABLE_BASE]));
    assert_eq!(built.status.code(), Some(2), "{}", built.stderr);
    assert_eq!(previewed.status.code(), Some(2), "{}", previewed.stderr);
    let refusal = |stderr: &str| stderr[stderr.find("error: ").expect("an error")..].to_owned();
    assert!(refusal(&built.stderr).starts_with("error: the site would not publish, 1 error(s):"), "{}", built.stderr);
    assert_eq!(refusal(&previewed.stderr), refusal(&built.stderr));
    assert_eq!(previewed.stdout, "", "no URL");
    let name = repo.path().file_name().unwrap().to_string_lossy().to_ascii_lowercase().replace(['.', '_'], "-");
    let name = format!("sitepack-preview-{}", name.trim_matches('-'));
    assert!(!podman_containers().contains(&name), "{}", podman_containers());
    assert!(!podman_images().contains(&name), "{}", podman_images());
    assert_empty(tmp.path());
}

#[test]
fn without_a_usable_podman_the_error_says_what_to_install_or_configure() {
    let repo = example_repo();
    let tmp = tempfile::tempdir().unwrap();
    let missing = run(preview(repo.path(), tmp.path())
        .args(["--base", UNREACHABLE_BASE])
        .env("SITEPACK_PODMAN", tmp.path().join("no-podman-here")));
    assert_eq!(missing.status.code(), Some(1), "{}", missing.stderr);
    assert!(
        missing.stderr.contains("was not found") && missing.stderr.contains("apt-get install podman"),
        "{}",
        missing.stderr
    );

    // podman present, its engine not (macOS without `podman machine start`).
    let (_bin, fake) = fake_podman(
        "#!/bin/sh\necho 'Cannot connect to Podman. Please verify your connection to the Linux system' >&2\nexit 125\n",
    );
    let unusable =
        run(preview(repo.path(), tmp.path()).args(["--base", UNREACHABLE_BASE]).env("SITEPACK_PODMAN", &fake));
    assert_eq!(unusable.status.code(), Some(1), "{}", unusable.stderr);
    assert!(unusable.stderr.contains("podman machine init && podman machine start"), "{}", unusable.stderr);
    assert!(unusable.stderr.contains("Cannot connect to Podman"), "podman's own words are kept: {}", unusable.stderr);
    assert_empty(tmp.path());
}

#[test]
fn a_podman_that_cannot_run_containers_is_named_with_the_fix_and_its_image_removed() {
    let Start { _storage, _reg, base, repo, tmp } = start();
    // The real podman, except that `run` fails as crun does on this kernel.
    let (_bin, fake) = fake_podman(
        "#!/bin/sh\nfor a in \"$@\"; do [ \"$a\" = run ] && { echo 'Error: crun: creating cgroup directory: No such file or directory: OCI runtime error' >&2; exit 126; }; done\nexec podman \"$@\"\n",
    );
    let out = run(preview(repo.path(), tmp.path()).args(["--base", &base]).env("SITEPACK_PODMAN", &fake));
    assert_eq!(out.status.code(), Some(1), "{}", out.stderr);
    assert!(out.stderr.contains("podman cannot run containers here"), "{}", out.stderr);
    assert!(
        out.stderr.contains("SITEPACK_PODMAN_ARGS='--runtime /usr/sbin/runc --cgroup-manager cgroupfs'"),
        "{}",
        out.stderr
    );
    let name = out
        .stderr
        .lines()
        .find_map(|l| l.split("loaded into podman: localhost/").nth(1))
        .and_then(|l| l.split(':').next())
        .unwrap_or_else(|| panic!("{}", out.stderr))
        .to_owned();
    assert!(!podman_images().contains(&name), "{}", podman_images());
    assert!(!podman_containers().contains(&name), "{}", podman_containers());
    assert_empty(tmp.path());
}
