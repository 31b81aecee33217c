//! A contributor's `.htaccess`, judged as httpd would judge it in its
//! directory: parsed (a syntax error is a 500 for the whole folder), then
//! each directive looked up as httpd does (unknown command or module not
//! loaded → "Invalid command"; not allowed in .htaccess or outside what
//! `AllowOverride` grants → "not allowed here"), with `<IfModule>` and
//! `<IfDefine>` evaluated. On top, the operator's policy refuses what is
//! allowed by httpd but not by the community (CGI, SSI exec, proxying,
//! reading server files, PHP settings, other password files).

use std::collections::BTreeSet;

use super::conf::{ClassName, Conf};
use super::directives::{self, Directive, Rule};
use super::syntax::{self, Node};
use super::{Finding, HttpdVersion};

/// Defines active when httpd runs with the seed's entrypoint (`-D FOREGROUND`).
const DEFINES: &[&str] = &["FOREGROUND"];
/// The only password file a contributor may point at.
pub const HTPASSWD_PATH: &str = "/opt/.htpasswd";

/// Policy rule ids an operator may switch off with `# sitepack: allow RULE`
/// in httpd.conf or `--allow RULE`.
pub const POLICY_RULES: &[&str] = &[
    "policy.exec-cgi",
    "policy.includes",
    "policy.cgi-handler",
    "policy.server-info",
    "policy.proxy",
    "policy.file-read",
    "policy.php",
    "policy.auth-user-file",
];

/// A second override class that also admits a directive: httpd 2.4 takes
/// `<Limit>`/`<LimitExcept>` under AuthConfig or Limit, and two mod_http2
/// directives under FileInfo or AuthConfig. The table holds the first.
fn also_granted_by(name: &str, version: HttpdVersion) -> Option<ClassName> {
    if version != HttpdVersion::V24 {
        return None;
    }
    match name.to_ascii_lowercase().as_str() {
        "limit" | "limitexcept" => Some(ClassName::Limit),
        "h2pushresource" | "h2earlyhint" => Some(ClassName::AuthConfig),
        _ => None,
    }
}

pub struct Context<'a> {
    pub conf: &'a Conf,
    /// Policy rules switched off.
    pub allowed: &'a BTreeSet<String>,
}

impl Context<'_> {
    fn version(&self) -> HttpdVersion {
        self.conf.version
    }
}

/// Checks one file; `dir` is its directory's absolute path in the image.
pub fn check(text: &str, shown: &str, dir: &str, ctx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    let overrides = ctx.conf.overrides_for(dir);
    if overrides.reads_nothing() {
        out.push(Finding::warning(
            shown,
            None,
            "htaccess.ignored",
            format!("httpd ignores this file: httpd.conf sets AllowOverride None for {dir}"),
            "ask the operator to allow the overrides the site needs, or remove the file",
        ));
        return out;
    }
    let nodes = match syntax::parse(text) {
        Ok(n) => n,
        Err(e) => {
            out.push(Finding::error(
                shown,
                Some(e.line()),
                "htaccess.syntax",
                format!("{e}; the whole folder would answer 500"),
                if matches!(e, syntax::SyntaxError::Bom) {
                    "save the file as UTF-8 without BOM"
                } else {
                    "fix the section structure"
                },
            ));
            return out;
        }
    };
    let mut w = Walk { ctx, shown, overrides: &overrides, out: &mut out };
    w.nodes(&nodes);
    out
}

struct Walk<'a, 'b> {
    ctx: &'a Context<'a>,
    shown: &'a str,
    overrides: &'a super::conf::Overrides,
    out: &'b mut Vec<Finding>,
}

impl Walk<'_, '_> {
    fn nodes(&mut self, nodes: &[Node]) {
        for node in nodes {
            match node {
                Node::Directive { name, args, line } => self.directive(name, args, *line),
                Node::Section { name, args, line, children } => self.section(name, args, *line, children),
            }
        }
    }

    fn err(&mut self, line: usize, rule: &'static str, message: String, hint: impl Into<String>) {
        self.out.push(Finding::error(self.shown, Some(line), rule, message, hint));
    }

    fn policy(&mut self, line: usize, rule: &'static str, message: String, hint: &str) {
        if !self.ctx.allowed.contains(rule) {
            self.err(
                line,
                rule,
                message,
                format!("{hint} (the operator can allow it with `# sitepack: allow {rule}` in httpd.conf)"),
            );
        }
    }

    fn section(&mut self, name: &str, args: &[String], line: usize, children: &[Node]) {
        let lname = name.to_ascii_lowercase();
        self.file_read_policy(name, args, line);
        match lname.as_str() {
            "ifmodule" => {
                let arg = args.first().map(String::as_str).unwrap_or("");
                let (negate, module) = arg.strip_prefix('!').map_or((false, arg), |m| (true, m));
                if self.ctx.conf.is_loaded(module) != negate {
                    self.nodes(children);
                }
                return;
            }
            "ifdefine" => {
                let arg = args.first().map(String::as_str).unwrap_or("");
                let (negate, define) = arg.strip_prefix('!').map_or((false, arg), |m| (true, m));
                if DEFINES.contains(&define) != negate {
                    self.nodes(children);
                }
                return;
            }
            _ => {}
        }
        let known = directives::find_section(name);
        if self.judge(&format!("<{name}>"), known, line) {
            self.nodes(children);
        }
    }

    /// httpd's order: is the command known (its module loaded)? may it
    /// stand in .htaccess? does AllowOverride grant its class? Returns
    /// whether the body should be examined further.
    fn judge(&mut self, shown_name: &str, known: Option<&'static Directive>, line: usize) -> bool {
        let version = self.ctx.version();
        let bare = shown_name.trim_start_matches('<').trim_end_matches('>');
        let unknown_fatal = !self.overrides.nonfatal_unknown;
        let Some(d) = known else {
            if unknown_fatal {
                self.err(
                    line,
                    "htaccess.unknown",
                    format!("{shown_name} is not a directive httpd knows (misspelled, or from a module that is not part of httpd); the folder would answer 500"),
                    "check the spelling against the httpd documentation",
                );
            }
            return false;
        };
        let (rule, module, other_rule, other) = match version {
            HttpdVersion::V22 => (d.v22, d.module_22, d.v24, "2.4"),
            HttpdVersion::V24 => (d.v24, d.module_24, d.v22, "2.2"),
        };
        if rule == Rule::Absent {
            if unknown_fatal {
                let msg = if other_rule != Rule::Absent {
                    format!("{shown_name} exists only in httpd {other}; this base runs httpd {version}, so the folder would answer 500")
                } else {
                    format!("{shown_name} does not exist in httpd {version}")
                };
                self.err(line, "htaccess.version", msg, "use the equivalent for this httpd version");
            }
            return false;
        }
        // Server-only directives are refused in .htaccess whatever module
        // defines them (MPM directives name an MPM that may not be loaded).
        if rule != Rule::ServerOnly && !module.is_empty() && !self.ctx.conf.is_loaded(module) {
            if unknown_fatal {
                self.err(
                    line,
                    "htaccess.module",
                    format!("{shown_name} needs {module}, which httpd.conf does not load; the folder would answer 500"),
                    format!("wrap it in <IfModule {module}.c>, or ask the operator to load {module}"),
                );
            }
            return false;
        }
        match rule {
            Rule::ServerOnly => {
                self.err(
                    line,
                    "htaccess.context",
                    format!("{shown_name} is not allowed in .htaccess (server configuration only); the folder would answer 500"),
                    "ask the operator; this belongs in httpd.conf",
                );
                false
            }
            Rule::Htaccess(class) => {
                let granted = self.overrides.classes.contains(&ClassName::from(class))
                    || also_granted_by(bare, version).is_some_and(|c| self.overrides.classes.contains(&c))
                    || self.overrides.list.iter().any(|n| n.eq_ignore_ascii_case(bare));
                if !granted && !self.overrides.nonfatal_override {
                    self.err(
                        line,
                        "htaccess.not-allowed",
                        format!(
                            "{shown_name} needs AllowOverride {class:?}, but httpd.conf allows {} here; the folder would answer 500 (\"not allowed here\")",
                            self.overrides.describe()
                        ),
                        format!("remove it, or ask the operator to allow {class:?} for this folder"),
                    );
                }
                granted
            }
            Rule::Always | Rule::Absent => true,
        }
    }

    fn directive(&mut self, name: &str, args: &[String], line: usize) {
        let lname = name.to_ascii_lowercase();
        self.file_read_policy(name, args, line);
        if lname.starts_with("php_") {
            // Refused by policy, and judged like any directive below (without
            // mod_php loaded httpd does not know it at all).
            self.policy(
                line,
                "policy.php",
                format!("{name} changes PHP settings, which contributors may not do"),
                "remove it",
            );
        }
        let known = directives::find(name);
        if !self.judge(name, known, line) {
            return;
        }
        let lower: Vec<String> = args.iter().map(|a| a.to_ascii_lowercase()).collect();
        match lname.as_str() {
            "options" => self.options(&lower, line),
            "addhandler" | "sethandler" | "addoutputfilter" | "setoutputfilter" => {
                if lower.iter().any(|a| a == "cgi-script") {
                    self.policy(
                        line,
                        "policy.cgi-handler",
                        format!("{name} cgi-script would run contributor code on the server"),
                        "remove it",
                    );
                }
                if lower.iter().any(|a| a == "server-status" || a == "server-info") {
                    self.policy(
                        line,
                        "policy.server-info",
                        format!("{name} exposes server-status/server-info"),
                        "remove it",
                    );
                }
                if lower.iter().any(|a| a == "server-parsed" || a == "includes") {
                    self.policy(line, "policy.includes", format!("{name} turns on server-side includes"), "remove it");
                }
            }
            "rewriterule" => {
                let flags = args
                    .get(2)
                    .map(|f| f.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase())
                    .unwrap_or_default();
                if flags.split(',').any(|f| f.trim() == "p" || f.trim() == "proxy") {
                    self.policy(
                        line,
                        "policy.proxy",
                        "RewriteRule with the [P] flag makes the server fetch other hosts (internal ones too, such as 169.254.169.254)".into(),
                        "redirect instead: [R=302] to an absolute URL",
                    );
                }
            }
            "authuserfile" | "authdbmuserfile" | "authgroupfile" | "authdbmgroupfile" => {
                let path = args.first().map(String::as_str).unwrap_or("");
                let the_one_allowed = lname == "authuserfile" && path == HTPASSWD_PATH;
                if !the_one_allowed {
                    self.policy(
                        line,
                        "policy.auth-user-file",
                        format!("{name} {path}: password files other than {HTPASSWD_PATH} are not allowed"),
                        "use AuthUserFile /opt/.htpasswd, filled from users/htpasswd",
                    );
                }
            }
            "authtype" => {
                let module = match lower.first().map(String::as_str) {
                    Some("basic") => Some("mod_auth_basic"),
                    Some("digest") => Some("mod_auth_digest"),
                    Some("form") => Some("mod_auth_form"),
                    _ => None,
                };
                if let Some(m) = module.filter(|m| !self.ctx.conf.is_loaded(m)) {
                    self.err(
                        line,
                        "htaccess.module",
                        format!(
                            "AuthType {} needs {m}, which httpd.conf does not load; requests would answer 500",
                            args[0]
                        ),
                        format!("ask the operator to load {m}"),
                    );
                }
            }
            "require" => self.require(&lower, line),
            _ => {}
        }
    }

    fn options(&mut self, args: &[String], line: usize) {
        for a in args {
            let opt = a.trim_start_matches(['+', '-']);
            let adding = !a.starts_with('-');
            // `All` means everything but MultiViews, ExecCGI and Includes included.
            if adding && (opt == "execcgi" || opt == "all") {
                self.policy(line, "policy.exec-cgi", format!("Options {a} allows running CGI programs"), "remove it");
            }
            if adding && (opt == "includes" || opt == "all") {
                self.policy(
                    line,
                    "policy.includes",
                    format!("Options {a} allows server-side includes that run commands"),
                    "use +IncludesNOEXEC if includes are needed",
                );
            }
            if let Some(allowed) = &self.overrides.options {
                if opt != "none" && !allowed.iter().any(|x| x == opt) {
                    self.err(
                        line,
                        "htaccess.not-allowed",
                        format!(
                            "Options {a}: httpd.conf allows only Options={} here; the folder would answer 500",
                            allowed.join(",")
                        ),
                        "remove it, or ask the operator",
                    );
                }
            }
        }
    }

    fn require(&mut self, args: &[String], line: usize) {
        let mut words = args.iter().map(String::as_str);
        let mut first = words.next().unwrap_or("");
        if first == "not" {
            first = words.next().unwrap_or("");
        }
        match self.ctx.version() {
            HttpdVersion::V22 => {
                if matches!(first, "all" | "ip" | "host" | "env" | "expr" | "method" | "local") {
                    self.err(
                        line,
                        "htaccess.version",
                        format!("Require {first} is httpd 2.4 syntax; this base runs httpd 2.2, where it fails"),
                        "on 2.2 use Order/Allow/Deny",
                    );
                }
            }
            HttpdVersion::V24 => {
                let module = match first {
                    "all" | "env" | "method" | "expr" => "mod_authz_core",
                    "valid-user" | "user" => "mod_authz_user",
                    "group" => "mod_authz_groupfile",
                    "ip" | "host" | "local" | "forward-dns" => "mod_authz_host",
                    "file-owner" | "file-group" => "mod_authz_owner",
                    "dbm-group" => "mod_authz_dbm",
                    _ => {
                        self.err(line, "htaccess.require", format!("Require {first}: httpd knows no such authorization provider; the folder would answer 500"), "see mod_authz_core's Require");
                        return;
                    }
                };
                if !self.ctx.conf.is_loaded(module) {
                    self.err(line, "htaccess.module", format!("Require {first} needs {module}, which httpd.conf does not load; the folder would answer 500"), format!("ask the operator to load {module}"));
                }
            }
        }
    }

    /// `%{file:…}` and `file()` in expressions read server files.
    fn file_read_policy(&mut self, name: &str, args: &[String], line: usize) {
        if args.iter().any(|a| {
            let l = a.to_ascii_lowercase();
            l.contains("%{file:") || l.contains("file(")
        }) {
            self.policy(
                line,
                "policy.file-read",
                format!("{name} reads a server file through an expression (file: / file())"),
                "remove the file lookup",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::conf::{Conf, CENTOS_BUILTINS};

    const CONF_22: &str = "LoadModule authz_host_module modules/mod_authz_host.so\n\
        LoadModule auth_basic_module modules/mod_auth_basic.so\n\
        LoadModule authn_file_module modules/mod_authn_file.so\n\
        LoadModule authz_user_module modules/mod_authz_user.so\n\
        LoadModule rewrite_module modules/mod_rewrite.so\n";

    fn rules(text: &str, conf: &Conf, allowed: &[&str]) -> Vec<&'static str> {
        let allowed: BTreeSet<String> = allowed.iter().map(|s| s.to_string()).collect();
        check(text, ".htaccess", "/var/www/html/x", &Context { conf, allowed: &allowed })
            .into_iter()
            .map(|f| f.rule)
            .collect()
    }

    /// httpd 2.2 is judged from the directive table alone; no 2.2 server runs here.
    #[test]
    fn httpd_2_2_rules_from_the_table() {
        let conf = Conf::parse(CONF_22, "httpd.conf", HttpdVersion::V22, CENTOS_BUILTINS);
        // 2.2's AllowOverride default is All, so .htaccess is read.
        assert!(rules("Order deny,allow\nDeny from all\n", &conf, &[]).is_empty());
        assert!(rules("AuthType Basic\nAuthName x\nAuthUserFile /opt/.htpasswd\nRequire valid-user\n", &conf, &[])
            .is_empty());
        assert_eq!(rules("Require all granted\n", &conf, &[]), ["htaccess.version"]);
        assert_eq!(rules("<If \"true\">\n</If>\n", &conf, &[]), ["htaccess.version"]);
        assert_eq!(rules("<RequireAll>\nRequire valid-user\n</RequireAll>\n", &conf, &[]), ["htaccess.version"]);
        assert_eq!(rules("Listen 80\n", &conf, &[]), ["htaccess.context"]);
        assert!(rules("RewriteEngine On\n", &conf, &[]).is_empty());
    }

    #[test]
    fn policy_rules_can_be_switched_off_by_the_operator() {
        let conf = Conf::parse(
            "LoadModule cgi_module m.so\n<Directory /var/www/html>\nAllowOverride All\n</Directory>\n# sitepack: allow policy.cgi-handler\n",
            "httpd.conf",
            HttpdVersion::V24,
            CENTOS_BUILTINS,
        );
        assert_eq!(rules("Options +ExecCGI\n", &conf, &[]), ["policy.exec-cgi"]);
        assert!(rules("Options +ExecCGI\n", &conf, &["policy.exec-cgi"]).is_empty());
        // Switched off in the conf itself.
        assert!(conf.allowed_rules.contains("policy.cgi-handler"));
    }

    #[test]
    fn ignored_files_are_a_warning_not_an_error() {
        let conf =
            Conf::parse("<Directory />\nAllowOverride None\n</Directory>\n", "c", HttpdVersion::V24, CENTOS_BUILTINS);
        let found =
            check("Listen 1\n", ".htaccess", "/var/www/html", &Context { conf: &conf, allowed: &BTreeSet::new() });
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].rule, found[0].severity), ("htaccess.ignored", crate::check::Severity::Warning));
    }
}
