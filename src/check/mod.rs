//! Contributor input checks: what in a contributor's `site/` and
//! `users/htpasswd` would break the site or endanger the build host, judged
//! against the operator's httpd.conf and the httpd version of the base.
//! Pure functions over files, returning findings with file and line;
//! `sitepack check` prints them, `sitepack build` refuses on any error.

pub mod arguments;
pub mod base_tree;
pub mod conf;
pub mod directives;
pub mod expr;
pub mod format;
pub mod htaccess;
pub mod htpasswd;
pub mod policy;
pub mod rewrite;
pub mod rules;
pub mod syntax;
pub mod tree;

use std::fmt;

use serde::Serialize;

pub use rules::RuleId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One thing found, where, and how to fix it. Messages never quote a
/// password hash or file contents beyond a directive name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Path as the contributor knows it (`site/coffeefans/.htaccess`).
    pub file: String,
    pub line: Option<usize>,
    pub severity: Severity,
    /// Stable identifier, e.g. `htaccess.not-allowed`.
    pub rule: &'static str,
    pub message: String,
    pub hint: String,
}

impl Finding {
    fn new(
        severity: Severity,
        file: impl Into<String>,
        line: Option<usize>,
        rule: RuleId,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Finding {
        Finding { file: file.into(), line, severity, rule: rule.id(), message: message.into(), hint: hint.into() }
    }

    pub fn error(
        file: impl Into<String>,
        line: Option<usize>,
        rule: RuleId,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Finding {
        Finding::new(Severity::Error, file, line, rule, message, hint)
    }

    pub fn warning(
        file: impl Into<String>,
        line: Option<usize>,
        rule: RuleId,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Finding {
        Finding::new(Severity::Warning, file, line, rule, message, hint)
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = self.severity.as_str();
        match self.line {
            Some(l) => write!(f, "{}:{l}: {sev}: {} ({})", self.file, self.message, self.rule)?,
            None => write!(f, "{}: {sev}: {} ({})", self.file, self.message, self.rule)?,
        }
        if !self.hint.is_empty() {
            write!(f, "\n    hint: {}", self.hint)?;
        }
        Ok(())
    }
}

/// All findings of a check, sorted by file, line, severity.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn extend(&mut self, more: impl IntoIterator<Item = Finding>) {
        self.findings.extend(more);
    }

    pub fn sort(&mut self) {
        self.findings.sort_by(|a, b| {
            (a.file.as_str(), a.line.unwrap_or(0), a.severity, a.rule).cmp(&(
                b.file.as_str(),
                b.line.unwrap_or(0),
                b.severity,
                b.rule,
            ))
        });
        self.findings.dedup();
    }

    pub fn errors(&self) -> usize {
        self.findings.iter().filter(|f| f.severity == Severity::Error).count()
    }

    pub fn warnings(&self) -> usize {
        self.findings.len() - self.errors()
    }

    /// Human form: one finding per line (with its hint), then a total.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for f in &self.findings {
            out.push_str(&f.to_string());
            out.push('\n');
        }
        out.push_str(&format!("{} error(s), {} warning(s)\n", self.errors(), self.warnings()));
        out
    }
}

/// The httpd a site will run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, clap::ValueEnum, serde::Deserialize)]
pub enum HttpdVersion {
    #[value(name = "2.2")]
    #[serde(rename = "2.2")]
    V22,
    #[value(name = "2.4")]
    #[serde(rename = "2.4")]
    V24,
}

impl fmt::Display for HttpdVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HttpdVersion::V22 => "2.2",
            HttpdVersion::V24 => "2.4",
        })
    }
}

/// What the checks judge against, validated from flags.
#[derive(Debug, Clone)]
pub struct Settings {
    pub version: HttpdVersion,
    pub builtins: Vec<String>,
    pub namespace: Option<String>,
    pub limits: tree::Limits,
    /// Policy rules switched off by flag (the conf may switch off more).
    pub allowed: std::collections::BTreeSet<String>,
    /// Where the site's document root is in the image.
    pub docroot: String,
    /// Module shared objects the base ships, when a base lock says.
    pub dsos: Option<std::collections::BTreeSet<String>>,
    /// The pinned base as messages name it (`httpd 2.4.62 (base rocky9)`).
    pub base_shown: Option<String>,
    /// The base's configuration files the conf's Includes read.
    pub tree: Option<base_tree::ConfigTree>,
}

/// What the checks know of the httpd a site will run on, from a base lock
/// (merged over the platforms built: the oldest version, every module built
/// in on any platform, the modules loadable on all of them, the config
/// files all of them share). The checks' own type: the lock is read
/// elsewhere and translated into this.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseFacts {
    pub version: HttpdVersion,
    pub builtins: Vec<String>,
    pub dsos: std::collections::BTreeSet<String>,
    /// The base's configuration files, when the lock holds them.
    pub tree: Option<base_tree::ConfigTree>,
    /// For messages: `httpd 2.4.62 (base rocky9)`.
    pub shown: String,
}

impl HttpdVersion {
    /// `2.2.15` → 2.2; `2.4.62` → 2.4; anything else is not one the checks know.
    pub fn from_release(release: &str) -> Option<HttpdVersion> {
        let mut parts = release.split('.');
        match (parts.next(), parts.next()) {
            (Some("2"), Some("2")) => Some(HttpdVersion::V22),
            (Some("2"), Some("4")) => Some(HttpdVersion::V24),
            _ => None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("--namespace `{0}`: use lower-case letters, digits, '-' and '_' (it becomes the URL path /NAME/)")]
    Namespace(String),
    #[error("--allow `{rule}`: not a policy rule; the rules are {}", RuleId::policy_ids().join(", "))]
    Rule { rule: String },
    #[error("--base-tree {}: {source}", path.display())]
    BaseTree { path: std::path::PathBuf, source: std::io::Error },
}

/// What the caller asks of the checks (the command line's check flags);
/// unset fields fall back to the base lock's facts, then to defaults.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub httpd_version: Option<HttpdVersion>,
    pub builtin_modules: Vec<String>,
    /// A local copy of the base's ServerRoot, and where it is in the image.
    pub base_tree: Option<std::path::PathBuf>,
    pub base_server_root: Option<String>,
    pub namespace: Option<String>,
    pub max_file_bytes: Option<u64>,
    pub max_total_bytes: Option<u64>,
    pub max_files: Option<u64>,
    pub max_path_bytes: Option<usize>,
    /// Policy rule ids switched off.
    pub allow: Vec<String>,
}

impl Settings {
    /// Options win over the base lock's facts, which win over the defaults
    /// (httpd 2.4, CentOS's built-in modules).
    pub fn new(a: &Options, docroot: &str, base: Option<&BaseFacts>) -> Result<Settings, SettingsError> {
        if let Some(ns) = &a.namespace {
            if !tree::valid_namespace(ns) {
                return Err(SettingsError::Namespace(ns.clone()));
            }
        }
        if let Some(bad) = a.allow.iter().find(|r| RuleId::policy_rule(r).is_none()) {
            return Err(SettingsError::Rule { rule: bad.clone() });
        }
        let defaults = tree::Limits::default();
        Ok(Settings {
            version: a.httpd_version.or(base.map(|b| b.version)).unwrap_or(HttpdVersion::V24),
            builtins: match base {
                _ if !a.builtin_modules.is_empty() => {
                    a.builtin_modules.iter().map(|m| conf::canonical_module(m)).collect()
                }
                Some(b) => b.builtins.clone(),
                None => conf::CENTOS_BUILTINS.iter().map(|s| s.to_string()).collect(),
            },
            dsos: base.map(|b| b.dsos.clone()),
            base_shown: base.map(|b| b.shown.clone()),
            // A local copy of the base's ServerRoot wins over the lock's.
            tree: match &a.base_tree {
                Some(dir) => Some(
                    base_tree::ConfigTree::from_dir(dir, a.base_server_root.as_deref().unwrap_or("/etc/httpd"))
                        .map_err(|source| SettingsError::BaseTree { path: dir.clone(), source })?,
                ),
                None => base.and_then(|b| b.tree.clone()),
            },
            namespace: a.namespace.clone(),
            limits: tree::Limits {
                max_file_bytes: a.max_file_bytes.unwrap_or(defaults.max_file_bytes),
                max_total_bytes: a.max_total_bytes.unwrap_or(defaults.max_total_bytes),
                max_files: a.max_files.unwrap_or(defaults.max_files),
                max_path_bytes: a.max_path_bytes.unwrap_or(defaults.max_path_bytes),
            },
            allowed: a.allow.iter().cloned().collect(),
            docroot: docroot.trim_end_matches('/').to_owned(),
        })
    }
}

/// The contributor's inputs, with the names to show for them.
#[derive(Debug, Clone)]
pub struct Inputs<'a> {
    pub site: &'a std::path::Path,
    pub htpasswd: &'a std::path::Path,
}

fn shown(p: &std::path::Path) -> String {
    p.display().to_string().trim_end_matches('/').to_owned()
}

/// What stage one learned, for stage two and the layer builder.
#[derive(Debug)]
pub struct TreeOutcome {
    pub report: Report,
    pub facts: tree::SiteFacts,
    pub layout: tree::Layout,
}

/// Stage one, without the conf and without any network: the tree, the
/// names, the sizes, the htpasswd file.
pub fn check_inputs(inputs: &Inputs<'_>, settings: &Settings) -> TreeOutcome {
    let mut report = Report::default();
    let layout = tree::layout(inputs.site, settings.namespace.as_deref());
    let dest = layout.dest(&settings.docroot);
    let (findings, facts) = tree::check_site(inputs.site, &shown(inputs.site), &dest, &layout, &settings.limits);
    report.extend(findings);
    report.extend(tree::check_gitmodules(std::path::Path::new("."), &shown(inputs.site)));
    let htpasswd_shown = shown(inputs.htpasswd);
    report.extend(tree::check_htpasswd_file(inputs.htpasswd, &htpasswd_shown));
    match std::fs::read(inputs.htpasswd) {
        Ok(bytes) => report.extend(htpasswd::check(&bytes, &htpasswd_shown, settings.version)),
        Err(e) => report.extend([Finding::error(
            &htpasswd_shown,
            None,
            RuleId::HtpasswdUnreadable,
            format!("cannot be read: {e}"),
            "",
        )]),
    }
    report.sort();
    TreeOutcome { report, facts, layout }
}

/// Stage two: every `.htaccess` against the operator's conf (or a
/// permissive stand-in), and the conf's own lint.
pub fn check_against_conf(conf: Option<(&str, &str)>, outcome: &TreeOutcome, settings: &Settings) -> Report {
    let builtins: Vec<&str> = settings.builtins.iter().map(String::as_str).collect();
    let mut report = Report::default();
    let model = match conf {
        Some((text, conf_shown)) => {
            let known = match settings.dsos {
                Some(_) => conf::Builtins::Exactly(&builtins),
                None => conf::Builtins::Usually(&builtins),
            };
            let model = conf::Conf::load(text, conf_shown, settings.version, known, settings.tree.as_ref());
            report.extend(model.lint(
                conf_shown,
                &settings.docroot,
                crate::layout::HTPASSWD_DEST,
                crate::layout::EXPOSED_PORT,
            ));
            if let Some(dsos) = &settings.dsos {
                report.extend(model.missing_modules(dsos));
                report.extend(unneeded_in_base(dsos, settings.base_shown.as_deref().unwrap_or("the pinned base")));
            }
            model
        }
        None => conf::Conf::permissive(settings.version, &builtins),
    };
    let allowed: std::collections::BTreeSet<String> = settings.allowed.union(&model.allowed_rules).cloned().collect();
    let dest = outcome.layout.dest(&settings.docroot);
    // Read every file first: the policy needs the variables the site's
    // files set for every request of a folder before judging any read.
    let mut files = Vec::new();
    let mut vars = policy::SiteVariables::default();
    for tree::HtaccessPlace { host, folder: dir_rel } in &outcome.facts.htaccess {
        let file_shown = shown(host);
        match std::fs::read(host) {
            Ok(bytes) => {
                let file = htaccess::File::new(bytes);
                if let Ok(nodes) = &file.parsed {
                    vars.learn(dir_rel, nodes);
                }
                files.push((file_shown, dir_rel, file));
            }
            Err(e) => report.extend([Finding::error(
                &file_shown,
                None,
                RuleId::HtaccessUnreadable,
                format!("cannot be read: {e}"),
                "",
            )]),
        }
    }
    let unchecked = std::cell::RefCell::new(htaccess::Unchecked::default());
    let ctx =
        htaccess::Context { conf: &model, allowed: &allowed, vars: &vars, site_root: &dest, unchecked: &unchecked };
    for (file_shown, dir_rel, file) in &files {
        let dir = if dir_rel.is_empty() { dest.clone() } else { format!("{dest}/{dir_rel}") };
        report.extend(htaccess::check(file, file_shown, &dir, dir_rel, &ctx));
    }
    report.extend(unread_parts(&model, &unchecked.into_inner()));
    report.sort();
    report
}

/// Once, what part of the conf could not be read and what that leaves
/// unchecked for this site, and how to make it knowable.
fn unread_parts(model: &conf::Conf, unchecked: &htaccess::Unchecked) -> Option<Finding> {
    let first = model.unknown.first()?;
    let parts: Vec<String> =
        model.unknown.iter().map(|u| format!("{} ({}:{}: {})", u.what, u.file, u.line, u.why)).collect();
    let needs = |map: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>| {
        map.iter()
            .map(|(what, files)| format!("{what} (for {})", files.iter().cloned().collect::<Vec<_>>().join(", ")))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut left = Vec::new();
    if !unchecked.modules.is_empty() {
        left.push(format!("whether httpd loads {}", needs(&unchecked.modules)));
    }
    if !unchecked.overrides.is_empty() {
        left.push(format!("whether AllowOverride grants {}", needs(&unchecked.overrides)));
    }
    let left = if left.is_empty() {
        "nothing this site uses depends on it".to_owned()
    } else {
        format!("left unchecked: {}", left.join("; "))
    };
    Some(Finding::warning(
        &first.file,
        Some(first.line),
        RuleId::ConfIncludeUnread,
        format!("sitepack could not read {}; {left}", parts.join(", ")),
        "pin the base with `sitepack base pin` (its lock records the base's configuration files), or pass --base-tree DIR with a copy of the base's ServerRoot, for the exact check",
    ))
}

/// Modules the pinned base ships that no contributor may use: one warning,
/// since a base built from `base/` drops them (defence in depth).
fn unneeded_in_base(dsos: &std::collections::BTreeSet<String>, base: &str) -> Option<Finding> {
    let unneeded: Vec<&str> = dsos.iter().map(String::as_str).filter(|m| policy::is_unneeded_module(m)).collect();
    (!unneeded.is_empty()).then(|| {
        Finding::warning(
            base,
            None,
            RuleId::BaseUnneededModules,
            format!(
                "the base ships {}, which no contributor's .htaccess may use: a hole in the policy would find them there",
                unneeded.join(", ")
            ),
            "build the base from base/ (it drops them; docs/base-hardening.md) and pin it again",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_the_locks_facts_a_builtin_or_absent_module_stops_httpd() {
        let d = tempfile::tempdir().unwrap();
        let (site, htpasswd) = (d.path().join("site"), d.path().join("htpasswd"));
        std::fs::create_dir(&site).unwrap();
        std::fs::write(site.join("index.html"), "hi").unwrap();
        std::fs::write(&htpasswd, "u:$apr1$abcdefgh$0123456789abcdefghijkl\n").unwrap();
        let conf = "LoadModule log_config_module modules/mod_log_config.so\n\
                    LoadModule dir_module modules/mod_dir.so\n\
                    LoadModule rewrite_module modules/mod_rewrite.so\n";
        let facts = BaseFacts {
            version: HttpdVersion::V24,
            builtins: vec!["core".into(), "http_core".into(), "mod_log_config".into()],
            dsos: ["mod_dir".to_owned()].into(),
            tree: None,
            shown: "httpd 2.4.68 (base test)".into(),
        };
        let judge = |facts: Option<&BaseFacts>| {
            let settings = Settings::new(&Options::default(), "/var/www/html", facts).unwrap();
            let outcome = check_inputs(&Inputs { site: &site, htpasswd: &htpasswd }, &settings);
            let report = check_against_conf(Some((conf, "httpd.conf")), &outcome, &settings);
            report
                .findings
                .iter()
                .filter(|f| f.rule.starts_with("conf.builtin") || f.rule == "conf.module-missing")
                .map(|f| (f.line, f.rule, f.severity))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            judge(Some(&facts)),
            [(Some(1), "conf.builtin-loadmodule", Severity::Error), (Some(3), "conf.module-missing", Severity::Error)]
        );
        // Without a lock, mod_log_config is not known to be built in, and
        // which shared objects exist is unknown.
        assert_eq!(judge(None), []);
    }

    #[test]
    fn a_base_that_ships_modules_no_contributor_may_use_is_named_once() {
        let dsos = ["mod_dir", "mod_lua", "mod_proxy_http", "mod_rewrite"].map(String::from).into();
        let f = unneeded_in_base(&dsos, "httpd 2.4.62 (base rocky9)").unwrap();
        assert_eq!((f.rule, f.severity), ("base.unneeded-modules", Severity::Warning));
        assert!(f.message.contains("mod_lua, mod_proxy_http") && !f.message.contains("mod_rewrite"), "{}", f.message);
        assert!(unneeded_in_base(&["mod_dir".to_owned()].into(), "b").is_none());
    }
}
