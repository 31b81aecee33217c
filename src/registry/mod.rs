//! The OCI distribution protocol, as far as sitepack needs it: blob
//! existence, cross-repository mount, monolithic upload, manifests up and
//! down, streaming blob reads. One `Registry` per host; it owns the HTTP
//! client, the credentials and the authorisation it negotiated (Basic, or a
//! Bearer token per scope).
//!
//! Uploads are monolithic (`POST` then one `PUT ?digest=` with the whole
//! body): ECR drops data from chunked `PATCH` uploads and wants ≥5 MB chunks,
//! and a layer's digest is known before it is sent because layers are
//! written to disk first.

pub mod auth;
pub mod retry;
mod trust;

use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::path::Path;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures_util::TryStreamExt;
use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, LOCATION, WWW_AUTHENTICATE};
use reqwest::{Method, RequestBuilder, Response, StatusCode, Url};
use serde::Deserialize;

use crate::digest::Digest;
use crate::progress::Progress;
use auth::Challenge;
pub use auth::{Credentials, Secret};

/// Media types sitepack reads and writes.
pub mod media {
    pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
    pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
    pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
    pub const OCI_LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
    pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
    pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
    pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
    pub const DOCKER_LAYER_GZIP: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";
}

const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, \
     application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json";

/// Manifests and configs are small; a bigger answer is refused rather than buffered.
pub const MAX_MANIFEST_BYTES: usize = 4 << 20;

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("cannot reach registry {registry}: {detail}")]
    Unreachable { registry: String, detail: String },
    #[error("registry {registry} answered {status} to {method} {what}{}", error_suffix(code, message))]
    Status {
        registry: String,
        method: Method,
        what: String,
        status: StatusCode,
        code: Option<String>,
        message: Option<String>,
        /// From `Retry-After`, for 429/503.
        retry_after: Option<Duration>,
    },
    #[error("registry {registry} requires credentials for {scope} and none were found (docker config: {config}); log in with `podman login`/`docker login` or add them to that file")]
    NoCredentials { registry: String, scope: String, config: String },
    #[error("registry {registry} refused the credentials ({source_of}) for {scope} (HTTP 401); check the user name and password")]
    Unauthorized { registry: String, scope: String, source_of: &'static str },
    #[error("registry {registry}: token service {realm} answered {status}")]
    TokenStatus { registry: String, realm: String, status: StatusCode },
    #[error("registry {registry}: {detail}")]
    Protocol { registry: String, detail: String },
    #[error("registry {registry}: {what} has digest {found}, expected {expected}")]
    DigestMismatch { registry: String, what: String, expected: Digest, found: Digest },
    #[error("cannot read {}: {source}", path.display())]
    File {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Credentials(#[from] auth::CredentialsError),
    #[error("cannot get registry credentials: {detail}")]
    CredentialSource { detail: String },
    /// A 401 arrived while a one-shot body was being sent; the credentials
    /// were renewed and the whole upload must start again.
    #[error("registry {registry} asked for credentials again during an upload")]
    Reauthenticated { registry: String, scope: String },
}

fn error_suffix(code: &Option<String>, message: &Option<String>) -> String {
    match (code, message) {
        (Some(c), Some(m)) => format!(": {c}: {m}"),
        (Some(c), None) => format!(": {c}"),
        (None, Some(m)) => format!(": {m}"),
        (None, None) => String::new(),
    }
}

/// How a blob got into the destination repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BlobAction {
    /// Already there (HEAD answered 200).
    Reused,
    /// Cross-repository mount on the same registry; no bytes sent.
    Mounted,
    /// Bytes sent.
    Uploaded,
}

/// Connection settings shared by all registries of one run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Hosts that may be spoken to over plain HTTP (loopback always may).
    pub insecure: Vec<String>,
    pub retry: retry::RetryPolicy,
    /// A read that waits longer than this is a stalled connection.
    pub io_timeout: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            insecure: Vec::new(),
            retry: retry::RetryPolicy::new(Duration::from_secs(600)),
            io_timeout: Duration::from_secs(60),
        }
    }
}

/// Credentials that expire and can be fetched again (an ECR token).
pub trait CredentialSource: Send + Sync {
    fn fetch(&self) -> Pin<Box<dyn Future<Output = Result<Credentials, RegistryError>> + Send + '_>>;
    /// For messages: "an ECR token".
    fn describe(&self) -> &'static str;
}

/// How a registry is authenticated.
#[derive(Clone)]
pub enum Auth {
    Static(Credentials),
    /// Fetched on connect, fetched again once when the registry says 401.
    Refreshable(Arc<dyn CredentialSource>),
}

pub struct Registry {
    http: reqwest::Client,
    /// As written in references (`127.0.0.1:5000`, `docker.io`).
    name: String,
    base: Url,
    credentials: Mutex<Credentials>,
    source: Option<Arc<dyn CredentialSource>>,
    auth: Mutex<AuthState>,
    retry: retry::RetryPolicy,
    retries: std::sync::atomic::AtomicU64,
}

#[derive(Default)]
struct AuthState {
    /// Set once the registry asked for Basic: sent up front from then on.
    basic: Option<HeaderValue>,
    /// Bearer header per scope string.
    bearer: HashMap<String, HeaderValue>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry").field("name", &self.name).field("base", &self.base.as_str()).finish_non_exhaustive()
    }
}

/// What a request needs the right to do.
#[derive(Debug, Clone)]
pub struct Scope(String);

impl Scope {
    pub fn pull(repo: &str) -> Scope {
        Scope(format!("repository:{repo}:pull"))
    }
    pub fn push(repo: &str) -> Scope {
        Scope(format!("repository:{repo}:pull,push"))
    }
    /// Push to `repo` and read `from` (a cross-repository mount).
    pub fn mount(repo: &str, from: &str) -> Scope {
        Scope(format!("repository:{repo}:pull,push repository:{from}:pull"))
    }
}

/// A repository on some registry: where a blob is copied from.
#[derive(Clone, Copy)]
pub struct Remote<'a> {
    pub registry: &'a Registry,
    pub repo: &'a str,
}

pub enum MountOutcome {
    Mounted,
    /// The registry declined and opened an upload session instead.
    Upload(Url),
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default)]
    errors: Vec<ErrorItem>,
}

#[derive(Deserialize)]
struct ErrorItem {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

/// Whether a TLS handshake failed because the server's first bytes were
/// not TLS at all: a plain-HTTP server answering the hello ("HTTP/1.1 400").
/// rustls's error sits inside io::Errors, whose `source()` skips it.
fn answered_in_plaintext(e: &reqwest::Error) -> bool {
    fn not_tls(e: &(dyn std::error::Error + 'static)) -> bool {
        if let Some(rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType)) = e.downcast_ref() {
            return true;
        }
        let inner = e.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref());
        inner.is_some_and(|inner| not_tls(inner)) || e.source().is_some_and(not_tls)
    }
    not_tls(e)
}

pub fn is_loopback(host: &str) -> bool {
    let bare = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(rest),
        None => host
            .rsplit_once(':')
            .map_or(host, |(h, port)| if port.bytes().all(|b| b.is_ascii_digit()) { h } else { host }),
    };
    bare == "localhost" || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The HTTP client every registry of a run shares. Its trusted CAs load
/// in the background (see `trust`).
pub fn http_client(io_timeout: Duration) -> Result<reqwest::Client, String> {
    static CLIENT: std::sync::OnceLock<(Duration, Result<reqwest::Client, String>)> = std::sync::OnceLock::new();
    let build = || {
        reqwest::Client::builder()
            .user_agent(concat!("sitepack/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(30))
            .read_timeout(io_timeout)
            .use_preconfigured_tls(trust::client_config())
            .build()
            .map_err(|e| format!("HTTP client: {e}"))
    };
    match CLIENT.get_or_init(|| (io_timeout, build())) {
        (t, made) if *t == io_timeout => made.clone(),
        // Another timeout than the shared client's (tests): one of its own.
        _ => build(),
    }
}

impl Registry {
    /// Resolves how to talk to `name` (`host[:port]`): HTTPS, or for
    /// loopback and `--insecure-registry` hosts HTTPS first and plain HTTP
    /// when TLS cannot be spoken, as docker does.
    pub async fn connect(name: &str, api_host: &str, how: Auth, opts: &Options) -> Result<Registry, RegistryError> {
        opts.retry.start();
        let http = http_client(opts.io_timeout)
            .map_err(|detail| RegistryError::Protocol { registry: name.to_owned(), detail })?;
        let https = Url::parse(&format!("https://{api_host}/"))
            .map_err(|e| RegistryError::Protocol { registry: name.to_owned(), detail: format!("bad host: {e}") })?;
        let may_use_http = is_loopback(api_host) || opts.insecure.iter().any(|h| h == name || h == api_host);
        let (credentials, source) = match how {
            Auth::Static(c) => (c, None),
            Auth::Refreshable(source) => (source.fetch().await?, Some(source)),
        };
        let mut reg = Registry {
            http,
            name: name.to_owned(),
            base: https,
            credentials: Mutex::new(credentials),
            source,
            auth: Mutex::default(),
            retry: opts.retry.clone(),
            retries: Default::default(),
        };
        let plaintext = AtomicBool::new(false);
        match reg.ping(&plaintext).await {
            Ok(()) => Ok(reg),
            Err(https_error) if may_use_http => {
                let http_base = Url::parse(&format!("http://{api_host}/")).expect("host parsed as https already");
                tracing::debug!(registry = name, "HTTPS failed ({https_error}); trying plain HTTP");
                reg.base = http_base;
                // The TLS hello was answered in plain HTTP: a server speaks
                // HTTP there, and a second ping would only cost a request;
                // the first real one finds out whether it is a registry.
                if plaintext.load(Ordering::Relaxed) {
                    tracing::debug!(registry = name, "the TLS hello was answered in plain HTTP: using HTTP");
                    return Ok(reg);
                }
                // When both fail, the HTTPS error (a certificate problem,
                // say) is the one that explains it.
                reg.ping(&plaintext).await.map(|()| reg).map_err(|_| https_error)
            }
            Err(e) => Err(e),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// First contact. A registry that answers 5xx/429 gets retries; one that
    /// cannot be reached at all fails at once (a wrong host or port is far
    /// more likely than a blip at the very first request).
    /// `plaintext` is set when an HTTPS attempt was answered in plain HTTP.
    async fn ping(&self, plaintext: &AtomicBool) -> Result<(), RegistryError> {
        let url = self.url("v2/")?;
        let unreachable = |e: &RegistryError| matches!(e, RegistryError::Unreachable { .. });
        self.retry_loop("GET /v2/", unreachable, || async {
            let resp = self.http.get(url.clone()).send().await.map_err(|e| {
                if answered_in_plaintext(&e) {
                    plaintext.store(true, Ordering::Relaxed);
                }
                self.unreachable(&e)
            })?;
            // 401 is the normal answer of a registry that wants credentials.
            if resp.status().is_success() || resp.status() == StatusCode::UNAUTHORIZED {
                return Ok(());
            }
            Err(self.status_error(Method::GET, "/v2/", resp).await)
        })
        .await
    }

    fn url(&self, path: &str) -> Result<Url, RegistryError> {
        self.base.join(path).map_err(|e| RegistryError::Protocol {
            registry: self.name.clone(),
            detail: format!("bad URL path {path}: {e}"),
        })
    }

    fn unreachable(&self, e: &reqwest::Error) -> RegistryError {
        // The chain of sources says what went wrong (refused, TLS, DNS).
        let mut detail = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            detail.push_str(": ");
            detail.push_str(&s.to_string());
            source = s.source();
        }
        if detail.contains("certificate") {
            detail.push_str(
                " (for a registry with a private CA, set SSL_CERT_FILE to a bundle holding that CA and the system CAs)",
            );
        }
        RegistryError::Unreachable { registry: self.name.clone(), detail }
    }

    async fn status_error(&self, method: Method, what: &str, resp: Response) -> RegistryError {
        let status = resp.status();
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(retry::parse_retry_after);
        let body = resp.bytes().await.unwrap_or_default();
        let first = serde_json::from_slice::<ErrorBody>(&body).ok().and_then(|b| b.errors.into_iter().next());
        let (code, message) = first.map_or((None, None), |e| (e.code, e.message));
        RegistryError::Status {
            registry: self.name.clone(),
            method,
            what: what.to_owned(),
            status,
            code,
            message,
            retry_after,
        }
    }

    fn cached_auth(&self, scope: &Scope) -> Option<HeaderValue> {
        let state = self.auth.lock().expect("auth lock");
        state.bearer.get(&scope.0).cloned().or_else(|| state.basic.clone())
    }

    /// Sends a request built by `build`, answering one 401 challenge (and,
    /// for refreshable credentials, fetching them again once).
    /// `build` is called again for each retry, so bodies are recreated.
    async fn send(
        &self,
        scope: &Scope,
        build: impl Fn(&reqwest::Client) -> Result<RequestBuilder, RegistryError>,
    ) -> Result<Response, RegistryError> {
        let mut challenged = false;
        let mut refreshed = false;
        loop {
            let mut req = build(&self.http)?;
            let carried = self.cached_auth(scope);
            if let Some(h) = &carried {
                req = req.header(AUTHORIZATION, h.clone());
            }
            let req = req.build().map_err(|e| self.unreachable(&e))?;
            // Method, path and status only: queries may carry upload state.
            let (method, path, started) =
                (req.method().clone(), req.url().path().to_owned(), std::time::Instant::now());
            let resp = self.http.execute(req).await.map_err(|e| self.unreachable(&e))?;
            tracing::trace!(registry = %self.name, "{method} {path} → {} in {:.1?}", resp.status().as_u16(), started.elapsed());
            if resp.status() != StatusCode::UNAUTHORIZED {
                return Ok(resp);
            }
            // Credentials that worked before and are refused now have most
            // likely expired (an ECR token): fetch fresh ones, once.
            let stale = carried.is_some() || challenged;
            if let (Some(source), true, false) = (&self.source, stale, refreshed) {
                tracing::info!(registry = %self.name, "registry answered 401; fetching {} again", source.describe());
                *self.credentials.lock().expect("credentials lock") = source.fetch().await?;
                *self.auth.lock().expect("auth lock") = AuthState::default();
                refreshed = true;
            } else if challenged {
                if self.credentials() == Credentials::Anonymous {
                    // Token services hand anonymous callers pull-only tokens;
                    // the fix is credentials, not different ones.
                    return Err(self.no_credentials(scope));
                }
                return Err(RegistryError::Unauthorized {
                    registry: self.name.clone(),
                    scope: scope.0.clone(),
                    source_of: self.source.as_ref().map_or(self.credentials().describe(), |s| s.describe()),
                });
            }
            challenged = true;
            let header = resp.headers().get(WWW_AUTHENTICATE).and_then(|h| h.to_str().ok()).unwrap_or("").to_owned();
            self.authenticate(&header, scope).await?;
        }
    }

    fn credentials(&self) -> Credentials {
        self.credentials.lock().expect("credentials lock").clone()
    }

    fn no_credentials(&self, scope: &Scope) -> RegistryError {
        RegistryError::NoCredentials {
            registry: self.name.clone(),
            scope: scope.0.clone(),
            config: auth::docker_config_path().map_or("none".into(), |p| p.display().to_string()),
        }
    }

    async fn authenticate(&self, header: &str, scope: &Scope) -> Result<(), RegistryError> {
        let no_creds = || self.no_credentials(scope);
        match Challenge::parse(header) {
            Some(Challenge::Basic) => {
                let secret = self.credentials().basic_header().ok_or_else(no_creds)?;
                self.auth.lock().expect("auth lock").basic = Some(sensitive(&secret)?);
                Ok(())
            }
            Some(Challenge::Bearer { realm, service, .. }) => {
                let token = self.fetch_token(&realm, service.as_deref(), scope).await?;
                let value = sensitive(&Secret::new(format!("Bearer {}", token.expose())))?;
                self.auth.lock().expect("auth lock").bearer.insert(scope.0.clone(), value);
                Ok(())
            }
            None if self.credentials() == Credentials::Anonymous => Err(no_creds()),
            None => Err(RegistryError::Protocol {
                registry: self.name.clone(),
                detail: "answered 401 with no usable WWW-Authenticate challenge".into(),
            }),
        }
    }

    async fn fetch_token(&self, realm: &str, service: Option<&str>, scope: &Scope) -> Result<Secret, RegistryError> {
        #[derive(Deserialize)]
        struct TokenBody {
            #[serde(default)]
            token: Option<String>,
            #[serde(default)]
            access_token: Option<String>,
        }
        let mut url = Url::parse(realm).map_err(|e| RegistryError::Protocol {
            registry: self.name.clone(),
            detail: format!("token realm `{realm}` is not a URL: {e}"),
        })?;
        {
            let mut q = url.query_pairs_mut();
            if let Some(s) = service {
                q.append_pair("service", s);
            }
            for part in scope.0.split(' ') {
                q.append_pair("scope", part);
            }
        }
        let mut req = self.http.get(url);
        if let Some(basic) = self.credentials().basic_header() {
            req = req.header(AUTHORIZATION, sensitive(&basic)?);
        }
        let resp = req.send().await.map_err(|e| self.unreachable(&e))?;
        let status = resp.status();
        if status == StatusCode::UNAUTHORIZED {
            return Err(RegistryError::Unauthorized {
                registry: self.name.clone(),
                scope: scope.0.clone(),
                source_of: self.credentials().describe(),
            });
        }
        if !status.is_success() {
            return Err(RegistryError::TokenStatus { registry: self.name.clone(), realm: realm.to_owned(), status });
        }
        let bytes = self.read_bounded(resp, "token answer").await?;
        let body: TokenBody = serde_json::from_slice(&bytes).map_err(|e| RegistryError::Protocol {
            registry: self.name.clone(),
            detail: format!("token answer is not JSON: {e}"),
        })?;
        body.token.or(body.access_token).filter(|t| !t.is_empty()).map(Secret::new).ok_or_else(|| {
            RegistryError::Protocol { registry: self.name.clone(), detail: "token answer holds no token".into() }
        })
    }

    /// Runs `op` until it succeeds, fails for good, or the retry budget is
    /// spent; each retry is logged with its reason and counted.
    pub async fn with_retries<T, F, Fut>(&self, what: &str, op: F) -> Result<T, RegistryError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, RegistryError>>,
    {
        self.retry_loop(what, |_| false, op).await
    }

    /// `with_retries`, where errors `is_final` says so are never retried.
    async fn retry_loop<T, F, Fut>(
        &self,
        what: &str,
        is_final: impl Fn(&RegistryError) -> bool,
        mut op: F,
    ) -> Result<T, RegistryError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, RegistryError>>,
    {
        let mut attempt = 1;
        let mut reauthenticated = false;
        loop {
            match op().await {
                Ok(v) => return Ok(v),
                // Fresh credentials once, at once; a second 401 is final.
                Err(RegistryError::Reauthenticated { registry, scope }) => {
                    if reauthenticated {
                        let source_of = self.source.as_ref().map_or(self.credentials().describe(), |s| s.describe());
                        return Err(RegistryError::Unauthorized { registry, scope, source_of });
                    }
                    reauthenticated = true;
                    tracing::info!("{what}: the registry asked for credentials again; starting the upload over");
                }
                Err(e) if is_final(&e) => return Err(e),
                Err(e) => {
                    let Some(wait) = self.retry.delay(&e, attempt + 1) else { return Err(e) };
                    attempt += 1;
                    self.retries.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    match self.retry.attempt_limit(&e) {
                        None => tracing::info!(
                            "{what}: {e}; retry {} in {wait:.1?} (throttled: waited out until the retry deadline)",
                            attempt - 1
                        ),
                        Some(max) => {
                            tracing::info!("{what}: {e}; retry {} of at most {} in {wait:.1?}", attempt - 1, max - 1)
                        }
                    }
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    /// Retries so far on this registry.
    pub fn retries(&self) -> u64 {
        self.retries.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// `Some(size)` when the blob exists in `repo`.
    pub async fn blob_exists(&self, repo: &str, digest: &Digest) -> Result<Option<u64>, RegistryError> {
        let url = self.url(&format!("v2/{repo}/blobs/{digest}"))?;
        self.with_retries(&format!("HEAD blob {digest}"), || async {
            let resp = self.send(&Scope::pull(repo), |c| Ok(c.head(url.clone()))).await?;
            match resp.status() {
                s if s.is_success() => Ok(Some(content_length(&resp).unwrap_or(0))),
                StatusCode::NOT_FOUND => Ok(None),
                _ => Err(self.status_error(Method::HEAD, &format!("blob {digest} in {repo}"), resp).await),
            }
        })
        .await
    }

    /// Asks the registry to link `digest` from repository `from` into `repo`.
    pub async fn mount_blob(&self, repo: &str, digest: &Digest, from: &str) -> Result<MountOutcome, RegistryError> {
        let mut url = self.url(&format!("v2/{repo}/blobs/uploads/"))?;
        url.query_pairs_mut().append_pair("mount", digest.as_str()).append_pair("from", from);
        self.with_retries(&format!("mount of {digest}"), || async {
            let resp =
                self.send(&Scope::mount(repo, from), |c| Ok(c.post(url.clone()).header(CONTENT_LENGTH, 0))).await?;
            match resp.status() {
                StatusCode::CREATED => Ok(MountOutcome::Mounted),
                StatusCode::ACCEPTED => Ok(MountOutcome::Upload(self.location(&resp)?)),
                _ => Err(self
                    .status_error(Method::POST, &format!("mount of {digest} from {from} into {repo}"), resp)
                    .await),
            }
        })
        .await
    }

    /// Cancels a session that will not be used (best effort: registries
    /// also expire idle sessions).
    pub async fn abandon_upload(&self, repo: &str, session: Url) {
        let _ = tokio::time::timeout(
            Duration::from_secs(5),
            self.send(&Scope::push(repo), |c| Ok(c.delete(session.clone()))),
        )
        .await;
    }

    /// Opens an upload session; returns its URL. Public so that a session
    /// can be opened ahead of its blob (see `upload_file`).
    pub async fn open_upload(&self, repo: &str) -> Result<Url, RegistryError> {
        let url = self.url(&format!("v2/{repo}/blobs/uploads/"))?;
        let resp = self.send(&Scope::push(repo), |c| Ok(c.post(url.clone()).header(CONTENT_LENGTH, 0))).await?;
        if resp.status() != StatusCode::ACCEPTED {
            return Err(self.status_error(Method::POST, &format!("upload start in {repo}"), resp).await);
        }
        self.location(&resp)
    }

    /// The session offered for a first attempt (taken, so a retry never
    /// reuses it), else a new one.
    async fn offered_or_new(&self, repo: &str, offered: &Mutex<Option<Url>>) -> Result<Url, RegistryError> {
        let taken = offered.lock().expect("session lock").take();
        match taken {
            Some(session) => Ok(session),
            None => self.open_upload(repo).await,
        }
    }

    fn location(&self, resp: &Response) -> Result<Url, RegistryError> {
        let loc =
            resp.headers().get(LOCATION).and_then(|h| h.to_str().ok()).ok_or_else(|| RegistryError::Protocol {
                registry: self.name.clone(),
                detail: "upload session answer has no Location header".into(),
            })?;
        // Location may be relative to the registry.
        resp.url().join(loc).map_err(|e| RegistryError::Protocol {
            registry: self.name.clone(),
            detail: format!("upload Location `{loc}` is not a URL: {e}"),
        })
    }

    /// Completes an upload session with the whole blob in one `PUT`. A
    /// session that failed is abandoned (best effort), never resumed: ECR
    /// answers a stale range with 416, so every attempt starts afresh.
    async fn finish_upload(
        &self,
        repo: &str,
        session: Url,
        digest: &Digest,
        size: u64,
        body: reqwest::Body,
    ) -> Result<(), RegistryError> {
        let mut url = session.clone();
        url.query_pairs_mut().append_pair("digest", digest.as_str());
        let body = Mutex::new(Some(body));
        let sent = self
            .send(&Scope::push(repo), |c| {
                // Re-sent only after a 401 challenge, which comes before the
                // body is read; a second take means the body is gone.
                let body = body.lock().expect("body lock").take().ok_or_else(|| RegistryError::Reauthenticated {
                    registry: self.name.clone(),
                    scope: Scope::push(repo).0,
                })?;
                Ok(c.put(url.clone())
                    .header(CONTENT_TYPE, "application/octet-stream")
                    .header(CONTENT_LENGTH, size)
                    .body(body))
            })
            .await;
        let result = match sent {
            Ok(resp) if resp.status() == StatusCode::CREATED => match header_digest(&resp) {
                Some(found) if &found != digest => Err(RegistryError::DigestMismatch {
                    registry: self.name.clone(),
                    what: format!("uploaded blob in {repo}"),
                    expected: digest.clone(),
                    found,
                }),
                _ => Ok(()),
            },
            Ok(resp) => Err(self.status_error(Method::PUT, &format!("blob {digest} in {repo}"), resp).await),
            Err(e) => Err(e),
        };
        if result.is_err() {
            self.abandon_upload(repo, session).await;
        }
        result
    }

    /// Uploads a file whose digest is already known, into `session` when
    /// one was opened ahead (the first attempt only: a retry opens afresh).
    pub async fn upload_file(
        &self,
        repo: &str,
        digest: &Digest,
        size: u64,
        path: &Path,
        session: Option<Url>,
        progress: &Progress,
    ) -> Result<(), RegistryError> {
        progress.expect(size);
        let first_session = Mutex::new(session);
        self.with_retries(&format!("upload of {digest}"), || async {
            let session = self.offered_or_new(repo, &first_session).await?;
            let file =
                std::fs::File::open(path).map_err(|source| RegistryError::File { path: path.to_owned(), source })?;
            let progress = progress.clone();
            let stream = tokio_util::io::ReaderStream::with_capacity(tokio::fs::File::from_std(file), 256 << 10)
                .inspect_ok(move |chunk| progress.sent(chunk.len() as u64));
            self.finish_upload(repo, session, digest, size, reqwest::Body::wrap_stream(stream)).await
        })
        .await
    }

    pub async fn upload_bytes(&self, repo: &str, digest: &Digest, bytes: Bytes) -> Result<(), RegistryError> {
        let size = bytes.len() as u64;
        self.with_retries(&format!("upload of {digest}"), || async {
            let session = self.open_upload(repo).await?;
            self.finish_upload(repo, session, digest, size, reqwest::Body::from(bytes.clone())).await
        })
        .await
    }

    /// Streams a blob read from another registry into `repo` without
    /// buffering it; the destination checks the digest on completion. A
    /// failed attempt starts over from a new GET and a new session.
    pub async fn copy_blob_from(
        &self,
        repo: &str,
        digest: &Digest,
        size: u64,
        source: Remote<'_>,
        session: Option<Url>,
        progress: &Progress,
    ) -> Result<(), RegistryError> {
        progress.expect(size);
        let first_session = Mutex::new(session);
        self.with_retries(&format!("copy of {digest}"), || async {
            let session = self.offered_or_new(repo, &first_session).await?;
            let resp = source.registry.get_blob(source.repo, digest).await?;
            let progress = progress.clone();
            let stream = resp.bytes_stream().inspect_ok(move |chunk| progress.sent(chunk.len() as u64));
            self.finish_upload(repo, session, digest, size, reqwest::Body::wrap_stream(stream)).await
        })
        .await
    }

    /// Starts a blob download; the caller streams and verifies the body.
    /// One attempt: a body can break mid-stream after the answer came, so
    /// callers retry the whole read (head and body) in `with_retries`.
    pub async fn get_blob(&self, repo: &str, digest: &Digest) -> Result<Response, RegistryError> {
        let url = self.url(&format!("v2/{repo}/blobs/{digest}"))?;
        let resp = self.send(&Scope::pull(repo), |c| Ok(c.get(url.clone()))).await?;
        if !resp.status().is_success() {
            return Err(self.status_error(Method::GET, &format!("blob {digest} in {repo}"), resp).await);
        }
        Ok(resp)
    }

    /// A small blob (an image config), read whole and checked against its digest.
    pub async fn get_blob_verified(&self, repo: &str, digest: &Digest) -> Result<Vec<u8>, RegistryError> {
        let bytes = self
            .with_retries(&format!("read of blob {digest}"), || async {
                let resp = self.get_blob(repo, digest).await?;
                self.read_bounded(resp, &format!("blob {digest}")).await
            })
            .await?;
        let found = Digest::of_bytes(&bytes);
        if &found != digest {
            return Err(RegistryError::DigestMismatch {
                registry: self.name.clone(),
                what: format!("blob in {repo}"),
                expected: digest.clone(),
                found,
            });
        }
        Ok(bytes)
    }

    async fn read_bounded(&self, mut resp: Response, what: &str) -> Result<Vec<u8>, RegistryError> {
        let mut out = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.unreachable(&e))? {
            if out.len() + chunk.len() > MAX_MANIFEST_BYTES {
                return Err(RegistryError::Protocol {
                    registry: self.name.clone(),
                    detail: format!("{what} is larger than {MAX_MANIFEST_BYTES} bytes; refusing to buffer it"),
                });
            }
            out.extend_from_slice(&chunk);
        }
        Ok(out)
    }

    /// Manifest bytes exactly as served, with their media type. `None` on 404.
    pub async fn get_manifest(&self, repo: &str, reference: &str) -> Result<Option<(Vec<u8>, String)>, RegistryError> {
        self.with_retries(&format!("GET manifest {repo}:{reference}"), || self.get_manifest_once(repo, reference)).await
    }

    async fn get_manifest_once(&self, repo: &str, reference: &str) -> Result<Option<(Vec<u8>, String)>, RegistryError> {
        let url = self.url(&format!("v2/{repo}/manifests/{reference}"))?;
        let resp = self.send(&Scope::pull(repo), |c| Ok(c.get(url.clone()).header(ACCEPT, MANIFEST_ACCEPT))).await?;
        if resp.status() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !resp.status().is_success() {
            return Err(self.status_error(Method::GET, &format!("manifest {repo}:{reference}"), resp).await);
        }
        let content_type = resp
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|h| h.to_str().ok())
            .map(|s| s.split(';').next().unwrap_or(s).trim().to_owned())
            .unwrap_or_default();
        let bytes = self.read_bounded(resp, &format!("manifest {repo}:{reference}")).await?;
        Ok(Some((bytes, content_type)))
    }

    /// Puts manifest `bytes` under `reference` (a tag or its digest). When
    /// the answer is lost (timeout, 5xx after the registry stored it), the
    /// reference is read back: holding these very bytes means it landed.
    pub async fn put_manifest(
        &self,
        repo: &str,
        reference: &str,
        media_type: &str,
        bytes: Bytes,
    ) -> Result<(), RegistryError> {
        let expected = Digest::of_bytes(&bytes);
        self.with_retries(&format!("PUT manifest {repo}:{reference}"), || async {
            match self.put_manifest_once(repo, reference, media_type, bytes.clone(), &expected).await {
                Err(e) if self.retry.delay(&e, 2).is_some() => match self.get_manifest_once(repo, reference).await {
                    Ok(Some((found, _))) if Digest::of_bytes(&found) == expected => {
                        tracing::info!(
                            "PUT manifest {repo}:{reference}: the answer was lost ({e}), but the manifest landed"
                        );
                        Ok(())
                    }
                    _ => Err(e),
                },
                other => other,
            }
        })
        .await
    }

    async fn put_manifest_once(
        &self,
        repo: &str,
        reference: &str,
        media_type: &str,
        bytes: Bytes,
        expected: &Digest,
    ) -> Result<(), RegistryError> {
        let url = self.url(&format!("v2/{repo}/manifests/{reference}"))?;
        let resp = self
            .send(&Scope::push(repo), |c| Ok(c.put(url.clone()).header(CONTENT_TYPE, media_type).body(bytes.clone())))
            .await?;
        if !resp.status().is_success() {
            return Err(self.status_error(Method::PUT, &format!("manifest {repo}:{reference}"), resp).await);
        }
        match header_digest(&resp) {
            Some(found) if &found != expected => Err(RegistryError::DigestMismatch {
                registry: self.name.clone(),
                what: format!("manifest {repo}:{reference}"),
                expected: expected.clone(),
                found,
            }),
            _ => Ok(()),
        }
    }
}

/// Marks a credential header so hyper never prints it.
fn sensitive(secret: &Secret) -> Result<HeaderValue, RegistryError> {
    let mut v = HeaderValue::from_str(secret.expose()).map_err(|_| RegistryError::Protocol {
        registry: String::from("(credentials)"),
        detail: "credential contains characters not allowed in an HTTP header".into(),
    })?;
    v.set_sensitive(true);
    Ok(v)
}

fn content_length(resp: &Response) -> Option<u64> {
    resp.headers().get(CONTENT_LENGTH)?.to_str().ok()?.parse().ok()
}

fn header_digest(resp: &Response) -> Option<Digest> {
    Digest::parse(resp.headers().get("docker-content-digest")?.to_str().ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    #[test]
    fn loopback_hosts_are_recognised() {
        for h in ["localhost", "localhost:5000", "127.0.0.1:5000", "127.3.4.5", "[::1]:5000"] {
            assert!(is_loopback(h), "{h}");
        }
        for h in ["registry.example", "10.0.0.1:5000", "123.dkr.ecr.us-east-1.amazonaws.com"] {
            assert!(!is_loopback(h), "{h}");
        }
    }

    #[test]
    fn status_error_text_carries_code_and_message() {
        let e = RegistryError::Status {
            registry: "r".into(),
            method: Method::PUT,
            what: "manifest a:b".into(),
            status: StatusCode::BAD_REQUEST,
            code: Some("MANIFEST_INVALID".into()),
            message: Some("manifest invalid".into()),
            retry_after: None,
        };
        assert_eq!(
            e.to_string(),
            "registry r answered 400 Bad Request to PUT manifest a:b: MANIFEST_INVALID: manifest invalid"
        );
    }

    async fn https_error(port: u16) -> reqwest::Error {
        let client = http_client(std::time::Duration::from_secs(5)).unwrap();
        client.get(format!("https://127.0.0.1:{port}/v2/")).send().await.unwrap_err()
    }

    #[tokio::test]
    async fn a_tls_hello_answered_in_plain_http_is_told_from_nothing_listening() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let _ = s.read(&mut [0u8; 512]);
            let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        });
        assert!(answered_in_plaintext(&https_error(port).await));

        // A port with nothing behind it: refused, not answered.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        assert!(!answered_in_plaintext(&https_error(closed).await));
    }
}
