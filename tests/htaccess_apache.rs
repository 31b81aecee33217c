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
    "headers",
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
    // A module that is not loaded (mod_autoindex) makes its directives a 500.
    ("all", "IndexOptions FancyIndexing", true),
    ("all", "<IfModule mod_autoindex.c>\nIndexOptions FancyIndexing\n</IfModule>", false),
    ("all", "<IfModule !mod_autoindex.c>\nRedirect 302 /x /y\n</IfModule>", false),
    ("all", "Header set X-Frame-Options DENY", false),
    ("all", "<IfModule mod_headers.c>\nHeader set X-Frame-Options DENY\n</IfModule>", false),
    ("all", "<IfModule !mod_headers.c>\nListen 1\n</IfModule>", false),
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
    // Arguments a module refuses when httpd reads the file (src/check/arguments.rs).
    // mod_headers: action, optional always/onsuccess, counts, condition, formats.
    ("all", "Header always setifempty X a", false),
    ("all", "Header onsuccess note X a", false),
    ("all", "Header unset X env=a", false),
    ("all", "Header echo ^X", false),
    ("all", "Header edit* X a b env=x", false),
    ("all", "Header set X a early", false),
    ("all", "Header set X a \"expr=%{REQUEST_URI} =~ m#^/x#\"", false),
    ("all", "Header set X \"%D %t %{FOO}e 100%\"", false),
    ("all", "Header unset \"\"", false),
    ("all", "RequestHeader setifempty X a", false),
    ("all", "RequestHeader set X a early", false),
    ("all", "Header always", true),
    ("all", "Header bogus X a", true),
    ("all", "Header set X", true),
    ("all", "Header unset X a", true),
    ("all", "Header unset X env=a b", true),
    ("all", "Header edit X a", true),
    ("all", "Header set X a b c", true),
    ("all", "Header set X a env=", true),
    ("all", "Header set X a bogus", true),
    ("all", "Header set X a expr=", true),
    ("all", "Header set X a \"expr=%{HTTP_HOST} == 'a\"", true),
    ("all", "Header set X \"%q\"", true),
    // A value starting `expr=` (case-sensitive) is an expression, not a format.
    ("all", "Header set X \"expr=%{REQUEST_URI} %q\"", false),
    ("all", "Header set X \"EXPR=%{a}\"", true),
    ("all", "Header set X \"expr=%{HTTP_HOST\"", true),
    // Accepted when read; every response then fails ("Empty response header name").
    ("all", "Header set \"\" a", true),
    ("all", "RequestHeader always set X a", true),
    ("all", "RequestHeader echo ^X", true),
    ("all", "RequestHeader note X a", true),
    ("all", "RequestHeader set X a always", true),
    // mod_alias: the status decides whether a URL is needed.
    ("all", "Redirect PERMANENT /a /b", false),
    ("all", "Redirect gone /a", false),
    ("all", "Redirect 410 /a", false),
    ("all", "Redirect 200 /a", false),
    ("all", "Redirect 301x /a /b", false),
    ("all", "Redirect 301 /a x:y", false),
    // The regex must not match the folder: a matching rule would send every request to `b`, which is no URL (500).
    ("all", "RedirectMatch 301 ^/zz b", false),
    ("all", "RedirectPermanent /a /b", false),
    ("all", "Redirect", true),
    ("all", "Redirect gone /a /b", true),
    ("all", "Redirect 404 /a /b", true),
    ("all", "Redirect 3xx /a /b", true),
    ("all", "Redirect bogus /a /b", true),
    ("all", "Redirect /a b", true),
    ("all", "Redirect 301 /a :y", true),
    ("all", "Redirect 301 /a /b /c", true),
    ("all", "Redirect 301", true),
    // Two words: the folder itself redirects to the second; not a URL → 500 per request.
    ("all", "Redirect 301 a", true),
    ("all", "RedirectMatch ^/a", true),
    ("all", "RedirectMatch 600 ^/a /b", true),
    ("all", "RedirectPermanent /a", true),
    ("all", "RedirectTemp /a b", true),
    // ErrorDocument: only codes httpd has a status line for.
    ("all", "ErrorDocument 451 /x", false),
    ("all", "ErrorDocument 404x /x", false),
    ("all", "ErrorDocument 500 \"oops\"", false),
    ("all", "ErrorDocument 404 \"%{REQUEST_URI}\"", false),
    ("all", "ErrorDocument 418 /x", true),
    ("all", "ErrorDocument 306 /x", true),
    ("all", "ErrorDocument 600 /x", true),
    ("all", "ErrorDocument abc /x", true),
    ("all", "ErrorDocument 404", true),
    ("all", "ErrorDocument 404 \"%{REQUEST_URI\"", true),
    // Options: keywords, and + / - on all or none (None and All may lead).
    ("all", "Options Indexes FollowSymLinks", false),
    ("all", "Options None Indexes", false),
    ("all", "Options All -Indexes", false),
    ("all", "Options INDEXES", false),
    ("all", "Options +Indexes FollowSymLinks", true),
    ("all", "Options Indexes -MultiViews", true),
    ("all", "Options Bogus", true),
    ("all", "Options +None", true),
    ("all", "Options Indexes None", true),
    ("all", "Options -Indexes All", true),
    ("all", "Options +", true),
    // mod_expires: A/M seconds, or "<base> [plus] <num> <unit>…" matched by first letters.
    ("all", "ExpiresDefault A3600", false),
    ("all", "ExpiresDefault a3600", false),
    ("all", "ExpiresDefault \"now plus 1 month\"", false),
    ("all", "ExpiresDefault \"access plus 1 sec\"", false),
    ("all", "ExpiresByType text/* \"modification plus 1 years 2 mi\"", false),
    ("all", "ExpiresDefault X3600", true),
    ("all", "ExpiresDefault 3600", true),
    ("all", "ExpiresDefault \"access plus 1 fortnight\"", true),
    ("all", "ExpiresDefault \"access plus 1 m\"", true),
    ("all", "ExpiresDefault \"access plus 1\"", true),
    ("all", "ExpiresDefault \"access minus 1 month\"", true),
    ("all", "ExpiresDefault access plus 1 month", true),
    ("all", "ExpiresByType text A3600", true),
    ("all", "ExpiresActive bogus", true),
    // Types and handlers: only the argument count is checked by httpd.
    ("all", "AddType textplain .foo", false),
    ("all", "AddType text/plain foo bar", false),
    ("all", "ForceType none", false),
    ("all", "DefaultType text/plain", false),
    ("all", "AddType text/plain", true),
    ("all", "AddType \"\" .foo", true),
    ("all", "AddHandler cgi-script", true),
    ("all", "ForceType", true),
    ("all", "ForceType text/plain text/html", true),
    ("all", "DefaultType", true),
    ("all", "SetHandler a b", true),
    // Require: providers are case-sensitive and read their own arguments.
    ("all", "Require all GRANTED", false),
    ("all", "Require ip 10.1 10.0.0.0/255.0.0.0 ::1 127.0.0.1", false),
    ("all", "Require method GET PATCH", false),
    ("all", "Require expr true", false),
    ("all", "Require all", true),
    ("all", "Require all bogus", true),
    ("all", "Require ALL granted", true),
    ("all", "Require Valid-User", true),
    ("all", "Require ip", true),
    ("all", "Require ip 256.1.1.1", true),
    ("all", "Require ip 10.0.0.0/0", true),
    ("all", "Require ip notanip", true),
    ("all", "Require method get", true),
    ("all", "Require expr", true),
    // mod_rewrite: R= with a number must be a status httpd knows.
    ("all", "RewriteEngine On\nRewriteRule ^x$ - [R=410]", false),
    ("all", "RewriteEngine On\nRewriteRule ^x$ /b [R=seeother]", false),
    ("all", "RewriteEngine On\nRewriteRule ^x$ /b [R=500]", false),
    ("all", "RewriteEngine On\nRewriteRule ^x$ /b [R=399]", true),
    ("all", "RewriteEngine On\nRewriteRule ^x$ /b [redirect=600]", true),
    ("all", "RewriteEngine On\nRewriteRule ^x$ /b [R=418]", true),
    ("all", "RewriteEngine bogus", true),
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

/// Starts Apache with `conf` (given the port to listen on) written to
/// `root/httpd.conf`, on a port it is seen to listen on.
fn start_apache(root: &Path, conf: &dyn Fn(u16) -> String) -> Apache {
    let conf_path = root.join("httpd.conf");
    use std::os::unix::process::CommandExt;
    let (child, port) = spawn_listening("apache2", free_ports(), |port| {
        std::fs::write(&conf_path, conf(port)).unwrap();
        Command::new("apache2")
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
            .expect("apache2 must be installed (see .ci/run)")
    });
    Apache { child, port }
}

/// Writes each case's folder under `root/htdocs`, starts Apache on `conf`
/// (for the port it listens on), runs `sitepack check` over the tree and
/// the same conf with `extra` flags, and returns the cases where Apache or
/// sitepack differ from the stated outcome.
fn disagreements(
    root: &Path,
    conf: &dyn Fn(u16) -> String,
    cases: &[(&str, &str, bool)],
    extra: &[&std::ffi::OsStr],
) -> Vec<String> {
    // httpd's children run as www-data and must read the tree.
    std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o755)).unwrap();
    let htdocs = root.join("htdocs");
    for (i, (area, text, _)) in cases.iter().enumerate() {
        let dir = htdocs.join(area).join(format!("c{i:02}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(".htaccess"), text).unwrap();
        std::fs::write(dir.join("index.html"), "ok\n").unwrap();
    }
    run_ok(Command::new("chmod").args(["-R", "a+rX"]).arg(root));
    let htpasswd = root.join("htpasswd");
    std::fs::write(&htpasswd, "u:$apr1$salt1234$abcdefghijklmnopqrstuv\n").unwrap();

    let apache = start_apache(root, conf);

    // sitepack's verdicts, from one run over the whole tree with the same conf.
    let out = sitepack_scrubbed()
        .args(["check", "--format", "json", "--builtin-modules"])
        .arg(sitepack_debian_builtins())
        .arg("--site")
        .arg(&htdocs)
        .arg("--htpasswd")
        .arg(&htpasswd)
        .arg("--httpd-conf")
        .arg(root.join("httpd.conf"))
        .arg("--docroot")
        .arg(&htdocs)
        .args(extra)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("check output is not JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    let mut predicted_500: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in report["findings"].as_array().unwrap() {
        let rule = f["rule"].as_str().unwrap();
        if f["severity"] == "error" && (rule.starts_with("htaccess.") || rule.starts_with("conf.")) {
            predicted_500
                .entry(f["file"].as_str().unwrap().to_owned())
                .or_default()
                .push(format!("{rule}: {}", f["message"]));
        }
    }

    let mut out = Vec::new();
    for (i, (area, text, expect_500)) in cases.iter().enumerate() {
        let url = format!("http://127.0.0.1:{}/{area}/c{i:02}/", apache.port);
        let status = curl_status(&url, None).expect("apache answers");
        let apache_500 = status == 500;
        let file = htdocs.join(area).join(format!("c{i:02}")).join(".htaccess").display().to_string();
        let sitepack_500 = predicted_500.contains_key(&file);
        if apache_500 != *expect_500 || sitepack_500 != *expect_500 {
            out.push(format!(
                "case {i} in /{area}/ (expected {}): apache {status}, sitepack {}\n  .htaccess: {text:?}\n  findings: {:?}",
                if *expect_500 { "500" } else { "no 500" },
                if sitepack_500 { "predicts 500" } else { "predicts no 500" },
                predicted_500.get(&file)
            ));
        }
    }
    // Findings about the conf itself are errors only where httpd would not start.
    let conf_errors: Vec<&String> =
        predicted_500.iter().filter(|(f, _)| !f.ends_with(".htaccess")).flat_map(|(_, v)| v).collect();
    if !conf_errors.is_empty() {
        out.push(format!("sitepack finds errors in a conf Apache runs: {conf_errors:?}"));
    }
    if !out.is_empty() {
        let log = std::fs::read_to_string(root.join("error.log")).unwrap_or_default();
        out.push(format!("--- apache error.log:\n{log}"));
    }
    out
}

#[test]
fn sitepack_predicts_what_apache_2_4_does_with_each_htaccess() {
    let root = tempfile::tempdir().unwrap();
    let found = disagreements(root.path(), &|port| conf(root.path(), port), CASES, &[]);
    let cases_off = found.iter().filter(|l| l.starts_with("case ")).count();
    assert!(found.is_empty(), "{cases_off} of {} cases disagree:\n{}", CASES.len(), found.join("\n"));
}

/// Cases under an operator conf in the stock Rocky layout: no LoadModule of
/// its own, `Include conf.modules.d/*.conf` (the test base's own files, as
/// Rocky's package ships them) and `IncludeOptional conf.d/*.conf` (which
/// grants an override for one folder). `all` allows every override; `confd`
/// gets its AllowOverride only from the included file.
const ROCKY_CASES: &[(&str, &str, bool)] = &[
    ("all", "AuthType Basic\nAuthName x\nAuthUserFile /opt/.htpasswd\nRequire valid-user", false),
    ("all", "Header set X-Frame-Options DENY", false),
    ("all", "ExpiresActive On\nExpiresDefault A60", false),
    ("all", "RewriteEngine On\nRewriteRule ^a$ /b [R,L]", false),
    ("all", "SetEnvIf Request_URI ^ X=1\nAddOutputFilterByType DEFLATE text/html", false),
    // Not in Rocky's module set.
    ("all", "CheckSpelling On", true),
    // <IfModule> sees what the includes load.
    ("all", "<IfModule mod_headers.c>\nListen 1\n</IfModule>", true),
    ("all", "<IfModule !mod_headers.c>\nListen 1\n</IfModule>", false),
    ("confd", "AddType text/plain .x", false),
    ("confd", "ErrorDocument 404 /x.html", false),
    ("confd", "Require all granted", true),
];

#[test]
fn sitepack_predicts_what_apache_2_4_does_under_the_stock_rocky_layout() {
    let root = tempfile::tempdir().unwrap();
    // The base's conf.modules.d, from the test base itself.
    let rootfs = apache_base_layout().parent().unwrap().join("rootfs.tar");
    run_ok(Command::new("tar").arg("-xf").arg(&rootfs).arg("-C").arg(root.path()).arg("./etc/httpd/conf.modules.d"));
    std::fs::rename(root.path().join("etc/httpd/conf.modules.d"), root.path().join("conf.modules.d")).unwrap();
    std::fs::remove_dir_all(root.path().join("etc")).unwrap();
    std::os::unix::fs::symlink("/usr/lib/apache2/modules", root.path().join("modules")).unwrap();
    let htdocs = root.path().join("htdocs");
    std::fs::create_dir_all(root.path().join("conf.d")).unwrap();
    std::fs::write(
        root.path().join("conf.d/areas.conf"),
        format!("<Directory \"{}/confd\">\n    AllowOverride FileInfo\n</Directory>\n", htdocs.display()),
    )
    .unwrap();
    let conf = |port: u16| {
        format!(
            "ServerRoot \"{root}\"\nListen 127.0.0.1:{port}\nInclude conf.modules.d/*.conf\nServerName localhost\n\
         PidFile \"{root}/httpd.pid\"\nDefaultRuntimeDir \"{root}\"\nErrorLog \"{root}/error.log\"\nLogLevel warn\n\
         User www-data\nGroup www-data\nTypesConfig /etc/mime.types\nDocumentRoot \"{h}\"\n\
         <Directory />\n    AllowOverride None\n    Require all denied\n</Directory>\n\
         <Directory \"{h}\">\n    AllowOverride None\n    Require all granted\n</Directory>\n\
         <Directory \"{h}/all\">\n    AllowOverride All\n</Directory>\n\
         <Files \".ht*\">\n    Require all denied\n</Files>\nIncludeOptional conf.d/*.conf\n",
            root = root.path().display(),
            h = htdocs.display()
        )
    };
    let tree: &std::ffi::OsStr = root.path().as_os_str();
    let extra = [std::ffi::OsStr::new("--base-tree"), tree, std::ffi::OsStr::new("--base-server-root"), tree];
    let found = disagreements(root.path(), &conf, ROCKY_CASES, &extra);
    let cases_off = found.iter().filter(|l| l.starts_with("case ")).count();
    assert!(found.is_empty(), "{cases_off} of {} cases disagree:\n{}", ROCKY_CASES.len(), found.join("\n"));
}

fn sitepack_debian_builtins() -> String {
    "core,http_core,mod_so,mod_watchdog,mod_log_config,mod_logio,mod_version,mod_unixd".into()
}
