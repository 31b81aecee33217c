//! A Bearer token service for docker-registry's `auth.token` mode, as
//! Docker Hub, GHCR or Harbor run one: `GET /token?service=…&scope=…`
//! answers a JWT signed with a key whose certificate the registry trusts.
//! Anonymous callers get pull rights only; the configured user gets what it
//! asks for; wrong credentials get 401. Test code: the registry is real.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use serde_json::json;

use super::serve::Loopback;

pub const SERVICE: &str = "sitepack-test-registry";
pub const ISSUER: &str = "sitepack-test-issuer";

pub struct TokenServer {
    pub port: u16,
    pub cert_path: PathBuf,
    /// Tokens handed out, for asserting the flow really went through here.
    pub issued: Arc<AtomicUsize>,
    _server: Loopback,
}

impl TokenServer {
    pub fn start(dir: &Path, user: &str, password: &str) -> TokenServer {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let cert =
            rcgen::CertificateParams::new(vec!["sitepack-test-token".into()]).unwrap().self_signed(&key).unwrap();
        let cert_path = dir.join("token-cert.pem");
        std::fs::write(&cert_path, cert.pem()).unwrap();
        let x5c = STANDARD.encode(cert.der());
        let signer = ring::signature::EcdsaKeyPair::from_pkcs8(
            &ring::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            &key.serialize_der(),
            &ring::rand::SystemRandom::new(),
        )
        .unwrap();

        let issued = Arc::new(AtomicUsize::new(0));
        let expected = format!("Basic {}", STANDARD.encode(format!("{user}:{password}")));
        let user = user.to_owned();
        let counted = issued.clone();
        let server = Loopback::serve(move |stream| {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            let mut authorization = None;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap() == 0 || line.trim().is_empty() {
                    break;
                }
                if let Some((k, v)) = line.split_once(':') {
                    if k.eq_ignore_ascii_case("authorization") {
                        authorization = Some(v.trim().to_owned());
                    }
                }
            }
            let target = request_line.split_whitespace().nth(1).unwrap_or("");
            let scopes: Vec<String> = target
                .split_once('?')
                .map(|(_, q)| q)
                .unwrap_or("")
                .split('&')
                .filter_map(|kv| kv.strip_prefix("scope="))
                .map(|v| v.replace("%3A", ":").replace("%2C", ",").replace("%2F", "/").replace('+', " "))
                .collect();
            let subject = match authorization.as_deref() {
                None => None,
                Some(a) if a == expected => Some(user.clone()),
                Some(_) => {
                    respond(&stream, "401 Unauthorized", r#"{"details":"wrong credentials"}"#);
                    return;
                }
            };
            let access: Vec<serde_json::Value> = scopes
                .iter()
                .filter_map(|s| {
                    let mut parts = s.splitn(3, ':');
                    let (kind, name, actions) = (parts.next()?, parts.next()?, parts.next()?);
                    let actions: Vec<&str> = actions.split(',').filter(|a| subject.is_some() || *a == "pull").collect();
                    Some(json!({"type": kind, "name": name, "actions": actions}))
                })
                .collect();
            let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
            let header = json!({"alg": "ES256", "typ": "JWT", "x5c": [x5c]});
            let claims = json!({
                "iss": ISSUER, "sub": subject.clone().unwrap_or_default(), "aud": SERVICE,
                "exp": now + 300, "nbf": now - 10, "iat": now,
                "jti": format!("{now}-{}", counted.fetch_add(1, Ordering::Relaxed)), "access": access,
            });
            let signing_input = format!(
                "{}.{}",
                URL_SAFE_NO_PAD.encode(header.to_string()),
                URL_SAFE_NO_PAD.encode(claims.to_string())
            );
            let sig = signer.sign(&ring::rand::SystemRandom::new(), signing_input.as_bytes()).unwrap();
            let token = format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(sig.as_ref()));
            respond(&stream, "200 OK", &json!({"token": token, "expires_in": 300}).to_string());
        });
        TokenServer { port: server.port, cert_path, issued, _server: server }
    }

    pub fn realm(&self) -> String {
        format!("http://127.0.0.1:{}/token", self.port)
    }
}

fn respond(mut stream: &std::net::TcpStream, status: &str, body: &str) {
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}
