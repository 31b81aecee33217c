//! Hostile contributor input, one row per case: each must be refused by
//! `sitepack build` with its rule id, before anything is pushed. Afterwards
//! the tag must not exist, and no blob in the registry's storage may hold a
//! marker planted in the build's environment (what a link to
//! /proc/self/environ would leak): neither from the refused builds nor from
//! a benign control built and pushed with the same environment.

mod common;

use std::collections::BTreeSet;
use std::io::Read;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use common::*;

const MARKER: &str = "SITEPACK_LEAK_MARKER_7f3a9c";
const BCRYPT5: &str = "$2y$05$abcdefghijklmnopqrstuu5Vj1tQf2qW3e4r5t6y7u8i9o0p1a2s3";

/// An operator conf that allows every override and loads the modules the
/// policy cases use, so each case is refused for its own reason.
const PERMISSIVE_CONF: &str = r#"ServerRoot "/etc/httpd"
Listen 80
LoadModule mpm_prefork_module modules/mod_mpm_prefork.so
LoadModule authn_core_module modules/mod_authn_core.so
LoadModule authn_file_module modules/mod_authn_file.so
LoadModule authz_core_module modules/mod_authz_core.so
LoadModule authz_user_module modules/mod_authz_user.so
LoadModule authz_host_module modules/mod_authz_host.so
LoadModule auth_basic_module modules/mod_auth_basic.so
LoadModule mime_module modules/mod_mime.so
LoadModule dir_module modules/mod_dir.so
LoadModule rewrite_module modules/mod_rewrite.so
LoadModule cgi_module modules/mod_cgi.so
LoadModule status_module modules/mod_status.so
DocumentRoot "/var/www/html"
<Directory "/var/www/html">
    AllowOverride All
    Require all granted
</Directory>
<Files ".ht*">
    Require all denied
</Files>
"#;

type Setup = fn(&Path) -> Vec<String>;

struct Case {
    name: &'static str,
    setup: Setup,
    rule: &'static str,
}

fn htaccess(repo: &Path, text: &str) -> Vec<String> {
    std::fs::write(repo.join("site/coffeefans/.htaccess"), text).unwrap();
    vec![]
}

fn htpasswd(repo: &Path, text: &str) -> Vec<String> {
    std::fs::write(repo.join("users/htpasswd"), text).unwrap();
    vec![]
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "symlink to /proc/self/environ",
            rule: "tree.symlink",
            setup: |r| {
                symlink("/proc/self/environ", r.join("site/coffeefans/env.txt")).unwrap();
                vec![]
            },
        },
        Case {
            name: "relative in-tree symlink",
            rule: "tree.symlink",
            setup: |r| {
                symlink("index.html", r.join("site/coffeefans/home.html")).unwrap();
                vec![]
            },
        },
        Case {
            name: "symlinked folder",
            rule: "tree.symlink",
            setup: |r| {
                symlink("/etc", r.join("site/coffeefans/etc")).unwrap();
                vec![]
            },
        },
        Case {
            name: "named pipe (never opened)",
            rule: "tree.special",
            setup: |r| {
                run_ok(std::process::Command::new("mkfifo").arg(r.join("site/coffeefans/pipe")));
                vec![]
            },
        },
        Case {
            name: "unix socket",
            rule: "tree.special",
            setup: |r| {
                std::os::unix::net::UnixListener::bind(r.join("site/coffeefans/sock")).unwrap();
                vec![]
            },
        },
        Case {
            name: "non-UTF-8 name",
            rule: "tree.name",
            setup: |r| {
                use std::os::unix::ffi::OsStrExt;
                std::fs::write(r.join("site/coffeefans").join(std::ffi::OsStr::from_bytes(b"bad\xff.html")), "x")
                    .unwrap();
                vec![]
            },
        },
        Case {
            name: "control character in a name",
            rule: "tree.name",
            setup: |r| {
                std::fs::write(r.join("site/coffeefans/bell\u{7}.html"), "x").unwrap();
                vec![]
            },
        },
        Case {
            name: "backslash in a name",
            rule: "tree.name",
            setup: |r| {
                std::fs::write(r.join("site/coffeefans/a\\b.html"), "x").unwrap();
                vec![]
            },
        },
        Case {
            name: "name starting with ..",
            rule: "tree.name",
            setup: |r| {
                std::fs::write(r.join("site/coffeefans/..hidden"), "x").unwrap();
                vec![]
            },
        },
        Case {
            name: "OCI whiteout name",
            rule: "tree.name",
            setup: |r| {
                std::fs::write(r.join("site/coffeefans/.wh.index.html"), "").unwrap();
                vec![]
            },
        },
        Case {
            name: "git submodule checkout",
            rule: "tree.submodule",
            setup: |r| {
                std::fs::create_dir_all(r.join("site/coffeefans/vendor")).unwrap();
                std::fs::write(r.join("site/coffeefans/vendor/.git"), "gitdir: ../../.git/modules/vendor\n").unwrap();
                vec![]
            },
        },
        Case {
            name: "git LFS pointer",
            rule: "tree.lfs-pointer",
            setup: |r| {
                std::fs::write(
                    r.join("site/coffeefans/video.mp4"),
                    "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\nsize 12345\n",
                )
                .unwrap();
                vec![]
            },
        },
        Case {
            name: "5 GB sparse file (judged from metadata)",
            rule: "tree.limit-file",
            setup: |r| {
                std::fs::File::create(r.join("site/coffeefans/huge.bin")).unwrap().set_len(5 << 30).unwrap();
                vec![]
            },
        },
        Case { name: "too many files", rule: "tree.limit-files", setup: |_| vec!["--max-files".into(), "2".into()] },
        Case {
            name: "site too large",
            rule: "tree.limit-total",
            setup: |_| vec!["--max-total-bytes".into(), "10".into()],
        },
        Case {
            name: "path too long",
            rule: "tree.limit-path",
            setup: |_| vec!["--max-path-bytes".into(), "30".into()],
        },
        Case {
            name: "file outside the namespace",
            rule: "tree.outside-namespace",
            setup: |r| {
                std::fs::write(r.join("site/stray.html"), "x").unwrap();
                vec!["--namespace".into(), "coffeefans".into()]
            },
        },
        Case {
            name: ".htaccess with a UTF-8 BOM",
            rule: "htaccess.syntax",
            setup: |r| htaccess(r, "\u{feff}Require all granted\n"),
        },
        Case {
            name: "unclosed section",
            rule: "htaccess.syntax",
            setup: |r| htaccess(r, "<Files x>\nRequire all denied\n"),
        },
        Case { name: "unknown directive", rule: "htaccess.unknown", setup: |r| htaccess(r, "Requre all granted\n") },
        Case { name: "server-only directive", rule: "htaccess.context", setup: |r| htaccess(r, "Listen 8080\n") },
        Case {
            name: "module not loaded",
            rule: "htaccess.module",
            setup: |r| htaccess(r, "Header set X-Frame-Options DENY\n"),
        },
        Case {
            name: "Require all granted on httpd 2.2",
            rule: "htaccess.version",
            setup: |r| {
                htaccess(r, "Require all granted\n");
                std::fs::write(r.join("users/htpasswd"), "barista:$apr1$salt1234$abcdefghijklmnopqrstuv\n").unwrap();
                vec!["--httpd-version".into(), "2.2".into()]
            },
        },
        Case { name: "Options +ExecCGI", rule: "policy.exec-cgi", setup: |r| htaccess(r, "Options +ExecCGI\n") },
        Case { name: "Options +Includes", rule: "policy.includes", setup: |r| htaccess(r, "Options +Includes\n") },
        Case {
            name: "AddHandler cgi-script",
            rule: "policy.handler",
            setup: |r| htaccess(r, "AddHandler cgi-script .sh\n"),
        },
        Case {
            name: "SetHandler server-status",
            rule: "policy.server-info",
            setup: |r| htaccess(r, "SetHandler server-status\n"),
        },
        Case {
            name: "RewriteRule [P] to the metadata service",
            rule: "policy.proxy",
            setup: |r| htaccess(r, "RewriteEngine On\nRewriteRule ^meta/(.*)$ http://169.254.169.254/$1 [P,L]\n"),
        },
        Case {
            name: "file() in an expression",
            rule: "policy.file-read",
            setup: |r| htaccess(r, "<If \"file('/etc/passwd') =~ /root/\">\nRequire all denied\n</If>\n"),
        },
        Case {
            name: "php_value",
            rule: "policy.php",
            setup: |r| htaccess(r, "php_value auto_prepend_file /etc/passwd\n"),
        },
        Case {
            name: "AuthUserFile elsewhere",
            rule: "policy.auth-user-file",
            setup: |r| htaccess(r, "AuthType Basic\nAuthName x\nAuthUserFile /etc/shadow\nRequire valid-user\n"),
        },
        Case {
            name: "Lua handler through a type",
            rule: "policy.handler",
            setup: |r| htaccess(r, "ForceType lua-script\n"),
        },
        Case {
            name: "proxy: handler to the ECS credentials endpoint",
            rule: "policy.proxy",
            setup: |r| htaccess(r, "SetHandler \"proxy:http://169.254.170.2/\"\n"),
        },
        Case {
            name: "${VAR} of the build's environment",
            rule: "policy.env-read",
            setup: |r| htaccess(r, &format!("Header set X-Leak \"${{{MARKER}}}\"\n")),
        },
        Case {
            name: "%{ENV:…} in a redirect",
            rule: "policy.env-read",
            setup: |r| htaccess(r, &format!("RewriteEngine On\nRewriteRule ^go$ /x?%{{ENV:{MARKER}}} [R=302,L]\n")),
        },
        Case {
            name: "inline Lua hook",
            rule: "policy.lua",
            setup: |r| htaccess(r, "<LuaHookFixups hook>\nfunction hook(r) return 0 end\n</LuaHookFixups>\n"),
        },
        Case {
            name: "LDAP provider",
            rule: "policy.auth-provider",
            setup: |r| htaccess(r, "AuthBasicProvider ldap\n"),
        },
        Case {
            name: "unknown expression function",
            rule: "policy.expression",
            setup: |r| htaccess(r, "<If \"frobnicate('x')\">\n</If>\n"),
        },
        Case {
            name: "NUL byte in .htaccess",
            rule: "policy.unreadable",
            setup: |r| htaccess(r, "Header set X a\0[P]\n"),
        },
        Case {
            name: "macro hiding a directive",
            rule: "policy.directive",
            setup: |r| htaccess(r, "<Macro m>\nServerSignature Off\n</Macro>\n"),
        },
        Case { name: "plain-text password", rule: "htpasswd.plaintext", setup: |r| htpasswd(r, "barista:espresso\n") },
        Case {
            name: "CRLF line ends",
            rule: "htpasswd.crlf",
            setup: |r| htpasswd(r, &format!("barista:{BCRYPT5}\r\n")),
        },
        Case {
            name: "duplicate user",
            rule: "htpasswd.duplicate",
            setup: |r| htpasswd(r, &format!("barista:{BCRYPT5}\nbarista:{BCRYPT5}\n")),
        },
        Case { name: "missing colon", rule: "htpasswd.syntax", setup: |r| htpasswd(r, "barista\n") },
        Case {
            name: "bcrypt on httpd 2.2",
            rule: "htpasswd.bcrypt-on-2.2",
            setup: |_| vec!["--httpd-version".into(), "2.2".into()],
        },
        Case {
            name: "bcrypt cost 13",
            rule: "htpasswd.bcrypt-cost",
            setup: |r| htpasswd(r, "barista:$2y$13$abcdefghijklmnopqrstuu5Vj1tQf2qW3e4r5t6y7u8i9o0p1a2s3\n"),
        },
        Case {
            name: "symlinked users folder",
            rule: "tree.symlink",
            setup: |r| {
                let real = r.join("real-users");
                std::fs::rename(r.join("users"), &real).unwrap();
                symlink(&real, r.join("users")).unwrap();
                vec![]
            },
        },
    ]
}

/// What a scan of the registry's blob store found.
struct BlobScan {
    /// The digests (hex) of every blob read.
    read: BTreeSet<String>,
    /// The blobs that hold the needle.
    holding: Vec<PathBuf>,
}

/// Reads every blob in the registry's storage (`…/blobs/sha256/xx/HEX/data`),
/// decompressed when gzip, looking for `needle`.
fn scan_registry_blobs(reg: &Registry, needle: &str) -> BlobScan {
    let mut scan = BlobScan { read: BTreeSet::new(), holding: Vec::new() };
    let mut stack = vec![reg.dir.path().join("data")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let bytes = std::fs::read(&path).unwrap_or_default();
            let mut text = bytes.clone();
            if bytes.starts_with(&[0x1f, 0x8b]) {
                text.clear();
                let _ = flate2::read::GzDecoder::new(&bytes[..]).read_to_end(&mut text);
            }
            if path.ends_with("data") {
                scan.read.insert(path.parent().unwrap().file_name().unwrap().to_string_lossy().into_owned());
            }
            if text.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                scan.holding.push(path);
            }
        }
    }
    scan
}

/// The digests (hex) of the blobs `repo_tag` is made of: config and layers.
fn blobs_of(reg: &Registry, repo_tag: &str) -> BTreeSet<String> {
    let manifest = reg.inspect(repo_tag, false);
    std::iter::once(&manifest["config"])
        .chain(manifest["layers"].as_array().unwrap())
        .map(|d| d["digest"].as_str().unwrap().trim_start_matches("sha256:").to_owned())
        .collect()
}

#[test]
fn hostile_input_is_refused_with_its_rule_and_nothing_is_pushed() {
    let reg = Registry::start();
    let base = reg.push_tiny_base("base/tiny:1");
    let conf_dir = tempfile::tempdir().unwrap();
    let conf = conf_dir.path().join("httpd.conf");
    std::fs::write(&conf, PERMISSIVE_CONF).unwrap();
    let build = |repo: &Path, tag: &str, extra: &[String]| {
        run(sitepack(repo)
            .env("HTTPD_CONF_URI", &conf)
            .env(MARKER, MARKER)
            .args(["build", "--base", &base, "--image", &format!("{}/{tag}", reg.host)])
            .args(extra))
    };

    let mut failures = Vec::new();
    let cases = cases();
    for (i, case) in cases.iter().enumerate() {
        let repo = example_repo();
        let extra = (case.setup)(repo.path());
        let tag = format!("sites/hostile:{i}");
        let out = build(repo.path(), &tag, &extra);
        let mut problems = Vec::new();
        if out.status.code() != Some(2) {
            problems.push(format!("exit {:?}, expected 2", out.status.code()));
        }
        if !out.stderr.contains(&format!("({})", case.rule)) {
            problems.push(format!("no finding with rule {}", case.rule));
        }
        if reg.manifest_digest(&tag).is_some() {
            problems.push("the tag exists".into());
        }
        if !problems.is_empty() {
            failures.push(format!("{}: {}\n{}", case.name, problems.join("; "), out.stderr));
        }
    }
    // A control that is pushed, built with the same marker in its
    // environment: the scan below must see its blobs, so it would see a leak.
    let control = example_repo();
    build(control.path(), "sites/hostile:control", &[]).ok();
    let scan = scan_registry_blobs(&reg, MARKER);
    let unread: Vec<String> = blobs_of(&reg, "sites/hostile:control").difference(&scan.read).cloned().collect();
    assert!(unread.is_empty(), "the scan missed the control image's blobs {unread:?}");
    assert!(scan.holding.is_empty(), "the build environment leaked into pushed blobs: {:?}", scan.holding);
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n\n"));
}

#[test]
fn litter_is_left_out_of_the_image_with_a_warning() {
    let reg = Registry::start();
    let base = reg.push_tiny_base("base/tiny:1");
    let repo = example_repo();
    let site = repo.path().join("site/coffeefans");
    std::fs::create_dir_all(site.join(".git")).unwrap();
    std::fs::write(site.join(".git/config"), "[core]\n").unwrap();
    std::fs::write(site.join(".DS_Store"), "x").unwrap();
    std::fs::write(site.join("index.html~"), "old").unwrap();
    std::fs::write(site.join(".HTACCESS"), "Require all denied\n").unwrap();
    let out =
        run(sitepack(repo.path()).args(["build", "--base", &base, "--image", &format!("{}/sites/litter:1", reg.host)]))
            .ok();
    for rule in ["tree.excluded", "tree.htaccess-case"] {
        assert!(out.stderr.contains(rule), "{rule}: {}", out.stderr);
    }
    for gone in [".git/config", ".DS_Store", "index.html~"] {
        let path = format!("var/www/html/coffeefans/{gone}");
        assert!(reg.file_in_image("sites/litter:1", &path).is_none(), "{gone} was published");
    }
    assert!(reg.file_in_image("sites/litter:1", "var/www/html/coffeefans/index.html").is_some());
}

#[test]
fn flat_namespace_layout_lands_under_the_namespace() {
    let reg = Registry::start();
    let base = reg.push_tiny_base("base/tiny:1");
    let repo = example_repo();
    // site/… (no site/NAME/) is placed under /var/www/html/NAME/.
    std::fs::rename(repo.path().join("site/coffeefans"), repo.path().join("flat")).unwrap();
    std::fs::remove_dir(repo.path().join("site")).unwrap();
    std::fs::rename(repo.path().join("flat"), repo.path().join("site")).unwrap();
    run(sitepack(repo.path()).args([
        "build",
        "--base",
        &base,
        "--image",
        &format!("{}/sites/flat:1", reg.host),
        "--namespace",
        "coffeefans",
    ]))
    .ok();
    assert!(reg.file_in_image("sites/flat:1", "var/www/html/coffeefans/index.html").is_some());
    assert!(reg.file_in_image("sites/flat:1", "var/www/html/index.html").is_none());
}
