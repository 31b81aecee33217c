//! Test rig: real servers and tools, started per test on loopback ports they
//! are seen to listen on.
//! A `docker-registry` (Debian's distribution 2.8) with or without htpasswd
//! auth, base images pushed with skopeo, sitepack run as a subprocess, and
//! podman for running what it built.
#![allow(dead_code)] // each test binary uses a different subset

pub mod codebuild;
pub mod fault_proxy;
pub mod moto;
pub mod serve;
pub mod token_server;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub const EPOCH: &str = "1700000000";

/// A loopback port nothing listens on at this moment, for a server started
/// later (or a URL that must find no server). It is taken outside the
/// kernel's ephemeral range, which `bind(0)` and outgoing connections use,
/// and is never handed out twice by this process, so a parallel test
/// cannot take it in between; only a process outside the tests could, and
/// `spawn_listening` retries for that. (On a machine whose ephemeral range
/// leaves no room, any port `bind(0)` gives, as before.)
pub fn free_port() -> u16 {
    static GIVEN: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    let mut given = GIVEN.lock().unwrap_or_else(|e| e.into_inner());
    let bindable = |port: u16| TcpListener::bind(("127.0.0.1", port)).is_ok();
    let (window, span) = outside_ephemeral_range();
    // Spread by process id: test binaries run one after another, but the
    // machine's other processes need not pick the same ports each run.
    let first = std::process::id().wrapping_mul(7919) % span.max(1);
    for n in 0..span {
        let port = window + ((first + n) % span) as u16;
        if !given.contains(&port) && bindable(port) {
            given.push(port);
            return port;
        }
    }
    loop {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        if !given.contains(&port) {
            given.push(port);
            return port;
        }
    }
}

/// Up to 12,000 unprivileged ports below the ephemeral range, else above
/// it: (first port, how many); none when the range leaves under 1,000.
fn outside_ephemeral_range() -> (u16, u32) {
    let range = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").unwrap_or_default();
    let mut bounds = range.split_whitespace().filter_map(|n| n.parse::<u32>().ok());
    let (low, high) = (bounds.next().unwrap_or(32768), bounds.next().unwrap_or(60999));
    let below = low.saturating_sub(1024).min(12_000);
    let above = 65535u32.saturating_sub(high).min(12_000);
    if below >= 1000 {
        ((low - below) as u16, below)
    } else if above >= 1000 {
        ((high + 1) as u16, above)
    } else {
        (0, 0)
    }
}

/// Ports for `spawn_listening` to try: a fresh free one each time.
pub fn free_ports() -> impl Iterator<Item = u16> {
    std::iter::repeat_with(free_port)
}

/// How many ports a server start tries before the test gives up.
const PORT_ATTEMPTS: usize = 5;

/// Starts a server that must be told its port (docker-registry, moto,
/// apache2 cannot bind port 0 and report it): `spawn` starts it on each port
/// of `ports` in turn until the server's own process (or a child of it) is
/// seen listening there. Between choosing a free port and the server binding
/// it, a process outside the tests can take the port (`free_port` keeps the
/// tests' own apart); then the server exits with "address in use", or
/// something else answers on the port, and the next port is tried, at most
/// `PORT_ATTEMPTS` in all.
pub fn spawn_listening(
    what: &str,
    ports: impl IntoIterator<Item = u16>,
    mut spawn: impl FnMut(u16) -> Child,
) -> (Child, u16) {
    let mut tried = Vec::new();
    for port in ports.into_iter().take(PORT_ATTEMPTS) {
        let mut child = spawn(port);
        let deadline = Instant::now() + Duration::from_secs(60);
        let outcome = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break format!("port {port}: exited {status}");
            }
            if listening_socket(port).is_some_and(|inode| process_tree_holds(child.id(), &inode)) {
                return (child, port);
            }
            assert!(Instant::now() < deadline, "{what} (pid {}) did not listen on 127.0.0.1:{port}", child.id());
            std::thread::sleep(Duration::from_millis(50));
        };
        tried.push(outcome);
    }
    panic!("{what} did not start: {}", tried.join("; "))
}

/// The socket inode listening on TCP `port` (any address), from the kernel's tables.
fn listening_socket(port: u16) -> Option<String> {
    const LISTEN: &str = "0A";
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let text = std::fs::read_to_string(table).unwrap_or_default();
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let local_port = fields.get(1).and_then(|a| a.rsplit(':').next());
            if local_port.and_then(|p| u16::from_str_radix(p, 16).ok()) == Some(port) && fields.get(3) == Some(&LISTEN)
            {
                return fields.get(9).map(|inode| (*inode).to_owned());
            }
        }
    }
    None
}

/// Whether `pid` or one of its descendants has the socket `inode` open.
fn process_tree_holds(pid: u32, inode: &str) -> bool {
    let socket = format!("socket:[{inode}]");
    let holds = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .into_iter()
        .flatten()
        .flatten()
        .any(|fd| std::fs::read_link(fd.path()).is_ok_and(|target| target.as_os_str() == socket.as_str()));
    holds
        || std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
            .unwrap_or_default()
            .split_whitespace()
            .filter_map(|child| child.parse().ok())
            .any(|child| process_tree_holds(child, inode))
}

/// Runs a command, panicking with its output when it fails.
/// The checkout's root (this crate's folder).
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs one of the tests' idempotent install scripts (`tests/…/ensure-*.sh`,
/// its progress on stderr); what it prints on stdout.
pub fn ensure(script: &str) -> String {
    run_ok(Command::new("bash").arg(root().join(script)).stderr(Stdio::inherit()))
}

pub fn run_ok(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

pub struct Registry {
    child: Child,
    pub port: u16,
    pub host: String,
    pub dir: tempfile::TempDir,
    pub auth: Option<(String, String)>,
    pub token_server: Option<token_server::TokenServer>,
    /// For TLS registries: system CAs plus the test CA, for SSL_CERT_FILE.
    pub ca_bundle: Option<PathBuf>,
}

/// How a test registry is set up.
#[derive(Default)]
pub struct RegistryOptions {
    /// HTTPS with a certificate for 127.0.0.1 from a fresh test CA.
    pub tls: bool,
    /// HTTP Basic against an htpasswd file with this one user.
    pub htpasswd: Option<(String, String)>,
    /// Bearer tokens from a token service (anonymous may pull, the user may push).
    pub token: Option<(String, String)>,
    /// A port to try before any free one (to test the retry on a taken port).
    pub first_port: Option<u16>,
}

impl Registry {
    pub fn start() -> Registry {
        Self::start_with(RegistryOptions::default())
    }

    pub fn start_tls() -> Registry {
        Self::start_with(RegistryOptions { tls: true, ..Default::default() })
    }

    pub fn start_with_auth(user: &str, password: &str) -> Registry {
        Self::start_with(RegistryOptions { htpasswd: Some((user.into(), password.into())), ..Default::default() })
    }

    pub fn start_with_token_auth(user: &str, password: &str) -> Registry {
        Self::start_with(RegistryOptions { token: Some((user.into(), password.into())), ..Default::default() })
    }

    /// What ECR looks like from a client: HTTPS, and exactly the user and
    /// password an ECR token for `account` decodes to (as moto issues it).
    pub fn start_ecr_like(account: &str) -> Registry {
        Self::start_with(RegistryOptions {
            tls: true,
            htpasswd: Some(("AWS".into(), format!("{account}-auth-token"))),
            ..Default::default()
        })
    }

    pub fn start_with(opts: RegistryOptions) -> Registry {
        let dir = tempfile::tempdir().unwrap();
        // The address is written in on each attempt; the rest is the same.
        let mut config = format!(
            "version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:@PORT@\n  secret: test-secret\n",
            dir.path().join("data").display()
        );
        let mut ca_bundle = None;
        if opts.tls {
            let (cert, key, bundle) = test_ca_and_cert(dir.path());
            config.push_str(&format!("  tls:\n    certificate: {}\n    key: {}\n", cert.display(), key.display()));
            ca_bundle = Some(bundle);
        }
        let mut token_server = None;
        if let Some((user, password)) = &opts.token {
            let ts = token_server::TokenServer::start(dir.path(), user, password);
            config.push_str(&format!(
                "auth:\n  token:\n    realm: {}\n    service: {}\n    issuer: {}\n    rootcertbundle: {}\n",
                ts.realm(),
                token_server::SERVICE,
                token_server::ISSUER,
                ts.cert_path.display()
            ));
            token_server = Some(ts);
        }
        if let Some((user, password)) = &opts.htpasswd {
            // distribution's htpasswd auth takes bcrypt entries only.
            let line = run_ok(Command::new("htpasswd").args(["-nbB", user, password]));
            std::fs::write(dir.path().join("htpasswd"), line.trim()).unwrap();
            config.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: sitepack-test\n    path: {}\n",
                dir.path().join("htpasswd").display()
            ));
        }
        let config_path = dir.path().join("config.yml");
        let (child, port) =
            spawn_listening("docker-registry", opts.first_port.into_iter().chain(free_ports()), |port| {
                std::fs::write(&config_path, config.replace("@PORT@", &port.to_string())).unwrap();
                let log = std::fs::File::create(dir.path().join("registry.log")).unwrap();
                Command::new("docker-registry")
                    .arg("serve")
                    .arg(&config_path)
                    .stdout(log.try_clone().unwrap())
                    .stderr(log)
                    .spawn()
                    .expect("docker-registry must be installed (see .ci/run)")
            });
        let auth = opts.htpasswd.or(opts.token);
        Registry { child, port, host: format!("127.0.0.1:{port}"), dir, auth, token_server, ca_bundle }
    }

    fn creds_args(&self, flag: &str) -> Vec<String> {
        match &self.auth {
            Some((u, p)) => vec![format!("--{flag}={u}:{p}")],
            None => vec![],
        }
    }

    /// The tiny base (see `tiny_base_layout`) pushed as `repo_tag`; returns
    /// `host/repo:tag@digest`, the reference a build's `--base` takes.
    pub fn push_tiny_base(&self, repo_tag: &str) -> String {
        self.push_image(&format!("oci:{}:latest", tiny_base_layout().display()), repo_tag)
    }

    /// The Apache test base (see `apache_base_layout`) pushed as `repo_tag`;
    /// returns `host/repo:tag@digest`.
    pub fn push_apache_base(&self, repo_tag: &str) -> String {
        self.push_image(&format!("oci:{}:latest", apache_base_layout().display()), repo_tag)
    }

    /// Copies an image into this registry with skopeo; returns `host/repo:tag@digest`.
    pub fn push_image(&self, source: &str, repo_tag: &str) -> String {
        self.push_image_with(source, repo_tag, &[])
    }

    /// Like `push_image`, with extra skopeo flags (`--format v2s2`, `--all`).
    pub fn push_image_with(&self, source: &str, repo_tag: &str, flags: &[&str]) -> String {
        let dest = format!("docker://{}/{repo_tag}", self.host);
        run_ok(
            Command::new("skopeo")
                .args(["copy", "--quiet", "--dest-tls-verify=false"])
                .args(flags)
                .args(self.creds_args("dest-creds"))
                .args([source, &dest]),
        );
        let digest = self.manifest_digest(repo_tag).expect("image just pushed");
        format!("{}/{repo_tag}@{digest}", self.host)
    }

    /// The digest a `repo:tag` points at, via skopeo; None when absent.
    pub fn manifest_digest(&self, repo_tag: &str) -> Option<String> {
        let out = Command::new("skopeo")
            .args(["inspect", "--raw", "--tls-verify=false"])
            .args(self.creds_args("creds"))
            .arg(format!("docker://{}/{repo_tag}", self.host))
            .output()
            .unwrap();
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains("manifest unknown") || err.contains("not found"), "skopeo inspect failed: {err}");
            return None;
        }
        Some(format!("sha256:{}", sha256_hex(&out.stdout)))
    }

    /// Copies the image `repo_tag` out into an OCI layout with skopeo, which
    /// fetches every blob the manifest names and checks each one's digest:
    /// the layout (in a temp dir, with its path) when the image is complete,
    /// skopeo's complaint when a blob is missing or wrong.
    pub fn copy_out(&self, repo_tag: &str) -> Result<(tempfile::TempDir, PathBuf), String> {
        let work = tempfile::tempdir().unwrap();
        let layout = work.path().join("l");
        let out = Command::new("skopeo")
            .args(["copy", "--quiet", "--src-tls-verify=false"])
            .args(self.creds_args("src-creds"))
            .arg(format!("docker://{}/{repo_tag}", self.host))
            .arg(format!("oci:{}:x", layout.display()))
            .output()
            .unwrap();
        if !out.status.success() {
            return Err(format!("skopeo copy of {repo_tag}: {}", String::from_utf8_lossy(&out.stderr).trim()));
        }
        Ok((work, layout))
    }

    /// Panics unless `repo_tag` names a complete image (see `copy_out`).
    pub fn assert_complete(&self, repo_tag: &str) {
        if let Err(e) = self.copy_out(repo_tag) {
            panic!("{repo_tag} is not a complete image: {e}");
        }
    }

    /// The content of `path` in the image `repo_tag` (the topmost layer that
    /// holds it), read from the registry with skopeo.
    pub fn file_in_image(&self, repo_tag: &str, path: &str) -> Option<Vec<u8>> {
        use std::io::Read;
        let (_work, layout) = self.copy_out(repo_tag).unwrap();
        let manifest = self.inspect(repo_tag, false);
        let mut found = None;
        for layer in manifest["layers"].as_array().unwrap() {
            let hex = layer["digest"].as_str().unwrap().trim_start_matches("sha256:");
            let blob = std::fs::File::open(layout.join("blobs/sha256").join(hex)).unwrap();
            let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(blob));
            for entry in archive.entries().unwrap() {
                let mut entry = entry.unwrap();
                if entry.path().unwrap().to_str() == Some(path.trim_start_matches('/')) {
                    let mut bytes = Vec::new();
                    entry.read_to_end(&mut bytes).unwrap();
                    found = Some(bytes);
                }
            }
        }
        found
    }

    /// Raw manifest or config JSON through skopeo.
    pub fn inspect(&self, repo_tag: &str, config: bool) -> serde_json::Value {
        let mut cmd = Command::new("skopeo");
        cmd.args(["inspect", "--tls-verify=false"]).args(self.creds_args("creds"));
        cmd.arg(if config { "--config" } else { "--raw" });
        cmd.arg(format!("docker://{}/{repo_tag}", self.host));
        serde_json::from_str(&run_ok(&mut cmd)).unwrap()
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A CA, a server certificate for 127.0.0.1 signed by it, and a bundle of
/// the system CAs plus the test CA (SSL_CERT_FILE replaces the system store).
fn test_ca_and_cert(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(rcgen::DnType::CommonName, "sitepack test CA");
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let key = rcgen::KeyPair::generate().unwrap();
    let params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
    let cert = params.signed_by(&key, &issuer).unwrap();
    let (cert_path, key_path, bundle) = (dir.join("server.crt"), dir.join("server.key"), dir.join("ca-bundle.pem"));
    std::fs::write(&cert_path, cert.pem()).unwrap();
    std::fs::write(&key_path, key.serialize_pem()).unwrap();
    let system = std::fs::read_to_string("/etc/ssl/certs/ca-certificates.crt").unwrap_or_default();
    std::fs::write(&bundle, format!("{system}\n{}", ca.pem())).unwrap();
    (cert_path, key_path, bundle)
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// The offline Debian apache2 base (built once, cached outside the repo).
pub fn apache_base_layout() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("base/test/build-debian-httpd.sh");
        let out = run_ok(Command::new(script).stderr(Stdio::inherit()));
        PathBuf::from(out.lines().last().expect("script prints the cache dir").trim()).join("oci")
    })
}

/// A tiny OCI base (one file, a Cmd that must be cleared), made with umoci
/// once per test binary: for tests that push but never run the image.
pub fn tiny_base_layout() -> &'static Path {
    static DIR: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let layout = dir.path().join("oci");
        run_ok(Command::new("umoci").args(["init", "--layout"]).arg(&layout));
        add_tiny_image(&layout, "latest", "amd64");
        (dir, layout)
    })
    .1
}

/// Adds a one-file image for `arch` to an OCI layout under `tag`.
pub fn add_tiny_image(layout: &Path, tag: &str, arch: &str) {
    let image = format!("{}:{tag}", layout.display());
    run_ok(Command::new("umoci").args(["new", "--image", &image]));
    let work = tempfile::tempdir().unwrap();
    let rootfs = work.path().join("rootfs");
    std::fs::create_dir_all(rootfs.join("etc")).unwrap();
    std::fs::write(rootfs.join("etc/tiny-base"), "tiny\n").unwrap();
    let tar = work.path().join("layer.tar");
    run_ok(
        Command::new("tar").args(["--numeric-owner", "--mtime=@0", "-C"]).arg(&rootfs).arg("-cf").arg(&tar).arg("."),
    );
    run_ok(Command::new("umoci").args(["raw", "add-layer", "--image", &image]).arg(&tar));
    run_ok(Command::new("umoci").args([
        "config",
        "--image",
        &image,
        "--os",
        "linux",
        "--architecture",
        arch,
        "--config.cmd",
        "/bin/false",
    ]));
}

/// Adds a small image for `arch` whose `/usr/sbin/httpd` is no program but
/// carries the strings a real httpd binary does: the `Apache/VERSION`
/// banner and the source names of the modules compiled in (as on CentOS 6:
/// core, prefork, http_core, mod_so). With `/etc/passwd`, a CentOS-layout
/// httpd.conf and a module directory holding a few shared objects. `extra`
/// lands in `/etc/extra` so two images can differ.
pub fn add_httpd_image(layout: &Path, tag: &str, arch: &str, version: &str, extra: &str) {
    let image = format!("{}:{tag}", layout.display());
    run_ok(Command::new("umoci").args(["new", "--image", &image]));
    let work = tempfile::tempdir().unwrap();
    let root = work.path().join("rootfs");
    for dir in ["etc/httpd/conf", "usr/sbin", "usr/lib64/httpd/modules", "var/www/html"] {
        std::fs::create_dir_all(root.join(dir)).unwrap();
    }
    let mut binary = b"\x7fELF\x02\x01\x01\0".to_vec();
    for s in [&format!("Apache/{version} (Unix)"), "core.c", "prefork.c", "http_core.c", "mod_so.c", "main.c"] {
        binary.extend_from_slice(s.as_bytes());
        binary.push(0);
    }
    std::fs::write(root.join("usr/sbin/httpd"), binary).unwrap();
    std::fs::write(
        root.join("etc/passwd"),
        "root:x:0:0:root:/root:/bin/bash\napache:x:48:48:Apache:/var/www:/sbin/nologin\n",
    )
    .unwrap();
    std::fs::write(
        root.join("etc/httpd/conf/httpd.conf"),
        "ServerRoot \"/etc/httpd\"\nListen 80\nUser apache\nGroup apache\nDocumentRoot \"/var/www/html\"\n",
    )
    .unwrap();
    for m in
        ["mod_auth_basic", "mod_authn_file", "mod_authz_user", "mod_authz_host", "mod_dir", "mod_mime", "mod_rewrite"]
    {
        std::fs::write(root.join(format!("usr/lib64/httpd/modules/{m}.so")), b"\x7fELF").unwrap();
    }
    std::os::unix::fs::symlink("../../usr/lib64/httpd/modules", root.join("etc/httpd/modules")).unwrap();
    std::fs::write(root.join("etc/extra"), extra).unwrap();
    let tar = work.path().join("layer.tar");
    run_ok(Command::new("tar").args(["--numeric-owner", "--mtime=@0", "-C"]).arg(&root).arg("-cf").arg(&tar).arg("."));
    run_ok(Command::new("umoci").args(["raw", "add-layer", "--image", &image]).arg(&tar));
    run_ok(Command::new("umoci").args(["config", "--image", &image, "--os", "linux", "--architecture", arch]));
}

/// Adds to an OCI layout a ref `name` naming an index over the refs given
/// with their architectures (for `skopeo copy --all`).
pub fn add_index(layout: &Path, refs: &[(&str, &str)], name: &str) {
    use serde_json::{json, Value};
    let index_path = layout.join("index.json");
    let mut index: Value = serde_json::from_slice(&std::fs::read(&index_path).unwrap()).unwrap();
    let entries: Vec<Value> = refs
        .iter()
        .map(|(ref_name, arch)| {
            let m = index["manifests"]
                .as_array()
                .unwrap()
                .iter()
                .find(|m| m["annotations"]["org.opencontainers.image.ref.name"] == *ref_name)
                .unwrap_or_else(|| panic!("no ref {ref_name} in {}", layout.display()));
            json!({"mediaType": m["mediaType"], "digest": m["digest"], "size": m["size"],
                   "platform": {"os": "linux", "architecture": arch}})
        })
        .collect();
    let nested = serde_json::to_vec(&json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": entries,
    }))
    .unwrap();
    let hex = sha256_hex(&nested);
    std::fs::write(layout.join("blobs/sha256").join(&hex), &nested).unwrap();
    index["manifests"].as_array_mut().unwrap().push(json!({
        "mediaType": "application/vnd.oci.image.index.v1+json", "digest": format!("sha256:{hex}"),
        "size": nested.len(), "annotations": {"org.opencontainers.image.ref.name": name},
    }));
    std::fs::write(&index_path, serde_json::to_vec(&index).unwrap()).unwrap();
}

/// `len` bytes that do not compress (a multiplicative hash of the offset):
/// stand-ins for photos and videos, the same in every run.
pub fn incompressible(len: u32) -> Vec<u8> {
    (0..len).map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8).collect()
}

/// A contributor repo in a temp dir: a copy of examples/coffeefans.
pub fn example_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    run_ok(Command::new("cp").arg("-a").arg(root.join("examples/coffeefans/.")).arg(dir.path()));
    dir
}

/// The operator's httpd.conf the example is served with.
pub fn operator_conf() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/operator/httpd.conf")
}

/// The `sitepack` binary with none of the host's settings: no docker
/// config, no AWS, CodeBuild or SITEPACK_ variables, no conf URI, a fixed
/// epoch. For commands that name every input with a flag (`check`).
pub fn sitepack_scrubbed() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sitepack"));
    for (k, _) in std::env::vars() {
        if k.starts_with("AWS_") || k.starts_with("CODEBUILD_") || k.starts_with("SITEPACK_") || k == "DOCKER_CONFIG" {
            cmd.env_remove(k);
        }
    }
    for k in [
        "CONTAINER_NAME",
        "IMAGE_REPO_NAME",
        "IMAGE_TAG",
        "SOURCE_DATE_EPOCH",
        "RUST_LOG",
        "HTTPD_CONF_URI",
        "SSL_CERT_FILE",
    ] {
        cmd.env_remove(k);
    }
    cmd.env("SOURCE_DATE_EPOCH", EPOCH);
    cmd
}

/// `sitepack` run in a contributor's `repo` as CodeBuild runs it: the
/// scrubbed environment, the operator's conf, an empty docker config.
pub fn sitepack(repo: &Path) -> Command {
    let mut cmd = sitepack_scrubbed();
    cmd.current_dir(repo);
    // The operator's conf, as CodeBuild passes it (there an s3:// URI).
    cmd.env("HTTPD_CONF_URI", operator_conf());
    // An empty docker config dir: anonymous unless a test writes one.
    let cfg = repo.join(".docker-config");
    std::fs::create_dir_all(&cfg).unwrap();
    cmd.env("DOCKER_CONFIG", cfg);
    cmd
}

pub fn write_docker_config(repo: &Path, json: &serde_json::Value) {
    std::fs::create_dir_all(repo.join(".docker-config")).unwrap();
    std::fs::write(repo.join(".docker-config/config.json"), serde_json::to_vec(json).unwrap()).unwrap();
}

pub struct Run {
    pub status: std::process::ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(cmd: &mut Command) -> Run {
    cmd.output().unwrap().into()
}

impl From<Output> for Run {
    fn from(Output { status, stdout, stderr }: Output) -> Run {
        Run { status, stdout: String::from_utf8(stdout).unwrap(), stderr: String::from_utf8(stderr).unwrap() }
    }
}

impl Run {
    pub fn ok(self) -> Run {
        assert!(self.status.success(), "sitepack failed ({}):\n{}", self.status, self.stderr);
        self
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }
}

/// podman with the flags this machine needs.
pub fn podman() -> Command {
    let mut cmd = Command::new("podman");
    cmd.args(["--runtime", "/usr/sbin/runc", "--cgroup-manager", "cgroupfs"]);
    cmd
}

/// A running container, removed (with its image) on drop.
pub struct Container {
    pub name: String,
    pub port: u16,
    image: String,
}

/// Held around every command that adds images to podman's storage or
/// removes them. Tests of one binary run in parallel and their images share
/// the base's layers: an `rmi` of one image while another is being pulled,
/// copied or loaded can delete a layer the other has just found present
/// (its copy then fails with "layer not known").
pub fn storage_lock() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Pulls `image` (from a test registry, plain HTTP) into podman's storage.
pub fn podman_pull(image: &str) {
    let _storage = storage_lock();
    run_ok(podman().args(["pull", "--quiet", "--tls-verify=false", image]));
}

/// Where a container's httpd is reached.
pub enum Network {
    /// Port 80 published on a loopback port podman picks.
    Published,
    /// The host's own network, httpd listening on this loopback port (its
    /// conf says so): for a container that must reach the host's loopback,
    /// which `-p` does not give (it maps ports in, not out).
    Host { port: u16 },
}

impl Container {
    pub fn run(image: &str, name: &str) -> Container {
        Container::run_with(image, name, Network::Published, &[])
    }

    /// Runs `image` with these environment variables (as ECS injects a
    /// task's secrets) and waits until httpd answers.
    pub fn run_with(image: &str, name: &str, network: Network, env: &[(&str, &str)]) -> Container {
        let mut cmd = podman();
        cmd.args(["run", "-d", "--name", name]);
        match network {
            // No host port given: podman binds one itself (no race with
            // another test for a port chosen beforehand) and reports it.
            Network::Published => cmd.args(["-p", "127.0.0.1::80"]),
            Network::Host { .. } => cmd.args(["--network", "host"]),
        };
        for (k, v) in env {
            cmd.args(["-e", &format!("{k}={v}")]);
        }
        {
            let _storage = storage_lock();
            run_ok(cmd.arg(image));
        }
        let port = match network {
            Network::Published => {
                let mapped = run_ok(podman().args(["port", name, "80/tcp"]));
                let port = mapped.lines().next().and_then(|l| l.rsplit(':').next()).map(str::trim);
                port.and_then(|p| p.parse().ok()).unwrap_or_else(|| panic!("podman port {name}: {mapped:?}"))
            }
            Network::Host { port } => port,
        };
        let c = Container { name: name.to_owned(), port, image: image.to_owned() };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if curl_status(&c.url("/"), None).is_some() {
                break;
            }
            if Instant::now() > deadline {
                let logs = Command::new("podman").args(["logs", name]).output().unwrap();
                panic!("httpd in {name} did not answer: {}", String::from_utf8_lossy(&logs.stderr));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        c
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for Container {
    fn drop(&mut self) {
        let _ = podman().args(["rm", "-f", "-t", "0", &self.name]).output();
        let _storage = storage_lock();
        let _ = podman().args(["rmi", "-f", &self.image]).output();
    }
}

/// HTTP status (and body) via curl; None when nothing answers.
pub fn curl(url: &str, user: Option<&str>) -> Option<(u16, String)> {
    let body = tempfile::NamedTempFile::new().unwrap();
    let mut cmd = Command::new("curl");
    cmd.args(["-s", "--max-time", "5", "-o"]).arg(body.path()).args(["-w", "%{http_code}"]);
    if let Some(u) = user {
        cmd.args(["-u", u]);
    }
    let out = cmd.arg(url).output().unwrap();
    let code: u16 = String::from_utf8_lossy(&out.stdout).trim().parse().ok()?;
    (code != 0).then(|| (code, std::fs::read_to_string(body.path()).unwrap_or_default()))
}

pub fn curl_status(url: &str, user: Option<&str>) -> Option<u16> {
    curl(url, user).map(|(c, _)| c)
}

/// What a visitor of the example site must see: the page, the protected
/// folder with and without the password, and nothing secret.
pub fn assert_serves_example_site(c: &Container) {
    let (code, body) = curl(&c.url("/coffeefans/"), None).unwrap();
    assert_eq!(code, 200, "index: {body}");
    assert!(body.contains("Welcome to coffeefans"), "{body}");

    let members = c.url("/coffeefans/members/");
    assert_eq!(curl_status(&members, None), Some(401), "members without credentials");
    let (code, body) = curl(&members, Some("barista:espresso")).unwrap();
    assert_eq!(code, 200, "members with the right password");
    assert!(body.contains("Members only"), "{body}");
    assert_eq!(curl_status(&members, Some("barista:wrong")), Some(401), "members with a wrong password");
    assert_eq!(curl_status(&members, Some("nobody:espresso")), Some(401), "unknown user");

    for path in ["/coffeefans/members/.htaccess", "/coffeefans/.htaccess"] {
        let code = curl_status(&c.url(path), Some("barista:espresso")).unwrap();
        assert!(code == 403 || code == 404, "{path} must not be served, got {code}");
    }
    for path in [
        "/opt/.htpasswd",
        "/.htpasswd",
        "/htpasswd",
        "/users/htpasswd",
        "/coffeefans/users/htpasswd",
        "/%2e%2e/opt/.htpasswd",
    ] {
        let (code, body) = curl(&c.url(path), None).unwrap();
        assert_ne!(code, 200, "{path} served: {body}");
        assert!(!body.contains("$2y$"), "{path} leaked a hash");
    }
}

/// A maintainers' lock for the tiny base at `pinned` (`HOST/REPO:TAG@DIGEST`)
/// as base `web`, with the facts of an httpd 2.4 that has every module the
/// example operator conf loads (the tiny base holds no httpd to detect).
pub fn tiny_base_lock(pinned: &str) -> String {
    let (reference, digest) = pinned.split_once('@').unwrap();
    let dsos = [
        "mod_access_compat",
        "mod_auth_basic",
        "mod_authn_core",
        "mod_authn_file",
        "mod_authz_core",
        "mod_authz_host",
        "mod_authz_user",
        "mod_dir",
        "mod_log_config",
        "mod_mime",
        "mod_mpm_prefork",
        "mod_unixd",
    ]
    .map(|m| format!("\"{m}\""))
    .join(", ");
    format!(
        "format = 1\n[bases.web]\nreference = \"{reference}\"\npinned_at = \"2026-11-26T00:00:00Z\"\n\
         [[bases.web.platforms]]\nplatform = \"linux/amd64\"\nmanifest = \"{digest}\"\n\
         httpd_version = \"2.4.62\"\nhttpd_binary = \"/usr/sbin/httpd\"\nserver_root = \"/etc/httpd\"\n\
         conf = \"/etc/httpd/conf/httpd.conf\"\nbuiltin_modules = [\"core\", \"http_core\", \"mod_so\"]\n\
         dso_modules = [{dsos}]\n"
    )
}
