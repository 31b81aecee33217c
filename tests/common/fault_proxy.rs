//! A fault-injecting HTTP proxy between sitepack and a real registry,
//! scriptable per request: answer a status (with Retry-After or an error
//! body) without forwarding, reset the connection mid-body, stall, truncate
//! the answer, forward and then answer 5xx, delay, or redirect. One request
//! per connection, forwarded with `Connection: close`; the Host header is
//! kept, so the registry's upload Locations point back at the proxy.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::serve::Loopback;

#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer this status without forwarding; optional Retry-After and JSON body.
    Status { code: u16, retry_after: Option<u64>, body: Option<String> },
    /// Read part of the request body, then drop the connection (the unread
    /// rest makes the kernel send RST).
    ResetMidBody,
    /// Read the request, say nothing for this long, then close.
    Stall(Duration),
    /// Forward, then send the head and only half of the answer's body.
    Truncate,
    /// Forward (the registry acts on it), then answer this status instead.
    ForwardThenStatus(u16),
    /// Wait, then forward.
    Delay(Duration),
    /// Forward, then wait before answering.
    ForwardThenDelay(Duration),
    /// Answer 307 to this base URL + the request path.
    Redirect(String),
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub method: &'static str,
    pub path_contains: &'static str,
    /// Let this many matching requests through first.
    pub skip: usize,
    /// Then fault this many (usize::MAX: all).
    pub times: usize,
    pub fault: Fault,
    seen: usize,
}

impl Rule {
    pub fn new(method: &'static str, path_contains: &'static str, fault: Fault) -> Rule {
        Rule { method, path_contains, skip: 0, times: 1, fault, seen: 0 }
    }
    pub fn times(mut self, n: usize) -> Rule {
        self.times = n;
        self
    }
    pub fn skip(mut self, n: usize) -> Rule {
        self.skip = n;
        self
    }
}

pub fn status(code: u16) -> Fault {
    Fault::Status { code, retry_after: None, body: None }
}

#[derive(Debug, Clone)]
pub struct Seen {
    /// Requests are numbered in the order they reached the proxy.
    pub id: u64,
    pub method: String,
    pub path: String,
    pub fault: Option<String>,
    pub authorization: bool,
    /// The status line's code the client was sent, once the answer went out
    /// in full (None while the request is held, or when no answer came).
    pub answered: Option<u16>,
}

struct Random {
    state: u64,
    rate: f64,
}

struct Shared {
    rules: Mutex<Vec<Rule>>,
    random: Mutex<Option<Random>>,
    log: Mutex<Vec<Seen>>,
    faults: AtomicU64,
    requests: AtomicU64,
}

pub struct FaultProxy {
    pub port: u16,
    pub host: String,
    shared: Arc<Shared>,
    _server: Loopback,
}

impl FaultProxy {
    pub fn start(upstream_port: u16) -> FaultProxy {
        let shared = Arc::new(Shared {
            rules: Mutex::new(Vec::new()),
            random: Mutex::new(None),
            log: Mutex::new(Vec::new()),
            faults: AtomicU64::new(0),
            requests: AtomicU64::new(0),
        });
        let handled = shared.clone();
        let server = Loopback::serve(move |client| {
            let _ = handle(client, upstream_port, &handled);
        });
        let port = server.port;
        FaultProxy { port, host: format!("127.0.0.1:{port}"), shared, _server: server }
    }

    pub fn set_rules(&self, rules: Vec<Rule>) {
        *self.shared.rules.lock().unwrap() = rules;
    }

    /// Faults `rate` of all requests at random, from a fixed seed.
    pub fn set_random(&self, seed: u64, rate: f64) {
        *self.shared.random.lock().unwrap() = Some(Random { state: seed | 1, rate });
    }

    pub fn log(&self) -> Vec<Seen> {
        self.shared.log.lock().unwrap().clone()
    }

    pub fn faults(&self) -> u64 {
        self.shared.faults.load(Ordering::Relaxed)
    }

    pub fn clear_log(&self) {
        self.shared.log.lock().unwrap().clear();
    }
}

/// One request as read off a client connection; other test proxies (the
/// rate limiter of `tests/load.rs`) read and forward with these too.
pub struct Request {
    pub method: String,
    pub path: String,
    pub head: Vec<String>,
    pub body: Vec<u8>,
}

pub fn read_request(reader: &mut BufReader<TcpStream>, body_limit: Option<usize>) -> std::io::Result<Request> {
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_owned();
    let path = parts.next().unwrap_or("").to_owned();
    let mut head = vec![line.trim_end().to_owned()];
    let mut length = 0usize;
    let mut chunked = false;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" {
            break;
        }
        let lower = h.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
            chunked = true;
            continue;
        }
        if lower.starts_with("connection:") {
            continue;
        }
        head.push(h.trim_end().to_owned());
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            let mut size_line = String::new();
            reader.read_line(&mut size_line)?;
            let size = usize::from_str_radix(size_line.trim(), 16).unwrap_or(0);
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk)?;
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
        head.retain(|h| !h.to_ascii_lowercase().starts_with("content-length:"));
        head.push(format!("Content-Length: {}", body.len()));
    } else {
        let want = body_limit.map_or(length, |l| l.min(length));
        body.resize(want, 0);
        reader.read_exact(&mut body)?;
    }
    Ok(Request { method, path, head, body })
}

pub fn forward(req: &Request, upstream_port: u16) -> std::io::Result<Vec<u8>> {
    let mut up = TcpStream::connect(("127.0.0.1", upstream_port))?;
    let mut out = req.head.join("\r\n");
    out.push_str("\r\nConnection: close\r\n\r\n");
    up.write_all(out.as_bytes())?;
    up.write_all(&req.body)?;
    let mut answer = Vec::new();
    up.read_to_end(&mut answer)?;
    Ok(answer)
}

fn pick(shared: &Shared, method: &str, path: &str, has_body: bool) -> Option<Fault> {
    for rule in shared.rules.lock().unwrap().iter_mut() {
        if rule.method == method && path.contains(rule.path_contains) {
            rule.seen += 1;
            if rule.seen > rule.skip && rule.seen - rule.skip <= rule.times {
                return Some(rule.fault.clone());
            }
        }
    }
    let mut random = shared.random.lock().unwrap();
    let r = random.as_mut()?;
    let mut next = || {
        r.state ^= r.state << 13;
        r.state ^= r.state >> 7;
        r.state ^= r.state << 17;
        (r.state >> 11) as f64 / (1u64 << 53) as f64
    };
    if next() >= r.rate {
        return None;
    }
    let choice = (next() * 8.0) as u32;
    Some(match choice {
        0 => status(500),
        1 => status(502),
        2 => Fault::Status { code: 503, retry_after: Some(0), body: None },
        3 => status(504),
        4 => Fault::Status { code: 429, retry_after: Some(0), body: None },
        5 if has_body => Fault::ResetMidBody,
        6 if method == "GET" => Fault::Truncate,
        _ if method == "PUT" => Fault::ForwardThenStatus(502),
        _ => status(408),
    })
}

fn respond(client: &mut TcpStream, code: u16, extra: &str, body: &str) -> std::io::Result<()> {
    write!(
        client,
        "HTTP/1.1 {code} Fault\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n{body}",
        body.len()
    )
}

fn handle(client: TcpStream, upstream_port: u16, shared: &Shared) -> std::io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    // Peek at the request line and headers first to choose the fault.
    let peek = reader.fill_buf()?.to_vec();
    let text = String::from_utf8_lossy(&peek);
    let first = text.lines().next().unwrap_or("");
    let mut parts = first.split_whitespace();
    let (method, path) = (parts.next().unwrap_or("").to_owned(), parts.next().unwrap_or("").to_owned());
    let has_body = text.to_ascii_lowercase().contains("content-length:")
        && !text.to_ascii_lowercase().contains("content-length: 0");
    let fault = pick(shared, &method, &path, has_body);
    let authorization = text.to_ascii_lowercase().contains("\nauthorization:");
    let id = shared.requests.fetch_add(1, Ordering::Relaxed);
    shared.log.lock().unwrap().push(Seen {
        id,
        method,
        path,
        fault: fault.as_ref().map(|f| format!("{f:?}")),
        authorization,
        answered: None,
    });
    if fault.is_some() {
        shared.faults.fetch_add(1, Ordering::Relaxed);
    }
    let code = act_out(client, &mut reader, fault, upstream_port)?;
    // `clear_log` may have emptied the log meanwhile: then there is nothing to mark.
    if let Some(seen) = shared.log.lock().unwrap().iter_mut().find(|s| s.id == id) {
        seen.answered = code;
    }
    Ok(())
}

/// Acts out `fault` (or forwards); returns the status the client was sent in full.
fn act_out(
    mut client: TcpStream,
    reader: &mut BufReader<TcpStream>,
    fault: Option<Fault>,
    upstream_port: u16,
) -> std::io::Result<Option<u16>> {
    match fault {
        Some(Fault::ResetMidBody) => {
            let _ = read_request(reader, Some(16));
            return Ok(None);
        }
        Some(Fault::Stall(d)) => {
            let _ = read_request(reader, None)?;
            std::thread::sleep(d);
            return Ok(None);
        }
        _ => {}
    }
    let req = read_request(reader, None)?;
    let sent = match fault {
        None => {
            let answer = forward(&req, upstream_port)?;
            client.write_all(&answer)?;
            status_of(&answer)
        }
        Some(Fault::Status { code, retry_after, body }) => {
            let mut extra = retry_after.map(|s| format!("Retry-After: {s}\r\n")).unwrap_or_default();
            if code == 401 {
                // As a registry would: a 401 always names its challenge.
                extra.push_str("WWW-Authenticate: Basic realm=\"sitepack-test\"\r\n");
            }
            respond(&mut client, code, &extra, body.as_deref().unwrap_or("{}"))?;
            Some(code)
        }
        Some(Fault::Truncate) => {
            let answer = forward(&req, upstream_port)?;
            let split = answer.windows(4).position(|w| w == b"\r\n\r\n").map_or(answer.len(), |p| p + 4);
            let body_len = answer.len() - split;
            client.write_all(&answer[..split + body_len / 2])?;
            None
        }
        Some(Fault::ForwardThenStatus(code)) => {
            forward(&req, upstream_port)?;
            respond(&mut client, code, "", "{}")?;
            Some(code)
        }
        Some(Fault::Delay(d)) => {
            std::thread::sleep(d);
            let answer = forward(&req, upstream_port)?;
            client.write_all(&answer)?;
            status_of(&answer)
        }
        Some(Fault::ForwardThenDelay(d)) => {
            let answer = forward(&req, upstream_port)?;
            std::thread::sleep(d);
            client.write_all(&answer)?;
            status_of(&answer)
        }
        Some(Fault::Redirect(base)) => {
            respond(&mut client, 307, &format!("Location: {base}{}\r\n", req.path), "")?;
            Some(307)
        }
        Some(Fault::ResetMidBody | Fault::Stall(_)) => unreachable!("handled before reading the body"),
    };
    client.flush()?;
    Ok(sent)
}

/// The code in an HTTP answer's status line.
fn status_of(answer: &[u8]) -> Option<u16> {
    String::from_utf8_lossy(answer.get(..12)?).split_whitespace().nth(1)?.parse().ok()
}
