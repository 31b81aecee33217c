//! Registry credentials: where they come from (docker's `config.json`,
//! `auths` and `credHelpers`/`credsStore`), how they are kept (a `Secret`
//! that never prints), and how `WWW-Authenticate` challenges are answered
//! (HTTP Basic, or a Bearer token fetched from the challenge's realm).

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine as _;
use serde::Deserialize;

/// A credential that must never reach a log, `Debug` output or error text.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credentials {
    Anonymous,
    Basic { username: String, password: Secret },
}

impl Credentials {
    /// `Basic base64(user:password)`.
    pub fn basic_header(&self) -> Option<Secret> {
        match self {
            Credentials::Anonymous => None,
            Credentials::Basic { username, password } => {
                let raw = format!("{username}:{}", password.expose());
                Some(Secret(format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(raw))))
            }
        }
    }

    /// Where the credentials came from, for log lines (never the values).
    pub fn describe(&self) -> &'static str {
        match self {
            Credentials::Anonymous => "anonymous",
            Credentials::Basic { .. } => "basic credentials",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    #[error("cannot read docker config {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("docker config {} is not valid JSON: {source}", path.display())]
    Parse {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("docker config {}: the `auth` entry for {registry} is not base64 of `user:password`", path.display())]
    BadAuthEntry { path: PathBuf, registry: String },
    #[error("credential helper `{helper}` for {registry} failed: {detail}")]
    Helper { helper: String, registry: String, detail: String },
}

#[derive(Deserialize, Default)]
struct DockerConfig {
    #[serde(default)]
    auths: std::collections::BTreeMap<String, AuthEntry>,
    #[serde(default, rename = "credHelpers")]
    cred_helpers: std::collections::BTreeMap<String, String>,
    #[serde(default, rename = "credsStore")]
    creds_store: Option<String>,
}

#[derive(Deserialize, Default)]
struct AuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
}

/// `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
pub fn docker_config_path() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG") {
        return Some(Path::new(&dir).join("config.json"));
    }
    std::env::var_os("HOME").map(|home| Path::new(&home).join(".docker/config.json"))
}

/// Credentials for `registry` from docker's config file; anonymous when the
/// file or the entry does not exist.
pub fn from_docker_config(registry: &str) -> Result<Credentials, CredentialsError> {
    let Some(path) = docker_config_path() else {
        return Ok(Credentials::Anonymous);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Credentials::Anonymous),
        Err(source) => return Err(CredentialsError::Read { path, source }),
    };
    let config: DockerConfig =
        serde_json::from_str(&text).map_err(|source| CredentialsError::Parse { path: path.clone(), source })?;
    lookup(&config, &path, registry)
}

fn lookup(config: &DockerConfig, path: &Path, registry: &str) -> Result<Credentials, CredentialsError> {
    let hub = registry == crate::reference::DOCKER_HUB;
    let matches = |key: &str| {
        let host = key.trim_start_matches("https://").trim_start_matches("http://");
        let host = host.split('/').next().unwrap_or(host);
        host == registry || (hub && (host == "index.docker.io" || host == "registry-1.docker.io"))
    };
    if let Some((_, helper)) = config.cred_helpers.iter().find(|(k, _)| matches(k)) {
        return run_helper(helper, registry);
    }
    if let Some((_, entry)) = config.auths.iter().find(|(k, _)| matches(k)) {
        if let (Some(username), Some(password)) = (&entry.username, &entry.password) {
            return Ok(Credentials::Basic { username: username.clone(), password: Secret::new(password.clone()) });
        }
        if let Some(auth) = entry.auth.as_deref().filter(|a| !a.is_empty()) {
            let bad = || CredentialsError::BadAuthEntry { path: path.to_owned(), registry: registry.to_owned() };
            let decoded = base64::engine::general_purpose::STANDARD.decode(auth.trim()).map_err(|_| bad())?;
            let decoded = String::from_utf8(decoded).map_err(|_| bad())?;
            let (username, password) = decoded.split_once(':').ok_or_else(bad)?;
            return Ok(Credentials::Basic { username: username.to_owned(), password: Secret::new(password) });
        }
    }
    if let Some(store) = &config.creds_store {
        return run_helper(store, registry);
    }
    Ok(Credentials::Anonymous)
}

/// Runs `docker-credential-<helper> get` as docker does: server URL on
/// stdin, `{"Username","Secret"}` on stdout.
fn run_helper(helper: &str, registry: &str) -> Result<Credentials, CredentialsError> {
    #[derive(Deserialize)]
    struct HelperOutput {
        #[serde(rename = "Username")]
        username: String,
        #[serde(rename = "Secret")]
        secret: String,
    }
    let program = format!("docker-credential-{helper}");
    let fail =
        |detail: String| CredentialsError::Helper { helper: program.clone(), registry: registry.to_owned(), detail };
    let mut child = Command::new(&program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| fail(format!("cannot start it ({e}); is it on PATH?")))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(registry.as_bytes()).map_err(|e| fail(format!("cannot write to it: {e}")))?;
    }
    let out = child.wait_with_output().map_err(|e| fail(e.to_string()))?;
    if !out.status.success() {
        // The protocol's "not found" answer means: no credentials, go anonymous.
        let stdout = String::from_utf8_lossy(&out.stdout);
        if stdout.contains("credentials not found") {
            return Ok(Credentials::Anonymous);
        }
        // Helpers print errors on stdout or stderr; neither holds the secret on failure.
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(fail(format!(
            "exit {}: {}",
            out.status,
            first_line(&stderr).or(first_line(&stdout)).unwrap_or("")
        )));
    }
    let parsed: HelperOutput =
        serde_json::from_slice(&out.stdout).map_err(|e| fail(format!("output is not the expected JSON ({e})")))?;
    Ok(Credentials::Basic { username: parsed.username, password: Secret::new(parsed.secret) })
}

fn first_line(s: &str) -> Option<&str> {
    s.lines().map(str::trim).find(|l| !l.is_empty())
}

/// A parsed `WWW-Authenticate` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Challenge {
    Basic,
    Bearer { realm: String, service: Option<String>, scope: Option<String> },
}

impl Challenge {
    pub fn parse(header: &str) -> Option<Challenge> {
        let header = header.trim();
        let (scheme, rest) = header.split_once(' ').unwrap_or((header, ""));
        if scheme.eq_ignore_ascii_case("basic") {
            return Some(Challenge::Basic);
        }
        if !scheme.eq_ignore_ascii_case("bearer") {
            return None;
        }
        let params = parse_params(rest);
        let get = |k: &str| params.iter().find(|(key, _)| key.eq_ignore_ascii_case(k)).map(|(_, v)| v.clone());
        Some(Challenge::Bearer { realm: get("realm")?, service: get("service"), scope: get("scope") })
    }
}

/// `key="quoted, value", key2=token` → pairs; commas inside quotes are kept.
fn parse_params(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let key: String = std::iter::from_fn(|| chars.next_if(|c| *c != '=')).collect();
        if key.is_empty() || chars.next().is_none() {
            break;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => value.extend(chars.next()),
                    '"' => break,
                    c => value.push(c),
                }
            }
        } else {
            value = std::iter::from_fn(|| chars.next_if(|c| *c != ',')).collect::<String>().trim().to_owned();
        }
        out.push((key.trim().to_owned(), value));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_debug_is_redacted() {
        let c = Credentials::Basic { username: "u".into(), password: Secret::new("hunter2") };
        let shown = format!("{c:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("<redacted>"));
    }

    #[test]
    fn bearer_challenge_with_commas_in_scope() {
        let c = Challenge::parse(
            r#"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push""#,
        )
        .unwrap();
        assert_eq!(
            c,
            Challenge::Bearer {
                realm: "https://auth.example/token".into(),
                service: Some("registry.example".into()),
                scope: Some("repository:a/b:pull,push".into()),
            }
        );
        assert_eq!(Challenge::parse(r#"Basic realm="Registry Realm""#), Some(Challenge::Basic));
        assert_eq!(Challenge::parse("Negotiate"), None);
    }

    #[test]
    fn docker_config_auth_entries_match_by_host() {
        let cfg: DockerConfig = serde_json::from_str(
            r#"{"auths":{"https://reg.example:5000/v1/":{"auth":"dXNlcjpwYTpzcw=="},
                         "https://index.docker.io/v1/":{"username":"hub","password":"pw"}}}"#,
        )
        .unwrap();
        let p = Path::new("config.json");
        assert_eq!(
            lookup(&cfg, p, "reg.example:5000").unwrap(),
            Credentials::Basic { username: "user".into(), password: Secret::new("pa:ss") }
        );
        assert!(
            matches!(lookup(&cfg, p, "docker.io").unwrap(), Credentials::Basic { username, .. } if username == "hub")
        );
        assert_eq!(lookup(&cfg, p, "other.example").unwrap(), Credentials::Anonymous);
    }

    #[test]
    fn bad_auth_entry_names_the_registry_not_the_value() {
        let cfg: DockerConfig = serde_json::from_str(r#"{"auths":{"reg.example":{"auth":"!!notbase64"}}}"#).unwrap();
        let err = lookup(&cfg, Path::new("/x/config.json"), "reg.example").unwrap_err().to_string();
        assert!(err.contains("reg.example") && err.contains("/x/config.json"), "{err}");
        assert!(!err.contains("notbase64"), "{err}");
    }
}
