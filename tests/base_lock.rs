//! Bases maintainers can trust: `sitepack base pin` detects the httpd a
//! base really holds and records it in base/base.lock; `build` and `check`
//! use the lock; `base verify` tells a moved tag from a deleted digest;
//! `base mirror` keeps the digest; a multi-platform pin builds an index.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use serde_json::Value;

fn lock_of(repo: &Path) -> toml::Value {
    let text = std::fs::read_to_string(repo.join("base/base.lock")).expect("the lock was written");
    assert!(text.starts_with("# sitepack base lock"), "{text}");
    toml::from_str(&text).unwrap()
}

fn platforms<'a>(lock: &'a toml::Value, name: &str) -> &'a Vec<toml::Value> {
    lock["bases"][name]["platforms"].as_array().unwrap()
}

/// The synthetic httpd images of `add_httpd_image`, in a fresh layout.
fn httpd_layout(dir: &Path, images: &[(&str, &str, &str, &str)]) -> std::path::PathBuf {
    let layout = dir.join("oci");
    run_ok(Command::new("umoci").args(["init", "--layout"]).arg(&layout));
    for (tag, arch, version, extra) in images {
        add_httpd_image(&layout, tag, arch, version, extra);
    }
    layout
}

/// The operator's conf for an httpd 2.2 base (Order/Deny, no Require all).
const CONF_22: &str = r#"ServerRoot "/etc/httpd"
Listen 80
LoadModule auth_basic_module modules/mod_auth_basic.so
LoadModule authn_file_module modules/mod_authn_file.so
LoadModule authz_user_module modules/mod_authz_user.so
LoadModule authz_host_module modules/mod_authz_host.so
LoadModule dir_module modules/mod_dir.so
LoadModule mime_module modules/mod_mime.so
User apache
Group apache
DocumentRoot "/var/www/html"
<Directory "/var/www/html">
    AllowOverride AuthConfig Limit
</Directory>
<Files ~ "^\.ht">
    Order allow,deny
    Deny from all
</Files>
ErrorLog /dev/stderr
"#;

#[test]
fn a_multi_platform_base_is_pinned_built_as_an_index_and_the_amd64_image_serves_the_site() {
    let reg = Registry::start();
    // Two platform images and an index over them. This machine cannot run
    // or build arm64 programs, so the arm64 entry carries the same Debian
    // root file system under an arm64 config: what is tested is the pin,
    // the index and the shared site layers, and amd64 is the one run.
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("oci");
    run_ok(Command::new("cp").arg("-a").arg(apache_base_layout()).arg(&layout));
    let image = format!("{}:latest", layout.display());
    run_ok(Command::new("umoci").args(["config", "--image", &image, "--tag", "arm64", "--architecture", "arm64"]));
    add_index(&layout, &[("latest", "amd64"), ("arm64", "arm64")], "multi");
    reg.push_image_with(&format!("oci:{}:multi", layout.display()), "base/httpd-multi:1", &["--all"]);

    let repo = example_repo();
    let base_ref = format!("{}/base/httpd-multi:1", reg.host);
    let pinned = run(sitepack(repo.path()).args(["base", "pin", &base_ref, "--name", "debian-multi"])).ok();
    assert!(pinned.stdout.contains("linux/amd64") && pinned.stdout.contains("linux/arm64"), "{}", pinned.stdout);
    let lock = lock_of(repo.path());
    let pins = platforms(&lock, "debian-multi");
    assert_eq!(
        pins.iter().map(|p| p["platform"].as_str().unwrap()).collect::<Vec<_>>(),
        ["linux/amd64", "linux/arm64"]
    );
    let index_digest = reg.manifest_digest("base/httpd-multi:1").unwrap();
    assert_eq!(lock["bases"]["debian-multi"]["index"].as_str(), Some(index_digest.as_str()));
    for p in pins {
        assert_eq!(p["httpd_binary"].as_str(), Some("/usr/sbin/apache2"), "{p}");
        assert_eq!(p["uid"].as_integer(), Some(48), "{p}");
    }

    // No --base: the lock's base, for both platforms.
    let image = format!("{}/sites/coffeefans:multi", reg.host);
    let built = run(sitepack(repo.path()).args([
        "build",
        "--platform",
        "linux/amd64,linux/arm64",
        "--image",
        &image,
        "--container-name",
        "web",
        "--json",
    ]))
    .ok();
    let report = built.json();
    let raw = reg.inspect("sites/coffeefans:multi", false);
    assert_eq!(raw["mediaType"], "application/vnd.oci.image.index.v1+json", "{raw}");
    let archs: Vec<&str> =
        raw["manifests"].as_array().unwrap().iter().map(|m| m["platform"]["architecture"].as_str().unwrap()).collect();
    assert_eq!(archs, ["amd64", "arm64"]);
    let top = reg.manifest_digest("sites/coffeefans:multi").unwrap();
    assert_eq!(report["digest"].as_str(), Some(top.as_str()));
    assert_eq!(report["base"]["name"].as_str(), Some("debian-multi"));
    let defs: Value =
        serde_json::from_slice(&std::fs::read(repo.path().join("imagedefinitions.json")).unwrap()).unwrap();
    assert_eq!(defs[0]["imageUri"].as_str().unwrap(), format!("{}/sites/coffeefans@{top}", reg.host));

    // Identical site layers on both platforms: shared blobs.
    let layers = |m: &Value| -> Vec<String> {
        let digest = m["digest"].as_str().unwrap();
        let manifest = reg.inspect(&format!("sites/coffeefans@{digest}"), false);
        manifest["layers"]
            .as_array()
            .unwrap()
            .iter()
            .skip(1)
            .map(|l| l["digest"].as_str().unwrap().to_owned())
            .collect()
    };
    let entries = raw["manifests"].as_array().unwrap();
    assert_eq!(layers(&entries[0]), layers(&entries[1]));
    assert!(!layers(&entries[0]).is_empty());

    // podman picks the amd64 image from the index and Apache serves the site.
    let pulled = format!("{}/sites/coffeefans@{top}", reg.host);
    podman_pull(&pulled);
    let c = Container::run(&pulled, &format!("sitepack-test-multi-{}", std::process::id()));
    let (code, body) = curl(&c.url("/coffeefans/"), None).unwrap();
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("Welcome to coffeefans"), "{body}");
    assert_eq!(curl_status(&c.url("/coffeefans/members/"), Some("barista:espresso")), Some(200));
}

#[test]
fn the_debian_test_base_is_detected_as_its_real_apache2() {
    let reg = Registry::start();
    let base = reg.push_apache_base("base/httpd:bookworm");
    let repo = example_repo();
    run(sitepack(repo.path()).args(["base", "pin", &format!("{}/base/httpd:bookworm", reg.host)])).ok();
    let lock = lock_of(repo.path());
    // Named after the repository by default.
    let p = &platforms(&lock, "httpd")[0];

    // What the base's own apache2 says about itself, run by podman.
    let ask = |flag: &str| {
        let _storage = storage_lock();
        run_ok(podman().args(["run", "--rm", "--tls-verify=false", "--entrypoint", "/usr/sbin/apache2", &base, flag]))
    };
    let version = ask("-v");
    let banner = version.lines().find_map(|l| l.strip_prefix("Server version: Apache/")).unwrap();
    let real_version: String = banner.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
    assert_eq!(p["httpd_version"].as_str(), Some(real_version.as_str()), "apache2 -v says {version}");
    let compiled = ask("-l");
    let mut real_builtins: Vec<String> =
        compiled.lines().filter_map(|l| l.trim().strip_suffix(".c")).map(|m| m.to_owned()).collect();
    real_builtins.sort();
    let detected: Vec<&str> = p["builtin_modules"].as_array().unwrap().iter().map(|m| m.as_str().unwrap()).collect();
    assert_eq!(detected, real_builtins, "apache2 -l says {compiled}");

    assert_eq!(p["httpd_binary"].as_str(), Some("/usr/sbin/apache2"));
    assert_eq!(p["server_root"].as_str(), Some("/etc/httpd"));
    assert_eq!(p["conf"].as_str(), Some("/etc/httpd/conf/httpd.conf"));
    assert_eq!(p["docroot"].as_str(), Some("/var/www/html"));
    assert_eq!((p["user"].as_str(), p["uid"].as_integer()), (Some("apache"), Some(48)));
    assert_eq!(p["module_dir"].as_str(), Some("/usr/lib/apache2/modules"));
    let dsos: Vec<&str> = p["dso_modules"].as_array().unwrap().iter().map(|m| m.as_str().unwrap()).collect();
    let listing = {
        let _storage = storage_lock();
        run_ok(podman().args(["run", "--rm", "--entrypoint", "/bin/ls", &base, "/usr/lib/apache2/modules"]))
    };
    let real_dsos: Vec<&str> = listing.lines().filter_map(|l| l.strip_suffix(".so")).collect();
    assert_eq!(dsos, real_dsos);
    let _storage = storage_lock();
    let _ = podman().args(["rmi", "-f", &base]).output();
}

#[test]
fn a_base_whose_httpd_says_2_2_15_is_pinned_as_such_and_refuses_bcrypt_and_require_all() {
    let reg = Registry::start();
    let dir = tempfile::tempdir().unwrap();
    let layout = httpd_layout(dir.path(), &[("latest", "amd64", "2.2.15", "one")]);
    reg.push_image(&format!("oci:{}:latest", layout.display()), "base/centos6:6.10");
    let repo = example_repo();
    run(sitepack(repo.path()).args(["base", "pin", &format!("{}/base/centos6:6.10", reg.host), "--name", "centos6"]))
        .ok();
    let lock = lock_of(repo.path());
    let p = &platforms(&lock, "centos6")[0];
    assert_eq!(p["httpd_version"].as_str(), Some("2.2.15"));
    let builtins: Vec<&str> = p["builtin_modules"].as_array().unwrap().iter().map(|m| m.as_str().unwrap()).collect();
    assert_eq!(builtins, ["core", "http_core", "mod_so", "prefork"]);
    assert_eq!(p["module_dir"].as_str(), Some("/usr/lib64/httpd/modules"));

    // The example's htpasswd is bcrypt; add a folder opened the 2.4 way.
    std::fs::create_dir_all(repo.path().join("site/coffeefans/open")).unwrap();
    std::fs::write(repo.path().join("site/coffeefans/open/.htaccess"), "Require all granted\n").unwrap();
    let conf = repo.path().join("../operator-22.conf");
    std::fs::write(&conf, CONF_22).unwrap();

    // Before pushing: `check` reads the lock too.
    let checked = run(sitepack(repo.path()).args(["check", "--httpd-conf"]).arg(&conf));
    assert_eq!(checked.status.code(), Some(1), "{}{}", checked.stdout, checked.stderr);
    let out = &checked.stdout;
    assert!(out.contains("htpasswd.bcrypt-on-2.2"), "{out}");
    assert!(out.contains("open/.htaccess:1") && out.contains("htaccess.version"), "{out}");
    assert!(out.contains("2 error(s)"), "only these two: {out}");

    // No --base: the lock's. The contributor's files are judged first (the
    // htpasswd), then each .htaccess against the conf; nothing is pushed.
    let image = format!("{}/sites/old:1", reg.host);
    let build = || run(sitepack(repo.path()).args(["build", "--image", &image, "--httpd-conf"]).arg(&conf));
    let bcrypt = build();
    assert_eq!(bcrypt.status.code(), Some(2), "{}", bcrypt.stderr);
    assert!(bcrypt.stderr.contains("htpasswd.bcrypt-on-2.2"), "{}", bcrypt.stderr);
    let md5 = run_ok(Command::new("htpasswd").args(["-nbm", "barista", "espresso"]));
    std::fs::write(repo.path().join("users/htpasswd"), md5.trim_end().to_owned() + "\n").unwrap();
    let require = build();
    assert_eq!(require.status.code(), Some(2), "{}", require.stderr);
    assert!(require.stderr.contains("open/.htaccess:1"), "{}", require.stderr);
    assert!(require.stderr.contains("Require all is httpd 2.4 syntax"), "{}", require.stderr);
    assert_eq!(reg.manifest_digest("sites/old:1"), None, "nothing pushed");

    // With the 2.2 way of opening a folder, the site builds on this base.
    std::fs::write(repo.path().join("site/coffeefans/open/.htaccess"), "Order allow,deny\nAllow from all\n").unwrap();
    let built = run(sitepack(repo.path()).args(["build", "--image", &image, "--json", "--httpd-conf"]).arg(&conf)).ok();
    assert_eq!(built.json()["base"]["name"].as_str(), Some("centos6"));
}

fn verify(repo: &Path) -> Run {
    run(sitepack(repo).args(["base", "verify"]))
}

#[test]
fn verify_tells_unchanged_from_a_moved_tag_and_a_deleted_digest() {
    let reg = Registry::start();
    let dir = tempfile::tempdir().unwrap();
    let layout = httpd_layout(dir.path(), &[("one", "amd64", "2.4.62", "one"), ("two", "amd64", "2.4.62", "two")]);
    let pinned = reg.push_image(&format!("oci:{}:one", layout.display()), "base/rocky:9");
    let repo = example_repo();
    run(sitepack(repo.path()).args(["base", "pin", &format!("{}/base/rocky:9", reg.host)])).ok();

    let same = verify(repo.path());
    assert_eq!(same.status.code(), Some(0), "{}{}", same.stdout, same.stderr);
    assert!(same.stdout.contains("rocky: unchanged"), "{}", same.stdout);

    // The maintainers of the base push a new image to the same tag.
    let moved_to = reg.push_image(&format!("oci:{}:two", layout.display()), "base/rocky:9");
    let moved = verify(repo.path());
    assert_eq!(moved.status.code(), Some(3), "{}{}", moved.stdout, moved.stderr);
    let new_digest = moved_to.rsplit('@').next().unwrap();
    assert!(moved.stdout.contains("update available") && moved.stdout.contains(new_digest), "{}", moved.stdout);
    let json = run(sitepack(repo.path()).args(["base", "verify", "--json"]));
    assert_eq!(json.status.code(), Some(3));
    assert_eq!(json.json()[0]["state"], "update-available");

    // The pinned digest is deleted from the registry.
    let old_digest = pinned.rsplit('@').next().unwrap();
    let url = format!("http://{}/v2/base/rocky/manifests/{old_digest}", reg.host);
    let status =
        run_ok(Command::new("curl").args(["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "DELETE", &url]));
    assert_eq!(status, "202", "the registry deleted the manifest");
    let gone = verify(repo.path());
    assert_eq!(gone.status.code(), Some(1), "{}{}", gone.stdout, gone.stderr);
    assert!(gone.stdout.contains("rocky: error") && gone.stdout.contains("no longer exists"), "{}", gone.stdout);
}

#[test]
fn mirror_copies_an_index_without_changing_its_digest_and_pins_the_copy() {
    let (src, dst) = (Registry::start(), Registry::start());
    let dir = tempfile::tempdir().unwrap();
    let layout = httpd_layout(dir.path(), &[("amd64", "amd64", "2.4.62", "a"), ("arm64", "arm64", "2.4.62", "b")]);
    add_index(&layout, &[("amd64", "amd64"), ("arm64", "arm64")], "multi");
    src.push_image_with(&format!("oci:{}:multi", layout.display()), "library/httpd:2.4", &["--all"]);
    let repo = example_repo();
    let out = run(sitepack(repo.path()).args([
        "base",
        "mirror",
        &format!("{}/library/httpd:2.4", src.host),
        &format!("{}/mirror/httpd", dst.host),
        "--name",
        "httpd-mirror",
    ]))
    .ok();
    let source_digest = src.manifest_digest("library/httpd:2.4").unwrap();
    let mirrored_digest = dst.manifest_digest("mirror/httpd:2.4").expect("the tag defaults to the source's");
    assert_eq!(mirrored_digest, source_digest);
    assert!(out.stdout.contains(&source_digest), "{}", out.stdout);
    // Every platform image is there, byte for byte.
    for m in src.inspect("library/httpd:2.4", false)["manifests"].as_array().unwrap() {
        let d = m["digest"].as_str().unwrap();
        assert_eq!(dst.manifest_digest(&format!("mirror/httpd@{d}")).as_deref(), Some(d));
    }
    let lock = lock_of(repo.path());
    let pin = &lock["bases"]["httpd-mirror"];
    assert_eq!(pin["reference"].as_str(), Some(format!("{}/mirror/httpd:2.4", dst.host).as_str()));
    assert_eq!(pin["index"].as_str(), Some(source_digest.as_str()));
    assert_eq!(platforms(&lock, "httpd-mirror").len(), 2);
}

#[test]
fn a_base_without_httpd_is_refused_and_the_lock_is_left_alone() {
    let reg = Registry::start();
    let base = reg.push_tiny_base("base/tiny:1");
    let repo = example_repo();
    let out = run(sitepack(repo.path()).args(["base", "pin", &base]));
    assert_eq!(out.status.code(), Some(1), "{}", out.stderr);
    assert!(out.stderr.contains("no httpd: the image has no /usr/sbin/httpd"), "{}", out.stderr);
    assert!(!repo.path().join("base/base.lock").exists());
}

#[test]
fn the_base_commands_take_the_lock_as_build_and_check_do_and_still_take_its_old_name() {
    let repo = example_repo();
    let elsewhere = repo.path().join("pins/elsewhere.lock");
    for flag in ["--base-lock", "--lock"] {
        let out = run(sitepack(repo.path()).args(["base", "verify", flag, elsewhere.to_str().unwrap()]));
        assert!(!out.status.success(), "{flag}: a missing lock is an error");
        assert!(out.stderr.contains("pins/elsewhere.lock"), "{flag} names the lock it was given:\n{}", out.stderr);
    }
}
