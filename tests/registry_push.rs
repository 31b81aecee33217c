//! `sitepack build` against a real registry (Debian's docker-registry),
//! anonymous and with htpasswd Basic auth: what is pushed, what is skipped,
//! and that rebuilding the same inputs changes nothing.

mod common;

use common::*;
use serde_json::{json, Value};

fn build_json(repo: &std::path::Path, base: &str, image: &str) -> Value {
    run(sitepack(repo).args(["build", "--json", "--base", base, "--image", image])).ok().json()
}

fn actions(report: &Value, kind: &str) -> Vec<String> {
    report["blobs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["kind"] == kind)
        .map(|b| b["action"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn push_mounts_base_layers_and_a_rebuild_uploads_nothing_new() {
    let reg = Registry::start();
    let base = reg.push_tiny_base("base/tiny:1");
    let repo = example_repo();
    let image = format!("{}/sites/coffeefans:dev", reg.host);

    let first = build_json(repo.path(), &base, &image);
    assert_eq!(actions(&first, "base"), ["mounted"], "base layer comes by cross-repository mount");
    // A small site: one layer with the conf and the htpasswd.
    assert_eq!(actions(&first, "layer"), ["uploaded"]);
    let digest = first["digest"].as_str().unwrap().to_owned();
    assert_eq!(
        reg.manifest_digest("sites/coffeefans:dev").as_deref(),
        Some(digest.as_str()),
        "tag points at the build"
    );

    let second = build_json(repo.path(), &base, &image);
    assert_eq!(second["digest"], first["digest"], "same inputs, same digest");
    assert_eq!(actions(&second, "base"), ["reused"]);
    assert_eq!(actions(&second, "layer"), ["reused"]);
    assert_eq!(actions(&second, "config"), ["reused"]);
    // The tag already names this manifest: not even that is sent again.
    assert_eq!(second["bytes_uploaded"], 0, "nothing is sent again");
    assert_eq!(reg.manifest_digest("sites/coffeefans:dev").as_deref(), Some(digest.as_str()));
}

/// Copies `from` to a new temp dir without keeping mtimes, then gives every
/// file and folder of the copy an mtime of its own (an hour apart, in 2001),
/// checked to differ from the original's: a fresh checkout, touched.
fn copy_with_new_mtimes(from: &std::path::Path) -> tempfile::TempDir {
    let to = tempfile::tempdir().unwrap();
    run_ok(std::process::Command::new("cp").arg("-r").arg(from.join(".")).arg(to.path()));
    let mut paths = vec![to.path().to_owned()];
    let mut i = 0;
    while let Some(path) = paths.pop() {
        if path.is_dir() {
            paths.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        }
        let when = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000 + 3600 * i);
        i += 1;
        std::fs::File::open(&path).unwrap().set_modified(when).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), when, "{}", path.display());
        let original = from.join(path.strip_prefix(to.path()).unwrap());
        assert_ne!(std::fs::metadata(&original).unwrap().modified().unwrap(), when, "{}", original.display());
    }
    to
}

#[test]
fn a_fresh_copy_with_new_mtimes_rebuilds_every_layer_to_the_same_digest() {
    let repo = example_repo();
    let reg = Registry::start();
    let base = reg.push_tiny_base("base/tiny:1");
    let first = build_json(repo.path(), &base, &format!("{}/sites/first:1", reg.host));

    // Another repository, so no layer can come from the tag's previous image:
    // each one is read from the copy's files, archived and compressed again.
    let again = copy_with_new_mtimes(repo.path());
    let out = run(sitepack(again.path()).args([
        "build",
        "--json",
        "--base",
        &base,
        "--image",
        &format!("{}/sites/again:1", reg.host),
    ]))
    .ok();
    assert!(out.stderr.contains("(0 reused from the tag's previous image)"), "{}", out.stderr);
    assert_eq!(out.json()["digest"], first["digest"], "the files' mtimes do not reach the image");
    assert_eq!(out.json()["layers"], first["layers"], "layer by layer");
}

#[test]
fn pushed_image_has_the_dockerfile_config_and_base_family() {
    let reg = Registry::start();
    let base = reg.push_tiny_base("base/tiny:1");
    let repo = example_repo();
    let report = build_json(repo.path(), &base, &format!("{}/sites/a:1", reg.host));

    let manifest = reg.inspect("sites/a:1", false);
    assert_eq!(manifest["mediaType"], "application/vnd.oci.image.manifest.v1+json", "OCI base, OCI image");
    let layers = manifest["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 2, "the base's, and the small site's with the conf and htpasswd");
    assert_eq!(manifest["annotations"]["org.opencontainers.image.base.name"], format!("{}/base/tiny:1", reg.host));
    assert_eq!(manifest["annotations"]["org.opencontainers.image.created"], "2023-11-14T22:13:20Z");

    let config = reg.inspect("sites/a:1", true);
    assert_eq!(config["config"]["Entrypoint"], json!(["/usr/sbin/httpd", "-e", "DEBUG", "-D", "FOREGROUND"]));
    assert!(config["config"].get("Cmd").is_none_or(Value::is_null), "base Cmd cleared: {}", config["config"]);
    assert!(config["config"]["ExposedPorts"].get("80/tcp").is_some());
    assert_eq!(config["rootfs"]["diff_ids"].as_array().unwrap().len(), 2);
    let diff_ids: Vec<&Value> = report["layers"].as_array().unwrap().iter().map(|l| &l["diff_id"]).collect();
    assert_eq!(config["rootfs"]["diff_ids"].as_array().unwrap()[1..].iter().collect::<Vec<_>>(), diff_ids);
    assert_eq!(config["created"], "2023-11-14T22:13:20Z");
    let history: Vec<&str> =
        config["history"].as_array().unwrap().iter().filter_map(|h| h["created_by"].as_str()).collect();
    let copies = "COPY --chown=root:root conf/httpd.conf /etc/httpd/conf/; \
                  COPY --chown=root:root users/htpasswd /opt/.htpasswd; \
                  COPY --chown=root:root site/ /var/www/html/ # sitepack";
    assert!(history.contains(&copies), "{history:?}");
}

#[test]
fn basic_auth_credentials_come_from_docker_config() {
    let reg = Registry::start_with_auth("builder", "s3cret-pass");
    let base = reg.push_tiny_base("base/tiny:1");
    let repo = example_repo();
    let image = format!("{}/sites/auth:1", reg.host);

    // No credentials: a clear error, nothing tagged.
    let denied = run(sitepack(repo.path()).args(["build", "--base", &base, "--image", &image]));
    assert_eq!(denied.status.code(), Some(1), "{}", denied.stderr);
    assert!(denied.stderr.contains("requires credentials"), "{}", denied.stderr);

    use base64::Engine as _;
    let auth = base64::engine::general_purpose::STANDARD.encode("builder:s3cret-pass");
    write_docker_config(repo.path(), &json!({"auths": {reg.host.clone(): {"auth": auth}}}));
    let out = run(sitepack(repo.path()).args(["build", "--base", &base, "--image", &image])).ok();
    let digest = out.stdout.trim();
    assert_eq!(reg.manifest_digest("sites/auth:1").as_deref(), Some(digest));
    assert!(!out.stderr.contains("s3cret-pass") && !out.stderr.contains(&auth), "credential in log: {}", out.stderr);
    // Not a terminal: plain log lines, no colour codes, no progress bar.
    assert!(!out.stderr.contains('\x1b'), "escape codes in piped stderr: {:?}", out.stderr);
    assert!(out.stderr.contains("verified:"), "{}", out.stderr);
}

#[test]
fn credential_helper_is_run_for_its_registry() {
    let reg = Registry::start_with_auth("helped", "helper-pass");
    let base = reg.push_tiny_base("base/tiny:1");
    let repo = example_repo();
    let bin = repo.path().join(".bin");
    std::fs::create_dir_all(&bin).unwrap();
    let helper = bin.join("docker-credential-sitepacktest");
    // The docker credential-helper protocol: server on stdin, JSON on stdout.
    std::fs::write(
        &helper,
        format!(
            "#!/bin/sh\nread server\n[ \"$server\" = \"{}\" ] || {{ echo 'credentials not found in native keychain'; exit 1; }}\n\
             echo '{{\"ServerURL\":\"'$server'\",\"Username\":\"helped\",\"Secret\":\"helper-pass\"}}'\n",
            reg.host
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
    write_docker_config(repo.path(), &json!({"credHelpers": {reg.host.clone(): "sitepacktest"}}));
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let out = run(sitepack(repo.path()).env("PATH", path).args([
        "build",
        "--base",
        &base,
        "--image",
        &format!("{}/sites/helper:1", reg.host),
    ]))
    .ok();
    assert_eq!(reg.manifest_digest("sites/helper:1").as_deref(), Some(out.stdout.trim()));
}

#[test]
fn base_on_another_registry_is_streamed_across() {
    let src = Registry::start();
    let dst = Registry::start();
    let base = src.push_tiny_base("base/tiny:1");
    let repo = example_repo();
    let report = build_json(repo.path(), &base, &format!("{}/sites/x:1", dst.host));
    assert_eq!(actions(&report, "base"), ["uploaded"], "no mount across registries");
    dst.assert_complete("sites/x:1");
}

#[test]
fn a_registry_whose_port_is_taken_is_started_on_another() {
    // Held by this test, as another process could hold it: the registry
    // cannot bind it, and a connection to it would reach this listener.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let reg = Registry::start_with(RegistryOptions { first_port: Some(port), ..Default::default() });
    assert_ne!(reg.port, port, "the rig took another process's listener for the registry");
    reg.push_tiny_base("base/tiny:1");
}

#[test]
fn imagedefinitions_names_the_container_and_the_verified_digest() {
    let reg = Registry::start();
    let base = reg.push_tiny_base("base/tiny:1");
    let repo = example_repo();
    let build = |tag: &str, extra: &[&str]| {
        let image = format!("{}/sites/deploy:{tag}", reg.host);
        run(sitepack(repo.path())
            .env("CONTAINER_NAME", "web")
            .args(["build", "--base", &base, "--image", &image])
            .args(extra))
    };
    let read =
        |path: &str| -> Value { serde_json::from_slice(&std::fs::read(repo.path().join(path)).unwrap()).unwrap() };

    let digest = build("7", &[]).ok().stdout.trim().to_owned();
    assert_eq!(
        read("imagedefinitions.json"),
        json!([{"name": "web", "imageUri": format!("{}/sites/deploy@{digest}", reg.host)}])
    );

    // A deploy file in a folder that does not exist is refused before anything is pushed.
    let tag_form = ["--image-uri", "tag", "--image-definitions", "out/defs.json"];
    let refused = build("8", &tag_form);
    assert_eq!(refused.status.code(), Some(2), "{}", refused.stderr);
    assert!(refused.stderr.contains("out/defs.json") && refused.stderr.contains("folder"), "{}", refused.stderr);
    assert!(reg.manifest_digest("sites/deploy:8").is_none(), "nothing pushed");

    std::fs::create_dir_all(repo.path().join("out")).unwrap();
    build("8", &tag_form).ok();
    assert_eq!(read("out/defs.json")[0]["imageUri"], format!("{}/sites/deploy:8", reg.host));
}

#[test]
fn bearer_token_challenge_is_answered_from_the_token_service() {
    let reg = Registry::start_with_token_auth("tokenuser", "token-pass");
    let base = reg.push_tiny_base("base/tiny:1");
    let repo = example_repo();
    let image = format!("{}/sites/bearer:1", reg.host);
    let issued_before = reg.token_server.as_ref().unwrap().issued.load(std::sync::atomic::Ordering::Relaxed);

    // Anonymous: the token service grants pull only, so reading the base
    // works and the push is refused with a clear message.
    let denied = run(sitepack(repo.path()).args(["build", "--base", &base, "--image", &image]));
    assert_eq!(denied.status.code(), Some(1), "{}", denied.stderr);
    assert!(denied.stderr.contains("requires credentials"), "{}", denied.stderr);
    assert!(reg.manifest_digest("sites/bearer:1").is_none());

    use base64::Engine as _;
    let auth = base64::engine::general_purpose::STANDARD.encode("tokenuser:token-pass");
    write_docker_config(repo.path(), &json!({"auths": {reg.host.clone(): {"auth": auth}}}));
    let out = run(sitepack(repo.path()).args(["build", "--json", "--base", &base, "--image", &image])).ok();
    let report = out.json();
    assert_eq!(reg.manifest_digest("sites/bearer:1").as_deref(), report["digest"].as_str());
    assert_eq!(actions(&report, "base"), ["mounted"], "mount scope covers both repositories");
    let issued = reg.token_server.as_ref().unwrap().issued.load(std::sync::atomic::Ordering::Relaxed);
    assert!(issued > issued_before, "tokens came from the token service");
    assert!(!out.stderr.contains("token-pass"), "{}", out.stderr);

    // Wrong password: the token service itself says 401.
    let bad = base64::engine::general_purpose::STANDARD.encode("tokenuser:nope");
    write_docker_config(repo.path(), &json!({"auths": {reg.host.clone(): {"auth": bad}}}));
    let refused =
        run(sitepack(repo.path()).args(["build", "--base", &base, "--image", &format!("{}/sites/bearer:2", reg.host)]));
    assert_eq!(refused.status.code(), Some(1));
    assert!(refused.stderr.contains("refused the credentials"), "{}", refused.stderr);
}

#[test]
fn https_registry_with_a_private_ca_is_trusted_through_ssl_cert_file() {
    let reg = Registry::start_tls();
    let base = reg.push_tiny_base("base/tiny:1");
    let repo = example_repo();
    let image = format!("{}/sites/tls:1", reg.host);

    // Without the CA: the certificate error is what the user sees, with the fix.
    let untrusted = run(sitepack(repo.path()).args(["build", "--base", &base, "--image", &image]));
    assert_eq!(untrusted.status.code(), Some(1), "{}", untrusted.stderr);
    assert!(untrusted.stderr.contains("cannot reach registry"), "{}", untrusted.stderr);
    assert!(untrusted.stderr.contains("UnknownIssuer"), "{}", untrusted.stderr);
    assert!(untrusted.stderr.contains("SSL_CERT_FILE"), "{}", untrusted.stderr);

    // A bundle with no certificate at all is named as such, not as an unknown issuer.
    let empty = repo.path().join("empty.pem");
    std::fs::write(&empty, "").unwrap();
    let no_cas = run(sitepack(repo.path())
        .env("SSL_CERT_FILE", &empty)
        .env_remove("SSL_CERT_DIR")
        .args(["build", "--base", &base, "--image", &image]));
    assert_eq!(no_cas.status.code(), Some(1), "{}", no_cas.stderr);
    assert!(no_cas.stderr.contains("no trusted CA certificate found"), "{}", no_cas.stderr);
    assert_eq!(reg.manifest_digest("sites/tls:1"), None, "nothing was pushed");

    let bundle = reg.ca_bundle.as_ref().unwrap();
    let out =
        run(sitepack(repo.path()).env("SSL_CERT_FILE", bundle).args(["build", "--base", &base, "--image", &image]))
            .ok();
    assert_eq!(reg.manifest_digest("sites/tls:1").as_deref(), Some(out.stdout.trim()));
}

#[test]
fn an_edited_page_re_uploads_only_the_pages_layer() {
    let reg = Registry::start();
    let base = reg.push_tiny_base("base/tiny:1");
    let repo = example_repo();
    // Incompressible media, 4 MiB and more: it gets a layer of its own,
    // stored, not deflated.
    let media = incompressible(4_300_000);
    std::fs::write(repo.path().join("site/coffeefans/hero.jpg"), &media).unwrap();
    let image = format!("{}/sites/split:1", reg.host);
    let first = build_json(repo.path(), &base, &image);
    let layers = first["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 3, "conf with htpasswd, media, pages");
    assert!(layers[1]["created_by"].as_str().unwrap().contains("site/ (media)"));
    assert!(layers[1]["size"].as_u64().unwrap() >= media.len() as u64, "media stored, not deflated");
    assert_eq!(reg.file_in_image("sites/split:1", "var/www/html/coffeefans/hero.jpg").as_deref(), Some(&media[..]));

    // A fresh copy (new mtimes) with one page edited.
    let again = example_repo();
    std::fs::write(again.path().join("site/coffeefans/hero.jpg"), &media).unwrap();
    std::fs::write(again.path().join("site/coffeefans/index.html"), "<h1>Welcome to coffeefans, edited</h1>\n")
        .unwrap();
    let second = build_json(again.path(), &base, &image);
    assert_eq!(actions(&second, "layer"), ["reused", "reused", "uploaded"]);
    let uploaded = second["bytes_uploaded"].as_u64().unwrap();
    assert!(uploaded < media.len() as u64 / 20, "an edit re-sends a small fraction: {uploaded} bytes");
}

#[test]
fn per_commit_tags_reuse_layers_through_a_moving_tag() {
    let reg = Registry::start();
    let base = reg.push_tiny_base("base/tiny:1");
    let repo = example_repo();
    // 4 MiB of media and more: the site is more than one layer, so an edit
    // leaves some of them to reuse.
    let media = incompressible(4_300_000);
    std::fs::write(repo.path().join("site/coffeefans/hero.jpg"), &media).unwrap();
    let build = |tag: &str, cache: bool| {
        let image = format!("{}/sites/commits:{tag}", reg.host);
        let mut cmd = sitepack(repo.path());
        cmd.args(["build", "--json", "--base", &base, "--image", &image]);
        if cache {
            cmd.args(["--cache-from", "live", "--also-tag", "live"]);
        }
        run(&mut cmd).ok()
    };
    let first = build("c1", true);
    let first_digest = first.json()["digest"].as_str().unwrap().to_owned();
    assert_eq!(reg.manifest_digest("sites/commits:live").as_deref(), Some(first_digest.as_str()));

    std::fs::write(repo.path().join("site/coffeefans/index.html"), "<p>new words</p>\n").unwrap();
    // Without --cache-from (and leaving `live` alone) a new tag has nothing
    // to reuse: every layer is compressed again.
    let plain = build("c2", false);
    assert!(plain.stderr.contains("(0 reused from the tag's previous image)"), "{}", plain.stderr);
    // With it, the conf-and-htpasswd layer and the media come from `live`
    // uncompressed; only the pages are new.
    let second = build("c3", true);
    assert!(second.stderr.contains("reusing layers from tag live"), "{}", second.stderr);
    assert!(second.stderr.contains("(2 reused from the tag's previous image)"), "{}", second.stderr);
    let report = second.json();
    let digest = report["digest"].as_str().unwrap();
    assert_eq!(report["digest"], plain.json()["digest"], "reuse does not change the image");
    assert_eq!(reg.manifest_digest("sites/commits:c3").as_deref(), Some(digest));
    assert_eq!(reg.manifest_digest("sites/commits:live").as_deref(), Some(digest), "live moved");
    assert_eq!(reg.manifest_digest("sites/commits:c1").as_deref(), Some(first_digest.as_str()), "c1 untouched");
}

/// Upload sessions still open in `repo`, as the registry keeps them on
/// disk: a session folder with its `startedat` file. (A cancelled one loses
/// it and its data; distribution 2.8 then leaves an empty hash-state folder
/// behind, which its purge removes.)
fn open_upload_sessions(reg: &Registry, repo: &str) -> Vec<String> {
    let dir = reg.dir.path().join("data/docker/registry/v2/repositories").join(repo).join("_uploads");
    match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .map(|e| e.unwrap().path())
            .filter(|session| session.join("startedat").exists())
            .map(|session| session.file_name().unwrap().to_string_lossy().into_owned())
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => panic!("{}: {e}", dir.display()),
    }
}

#[test]
fn upload_sessions_opened_during_the_build_are_used_or_cancelled() {
    let reg = Registry::start();
    let base = reg.push_tiny_base("base/tiny:1");
    let repo = example_repo();
    // A new tag: every layer's session is opened while it is built, then used.
    let first = build_json(repo.path(), &base, &format!("{}/sites/sessions:1", reg.host));
    assert_eq!(actions(&first, "layer"), ["uploaded"]);
    assert_eq!(open_upload_sessions(&reg, "sites/sessions"), Vec::<String>::new());

    // Another new tag, same inputs: the sessions are opened again, the
    // registry turns out to hold every layer, and each session is cancelled.
    let second = build_json(repo.path(), &base, &format!("{}/sites/sessions:2", reg.host));
    assert_eq!(actions(&second, "layer"), ["reused"]);
    assert_eq!(second["digest"], first["digest"]);
    assert_eq!(open_upload_sessions(&reg, "sites/sessions"), Vec::<String>::new(), "no session left open");
}

/// Puts `bytes` as a blob of `repo` and returns its digest.
fn put_blob(reg: &Registry, repo: &str, bytes: &[u8]) -> String {
    let digest = format!("sha256:{}", sha256_hex(bytes));
    let location = run_ok(std::process::Command::new("curl").args([
        "-s",
        "-o",
        "/dev/null",
        "-w",
        "%{redirect_url}%header{location}",
        "-X",
        "POST",
        &format!("http://{}/v2/{repo}/blobs/uploads/", reg.host),
    ]));
    let location = if location.starts_with("http") { location } else { format!("http://{}{location}", reg.host) };
    let sep = if location.contains('?') { '&' } else { '?' };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("blob");
    std::fs::write(&file, bytes).unwrap();
    let status = run_ok(
        std::process::Command::new("curl")
            .args(["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "PUT"])
            // Not curl's form type: the registry would read the body as a form.
            .args(["-H", "Content-Type: application/octet-stream"])
            .arg("--data-binary")
            .arg(format!("@{}", file.display()))
            .arg(format!("{location}{sep}digest={digest}")),
    );
    assert_eq!(status, "201", "blob upload");
    digest
}

/// Puts `manifest` at `repo:tag` and returns its digest.
fn put_manifest(reg: &Registry, repo_tag: &str, manifest: &Value) -> String {
    let (repo, tag) = repo_tag.split_once(':').unwrap();
    let body = manifest.to_string();
    let status = run_ok(std::process::Command::new("curl").args([
        "-s",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        "-X",
        "PUT",
        "-H",
        "Content-Type: application/vnd.oci.image.manifest.v1+json",
        "--data-binary",
        &body,
        &format!("http://{}/v2/{repo}/manifests/{tag}", reg.host),
    ]));
    assert_eq!(status, "201", "manifest {repo_tag}");
    format!("sha256:{}", sha256_hex(body.as_bytes()))
}

#[test]
fn a_base_manifest_that_breaks_the_oci_spec_is_refused_naming_what_is_wrong() {
    let reg = Registry::start();
    let config_bytes = br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#;
    let config = put_blob(&reg, "base/bad", config_bytes);
    let layer = put_blob(&reg, "base/bad", b"not really a layer");
    // The layer descriptor has no size.
    let digest = put_manifest(
        &reg,
        "base/bad:1",
        &json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config, "size": config_bytes.len()},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": layer}]
        }),
    );
    let repo = example_repo();
    let base = format!("{}/base/bad:1@{digest}", reg.host);
    let image = format!("{}/sites/bad:1", reg.host);
    let out = run(sitepack(repo.path()).args(["build", "--base", &base, "--image", &image]));
    assert_eq!(out.status.code(), Some(1), "{}", out.stderr);
    assert!(out.stderr.contains(&format!("manifest {digest}")) && out.stderr.contains("size"), "{}", out.stderr);
    assert!(reg.manifest_digest("sites/bad:1").is_none(), "nothing is tagged");
}

#[test]
fn a_previous_image_the_oci_types_cannot_read_is_not_reused_and_the_log_says_why() {
    let reg = Registry::start();
    let base = reg.push_tiny_base("base/tiny:1");
    let repo = example_repo();
    // The tag names an image whose config has no rootfs: valid JSON, not an image config.
    let config_bytes = br#"{"architecture":"amd64","os":"linux"}"#;
    let config = put_blob(&reg, "sites/odd", config_bytes);
    put_manifest(
        &reg,
        "sites/odd:dev",
        &json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config, "size": config_bytes.len()},
            "layers": []
        }),
    );
    let image = format!("{}/sites/odd:dev", reg.host);
    let out = run(sitepack(repo.path()).args(["build", "--json", "--base", &base, "--image", &image])).ok();
    assert!(
        out.stderr.contains("not reusing the layers of") && out.stderr.contains(&format!("config {config}")),
        "{}",
        out.stderr
    );
    assert_eq!(actions(&out.json(), "layer"), ["uploaded"], "every layer is built and sent as if new");
    assert_eq!(reg.manifest_digest("sites/odd:dev").as_deref(), out.json()["digest"].as_str());
}
