//! moto's server (PyPI `moto[server]`, pinned in tests/moto/ensure-venv.sh,
//! installed in a cached venv) on a loopback port it is seen to listen on:
//! ECR and S3 as the real AWS SDK sees them through endpoint overrides.
//! Resources are set up with boto3 from the same venv.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use super::serve::Loopback;
use super::{free_ports, run_ok, spawn_listening};

pub const REGION: &str = "eu-west-1";
/// moto's default account; its ECR token is `AWS:<account>-auth-token`.
pub const ACCOUNT: &str = "123456789012";
/// Distinctive, so tests can assert it never reaches any output.
pub const SECRET_KEY: &str = "sitepackTestSecretKey0123456789abcdefXYZ";
pub const ACCESS_KEY: &str = "AKIASITEPACKTEST0001";

pub fn venv() -> &'static Path {
    static VENV: OnceLock<PathBuf> = OnceLock::new();
    VENV.get_or_init(|| PathBuf::from(super::ensure("tests/moto/ensure-venv.sh").trim()))
}

pub struct Moto {
    child: Child,
    pub endpoint: String,
}

impl Moto {
    pub fn start() -> Moto {
        let (child, port) = spawn_listening("moto_server", free_ports(), |port| {
            Command::new(venv().join("bin/moto_server"))
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
        });
        Moto { child, endpoint: format!("http://127.0.0.1:{port}") }
    }

    /// Runs Python with a boto3 client factory `client(name)` bound to this server.
    pub fn boto3(&self, code: &str) -> String {
        let prelude = format!(
            "import boto3, json\n\
             def client(name):\n    return boto3.client(name, endpoint_url='{}', region_name='{REGION}', \
             aws_access_key_id='{ACCESS_KEY}', aws_secret_access_key='{SECRET_KEY}')\n",
            self.endpoint
        );
        run_ok(Command::new(venv().join("bin/python")).arg("-c").arg(format!("{prelude}{code}")))
    }

    pub fn create_ecr_repository(&self, name: &str, immutable: bool) {
        let mutability = if immutable { "IMMUTABLE" } else { "MUTABLE" };
        self.boto3(&format!(
            "client('ecr').create_repository(repositoryName='{name}', imageTagMutability='{mutability}')"
        ));
    }

    /// A versioned bucket holding `body` at `key`; returns the VersionId.
    pub fn put_object(&self, bucket: &str, key: &str, body: &[u8]) -> String {
        let body_path = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(body_path.path(), body).unwrap();
        self.boto3(&format!(
            "s3 = client('s3')\n\
             try:\n    s3.create_bucket(Bucket='{bucket}', CreateBucketConfiguration={{'LocationConstraint': '{REGION}'}})\n\
             except s3.exceptions.BucketAlreadyOwnedByYou:\n    pass\n\
             s3.put_bucket_versioning(Bucket='{bucket}', VersioningConfiguration={{'Status': 'Enabled'}})\n\
             r = s3.put_object(Bucket='{bucket}', Key='{key}', Body=open('{}', 'rb').read())\n\
             print(r['VersionId'])",
            body_path.path().display()
        ))
        .trim()
        .to_owned()
    }

    /// Environment for sitepack to reach this moto with static keys and no
    /// host AWS configuration.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.endpoint.clone()),
            ("AWS_REGION", REGION.into()),
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY.into()),
            ("AWS_SECRET_ACCESS_KEY", SECRET_KEY.into()),
            ("AWS_CONFIG_FILE", "/dev/null".into()),
            ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null".into()),
            ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ]
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Serves one JSON document on every GET, on a free loopback port, and
/// counts requests: the CodeBuild/ECS container-credentials endpoint.
pub struct JsonServer {
    pub url: String,
    pub port: u16,
    pub hits: Arc<AtomicUsize>,
    _server: Loopback,
}

impl JsonServer {
    pub fn start(path: &str, body: String) -> JsonServer {
        let hits = Arc::new(AtomicUsize::new(0));
        let counted = hits.clone();
        let server = Loopback::serve(move |stream| {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).map(|n| n > 0).unwrap_or(false) && line != "\r\n" {
                line.clear();
            }
            counted.fetch_add(1, Ordering::Relaxed);
            let _ = write!(
                &stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        });
        JsonServer { url: format!("http://127.0.0.1:{}{path}", server.port), port: server.port, hits, _server: server }
    }
}
