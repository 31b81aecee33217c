//! The contributor policy proven against a real Apache. The operator's conf
//! is the stock Rocky layout, loading Rocky Linux 9's module set (mod_lua,
//! mod_proxy, mod_include, mod_info, ...) through `Include`; the image runs
//! as ECS runs it, with task secrets in its environment, next to a backend
//! it can reach. With every policy rule
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

/// The operator's httpd.conf: the stock Rocky layout of
/// `examples/operator/httpd-rocky.conf`, whose modules come from the base's
/// `conf.modules.d` (the test base ships Rocky Linux 9's set of the modules
/// Debian has: prefork and mod_cgi where Rocky has event and mod_cgid, no
/// mod_http2; no attack needs those), listening on
/// a loopback port (see `run_as_ecs` for why not port 80), and letting
/// `.htaccess` set Options too (so `+IncludesNOEXEC` can be tried).
fn write_conf(dir: &Path, port: u16) -> PathBuf {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/operator/httpd-rocky.conf");
    let mut conf = std::fs::read_to_string(&example).unwrap();
    for (stock, here) in [
        ("Listen 80".to_string(), format!("Listen 127.0.0.1:{port}")),
        ("    Options FollowSymLinks".into(), "    Options Indexes FollowSymLinks".into()),
        ("    AllowOverride AuthConfig FileInfo Indexes Limit".into(), format!("    AllowOverride {CONF_LINE_SHOWN}")),
    ] {
        let line = format!("\n{stock}\n");
        assert!(conf.contains(&line), "{} no longer has the line {stock:?}", example.display());
        conf = conf.replacen(&line, &format!("\n{here}\n"), 1);
    }
    let path = dir.join("httpd.conf");
    std::fs::write(&path, conf).unwrap();
    path
}

/// A line of the operator's conf that `server-info` publishes.
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
        name: "${SECRET_TOKEN} split over a line continuation",
        folder: "env-define-continued",
        files: &[(".htaccess", "Header set X-Leak3 \"$\\\n{SECRET_TOKEN}\"\n")],
        rule: "policy.env-read",
        probes: &[probe("", Sign::SecretInHeader("X-Leak3"))],
    },
    Attack {
        name: "${SECRET_TOKEN} after a comment that ends in a backslash and two CRs",
        folder: "env-define-after-comment",
        files: &[(".htaccess", "# a note \\\r\r\nHeader set X-Leak4 \"${SECRET_TOKEN}\"\n")],
        rule: "policy.env-read",
        probes: &[probe("", Sign::SecretInHeader("X-Leak4"))],
    },
    Attack {
        name: "Header condition EXPR= (capitals) as an oracle on osenv()",
        folder: "env-header-expr-caps",
        files: &[(".htaccess", "Header set X-Oracle2 \"starts with h\" \"EXPR=osenv('SECRET_TOKEN') =~ /^h/\"\n")],
        rule: "policy.env-read",
        probes: &[probe("", Sign::Header("X-Oracle2", "starts with h"))],
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
    reg.push_apache_base("base/httpd:bookworm")
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
        Backend { port: server.port, _server: server, marker }
    }
}

/// Pulls `host/repo@digest` into podman's storage.
fn pull(reg: &Registry, digest: &str) -> String {
    let image = format!("{}/sites/policy-attacks@{digest}", reg.host);
    podman_pull(&image);
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
    let all_rules = sitepack::check::RuleId::policy_ids();
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
