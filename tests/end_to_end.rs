//! End to end: the offline Debian apache2 base in a real registry, the
//! example contributor repo built by sitepack, the image pulled and run by
//! podman with the seed's entrypoint, and Apache's answers checked over HTTP.
//! Also: skopeo and umoci read what sitepack wrote.

mod common;

use std::os::unix::fs::MetadataExt;
use std::process::Command;

use common::*;

fn container_name(test: &str) -> String {
    format!("sitepack-test-{test}-{}", std::process::id())
}

#[test]
fn example_site_pushed_to_a_registry_is_served_by_apache_with_htaccess_rules() {
    let reg = Registry::start();
    let base = reg.push_apache_base("base/httpd:bookworm");
    let repo = example_repo();
    // A media file, stored rather than deflated; with this little media
    // (under 4 MiB) it shares the site layer with the pages.
    let logo = incompressible(50_000);
    std::fs::write(repo.path().join("site/coffeefans/logo.png"), &logo).unwrap();
    let image = format!("{}/sites/coffeefans:e2e", reg.host);
    let built = run(sitepack(repo.path()).args(["build", "--base", &base, "--image", &image])).ok();
    let digest = built.stdout.trim();
    assert!(digest.starts_with("sha256:"), "{digest}");

    let pulled = format!("{}/sites/coffeefans@{digest}", reg.host);
    podman_pull(&pulled);
    let c = Container::run(&pulled, &container_name("registry"));
    assert_serves_example_site(&c);
    let fetched = Command::new("curl").args(["-s", &c.url("/coffeefans/logo.png")]).output().unwrap().stdout;
    assert_eq!(fetched, logo, "the media file is served byte for byte");
    // The entrypoint is the seed's: httpd in the foreground with DEBUG logging.
    let inspect = run_ok(podman().args([
        "image",
        "inspect",
        "--format",
        "{{json .Config.Entrypoint}} {{json .Config.Cmd}}",
        &pulled,
    ]));
    assert_eq!(inspect.trim(), r#"["/usr/sbin/httpd","-e","DEBUG","-D","FOREGROUND"] null"#);
}

#[test]
fn oci_layout_and_archive_outputs_load_and_serve_the_same_site() {
    let reg = Registry::start();
    let base = reg.push_apache_base("base/httpd:bookworm");
    let repo = example_repo();
    let work = tempfile::tempdir().unwrap();

    // Registry push of the same inputs: the OCI base keeps the OCI family, so
    // the layout output must carry the very same manifest digest.
    let pushed = run(sitepack(repo.path()).args(["build", "--base", &base, "--image", &format!("{}/s/x:1", reg.host)]))
        .ok()
        .stdout;

    let layout = work.path().join("layout");
    let out = run(sitepack(repo.path())
        .args(["build", "--base", &base, "--output"])
        .arg(format!("oci:{}", layout.display())))
    .ok();
    assert_eq!(out.stdout.trim(), pushed.trim(), "oci: output and registry push agree on the digest");
    let inspect = run_ok(Command::new("skopeo").args(["inspect"]).arg(format!("oci:{}:latest", layout.display())));
    let inspect: serde_json::Value = serde_json::from_str(&inspect).unwrap();
    assert_eq!(
        inspect["Layers"].as_array().unwrap().len(),
        2,
        "the base's, and one of the small site with conf and htpasswd"
    );
    // Into podman's storage under an explicit name (podman would derive one
    // from the mixed-case temp path and refuse it).
    let local = format!("localhost/sitepack-test-layout:{}", std::process::id());
    let storage = storage_lock();
    run_ok(
        Command::new("skopeo")
            .args(["copy", "--quiet"])
            .args([format!("oci:{}:latest", layout.display()), format!("containers-storage:{local}")]),
    );
    drop(storage);
    let c = Container::run(&local, &container_name("layout"));
    assert_serves_example_site(&c);
    drop(c);

    let archive = work.path().join("site.tar");
    run(sitepack(repo.path())
        .args(["build", "--base", &base, "--image", "local/coffeefans:archived", "--output"])
        .arg(format!("oci-archive:{}", archive.display())))
    .ok();
    let loaded = {
        let _storage = storage_lock();
        run_ok(podman().args(["load", "-i"]).arg(&archive))
    };
    let image_id = loaded
        .lines()
        .find_map(|l| l.strip_prefix("Loaded image: ").or_else(|| l.strip_prefix("Loaded image(s): ")))
        .unwrap_or_else(|| panic!("podman load said: {loaded}"))
        .trim()
        .to_owned();
    let c = Container::run(&image_id, &container_name("archive"));
    assert_serves_example_site(&c);
}

#[test]
fn skopeo_and_umoci_read_the_pushed_image_with_root_owned_normalised_files() {
    let reg = Registry::start();
    let base = reg.push_tiny_base("base/tiny:1");
    let repo = example_repo();
    // Contributor files with odd modes: normalised to 0644/0755 in the image.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(repo.path().join("users/htpasswd"), std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::set_permissions(repo.path().join("site/coffeefans/index.html"), std::fs::Permissions::from_mode(0o4775))
        .unwrap();
    // A path too long for ustar travels in a PAX record.
    let long = format!("site/coffeefans/{}/{}.html", "d".repeat(120), "f".repeat(150));
    std::fs::create_dir_all(repo.path().join(&long).parent().unwrap()).unwrap();
    std::fs::write(repo.path().join(&long), "long").unwrap();
    run(sitepack(repo.path()).args(["build", "--base", &base, "--image", &format!("{}/sites/u:1", reg.host)])).ok();

    let work = tempfile::tempdir().unwrap();
    let layout = work.path().join("l");
    run_ok(
        Command::new("skopeo")
            .args(["copy", "--quiet", "--src-tls-verify=false"])
            .args([format!("docker://{}/sites/u:1", reg.host), format!("oci:{}:u", layout.display())]),
    );
    let bundle = work.path().join("bundle");
    run_ok(Command::new("umoci").args(["unpack", "--image"]).arg(format!("{}:u", layout.display())).arg(&bundle));
    let rootfs = bundle.join("rootfs");
    assert_eq!(std::fs::read_to_string(rootfs.join("etc/tiny-base")).unwrap(), "tiny\n", "base layer present");
    let long_in_image = rootfs.join("var/www/html").join(long.trim_start_matches("site/"));
    assert_eq!(std::fs::read_to_string(long_in_image).unwrap(), "long", "umoci reads the PAX path");
    for (path, mode) in [
        ("etc/httpd/conf/httpd.conf", 0o100644),
        ("opt/.htpasswd", 0o100644),
        ("var/www/html/coffeefans/index.html", 0o100644),
        ("var/www/html/coffeefans/members/.htaccess", 0o100644),
        ("var/www/html/coffeefans/members", 0o040755),
        ("var/www/html", 0o040755),
        ("opt", 0o040755),
    ] {
        let meta = std::fs::symlink_metadata(rootfs.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!((meta.uid(), meta.gid()), (0, 0), "{path} owner");
        assert_eq!(meta.mode(), mode, "{path} mode {:o}", meta.mode());
        assert_eq!(meta.mtime(), EPOCH.parse::<i64>().unwrap(), "{path} mtime is the build epoch");
    }
    assert_eq!(
        std::fs::read(rootfs.join("opt/.htpasswd")).unwrap(),
        std::fs::read(repo.path().join("users/htpasswd")).unwrap()
    );
    assert_eq!(
        std::fs::read(rootfs.join("etc/httpd/conf/httpd.conf")).unwrap(),
        std::fs::read(operator_conf()).unwrap()
    );
}
