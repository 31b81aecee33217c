//! Same inputs, same digest, whatever the CPU: ISA-L picks its deflate
//! kernels at run time (SSE4.2, AVX2 or AVX-512), so the build is run again
//! under qemu's user-mode emulator as older CPU models, and every layer and
//! the manifest must come out byte for byte the same. A CPU without SSE4.2
//! runs igzip's C path, whose bytes differ: that run shows the emulated CPU
//! really reaches igzip's choice, so the equality above is not vacuous.
#![cfg(target_arch = "x86_64")]

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

/// The same command as `cmd`, run by qemu-x86_64 as `cpu`.
fn under_qemu(cmd: &Command, cpu: &str) -> Command {
    let mut q = Command::new("qemu-x86_64");
    q.args(["-cpu", cpu]).arg(cmd.get_program()).args(cmd.get_args());
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => q.env(k, v),
            None => q.env_remove(k),
        };
    }
    if let Some(dir) = cmd.get_current_dir() {
        q.current_dir(dir);
    }
    q
}

/// The site layers' digests and the manifest's, of one build to `image`.
fn build(repo: &Path, base: &str, image: &str, cpu: Option<&str>) -> (Vec<String>, String) {
    let mut cmd = sitepack(repo);
    cmd.args(["build", "--json", "--base", base, "--image", image]);
    let report = match cpu {
        Some(cpu) => run(&mut under_qemu(&cmd, cpu)).ok().json(),
        None => run(&mut cmd).ok().json(),
    };
    let layers: Vec<String> =
        report["layers"].as_array().unwrap().iter().map(|l| l["digest"].as_str().unwrap().to_owned()).collect();
    let uploaded = report["blobs"].as_array().unwrap().iter().filter(|b| b["kind"] == "layer");
    assert!(
        uploaded.clone().all(|b| b["action"] == "uploaded"),
        "a fresh repository, so every layer is compressed: {report}"
    );
    (layers, report["digest"].as_str().unwrap().to_owned())
}

/// Pages big enough for igzip's kernels to work through many blocks, and
/// a photo that goes in stored blocks, next to the example's own files.
fn add_content(repo: &Path) {
    let mut page = String::new();
    for i in 0..40_000u32 {
        page.push_str(&format!(
            "<li class=\"bean-{}\">Roast {} from farm {}</li>\n",
            i % 37,
            i * 7919 % 10007,
            i % 211
        ));
    }
    std::fs::write(repo.join("site/beans.html"), page).unwrap();
    let photo = incompressible(300_000);
    std::fs::write(repo.join("site/photo.jpg"), photo).unwrap();
}

#[test]
fn layers_are_the_same_bytes_on_every_cpu_with_sse42() {
    let reg = Registry::start();
    let base = reg.push_tiny_base("base/tiny:1");
    let repo = example_repo();
    add_content(repo.path());

    let (native_layers, native) = build(repo.path(), &base, &format!("{}/sites/native:1", reg.host), None);
    // Nehalem: SSE4.2 without AVX; Haswell: AVX2. (qemu does not emulate
    // AVX-512; this machine runs that kernel natively when it has it.)
    for cpu in ["Nehalem", "Haswell"] {
        let image = format!("{}/sites/{}:1", reg.host, cpu.to_lowercase());
        let (layers, digest) = build(repo.path(), &base, &image, Some(cpu));
        assert_eq!(layers, native_layers, "layers built as {cpu}");
        assert_eq!(digest, native, "manifest built as {cpu}");
    }

    // Without SSE4.2, igzip's C path: other bytes, still one valid gzip
    // member for the same tar (the diff_ids, and so the filesystem, agree).
    let (old_layers, _) = build(repo.path(), &base, &format!("{}/sites/core2:1", reg.host), Some("core2duo"));
    assert_ne!(old_layers, native_layers, "qemu's CPU model reached igzip's kernel choice");
    let native_config = reg.inspect("sites/native:1", true);
    let old_config = reg.inspect("sites/core2:1", true);
    assert_eq!(old_config["rootfs"]["diff_ids"], native_config["rootfs"]["diff_ids"]);
}
