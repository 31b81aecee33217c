//! Bases in the shapes registries serve them: Docker schema 2 manifests, and
//! multi-platform image indexes from which `--platform` selects.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
const DOCKER_LAYER: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";
const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_LAYER: &str = "application/vnd.oci.image.layer.v1.tar+gzip";

#[test]
fn docker_schema2_base_gives_a_docker_schema2_image_and_an_oci_layout() {
    let reg = Registry::start();
    let base = reg.push_image_with(
        &format!("oci:{}:latest", tiny_base_layout().display()),
        "base/docker:1",
        &["--format", "v2s2"],
    );
    assert_eq!(reg.inspect("base/docker:1", false)["mediaType"], DOCKER_MANIFEST, "skopeo made a Docker base");
    let repo = example_repo();
    run(sitepack(repo.path()).args(["build", "--base", &base, "--image", &format!("{}/sites/d:1", reg.host)])).ok();
    let m = reg.inspect("sites/d:1", false);
    assert_eq!(m["mediaType"], DOCKER_MANIFEST);
    assert_eq!(m["config"]["mediaType"], "application/vnd.docker.container.image.v1+json");
    assert!(m["layers"].as_array().unwrap().iter().all(|l| l["mediaType"] == DOCKER_LAYER), "{m}");
    assert!(m.get("annotations").is_none(), "schema 2 has no annotations");
    let config = reg.inspect("sites/d:1", true);
    assert!(config["config"]["Labels"]["org.opencontainers.image.base.digest"].is_string());

    // A layout output from the same base is OCI throughout, and skopeo reads it.
    let out = tempfile::tempdir().unwrap();
    let layout = out.path().join("l");
    run(sitepack(repo.path()).args(["build", "--base", &base, "--output"]).arg(format!("oci:{}", layout.display())))
        .ok();
    let raw = run_ok(
        std::process::Command::new("skopeo").args(["inspect", "--raw"]).arg(format!("oci:{}:latest", layout.display())),
    );
    let m: Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(m["mediaType"], OCI_MANIFEST);
    assert!(m["layers"].as_array().unwrap().iter().all(|l| l["mediaType"] == OCI_LAYER), "{m}");
}

/// An OCI layout whose `multi` ref is an index over amd64 and arm64 images.
fn multi_platform_layout(dir: &Path) -> std::path::PathBuf {
    let layout = dir.join("multi");
    run_ok(std::process::Command::new("umoci").args(["init", "--layout"]).arg(&layout));
    add_tiny_image(&layout, "amd64", "amd64");
    add_tiny_image(&layout, "arm64", "arm64");
    add_index(&layout, &[("amd64", "amd64"), ("arm64", "arm64")], "multi");
    layout
}

#[test]
fn index_base_selects_the_requested_platform() {
    let reg = Registry::start();
    let work = tempfile::tempdir().unwrap();
    let layout = multi_platform_layout(work.path());
    let base = reg.push_image_with(&format!("oci:{}:multi", layout.display()), "base/multi:1", &["--all"]);
    assert_eq!(reg.inspect("base/multi:1", false)["manifests"].as_array().unwrap().len(), 2, "an index was pushed");
    let repo = example_repo();

    for (flag, arch) in [(None, "amd64"), (Some("linux/arm64"), "arm64"), (Some("linux/arm64/v8"), "arm64")] {
        let tag = format!("sites/m:{arch}-{}", flag.is_some());
        let mut cmd = sitepack(repo.path());
        cmd.args(["build", "--base", &base, "--image", &format!("{}/{tag}", reg.host)]);
        if let Some(p) = flag {
            cmd.args(["--platform", p]);
        }
        let report = run(cmd.arg("--json")).ok().json();
        assert_eq!(report["base"]["platform"], flag.unwrap_or("linux/amd64"));
        let config = reg.inspect(&tag, true);
        assert_eq!(config["architecture"], arch, "{flag:?}");
        // The pushed image is a single-platform manifest on top of that platform's base.
        assert_eq!(reg.inspect(&tag, false)["mediaType"], OCI_MANIFEST);
    }

    let missing = run(sitepack(repo.path()).args([
        "build",
        "--base",
        &base,
        "--image",
        &format!("{}/sites/m:s390x", reg.host),
        "--platform",
        "linux/s390x",
    ]));
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        missing.stderr.contains("has no linux/s390x image; it offers: linux/amd64, linux/arm64"),
        "{}",
        missing.stderr
    );
}
