//! A contributor's `.htaccess`, judged as httpd would judge it in its
//! directory: parsed (a syntax error is a 500 for the whole folder), then
//! each directive looked up as httpd does (unknown command or module not
//! loaded → "Invalid command"; not allowed in .htaccess or outside what
//! `AllowOverride` grants → "not allowed here"; a rewrite rule mod_rewrite
//! cannot read), with `<IfModule>` and `<IfDefine>` evaluated. Then, for a
//! file httpd reads, the contributor policy (`policy`), which refuses what
//! httpd would run but the community does not allow.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use super::conf::{ClassName, Conf};
use super::directives::{self, Directive, Rule};
use super::policy::{self, SiteVariables};
use super::syntax::{self, Node};
use super::{Finding, HttpdVersion, RuleId};

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
    /// What the site's files set for every request, for the policy.
    pub vars: &'a SiteVariables,
    /// The site's folder in the image.
    pub site_root: &'a str,
    /// What could not be judged because part of the conf is unknown.
    pub unchecked: &'a RefCell<Unchecked>,
}

/// Module and override checks left open by an unread part of the conf:
/// what the site needs, and which files need it.
#[derive(Debug, Default)]
pub struct Unchecked {
    pub modules: BTreeMap<String, BTreeSet<String>>,
    pub overrides: BTreeMap<String, BTreeSet<String>>,
}

impl Context<'_> {
    fn version(&self) -> HttpdVersion {
        self.conf.version
    }
}

/// One `.htaccess` as read from the tree, with httpd's reading of it: parsed
/// once, for the site's variables and then for the checks.
pub struct File {
    pub bytes: Vec<u8>,
    pub parsed: Result<Vec<Node>, syntax::SyntaxError>,
}

impl File {
    pub fn new(bytes: Vec<u8>) -> File {
        let parsed = syntax::parse(&String::from_utf8_lossy(&bytes));
        File { bytes, parsed }
    }
}

/// Checks one file; `dir` is its directory's absolute path in the image and
/// `folder` the same relative to the site. First what httpd would do with
/// it (a 500 for the folder), then, for a file httpd reads, the policy.
pub fn check(file: &File, shown: &str, dir: &str, folder: &str, ctx: &Context<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    let overrides = ctx.conf.overrides_for(dir);
    // With part of the conf unread, an AllowOverride there may grant more.
    if overrides.reads_nothing() && ctx.conf.is_known() {
        out.push(Finding::warning(
            shown,
            None,
            RuleId::HtaccessIgnored,
            format!("httpd ignores this file: httpd.conf sets AllowOverride None for {dir}"),
            "ask the operator to allow the overrides the site needs, or remove the file",
        ));
        return out;
    }
    let nodes = match &file.parsed {
        Ok(n) => n.as_slice(),
        Err(e) => {
            out.push(Finding::error(
                shown,
                Some(e.line()),
                RuleId::HtaccessSyntax,
                format!("{e}; the whole folder would answer 500"),
                if matches!(e, syntax::SyntaxError::Bom) {
                    "save the file as UTF-8 without BOM"
                } else {
                    "fix the section structure"
                },
            ));
            &[]
        }
    };
    let mut w = Walk { ctx, shown, overrides: &overrides, out: &mut out, uncertain: None };
    w.nodes(nodes);
    let place = policy::Place { site_root: ctx.site_root, folder };
    out.extend(policy::check(&file.bytes, nodes, shown, &place, ctx.vars, ctx.allowed));
    out
}

struct Walk<'a, 'b> {
    ctx: &'a Context<'a>,
    shown: &'a str,
    overrides: &'a super::conf::Overrides,
    out: &'b mut Vec<Finding>,
    /// The `<IfModule>` whose truth the unread part of the conf decides.
    uncertain: Option<String>,
}

impl Walk<'_, '_> {
    fn nodes(&mut self, nodes: &[Node]) {
        for node in nodes {
            match node {
                Node::Directive { name, args, raw, line } => self.directive(name, args, raw, *line),
                Node::Section { name, args, line, children } => self.section(name, args, *line, children),
            }
        }
    }

    fn unchecked_module(&mut self, module: &str) {
        self.ctx.unchecked.borrow_mut().modules.entry(module.to_owned()).or_default().insert(self.shown.to_owned());
    }

    /// A module a directive's argument needs (AuthType Basic, Require
    /// user): an error when the conf is known not to load it.
    fn needs_module(&mut self, module: &str, line: usize, message: String) {
        if self.ctx.conf.is_loaded(module) {
            return;
        }
        if !self.ctx.conf.is_known() {
            return self.unchecked_module(module);
        }
        self.err(line, RuleId::HtaccessModule, message, format!("ask the operator to load {module}"));
    }

    fn err(&mut self, line: usize, rule: RuleId, message: String, hint: impl Into<String>) {
        match &self.uncertain {
            Some(section) => self.out.push(Finding::warning(
                self.shown,
                Some(line),
                rule,
                format!("{message}, if {section} is true at run time"),
                hint,
            )),
            None => self.out.push(Finding::error(self.shown, Some(line), rule, message, hint)),
        }
    }

    fn section(&mut self, name: &str, args: &[String], line: usize, children: &[Node]) {
        let lname = name.to_ascii_lowercase();
        match lname.as_str() {
            "ifmodule" => {
                let arg = args.first().map(String::as_str).unwrap_or("");
                let (negate, module) = arg.strip_prefix('!').map_or((false, arg), |m| (true, m));
                // As httpd matches it: `mod_x.c` or `x_module`, case and all.
                let loaded = self.ctx.conf.is_loaded_exactly(module);
                if !loaded && !self.ctx.conf.is_known() {
                    // The unread part may load it, so either way is
                    // possible: what the body would do is said, as warnings.
                    self.unchecked_module(&super::conf::canonical_module(module));
                    let was = self.uncertain.replace(format!("<IfModule {arg}>"));
                    self.nodes(children);
                    self.uncertain = was;
                } else if loaded != negate {
                    self.nodes(children);
                }
                return;
            }
            "ifdefine" => {
                let arg = args.first().map(String::as_str).unwrap_or("");
                let (negate, define) = arg.strip_prefix('!').map_or((false, arg), |m| (true, m));
                if self.ctx.conf.is_defined(define) != negate {
                    self.nodes(children);
                }
                return;
            }
            _ => {}
        }
        let known = directives::find_section(name);
        // mod_lua reads a <LuaHook…> body as Lua source, not as directives.
        if self.judge(&format!("<{name}>"), known, line) && !lname.starts_with("lua") {
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
                    RuleId::HtaccessUnknown,
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
                self.err(line, RuleId::HtaccessVersion, msg, "use the equivalent for this httpd version");
            }
            return false;
        }
        // Server-only directives are refused in .htaccess whatever module
        // defines them (MPM directives name an MPM that may not be loaded).
        if rule != Rule::ServerOnly && !module.is_empty() && !self.ctx.conf.is_loaded(module) {
            if !self.ctx.conf.is_known() {
                // Loaded or not in the unread part: said once (in
                // conf.include-unread), and judged on as if loaded.
                self.unchecked_module(module);
            } else {
                if unknown_fatal {
                    self.err(
                        line,
                        RuleId::HtaccessModule,
                        format!(
                            "{shown_name} needs {module}, which httpd.conf does not load; the folder would answer 500"
                        ),
                        format!("wrap it in <IfModule {module}.c>, or ask the operator to load {module}"),
                    );
                }
                return false;
            }
        }
        match rule {
            Rule::ServerOnly => {
                self.err(
                    line,
                    RuleId::HtaccessContext,
                    format!("{shown_name} is not allowed in .htaccess (server configuration only); the folder would answer 500"),
                    "ask the operator; this belongs in httpd.conf",
                );
                false
            }
            Rule::Htaccess(class) => {
                let granted = self.overrides.classes.contains(&ClassName::from(class))
                    || also_granted_by(bare, version).is_some_and(|c| self.overrides.classes.contains(&c))
                    || self.overrides.list.iter().any(|n| n.eq_ignore_ascii_case(bare));
                if !granted && !self.ctx.conf.is_known() {
                    self.ctx
                        .unchecked
                        .borrow_mut()
                        .overrides
                        .entry(format!("{class:?}"))
                        .or_default()
                        .insert(self.shown.to_owned());
                    return true;
                }
                if !granted && !self.overrides.nonfatal_override {
                    self.err(
                        line,
                        RuleId::HtaccessNotAllowed,
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

    fn directive(&mut self, name: &str, args: &[String], raw: &str, line: usize) {
        let lname = name.to_ascii_lowercase();
        let known = directives::find(name);
        if !self.judge(name, known, line) {
            return;
        }
        if let Some(p) = super::arguments::check(name, args, raw) {
            self.err(line, RuleId::HtaccessArgument, p.message, p.hint);
        }
        let lower: Vec<String> = args.iter().map(|a| a.to_ascii_lowercase()).collect();
        match lname.as_str() {
            "options" => self.options(&lower, line),
            "rewriterule" | "rewritecond" => self.rewrite(&lname, name, raw, line),
            "authtype" => {
                let module = match lower.first().map(String::as_str) {
                    Some("basic") => Some("mod_auth_basic"),
                    Some("digest") => Some("mod_auth_digest"),
                    Some("form") => Some("mod_auth_form"),
                    _ => None,
                };
                if let Some(m) = module {
                    let message = format!(
                        "AuthType {} needs {m}, which httpd.conf does not load; requests would answer 500",
                        args[0]
                    );
                    self.needs_module(m, line, message);
                }
            }
            "require" => self.require(&lower, line),
            _ => {}
        }
    }

    /// mod_rewrite refuses a rule it cannot split or whose flags it does
    /// not know when it reads the file: the folder answers 500.
    fn rewrite(&mut self, lname: &str, name: &str, raw: &str, line: usize) {
        use super::rewrite;
        let Some((_, _, flags)) = rewrite::split(raw) else {
            return self.err(
                line,
                RuleId::HtaccessArgument,
                format!("{name} needs a pattern and a target; the folder would answer 500"),
                "see the mod_rewrite documentation",
            );
        };
        let Some(flags) = flags else { return };
        let Some(parsed) = rewrite::flags(&flags) else {
            return self.err(
                line,
                RuleId::HtaccessArgument,
                format!("{name} flags {flags} must be written in [brackets]; the folder would answer 500"),
                "write the flags as [R=302,L]",
            );
        };
        for (key, val) in parsed {
            let known = if lname == "rewriterule" {
                !matches!(rewrite::rule_flag(&key, &val), rewrite::RuleFlag::Unknown(_))
            } else {
                rewrite::cond_flag_known(&key)
            };
            if !known {
                self.err(
                    line,
                    RuleId::HtaccessArgument,
                    format!("{name}: mod_rewrite knows no flag `{key}`; the folder would answer 500"),
                    "see the flags in the mod_rewrite documentation",
                );
            }
        }
    }

    fn options(&mut self, args: &[String], line: usize) {
        for a in args {
            let opt = a.trim_start_matches(['+', '-']);
            if let Some(allowed) = &self.overrides.options {
                if opt != "none" && !allowed.iter().any(|x| x == opt) {
                    self.err(
                        line,
                        RuleId::HtaccessNotAllowed,
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
                        RuleId::HtaccessVersion,
                        format!("Require {first} is httpd 2.4 syntax; this base runs httpd 2.2, where it fails"),
                        "on 2.2 use Order/Allow/Deny",
                    );
                }
            }
            HttpdVersion::V24 => {
                let Some(module) = super::arguments::provider_module(first) else {
                    self.err(
                        line,
                        RuleId::HtaccessRequire,
                        format!(
                            "Require {first}: httpd knows no such authorization provider; the folder would answer 500"
                        ),
                        "see mod_authz_core's Require",
                    );
                    return;
                };
                self.needs_module(
                    module,
                    line,
                    format!(
                        "Require {first} needs {module}, which httpd.conf does not load; the folder would answer 500"
                    ),
                );
            }
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

    fn all_rules(text: &str, conf: &Conf, allowed: &[&str]) -> Vec<&'static str> {
        let allowed: BTreeSet<String> = allowed.iter().map(|s| s.to_string()).collect();
        let vars = SiteVariables::default();
        let unchecked = std::cell::RefCell::default();
        let ctx = Context { conf, allowed: &allowed, vars: &vars, site_root: "/var/www/html", unchecked: &unchecked };
        check(&File::new(text.into()), ".htaccess", "/var/www/html/x", "x", &ctx).into_iter().map(|f| f.rule).collect()
    }

    /// What httpd would do, without the policy's findings.
    fn rules(text: &str, conf: &Conf, allowed: &[&str]) -> Vec<&'static str> {
        all_rules(text, conf, allowed).into_iter().filter(|r| r.starts_with("htaccess.")).collect()
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
            "LoadModule cgi_module m.so\n<Directory /var/www/html>\nAllowOverride All\n</Directory>\n# sitepack: allow policy.handler\n",
            "httpd.conf",
            HttpdVersion::V24,
            CENTOS_BUILTINS,
        );
        assert_eq!(all_rules("Options +ExecCGI\n", &conf, &[]), ["policy.exec-cgi"]);
        assert!(all_rules("Options +ExecCGI\n", &conf, &["policy.exec-cgi"]).is_empty());
        // Switched off in the conf itself.
        assert!(conf.allowed_rules.contains("policy.handler"));
    }

    #[test]
    fn ignored_files_are_a_warning_not_an_error() {
        let conf =
            Conf::parse("<Directory />\nAllowOverride None\n</Directory>\n", "c", HttpdVersion::V24, CENTOS_BUILTINS);
        let (allowed, vars) = (BTreeSet::new(), SiteVariables::default());
        let unchecked = std::cell::RefCell::default();
        let ctx =
            Context { conf: &conf, allowed: &allowed, vars: &vars, site_root: "/var/www/html", unchecked: &unchecked };
        let found = check(&File::new(b"Listen 1\n".to_vec()), ".htaccess", "/var/www/html", "", &ctx);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].rule, found[0].severity), ("htaccess.ignored", crate::check::Severity::Warning));
    }
}
