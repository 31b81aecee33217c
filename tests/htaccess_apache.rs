//! Differential test: sitepack's verdict on each `.htaccess` against what a
//! real Apache 2.4 (Debian's apache2, started here on loopback) does with a
//! request to that folder. One httpd.conf serves both: a folder per
//! `AllowOverride` shape, the same modules loaded. Every case states the
//! expected outcome; Apache must show it, and sitepack must predict it.
//! Policy refusals are sitepack's own stricter rules and are not compared.
//! The httpd 2.2 rules are checked against the directive table alone (no 2.2
//! server runs here).

mod common;

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use common::*;

const MODULES: &[&str] = &[
    "mpm_prefork",
    "authz_core",
    "authz_host",
    "authz_user",
    "authn_core",
    "authn_file",
    "auth_basic",
    "access_compat",
    "mime",
    "dir",
    "rewrite",
    "alias",
    "env",
    "setenvif",
    "expires",
];

/// Folders and what httpd.conf allows in each.
const AREAS: &[(&str, &str)] = &[
    ("all", "AllowOverride All"),
    ("auth", "AllowOverride AuthConfig"),
    ("fileinfo", "AllowOverride FileInfo"),
    ("indexes", "AllowOverride Indexes"),
    ("limit", "AllowOverride Limit"),
    ("opts", "AllowOverride Options=Indexes,MultiViews"),
    ("list", "AllowOverride None\n    AllowOverrideList Redirect RewriteEngine RewriteRule"),
    ("nonfatal", "AllowOverride AuthConfig Nonfatal=All"),
    ("none", "AllowOverride None"),
];

/// (folder, .htaccess, Apache answers 500)
const CASES: &[(&str, &str, bool)] = &[
    ("all", "Require all granted", false),
    ("all", "AuthType Basic\nAuthName \"members\"\nAuthUserFile /opt/.htpasswd\nRequire valid-user", false),
    ("all", "Options -Indexes", false),
    ("all", "Options +FollowSymLinks -MultiViews", false),
    ("all", "RewriteEngine On\nRewriteRule ^old$ /new [R=302,L]", false),
    ("all", "Header set X-Frame-Options DENY", true),
    ("all", "<IfModule mod_headers.c>\nHeader set X-Frame-Options DENY\n</IfModule>", false),
    ("all", "<IfModule !mod_headers.c>\nRedirect 302 /x /y\n</IfModule>", false),
    ("all", "Listen 8080", true),
    ("all", "ServerName example.org", true),
    ("all", "LoadModule headers_module /usr/lib/apache2/modules/mod_headers.so", true),
    ("all", "Requre all granted", true),
    ("all", "<Directory /tmp>\n</Directory>", true),
    ("all", "<Location /x>\n</Location>", true),
    ("all", "\u{feff}Require all granted", true),
    ("all", "<Files x>\nRequire all denied", true),
    ("all", "</Files>", true),
    ("all", "Order deny,allow\nDeny from all", false),
    ("all", "ErrorDocument 404 /missing.html", false),
    ("all", "DirectoryIndex index.html", false),
    ("all", "ExpiresActive On\nExpiresDefault \"access plus 1 hour\"", false),
    ("all", "AddType text/plain .foo", false),
    ("all", "Redirect 301 /old /new", false),
    ("all", "<IfVersion >= 2.4>\nRequire all granted\n</IfVersion>", false),
    ("all", "<If \"%{HTTP_HOST} == 'example.org'\">\nRequire all denied\n</If>", false),
    ("all", "<RequireAny>\nRequire ip 127.0.0.1\nRequire all denied\n</RequireAny>", false),
    ("all", "SetEnvIf User-Agent bot is_bot", false),
    ("all", "Require bogus-provider", true),
    ("all", "AuthType Digest\nAuthName x\nRequire valid-user", true),
    ("all", "php_value upload_max_filesize 1M", true),
    ("all", "<Files \".ht*\">\nRequire all denied\n</Files>\n# a comment\nOptions \\\n  -Indexes", false),
    ("all", "<FilesMatch \"\\.(bak|old)$\">\nRequire all denied\n</FilesMatch>", false),
    ("all", "<Limit POST PUT>\nRequire all denied\n</Limit>", false),
    ("all", "<LimitExcept GET>\nRequire all denied\n</LimitExcept>", false),
    ("all", "<IfDefine FOREGROUND_NOT_SET>\nListen 1\n</IfDefine>", false),
    // <IfModule> names a module as httpd does: `mod_x.c` or `x_module`,
    // case-sensitively; any other spelling is "not loaded".
    ("all", "<IfModule mod_rewrite>\nListen 1\n</IfModule>", false),
    ("all", "<IfModule !mod_rewrite>\nListen 1\n</IfModule>", true),
    ("all", "<IfModule MOD_REWRITE.C>\nListen 1\n</IfModule>", false),
    ("all", "<IfModule rewrite_module>\nListen 1\n</IfModule>", true),
    ("all", "<IfModule prefork.c>\nListen 1\n</IfModule>", true),
    // Words split on C's white space only; a quoted name is a name.
    ("all", "Options\u{a0}-Indexes", true),
    ("all", "\"Options\" -Indexes", false),
    ("all", "Options\t-Indexes \\\n  -MultiViews", false),
    // mod_rewrite's own splitting and flags.
    ("all", "RewriteEngine On\nRewriteRule ^a$ /b [R,Q]", true),
    ("all", "RewriteEngine On\nRewriteRule ^a$ /b R,L", true),
    ("all", "RewriteEngine On\nRewriteRule ^a$ /b [R=302, L]", true),
    ("all", "RewriteEngine On\nRewriteRule ^a$ /b \"[R=302, L]\"", false),
    ("all", "RewriteEngine On\nRewriteRule ^a\\ b$ /b [redirect=302,last]", false),
    ("all", "RewriteRule ^a$", true),
    ("all", "RewriteCond %{HTTP_HOST} x [NC,XY]\nRewriteRule ^a$ /b", true),
    ("all", "RewriteCond %{HTTP_HOST} x [nocase,OR]\nRewriteRule ^a$ /b", false),
    ("auth", "Require all granted", false),
    ("auth", "AuthType Basic\nAuthName x\nAuthUserFile /opt/.htpasswd\nRequire valid-user", false),
    ("auth", "<RequireAll>\nRequire all granted\n</RequireAll>", false),
    ("auth", "<Files secret.txt>\nRequire all denied\n</Files>", false),
    ("auth", "Options -Indexes", true),
    ("auth", "RewriteEngine On", true),
    ("auth", "Order allow,deny", true),
    ("auth", "ErrorDocument 404 /x.html", true),
    ("fileinfo", "RewriteEngine On\nRewriteRule ^a$ /b [R,L]", false),
    ("fileinfo", "AddHandler cgi-script .sh", false),
    ("fileinfo", "SetHandler none", false),
    ("fileinfo", "ErrorDocument 404 /x.html", false),
    ("fileinfo", "Require all granted", true),
    ("fileinfo", "DirectoryIndex x.html", true),
    ("indexes", "DirectoryIndex x.html", false),
    ("indexes", "ExpiresActive On", false),
    ("indexes", "AddType text/plain .x", true),
    ("limit", "Order deny,allow\nAllow from all", false),
    ("limit", "Require all granted", true),
    // <Limit> needs AuthConfig or Limit in 2.4, whatever a single column says.
    ("limit", "<Limit POST>\nDeny from all\n</Limit>", false),
    ("auth", "<LimitExcept GET>\nRequire valid-user\n</LimitExcept>", false),
    ("fileinfo", "<Limit POST>\n</Limit>", true),
    ("opts", "Options -Indexes", false),
    ("opts", "Options +MultiViews", false),
    ("opts", "Options +FollowSymLinks", true),
    ("opts", "Options +ExecCGI", true),
    ("list", "Redirect 301 /a /b", false),
    ("list", "RewriteEngine On\nRewriteRule ^a$ /b [R,L]", false),
    ("list", "Require all granted", true),
    ("list", "Options -Indexes", true),
    ("nonfatal", "Options -Indexes", false),
    ("nonfatal", "Requre all granted", false),
    ("none", "Listen 8080", false),
    ("none", "complete garbage <<<", false),
];

struct Apache {
    child: Child,
    port: u16,
}

impl Drop for Apache {
    fn drop(&mut self) {
        // SIGTERM: httpd stops its children too (SIGKILL would orphan them).
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let _ = self.child.wait();
    }
}

fn conf(root: &Path, port: u16) -> String {
    let htdocs = root.join("htdocs");
    let mut c = format!(
        "ServerRoot \"{root}\"\nListen 127.0.0.1:{port}\nServerName localhost\nPidFile \"{root}/httpd.pid\"\n\
         DefaultRuntimeDir \"{root}\"\nErrorLog \"{root}/error.log\"\nLogLevel warn\nUser www-data\nGroup www-data\n",
        root = root.display()
    );
    for m in MODULES {
        c.push_str(&format!("LoadModule {m}_module /usr/lib/apache2/modules/mod_{m}.so\n"));
    }
    c.push_str(&format!(
        "TypesConfig /etc/mime.types\nDocumentRoot \"{h}\"\n<Directory />\n    AllowOverride None\n    Require all denied\n</Directory>\n\
         <Directory \"{h}\">\n    AllowOverride None\n    Require all granted\n</Directory>\n",
        h = htdocs.display()
    ));
    for (area, rule) in AREAS {
        c.push_str(&format!("<Directory \"{}/{area}\">\n    {rule}\n</Directory>\n", htdocs.display()));
    }
    c.push_str("<Files \".ht*\">\n    Require all denied\n</Files>\n");
    c
}

fn start_apache(root: &Path, port: u16) -> Apache {
    let conf_path = root.join("httpd.conf");
    use std::os::unix::process::CommandExt;
    let child = Command::new("apache2")
        // Its own process group: on SIGTERM httpd signals its whole group to
        // stop its children, which must not include this test and its parents.
        .process_group(0)
        .args(["-d"])
        .arg(root)
        .arg("-f")
        .arg(&conf_path)
        .arg("-DFOREGROUND")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("apache2 must be installed (see .ci/run)");
    wait_for_port(port, "apache2");
    Apache { child, port }
}

#[test]
fn sitepack_predicts_what_apache_2_4_does_with_each_htaccess() {
    let root = tempfile::tempdir().unwrap();
    // httpd's children run as www-data and must read the tree.
    std::fs::set_permissions(root.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let port = free_port();
    std::fs::write(root.path().join("httpd.conf"), conf(root.path(), port)).unwrap();
    let htdocs = root.path().join("htdocs");
    for (i, (area, text, _)) in CASES.iter().enumerate() {
        let dir = htdocs.join(area).join(format!("c{i:02}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(".htaccess"), text).unwrap();
        std::fs::write(dir.join("index.html"), "ok\n").unwrap();
    }
    let check = run_ok(Command::new("chmod").args(["-R", "a+rX"]).arg(root.path()));
    drop(check);
    let htpasswd = root.path().join("htpasswd");
    std::fs::write(&htpasswd, "u:$apr1$salt1234$abcdefghijklmnopqrstuv\n").unwrap();

    let apache = start_apache(root.path(), port);

    // sitepack's verdicts, from one run over the whole tree with the same conf.
    let out = Command::new(env!("CARGO_BIN_EXE_sitepack"))
        .args(["check", "--format", "json", "--builtin-modules"])
        .arg(sitepack_debian_builtins())
        .arg("--site")
        .arg(&htdocs)
        .arg("--htpasswd")
        .arg(&htpasswd)
        .arg("--httpd-conf")
        .arg(root.path().join("httpd.conf"))
        .arg("--docroot")
        .arg(&htdocs)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("check output is not JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    let mut predicted_500: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in report["findings"].as_array().unwrap() {
        let rule = f["rule"].as_str().unwrap();
        if f["severity"] == "error" && rule.starts_with("htaccess.") {
            predicted_500
                .entry(f["file"].as_str().unwrap().to_owned())
                .or_default()
                .push(format!("{rule}: {}", f["message"]));
        }
    }

    let mut disagreements = Vec::new();
    for (i, (area, text, expect_500)) in CASES.iter().enumerate() {
        let url = format!("http://127.0.0.1:{}/{area}/c{i:02}/", apache.port);
        let status = curl_status(&url, None).expect("apache answers");
        let apache_500 = status == 500;
        let file = htdocs.join(area).join(format!("c{i:02}")).join(".htaccess").display().to_string();
        let sitepack_500 = predicted_500.contains_key(&file);
        if apache_500 != *expect_500 || sitepack_500 != *expect_500 {
            disagreements.push(format!(
                "case {i} in /{area}/ (expected {}): apache {status}, sitepack {}\n  .htaccess: {text:?}\n  findings: {:?}",
                if *expect_500 { "500" } else { "no 500" },
                if sitepack_500 { "predicts 500" } else { "predicts no 500" },
                predicted_500.get(&file)
            ));
        }
    }
    let log = std::fs::read_to_string(root.path().join("error.log")).unwrap_or_default();
    assert!(
        disagreements.is_empty(),
        "{} of {} cases disagree:\n{}\n--- apache error.log:\n{log}",
        disagreements.len(),
        CASES.len(),
        disagreements.join("\n")
    );
}

fn sitepack_debian_builtins() -> String {
    "core,http_core,mod_so,mod_watchdog,mod_log_config,mod_logio,mod_version,mod_unixd".into()
}
