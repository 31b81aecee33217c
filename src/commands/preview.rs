//! `sitepack preview`: the contributor's repository built exactly as
//! `sitepack build` builds it, then run by the local podman on a loopback
//! port. Its phases: podman found and usable; the build (the same plan,
//! checks, refusals, base and operator conf as `build`) into an OCI archive
//! in a temporary folder; `podman load`; the previous preview of this
//! repository replaced; `podman run`; httpd answering; what each
//! `.htaccess` protects; then, until the stop signal, nothing; then the
//! container, the image and the temporary files removed.
//!
//! Why an `oci-archive:` build and `podman load`, not a push to a local
//! registry: the archive output is one of `build`'s own (so every phase up
//! to the image is `build`'s code, unchanged), it needs no registry
//! process, and `podman load` of it is already proven by the end-to-end
//! tests. The archive is deleted as soon as podman has loaded it.

use std::future::Future;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::{Error, EXIT_FAILED};
use crate::{check, cli, plan};

/// How long httpd gets to answer its first request.
const START_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum PreviewError {
    /// The build refused or failed, exactly as `sitepack build` would.
    #[error(transparent)]
    Build(#[from] Error),
    #[error(
        "podman (`{program}`) was not found: the preview runs the site in podman. Install it \
(Debian/Ubuntu: apt-get install podman; Fedora: dnf install podman; macOS: brew install podman, then \
podman machine init && podman machine start), or name it with --podman / SITEPACK_PODMAN"
    )]
    NotFound { program: String },
    #[error(
        "podman cannot reach its engine (`{command}` failed: {stderr}). On macOS or Windows start its VM: \
podman machine init && podman machine start; on Linux, `podman info` must work for this user"
    )]
    Unusable { command: String, stderr: String },
    #[error(
        "podman cannot run containers here (`{command}` failed: {stderr}). Where crun fails (hybrid cgroups), \
run with SITEPACK_PODMAN_ARGS='--runtime /usr/sbin/runc --cgroup-manager cgroupfs' (and `runc` installed); \
if the port is taken, choose another with --port (0 picks a free one)"
    )]
    CannotRun { command: String, stderr: String },
    #[error("`{command}` failed: {stderr}")]
    Podman { command: String, stderr: String },
    #[error("httpd in the preview container {container} did not answer on {url} within {} s; its log:\n{logs}", START_TIMEOUT.as_secs())]
    NotServing { container: String, url: String, logs: String },
    #[error("the preview container {container} stopped by itself; its log:\n{logs}")]
    Exited { container: String, logs: String },
    #[error("cannot create a temporary folder in {}: {source}", std::env::temp_dir().display())]
    TempDir { source: std::io::Error },
    #[error("cannot find the repository folder: {0}")]
    WorkingDir(std::io::Error),
}

impl PreviewError {
    /// The build's own code for its errors; podman's and httpd's are the world's (1).
    pub fn exit_code(&self) -> u8 {
        match self {
            PreviewError::Build(e) => e.exit_code(),
            PreviewError::NotFound { .. }
            | PreviewError::Unusable { .. }
            | PreviewError::CannotRun { .. }
            | PreviewError::Podman { .. }
            | PreviewError::NotServing { .. }
            | PreviewError::Exited { .. }
            | PreviewError::TempDir { .. }
            | PreviewError::WorkingDir(_) => EXIT_FAILED,
        }
    }
}

/// How a preview ended without an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// Stopped by the signal (or replaced by a newer preview); nothing left.
    Stopped,
    /// `--detach`: the container goes on running.
    Detached,
    /// The signal came before the container ran; nothing was left either.
    Interrupted(&'static str),
}

/// A running preview, as shown to the contributor.
#[derive(Debug, Clone)]
pub struct Running {
    /// `http://127.0.0.1:PORT/NAMESPACE/`
    pub url: String,
    pub container: String,
    pub image: String,
    pub protections: Vec<Protection>,
    /// The podman command lines that stop it, when detached.
    pub stop: Option<String>,
}

/// What one `.htaccess` asks of a visitor, from the parsed file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protection {
    /// The folder's URL path (`/coffeefans/members/`).
    pub path: String,
    /// The file as the contributor knows it.
    pub file: String,
    /// Access directives as written (`AuthType Basic`, `Require valid-user`, `Deny from all`).
    pub rules: Vec<String>,
    /// For `Require valid-user`: the users of the htpasswd file.
    pub users: Option<Vec<String>>,
}

impl Running {
    /// The lines printed once httpd answers: the URL first (`preview: URL`).
    pub fn render(&self) -> String {
        let mut out = format!("preview: {}\n", self.url);
        for p in &self.protections {
            let rules = if p.rules.is_empty() { "no access rules".to_owned() } else { p.rules.join("; ") };
            out.push_str(&format!("protected: {} ({}): {rules}", p.path, p.file));
            if let Some(users) = &p.users {
                out.push_str(&format!(" (users: {})", users.join(", ")));
            }
            out.push('\n');
        }
        out.push_str(&format!("container: {} (image {})\n", self.container, self.image));
        match &self.stop {
            Some(stop) => out.push_str(&format!("detached; stop it with: {stop}\n")),
            None => out.push_str("stop: Ctrl-C stops and removes it\n"),
        }
        out
    }
}

/// The podman program and the global flags every call gets.
#[derive(Debug, Clone)]
struct Podman {
    program: String,
    flags: Vec<String>,
}

impl Podman {
    fn command(&self) -> Command {
        let mut cmd = Command::new(&self.program);
        // The preview never talks to a registry (`--pull never`), so podman
        // needs no credentials: and a DOCKER_CONFIG without a config.json
        // makes podman 4's `run` fail.
        cmd.args(&self.flags).stdin(Stdio::null()).env_remove("DOCKER_CONFIG").env_remove("REGISTRY_AUTH_FILE");
        cmd
    }

    fn shown(&self, args: &[&str]) -> String {
        std::iter::once(self.program.as_str())
            .chain(self.flags.iter().map(String::as_str))
            .chain(args.iter().copied())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Runs `podman FLAGS args`: its stdout, or what it said on stderr.
    fn run(&self, args: &[&str]) -> Result<String, PreviewError> {
        let out = self.command().args(args).output().map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => PreviewError::NotFound { program: self.program.clone() },
            _ => PreviewError::Podman { command: self.shown(args), stderr: e.to_string() },
        })?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(PreviewError::Podman {
                command: self.shown(args),
                stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
            })
        }
    }

    /// Best effort (cleanup): whether it succeeded.
    fn quietly(&self, args: &[&str]) -> bool {
        self.command().args(args).stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
    }

    /// Found, and its engine answers (on macOS: the machine is running).
    fn usable(&self) -> Result<(), PreviewError> {
        match self.run(&["info", "--format", "{{.Host.OCIRuntime.Name}}"]) {
            Ok(_) => Ok(()),
            Err(PreviewError::Podman { command, stderr }) => Err(PreviewError::Unusable { command, stderr }),
            Err(e) => Err(e),
        }
    }
}

/// The names of this repository's preview: the container, and the image's
/// OCI ref name, which `podman load` turns into `localhost/NAME:latest`.
fn preview_name(repo: &Path) -> String {
    let base: String = repo
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .take(32)
        .collect();
    let base = base.trim_matches('-');
    let hash = crate::digest::Digest::of_bytes(repo.as_os_str().as_encoded_bytes()).hex()[..12].to_owned();
    if base.is_empty() {
        format!("sitepack-preview-{hash}")
    } else {
        format!("sitepack-preview-{base}-{hash}")
    }
}

/// `build`'s flags for this preview: the inputs, base and checks as given,
/// the output an OCI archive at `archive` whose ref name is `name`.
fn build_args(args: &cli::PreviewArgs, archive: &Path, name: &str) -> cli::BuildArgs {
    cli::BuildArgs {
        inputs: args.inputs.clone(),
        httpd_conf_max_bytes: None,
        config: None,
        base_image: args.base_image.clone(),
        platform: args.platform.clone(),
        image: Some(format!("localhost/sitepack-preview:{name}")),
        cache_from: None,
        also_tag: Vec::new(),
        registry_auth: None,
        retry_deadline: None,
        http_timeout: None,
        create_repository: false,
        tag_mutability: None,
        output: Some(format!("oci-archive:{}", archive.display())),
        insecure_registry: args.insecure_registry.clone(),
        container_name: None,
        image_definitions: None,
        image_detail: None,
        image_uri: None,
        json: false,
        checks: args.checks.clone(),
    }
}

/// Runs the preview until `stop` resolves (naming the signal), or returns
/// once it runs with `--detach`. `ready` is called once httpd answers.
pub async fn preview(
    args: cli::PreviewArgs,
    env: plan::Env<'_>,
    stop: impl Future<Output = &'static str>,
    ready: impl FnOnce(&Running),
) -> Result<Ended, PreviewError> {
    tokio::pin!(stop);
    let podman = Podman {
        program: args.podman.clone(),
        flags: args.podman_args.as_deref().unwrap_or("").split_whitespace().map(str::to_owned).collect(),
    };
    podman.usable()?;
    let repo = std::env::current_dir().and_then(std::fs::canonicalize).map_err(PreviewError::WorkingDir)?;
    let name = preview_name(&repo);

    // The build: `build`'s plan and phases, into an archive nobody else sees.
    let work = tempfile::Builder::new()
        .prefix("sitepack-preview-")
        .tempdir()
        .map_err(|source| PreviewError::TempDir { source })?;
    let archive = work.path().join("image.tar");
    let plan = super::build::plan(build_args(&args, &archive, &name), env)?;
    let (site, htpasswd, settings) = (plan.inputs.site.clone(), plan.inputs.htpasswd.clone(), plan.checks.clone());
    tokio::select! {
        built = super::build::build(plan) => { built?; }
        signal = &mut stop => return Ok(Ended::Interrupted(signal)),
    }

    let image_id = load(&podman, &archive)?;
    drop(work);
    let image = format!("localhost/{name}:latest");
    let container = match start(&podman, &name, &image_id, args.port) {
        Ok(c) => c,
        Err(e) => {
            podman.quietly(&["rmi", &image_id]);
            return Err(e);
        }
    };
    let remove = || {
        podman.quietly(&["rm", "-f", "-t", "0", &container.id]);
        // Not forced: an image a newer preview runs stays.
        podman.quietly(&["rmi", &image_id]);
    };

    let url = format!("http://127.0.0.1:{}{}", container.port, url_path(&site, &settings));
    tokio::select! {
        answered = serving(&podman, &container.id, &url) => if let Err(e) = answered { remove(); return Err(e); },
        signal = &mut stop => { remove(); return Ok(Ended::Interrupted(signal)); }
    }
    let stop_command =
        args.detach.then(|| format!("{} && {}", podman.shown(&["rm", "-f", &name]), podman.shown(&["rmi", &image])));
    let running = Running {
        url,
        container: name.clone(),
        image: image.clone(),
        protections: protections(&site, &htpasswd, &settings),
        stop: stop_command,
    };
    ready(&running);
    if args.detach {
        return Ok(Ended::Detached);
    }

    // Until the signal, or until the container goes away by itself: a
    // newer preview of this repository replaced it, or httpd stopped.
    let (tx, exited) = tokio::sync::oneshot::channel();
    let waiter = podman.clone();
    let id = container.id.clone();
    // A thread, not the runtime's: it must not hold the runtime's shutdown.
    std::thread::spawn(move || {
        let _ = waiter.command().args(["wait", &id]).stdout(Stdio::null()).stderr(Stdio::null()).status();
        let _ = tx.send(());
    });
    tokio::select! {
        signal = &mut stop => {
            tracing::info!("{signal}: stopping the preview");
            remove();
            tracing::info!("preview stopped: container {name} and image {image} removed");
            Ok(Ended::Stopped)
        }
        _ = exited => {
            if podman.quietly(&["container", "exists", &container.id]) {
                let logs = podman.run(&["logs", "--tail", "20", &container.id]).unwrap_or_default();
                remove();
                Err(PreviewError::Exited { container: name, logs })
            } else {
                // Its image is the newer preview's to keep or remove.
                tracing::info!("the preview container {name} was removed (replaced by a newer preview?): stopping");
                Ok(Ended::Stopped)
            }
        }
    }
}

/// `podman load` of the archive: the loaded image's ID.
fn load(podman: &Podman, archive: &Path) -> Result<String, PreviewError> {
    let archive = archive.display().to_string();
    let out = podman.run(&["load", "--quiet", "-i", &archive])?;
    let loaded = out
        .lines()
        .find_map(|l| l.strip_prefix("Loaded image: ").or_else(|| l.strip_prefix("Loaded image(s): ")))
        .map(|l| l.split(',').next().unwrap_or(l).trim().to_owned())
        .ok_or_else(|| PreviewError::Podman {
            command: podman.shown(&["load", "--quiet", "-i", &archive]),
            stderr: format!("no image named in its output: {out}"),
        })?;
    let id = podman.run(&["image", "inspect", "--format", "{{.Id}}", &loaded])?.trim().to_owned();
    tracing::info!("loaded into podman: {loaded} ({id})");
    Ok(id)
}

/// The container as started.
struct Started {
    id: String,
    port: u16,
}

/// Replaces this repository's earlier preview, if any, and runs the image.
fn start(podman: &Podman, name: &str, image_id: &str, port: u16) -> Result<Started, PreviewError> {
    let previous_image = podman
        .run(&["container", "inspect", "--format", "{{.Image}}", name])
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    if previous_image.is_some() {
        podman.quietly(&["rm", "-f", "-t", "0", name]);
        tracing::info!("replaced the earlier preview of this repository ({name})");
    }
    let exposed = crate::layout::EXPOSED_PORT;
    let publish = if port == 0 { format!("127.0.0.1::{exposed}") } else { format!("127.0.0.1:{port}:{exposed}") };
    let run =
        ["run", "-d", "--pull", "never", "--name", name, "--label", "sitepack.preview=1", "-p", &publish, image_id];
    let id = match podman.run(&run) {
        Ok(out) => out.trim().to_owned(),
        Err(PreviewError::Podman { command, stderr }) => {
            podman.quietly(&["rm", "-f", "-t", "0", name]);
            return Err(PreviewError::CannotRun { command, stderr });
        }
        Err(e) => return Err(e),
    };
    if let Some(old) = previous_image.filter(|old| old != image_id) {
        // Unforced: an image something else still runs stays.
        podman.quietly(&["rmi", &old]);
    }
    let port = match port {
        0 => {
            let container_port = crate::image::exposed_port();
            let shown = podman.run(&["port", &id, &container_port])?;
            let parsed = shown.lines().next().and_then(|l| l.rsplit(':').next()).and_then(|p| p.trim().parse().ok());
            match parsed {
                Some(p) => p,
                None => {
                    podman.quietly(&["rm", "-f", "-t", "0", &id]);
                    return Err(PreviewError::Podman {
                        command: podman.shown(&["port", &id, &container_port]),
                        stderr: format!("no port in {shown:?}"),
                    });
                }
            }
        }
        p => p,
    };
    Ok(Started { id, port })
}

/// Waits until httpd answers any HTTP request at `url`.
async fn serving(podman: &Podman, id: &str, url: &str) -> Result<(), PreviewError> {
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(2))
        .build()
        .map_err(|e| PreviewError::Podman { command: "an HTTP client".into(), stderr: e.to_string() })?;
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        if client.get(url).send().await.is_ok() {
            return Ok(());
        }
        let running = podman.run(&["container", "inspect", "--format", "{{.State.Running}}", id]);
        if Instant::now() > deadline || running.is_ok_and(|r| r.trim() != "true") {
            let logs = podman.run(&["logs", "--tail", "20", id]).unwrap_or_default();
            return Err(PreviewError::NotServing { container: id.to_owned(), url: url.to_owned(), logs });
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The site's URL path: its namespace (`--namespace`, or the one folder
/// `site/` holds), else the root.
fn url_path(site: &Path, settings: &check::Settings) -> String {
    let namespace = settings.namespace.clone().or_else(|| {
        let entries: Vec<std::fs::DirEntry> = std::fs::read_dir(site).ok()?.filter_map(Result::ok).collect();
        match entries.as_slice() {
            [only] if only.file_type().is_ok_and(|t| t.is_dir()) => only.file_name().to_str().map(str::to_owned),
            _ => None,
        }
    });
    match namespace {
        Some(ns) => format!("/{ns}/"),
        None => "/".to_owned(),
    }
}

/// For each folder with an `.htaccess`: its access directives as written
/// (anywhere in the file, sections included) and, for `valid-user`, who
/// that is.
fn protections(site: &Path, htpasswd: &Path, settings: &check::Settings) -> Vec<Protection> {
    const ACCESS: &[&str] = &["authtype", "authname", "authuserfile", "require", "satisfy", "order", "allow", "deny"];
    fn collect(nodes: &[check::syntax::Node], out: &mut Vec<String>) {
        for node in nodes {
            match node {
                check::syntax::Node::Directive { name, raw, .. } => {
                    if ACCESS.contains(&name.to_ascii_lowercase().as_str()) {
                        out.push(format!("{name} {}", raw.trim()));
                    }
                }
                check::syntax::Node::Section { children, .. } => collect(children, out),
            }
        }
    }
    let outcome = check::check_inputs(&check::Inputs { site, htpasswd }, settings);
    let dest = outcome.layout.dest(crate::layout::DOCROOT);
    let users: Vec<String> = std::fs::read_to_string(htpasswd)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(':').map(|(u, _)| u.to_owned()))
        .collect();
    let mut out: Vec<Protection> = outcome
        .facts
        .htaccess
        .iter()
        .map(|check::tree::HtaccessPlace { host, folder }| {
            let file = check::htaccess::File::new(std::fs::read(host).unwrap_or_default());
            let mut rules = Vec::new();
            if let Ok(nodes) = &file.parsed {
                collect(nodes, &mut rules);
            }
            let valid_user = rules.iter().any(|r| {
                r.split_whitespace().next().is_some_and(|d| d.eq_ignore_ascii_case("require"))
                    && r.contains("valid-user")
            });
            let dir = if folder.is_empty() { dest.clone() } else { format!("{dest}/{folder}") };
            let path = format!("{}/", dir.strip_prefix(crate::layout::DOCROOT).unwrap_or(&dir).trim_end_matches('/'));
            Protection { path, file: host.display().to_string(), rules, users: valid_user.then(|| users.clone()) }
        })
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_preview_is_named_after_the_repository_path() {
        let a = preview_name(Path::new("/home/ann/Coffee Fans"));
        assert!(a.starts_with("sitepack-preview-coffee-fans-"), "{a}");
        assert_eq!(a, preview_name(Path::new("/home/ann/Coffee Fans")));
        assert_ne!(a, preview_name(Path::new("/home/bob/Coffee Fans")));
        assert!(preview_name(Path::new("/")).starts_with("sitepack-preview-"));
    }

    #[test]
    fn a_protected_folder_shows_its_rules_and_users() {
        let d = tempfile::tempdir().unwrap();
        let site = d.path().join("site");
        std::fs::create_dir_all(site.join("club/members")).unwrap();
        std::fs::write(site.join("club/index.html"), "hi").unwrap();
        std::fs::write(
            site.join("club/members/.htaccess"),
            "AuthType Basic\nAuthName \"club\"\nAuthUserFile /opt/.htpasswd\n<Limit GET>\nRequire valid-user\n</Limit>\nOptions -Indexes\n",
        )
        .unwrap();
        let htpasswd = d.path().join("htpasswd");
        std::fs::write(&htpasswd, "ann:$2y$05$x\n# comment\nbob:$2y$05$y\n").unwrap();
        let settings = check::Settings::new(&check::Options::default(), crate::layout::DOCROOT, None).unwrap();
        assert_eq!(url_path(&site, &settings), "/club/");
        let found = protections(&site, &htpasswd, &settings);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].path, "/club/members/");
        assert_eq!(
            found[0].rules,
            ["AuthType Basic", "AuthName \"club\"", "AuthUserFile /opt/.htpasswd", "Require valid-user"]
        );
        assert_eq!(found[0].users.as_deref(), Some(&["ann".to_owned(), "bob".to_owned()][..]));
    }
}
