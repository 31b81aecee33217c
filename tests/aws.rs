//! Straight to ECR with httpd.conf from S3, through the real AWS SDK against
//! moto's server (endpoint overrides), and a registry that, like ECR,
//! speaks HTTPS and accepts only the password an ECR token decodes to.

mod common;

use std::process::Command;

use common::moto::{JsonServer, Moto, ACCESS_KEY, ACCOUNT, SECRET_KEY};
use common::*;
use serde_json::Value;

struct Rig {
    moto: Moto,
    reg: Registry,
    base: String,
    repo: tempfile::TempDir,
}

fn rig() -> Rig {
    let moto = Moto::start();
    let reg = Registry::start_ecr_like(ACCOUNT);
    let base = reg.push_tiny_base("base/tiny:1");
    Rig { moto, reg, base, repo: example_repo() }
}

impl Rig {
    /// sitepack with moto's endpoint, static keys, the test CA, ECR auth.
    fn sitepack(&self) -> Command {
        let mut cmd = sitepack(self.repo.path());
        cmd.envs(self.moto.env());
        cmd.env("SSL_CERT_FILE", self.reg.ca_bundle.as_ref().unwrap());
        cmd.env("SITEPACK_REGISTRY_AUTH", "ecr");
        cmd.env("SITEPACK_BASE", &self.base);
        // Every run at the most verbose level: secrets must stay out even there.
        cmd.env("RUST_LOG", "trace");
        cmd
    }

    /// Runs at trace level (set by `sitepack()`) and checks that no output
    /// carries the ECR token, the AWS secret key or a signature.
    fn run(&self, cmd: &mut Command) -> Run {
        let out = run(cmd);
        // RUST_LOG=trace: DEBUG lines prove verbose logging was on (the
        // TRACE emitters are the SDK and HTTP crates sitepack caps).
        assert!(out.stderr.contains("DEBUG"), "verbose logging was not on");
        assert_no_secrets(&out.stdout);
        assert_no_secrets(&out.stderr);
        out
    }

    fn image(&self, repo_tag: &str) -> String {
        format!("{}/{repo_tag}", self.reg.host)
    }
}

const TOKEN_PASSWORD: &str = "123456789012-auth-token";
/// base64("AWS:123456789012-auth-token"), as it would sit in a Basic header.
const TOKEN_BASIC: &str = "QVdTOjEyMzQ1Njc4OTAxMi1hdXRoLXRva2Vu";

fn assert_no_secrets(text: &str) {
    for secret in [TOKEN_PASSWORD, TOKEN_BASIC, SECRET_KEY, "AWS4-HMAC-SHA256 Credential", "Signature="] {
        assert!(!text.contains(secret), "output contains {secret:?}:\n{text}");
    }
}

#[test]
fn push_succeeds_only_through_the_ecr_token() {
    let rig = rig();
    rig.moto.create_ecr_repository("sites/coffeefans", false);
    let image = rig.image("sites/coffeefans:1");

    // Docker-config auth has nothing for this registry: refused.
    let without =
        rig.run(rig.sitepack().env("SITEPACK_REGISTRY_AUTH", "docker-config").args(["build", "--image", &image]));
    assert_eq!(without.status.code(), Some(1), "{}", without.stderr);
    assert!(without.stderr.contains("requires credentials"), "{}", without.stderr);

    let out = rig.run(rig.sitepack().args(["build", "--json", "--image", &image])).ok();
    let digest = out.json()["digest"].as_str().unwrap().to_owned();
    assert_eq!(rig.reg.manifest_digest("sites/coffeefans:1"), Some(digest));
}

#[test]
fn a_token_for_another_account_is_refused_clearly() {
    let rig = rig();
    rig.moto.create_ecr_repository("sites/coffeefans", false);
    // moto answers GetAuthorizationToken per registry id: this token is for 999999999999.
    let out = rig.run(rig.sitepack().env("AWS_ACCOUNT_ID", "999999999999").args([
        "build",
        "--image",
        &rig.image("sites/coffeefans:1"),
    ]));
    assert_eq!(out.status.code(), Some(1), "{}", out.stderr);
    assert!(out.stderr.contains("refused the credentials (an ECR token)"), "{}", out.stderr);
    assert!(!out.stderr.contains("999999999999-auth-token"), "{}", out.stderr);
    assert!(rig.reg.manifest_digest("sites/coffeefans:1").is_none());
}

#[test]
fn a_missing_repository_is_named_with_the_fix_or_created_on_request() {
    let rig = rig();
    let image = rig.image("sites/newcomer:1");
    let out = rig.run(rig.sitepack().args(["build", "--image", &image]));
    assert_eq!(out.status.code(), Some(1), "{}", out.stderr);
    assert!(
        out.stderr.contains("ECR repository `sites/newcomer` does not exist")
            && out.stderr.contains("aws ecr create-repository --repository-name sites/newcomer --region eu-west-1"),
        "{}",
        out.stderr
    );
    assert!(rig.reg.manifest_digest("sites/newcomer:1").is_none(), "nothing pushed");

    rig.run(rig.sitepack().args(["build", "--image", &image, "--create-repository", "--tag-mutability", "immutable"]))
        .ok();
    let described = rig.moto.boto3(
        "r = client('ecr').describe_repositories(repositoryNames=['sites/newcomer'])['repositories'][0]\n\
         print(json.dumps([r['imageTagMutability'], r['imageScanningConfiguration']['scanOnPush']]))",
    );
    assert_eq!(described.trim(), r#"["IMMUTABLE", true]"#);
    assert!(rig.reg.manifest_digest("sites/newcomer:1").is_some());
}

#[test]
fn immutable_tags_accept_the_same_image_and_refuse_another() {
    let rig = rig();
    rig.moto.create_ecr_repository("sites/coffeefans", true);
    let image = rig.image("sites/coffeefans:v1");
    let first = rig.run(rig.sitepack().args(["build", "--json", "--image", &image])).ok().json();

    let again = rig.run(rig.sitepack().args(["build", "--json", "--image", &image])).ok();
    let report = again.json();
    assert_eq!(report["digest"], first["digest"]);
    assert_eq!(report["bytes_uploaded"], 0, "nothing pushed for the same image");
    assert_eq!(report["blobs"], Value::Array(vec![]));
    assert!(again.stderr.contains("already holds this image"), "{}", again.stderr);

    std::fs::write(rig.repo.path().join("site/coffeefans/index.html"), "changed").unwrap();
    let other = rig.run(rig.sitepack().args(["build", "--image", &image]));
    assert_eq!(other.status.code(), Some(1), "{}", other.stderr);
    assert!(other.stderr.contains("is immutable and already points at"), "{}", other.stderr);
    assert_eq!(rig.reg.manifest_digest("sites/coffeefans:v1").as_deref(), first["digest"].as_str(), "tag left alone");
}

#[test]
fn httpd_conf_from_s3_lands_byte_for_byte_with_its_provenance() {
    let rig = rig();
    rig.moto.create_ecr_repository("sites/coffeefans", false);
    let mut conf = std::fs::read(operator_conf()).unwrap();
    conf.extend_from_slice(b"# fetched from S3 for sitepack's test\n");
    let version = rig.moto.put_object("ops-conf", "sites/httpd.conf", &conf);
    let sha = sha256_hex(&conf);
    // A contributor's own conf is ignored, with a warning.
    std::fs::create_dir_all(rig.repo.path().join("conf")).unwrap();
    std::fs::write(rig.repo.path().join("conf/httpd.conf"), "LoadModule cgi_module modules/mod_cgi.so\n").unwrap();

    let uri = format!("s3://ops-conf/sites/httpd.conf?versionId={version}");
    let out = rig
        .run(rig.sitepack().env("HTTPD_CONF_URI", &uri).args([
            "build",
            "--image",
            &rig.image("sites/coffeefans:s3"),
            "--httpd-conf-sha256",
            &sha,
        ]))
        .ok();
    assert!(out.stderr.contains("conf/httpd.conf in the contributor's repository is ignored"), "{}", out.stderr);
    assert_eq!(rig.reg.file_in_image("sites/coffeefans:s3", "etc/httpd/conf/httpd.conf"), Some(conf));
    let manifest = rig.reg.inspect("sites/coffeefans:s3", false);
    let notes = &manifest["annotations"];
    assert_eq!(notes["sitepack.httpd-conf.uri"], uri.as_str());
    assert_eq!(notes["sitepack.httpd-conf.sha256"], sha.as_str());
    assert_eq!(notes["sitepack.httpd-conf.version-id"], version.as_str());
    assert!(notes["sitepack.httpd-conf.etag"].is_string(), "{notes}");
}

#[test]
fn bad_s3_confs_fail_naming_the_uri_and_push_nothing() {
    let rig = rig();
    rig.moto.create_ecr_repository("sites/coffeefans", false);
    let conf = std::fs::read(operator_conf()).unwrap();
    rig.moto.put_object("ops-conf", "httpd.conf", &conf);
    let cases: [(&str, &str, &[&str], &str); 4] = [
        ("missing key", "s3://ops-conf/nope.conf", &[], "s3://ops-conf/nope.conf: no such object"),
        ("missing bucket", "s3://no-such-bucket/httpd.conf", &[], "s3://no-such-bucket/httpd.conf: no such bucket"),
        (
            "wrong sha256",
            "s3://ops-conf/httpd.conf",
            &["--httpd-conf-sha256", &"0".repeat(64)],
            "but --httpd-conf-sha256 pins",
        ),
        ("oversize", "s3://ops-conf/httpd.conf", &["--httpd-conf-max-bytes", "100"], "more than the 100-byte limit"),
    ];
    for (name, uri, flags, message) in cases {
        let stale = rig.repo.path().join("imagedefinitions.json");
        std::fs::write(&stale, "[]").unwrap();
        let out = rig.run(
            rig.sitepack()
                .env("HTTPD_CONF_URI", uri)
                .env("CONTAINER_NAME", "web")
                .args(["build", "--image", &rig.image("sites/coffeefans:bad")])
                .args(flags),
        );
        assert_eq!(out.status.code(), Some(1), "{name}: {}", out.stderr);
        assert!(out.stderr.contains(message), "{name}: {}", out.stderr);
        assert!(!stale.exists(), "{name}: stale imagedefinitions.json left");
        assert!(rig.reg.manifest_digest("sites/coffeefans:bad").is_none(), "{name}: something was pushed");
    }
}

#[test]
fn codebuild_container_credentials_work_without_static_keys() {
    let rig = rig();
    rig.moto.create_ecr_repository("sites/coffeefans", false);
    let creds = JsonServer::start(
        "/creds.json",
        format!(
            r#"{{"AccessKeyId":"{ACCESS_KEY}","SecretAccessKey":"{SECRET_KEY}","Token":"sitepack-session-token","Expiration":"2099-01-01T00:00:00Z"}}"#
        ),
    );
    let out = rig
        .run(
            rig.sitepack()
                .env_remove("AWS_ACCESS_KEY_ID")
                .env_remove("AWS_SECRET_ACCESS_KEY")
                .env("AWS_CONTAINER_CREDENTIALS_FULL_URI", &creds.url)
                .args(["build", "--image", &rig.image("sites/coffeefans:cb")]),
        )
        .ok();
    assert!(creds.hits.load(std::sync::atomic::Ordering::Relaxed) >= 1, "the credentials endpoint was used");
    assert_eq!(rig.reg.manifest_digest("sites/coffeefans:cb").as_deref(), Some(out.stdout.trim()));
    assert!(!out.stderr.contains("sitepack-session-token"), "{}", out.stderr);
}

#[test]
fn an_ecr_token_refused_mid_push_is_fetched_again_once() {
    use common::fault_proxy::{Fault, FaultProxy, Rule};
    let moto = Moto::start();
    moto.create_ecr_repository("sites/coffeefans", false);
    // Plain HTTP here so the fault proxy can sit in front of it.
    let reg = Registry::start_with(RegistryOptions {
        htpasswd: Some(("AWS".into(), TOKEN_PASSWORD.into())),
        ..Default::default()
    });
    let base = reg.push_tiny_base("base/tiny:1");
    let proxy = FaultProxy::start(reg.port);
    let refused = Fault::Status { code: 401, retry_after: None, body: None };
    proxy.set_rules(vec![Rule::new("PUT", "/v2/sites/coffeefans/blobs/uploads/", refused)]);
    let repo = example_repo();
    let out = run(sitepack(repo.path())
        .envs(moto.env())
        .env("RUST_LOG", "info,sitepack=debug")
        .args(["build", "--registry-auth", "ecr", "--base"])
        .arg(base.replacen(&reg.host, &proxy.host, 1))
        .arg("--image")
        .arg(format!("{}/sites/coffeefans:refresh", proxy.host)))
    .ok();
    assert!(out.stderr.contains("fetching an ECR token again"), "{}", out.stderr);
    assert!(reg.manifest_digest("sites/coffeefans:refresh").is_some());
    assert_no_secrets(&out.stderr);
}
