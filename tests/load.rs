//! Many builds at once against one registry that throttles like ECR: a
//! limiter in front of the registry counts each request against the ECR
//! operation it stands for (PutImage, InitiateLayerUpload, ...), every
//! operation with its own rate shared by all clients, and answers 429
//! beyond it, every other time with `Retry-After`, otherwise without. Four
//! different sites built at once must all succeed, and no tag may ever name
//! an incomplete image, read over and over while they run and copied out
//! whole at the end. The timed form, with 16 sites and the time against the
//! same builds one after the other, is `bash bench/run.sh --load 16`
//! (bench/load.py, bench/ratelimit.py); no timing is asserted here.

mod common;

use std::collections::BTreeMap;
use std::io::{BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::serve::Loopback;
use common::*;

/// The ECR operation a registry request counts against (as bench/ratelimit.py
/// maps them); None for requests ECR does not limit per operation.
fn operation(method: &str, path: &str) -> Option<&'static str> {
    let path = path.split('?').next().unwrap_or(path);
    match method {
        "PUT" if path.contains("/manifests/") => Some("PutImage"),
        "POST" if path.ends_with("/blobs/uploads/") => Some("InitiateLayerUpload"),
        "PUT" if path.contains("/blobs/uploads/") => Some("CompleteLayerUpload"),
        _ => None,
    }
}

/// Token buckets per operation: `rate` requests a second, a burst of one.
struct Limits {
    rates: BTreeMap<&'static str, f64>,
    tokens: BTreeMap<&'static str, (f64, Instant)>,
    throttled: usize,
    with_retry_after: usize,
}

impl Limits {
    /// None when the request may pass; else Some(Retry-After to send, if any).
    fn admit(&mut self, op: &'static str) -> Option<Option<u64>> {
        let rate = *self.rates.get(op)?;
        let now = Instant::now();
        let (tokens, stamp) = self.tokens.entry(op).or_insert((1.0, now));
        *tokens = (*tokens + now.duration_since(*stamp).as_secs_f64() * rate).min(1.0);
        *stamp = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            return None;
        }
        self.throttled += 1;
        // Every other 429 says when to come back; the others leave it to the client.
        if self.throttled % 2 == 1 {
            self.with_retry_after += 1;
            Some(Some(((1.0 - *tokens) / rate).ceil() as u64))
        } else {
            Some(None)
        }
    }
}

/// A proxy that answers 429 beyond the limits and forwards the rest, one
/// request per connection (as tests/common/fault_proxy.rs does; that proxy
/// faults by rule or at random, not by rate, hence this one).
struct Limiter {
    host: String,
    limits: Arc<Mutex<Limits>>,
    _server: Loopback,
}

impl Limiter {
    fn start(upstream_port: u16, rates: &[(&'static str, f64)]) -> Limiter {
        let limits = Arc::new(Mutex::new(Limits {
            rates: rates.iter().copied().collect(),
            tokens: BTreeMap::new(),
            throttled: 0,
            with_retry_after: 0,
        }));
        let shared = limits.clone();
        let server = Loopback::serve(move |client| {
            let _ = proxy_one(client, upstream_port, &shared);
        });
        Limiter { host: format!("127.0.0.1:{}", server.port), limits, _server: server }
    }
}

fn proxy_one(client: TcpStream, upstream_port: u16, limits: &Mutex<Limits>) -> std::io::Result<()> {
    let req = fault_proxy::read_request(&mut BufReader::new(client.try_clone()?), None)?;
    let verdict = operation(&req.method, &req.path).and_then(|op| limits.lock().unwrap().admit(op));
    let mut client = client;
    if let Some(retry_after) = verdict {
        let extra = retry_after.map(|s| format!("Retry-After: {s}\r\n")).unwrap_or_default();
        let msg = r#"{"errors":[{"code":"TOOMANYREQUESTS","message":"Rate exceeded"}]}"#;
        return write!(
            client,
            "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n{msg}",
            msg.len()
        );
    }
    client.write_all(&fault_proxy::forward(&req, upstream_port)?)
}

/// One plain-HTTP request straight to the registry: (status, body).
fn request(host: &str, method: &str, path: &str) -> std::io::Result<(u16, Vec<u8>)> {
    let mut s = TcpStream::connect(host)?;
    let accept = "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";
    write!(s, "{method} {path} HTTP/1.1\r\nHost: {host}\r\nAccept: {accept}\r\nConnection: close\r\n\r\n")?;
    let mut answer = Vec::new();
    s.read_to_end(&mut answer)?;
    let split = answer.windows(4).position(|w| w == b"\r\n\r\n").map_or(answer.len(), |p| p + 4);
    let status =
        String::from_utf8_lossy(&answer[..split.min(12)]).split_whitespace().nth(1).and_then(|c| c.parse().ok());
    Ok((status.unwrap_or(0), answer[split..].to_vec()))
}

/// What the tag names right now that its repository lacks: the blobs
/// (config, layers) not there, empty when complete. None when no manifest
/// was read (no tag yet, or no answer).
fn missing_blobs(host: &str, repo: &str) -> Option<Vec<String>> {
    let Ok((200, body)) = request(host, "GET", &format!("/v2/{repo}/manifests/1")) else {
        return None;
    };
    let manifest: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let mut blobs = vec![manifest["config"].clone()];
    blobs.extend(manifest["layers"].as_array().cloned().unwrap_or_default());
    let missing = blobs
        .iter()
        .filter_map(|b| b["digest"].as_str())
        .filter(|d| !matches!(request(host, "HEAD", &format!("/v2/{repo}/blobs/{d}")), Ok((200, _))))
        .map(|d| format!("{repo}:1 names {d}, which the repository does not have"))
        .collect();
    Some(missing)
}

#[test]
fn four_sites_built_at_once_under_ecr_like_throttling_all_succeed_and_no_tag_names_an_incomplete_image() {
    let reg = Registry::start();
    let base = reg.push_tiny_base("base/tiny:1");
    // A manifest a second, and ten upload sessions (and completions) a second,
    // for all four builds together: they must wait their turn, told how long or not.
    let limiter =
        Limiter::start(reg.port, &[("PutImage", 1.0), ("InitiateLayerUpload", 10.0), ("CompleteLayerUpload", 10.0)]);
    let base = base.replacen(&reg.host, &limiter.host, 1);
    let repos: Vec<String> = (0..4).map(|i| format!("sites/load-{i}")).collect();

    let stop = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (stop, host, repos) = (stop.clone(), reg.host.clone(), repos.clone());
        std::thread::spawn(move || {
            // Manifests read; one last pass after the builds, so a watcher
            // that can read no manifest at all fails the test.
            let (mut reads, mut seen) = (0usize, Vec::new());
            loop {
                let last = stop.load(Ordering::Relaxed);
                for repo in &repos {
                    if let Some(missing) = missing_blobs(&host, repo) {
                        reads += 1;
                        seen.extend(missing);
                    }
                }
                if last {
                    break;
                }
                // Gentle on the two cores and on loopback's ports, still many reads a second.
                std::thread::sleep(Duration::from_millis(20));
            }
            (reads, seen)
        })
    };

    let sites: Vec<tempfile::TempDir> = (0..4)
        .map(|i| {
            let site = example_repo();
            std::fs::write(site.path().join(format!("site/load-{i}.html")), format!("<p>site {i}</p>\n")).unwrap();
            site
        })
        .collect();
    let children: Vec<Child> = sites
        .iter()
        .zip(&repos)
        .map(|(site, repo)| {
            sitepack(site.path())
                .args(["build", "--json", "--base", &base, "--image"])
                .arg(format!("{}/{repo}:1", limiter.host))
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outs: Vec<Run> = children.into_iter().map(|c| Run::from(c.wait_with_output().unwrap())).collect();
    stop.store(true, Ordering::Relaxed);
    let (reads, incomplete) = watcher.join().unwrap();

    let (throttled, with_retry_after) = {
        let l = limiter.limits.lock().unwrap();
        (l.throttled, l.with_retry_after)
    };
    assert!(
        with_retry_after >= 1 && throttled > with_retry_after,
        "the limiter answered 429 with and without Retry-After ({throttled} in all, {with_retry_after} with)"
    );
    let mut digests = Vec::new();
    for (out, repo) in outs.into_iter().zip(&repos) {
        let out = out.ok();
        let digest = out.json()["digest"].as_str().unwrap().to_owned();
        assert_eq!(
            reg.manifest_digest(&format!("{repo}:1")),
            Some(digest.clone()),
            "{repo}:1 names its build's digest"
        );
        reg.assert_complete(&format!("{repo}:1"));
        digests.push(digest);
    }
    digests.sort();
    digests.dedup();
    assert_eq!(digests.len(), 4, "four different sites give four images");
    assert!(reads >= repos.len(), "the watcher read the tags' manifests ({reads} reads)");
    assert!(incomplete.is_empty(), "a tag named an incomplete image: {incomplete:?}");
}
