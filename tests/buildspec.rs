//! Runs the repository's buildspec.yml as CodeBuild would: its phases in
//! order, their commands in one bash shell, with CodeBuild's variables set,
//! against moto (ECR token, S3 conf) and an ECR-like registry. The image must
//! land and the artifact files must exist and parse.

mod common;

use std::path::Path;
use std::process::Command;

use common::codebuild::{committed_example_repo, script};
use common::moto::{Moto, ACCOUNT};
use common::*;
use serde_json::Value;

fn buildspec() -> Value {
    common::codebuild::parse_buildspec(&Path::new(env!("CARGO_MANIFEST_DIR")).join("buildspec.yml"))
}

#[test]
fn buildspec_needs_no_docker_and_names_the_deploy_artifacts() {
    let spec = buildspec();
    assert_eq!(spec["version"], 0.2);
    let files: Vec<&str> = spec["artifacts"]["files"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(files.contains(&"imagedefinitions.json") && files.contains(&"imageDetail.json"), "{files:?}");
    let commands = script(&spec);
    for banned in ["docker ", "get-login", "privileged", "dockerd"] {
        assert!(!commands.contains(banned), "buildspec runs {banned:?}");
    }
}

#[test]
fn buildspec_run_pushes_the_site_and_writes_the_artifacts() {
    let spec = buildspec();
    let moto = Moto::start();
    moto.create_ecr_repository("sites/coffeefans", false);
    let conf = std::fs::read(operator_conf()).unwrap();
    moto.put_object("ops-conf", "coffeefans/httpd.conf", &conf);
    let reg = Registry::start_ecr_like(ACCOUNT);
    let base = reg.push_tiny_base("base/httpd:1");

    // The contributor's checkout, with git metadata (CodePipeline "full clone").
    let (repo, commit) = committed_example_repo();

    let sitepack_dir = Path::new(env!("CARGO_BIN_EXE_sitepack")).parent().unwrap().to_owned();
    let mut cmd = Command::new("bash");
    cmd.arg("-c")
        .arg(format!("{}\necho \"IMAGE_TAG=$IMAGE_TAG\"\n", script(&spec)))
        .current_dir(repo.path())
        .env_clear()
        .env("PATH", format!("{}:/usr/local/bin:/usr/bin:/bin", sitepack_dir.display()))
        .env("HOME", repo.path())
        // CodeBuild's own variables and the project's.
        .env("CODEBUILD_RESOLVED_SOURCE_VERSION", &commit)
        .env("CODEBUILD_SRC_DIR", repo.path())
        .env("CODEBUILD_BUILD_ID", "coffeefans:0f1e2d3c")
        .env("AWS_ACCOUNT_ID", ACCOUNT)
        .env("AWS_DEFAULT_REGION", common::moto::REGION)
        .env("IMAGE_REPO_NAME", "sites/coffeefans")
        .env("CONTAINER_NAME", "coffeefans-web")
        .env("SITEPACK_BASE", &base)
        .env("HTTPD_CONF_URI", "s3://ops-conf/coffeefans/httpd.conf")
        // The rig: moto for AWS, the test CA, and the local registry in place
        // of ACCOUNT.dkr.ecr.REGION.amazonaws.com (no DNS for it here).
        .envs(moto.env())
        .env("SSL_CERT_FILE", reg.ca_bundle.as_ref().unwrap())
        .env("SITEPACK_IMAGE", format!("{}/sites/coffeefans:{}", reg.host, &commit[..7]))
        .env("SITEPACK_REGISTRY_AUTH", "ecr")
        .env("DOCKER_CONFIG", repo.path().join(".no-docker-config"));
    let out = run(&mut cmd);
    assert!(out.status.success(), "buildspec failed:\n{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains(&format!("IMAGE_TAG={}", &commit[..7])), "IMAGE_TAG defaults to the short commit");

    let read = |name: &str| -> Value {
        let bytes = std::fs::read(repo.path().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    // Every report group's files exist and are JUnit (CodeBuild's report view).
    for (group, report) in spec["reports"].as_object().expect("a reports: section") {
        assert_eq!(report["file-format"], "JUNITXML", "{group}");
        for file in report["files"].as_array().unwrap() {
            let path = repo.path().join(report["base-directory"].as_str().unwrap_or(".")).join(file.as_str().unwrap());
            let xml = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{group}: {}: {e}", path.display()));
            assert!(xml.contains("<testsuite ") && xml.contains("failures=\"0\""), "{group}: {xml}");
        }
    }
    let report = read("sitepack-report.json");
    let digest = report["digest"].as_str().unwrap();
    let uri = format!("{}/sites/coffeefans@{digest}", reg.host);
    assert_eq!(read("imagedefinitions.json"), serde_json::json!([{"name": "coffeefans-web", "imageUri": uri}]));
    assert_eq!(read("imageDetail.json"), serde_json::json!({"ImageURI": uri}));
    assert_eq!(reg.manifest_digest(&format!("sites/coffeefans:{}", &commit[..7])).as_deref(), Some(digest));

    let manifest = reg.inspect(&format!("sites/coffeefans:{}", &commit[..7]), false);
    assert_eq!(manifest["annotations"]["org.opencontainers.image.revision"], commit.as_str());
    assert_eq!(manifest["annotations"]["org.opencontainers.image.created"], "2022-04-15T05:20:00Z", "commit time");
    assert_eq!(
        reg.file_in_image(&format!("sites/coffeefans:{}", &commit[..7]), "etc/httpd/conf/httpd.conf"),
        Some(conf)
    );
}
