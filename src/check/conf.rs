//! The operator's httpd.conf, read for what it means to a contributor's
//! `.htaccess`: which modules are loaded (built in, or by `LoadModule`,
//! with `<IfModule>` evaluated in order as httpd does), what `AllowOverride`
//! and `AllowOverrideList` grant along the `<Directory>` chain, and the
//! operator's `# sitepack: allow RULE` switches. Also the lint of the conf.

use std::collections::BTreeSet;

use super::directives::Class;
use super::syntax::{self, Node};
use super::{Finding, HttpdVersion};

/// Modules compiled into httpd, which `<IfModule>` sees without `LoadModule`.
/// CentOS 7's httpd builds in only these; Debian's builds in more (see
/// `--builtin-modules`).
pub const CENTOS_BUILTINS: &[&str] = &["core", "http_core", "mod_so"];
/// Debian bookworm's apache2 (`apache2 -l`), as in the offline test base.
pub const DEBIAN_BUILTINS: &[&str] =
    &["core", "http_core", "mod_so", "mod_watchdog", "mod_log_config", "mod_logio", "mod_version", "mod_unixd"];

/// `rewrite_module`, `mod_rewrite.c`, `mod_rewrite` → `mod_rewrite`.
pub fn canonical_module(name: &str) -> String {
    let n = name.trim().trim_end_matches(".c").to_ascii_lowercase();
    let n = match n.strip_suffix("_module") {
        Some(stem) => format!("mod_{stem}"),
        None => n,
    };
    if n.starts_with("mod_php") {
        "mod_php".into()
    } else {
        n
    }
}

/// What `AllowOverride` (and `AllowOverrideList`) grant in one directory.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Overrides {
    pub classes: BTreeSet<ClassName>,
    /// `Options=A,B`: the options `.htaccess` may set (lower case); None = any.
    pub options: Option<Vec<String>>,
    /// `AllowOverrideList`: directives allowed by name (lower case).
    pub list: Vec<String>,
    /// `Nonfatal=Override|Unknown|All`: such problems are logged, not fatal.
    pub nonfatal_override: bool,
    pub nonfatal_unknown: bool,
}

/// `Class` as an ordered set member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ClassName {
    AuthConfig,
    FileInfo,
    Indexes,
    Limit,
    Options,
}

impl From<Class> for ClassName {
    fn from(c: Class) -> Self {
        match c {
            Class::AuthConfig => ClassName::AuthConfig,
            Class::FileInfo => ClassName::FileInfo,
            Class::Indexes => ClassName::Indexes,
            Class::Limit => ClassName::Limit,
            Class::Options => ClassName::Options,
        }
    }
}

const ALL_CLASSES: [ClassName; 5] =
    [ClassName::AuthConfig, ClassName::FileInfo, ClassName::Indexes, ClassName::Limit, ClassName::Options];

impl Overrides {
    pub fn all() -> Overrides {
        Overrides { classes: ALL_CLASSES.into_iter().collect(), ..Default::default() }
    }

    /// httpd reads no `.htaccess` at all in such a directory.
    pub fn reads_nothing(&self) -> bool {
        self.classes.is_empty() && self.list.is_empty()
    }

    pub fn describe(&self) -> String {
        if self.classes.is_empty() {
            return "None".into();
        }
        if self.classes.len() == ALL_CLASSES.len() && self.options.is_none() {
            return "All".into();
        }
        self.classes
            .iter()
            .map(|c| match (c, &self.options) {
                (ClassName::Options, Some(o)) => format!("Options={}", o.join(",")),
                (c, _) => format!("{c:?}"),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn parse(args: &[String]) -> Overrides {
        let mut o = Overrides::default();
        for a in args {
            let lower = a.to_ascii_lowercase();
            match lower.as_str() {
                "all" => o.classes.extend(ALL_CLASSES),
                "none" => o.classes.clear(),
                "authconfig" => {
                    o.classes.insert(ClassName::AuthConfig);
                }
                "fileinfo" => {
                    o.classes.insert(ClassName::FileInfo);
                }
                "indexes" => {
                    o.classes.insert(ClassName::Indexes);
                }
                "limit" => {
                    o.classes.insert(ClassName::Limit);
                }
                "options" => {
                    o.classes.insert(ClassName::Options);
                }
                _ if lower.starts_with("options=") => {
                    o.classes.insert(ClassName::Options);
                    o.options = Some(
                        lower["options=".len()..].split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
                    );
                }
                _ if lower.starts_with("nonfatal=") => match &lower["nonfatal=".len()..] {
                    "override" => o.nonfatal_override = true,
                    "unknown" => o.nonfatal_unknown = true,
                    "all" => {
                        o.nonfatal_override = true;
                        o.nonfatal_unknown = true;
                    }
                    _ => {}
                },
                _ => {}
            }
        }
        o
    }
}

#[derive(Debug, Clone)]
struct DirBlock {
    path: String,
    allow_override: Option<Vec<String>>,
    allow_override_list: Option<Vec<String>>,
}

/// What the conf means for the site.
#[derive(Debug, Clone)]
pub struct Conf {
    pub version: HttpdVersion,
    pub loaded: BTreeSet<String>,
    pub builtins: BTreeSet<String>,
    dirs: Vec<DirBlock>,
    pub document_root: Option<String>,
    pub listen: Vec<String>,
    /// Policy rules the operator switched off (`# sitepack: allow RULE`).
    pub allowed_rules: BTreeSet<String>,
    /// Whether a `<Files>`/`<FilesMatch>` section denies `.ht*`.
    pub denies_ht_files: bool,
    /// `LoadModule` lines in effect: module, file, line.
    pub load_modules: Vec<(String, String, usize)>,
    pub findings: Vec<Finding>,
}

impl Conf {
    /// A stand-in when no conf is given: every override allowed and every
    /// module of the directive table loaded.
    pub fn permissive(version: HttpdVersion, builtins: &[&str]) -> Conf {
        Conf {
            version,
            loaded: super::directives::DIRECTIVES
                .iter()
                .map(|d| if version == HttpdVersion::V22 { d.module_22 } else { d.module_24 })
                .filter(|m| !m.is_empty())
                .map(str::to_owned)
                .collect(),
            builtins: builtins.iter().map(|s| s.to_string()).collect(),
            dirs: vec![DirBlock {
                path: "/".into(),
                allow_override: Some(vec!["All".into()]),
                allow_override_list: None,
            }],
            document_root: None,
            listen: Vec::new(),
            allowed_rules: BTreeSet::new(),
            denies_ht_files: true,
            load_modules: Vec::new(),
            findings: Vec::new(),
        }
    }

    pub fn parse(text: &str, shown: &str, version: HttpdVersion, builtins: &[&str]) -> Conf {
        let mut conf = Conf {
            version,
            loaded: BTreeSet::new(),
            builtins: builtins.iter().map(|s| s.to_string()).collect(),
            dirs: Vec::new(),
            document_root: None,
            listen: Vec::new(),
            allowed_rules: text
                .lines()
                .filter_map(|l| l.trim().strip_prefix('#'))
                .filter_map(|l| l.trim().strip_prefix("sitepack:"))
                .filter_map(|l| l.trim().strip_prefix("allow"))
                .flat_map(|l| l.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
                .collect(),
            denies_ht_files: false,
            load_modules: Vec::new(),
            findings: Vec::new(),
        };
        match syntax::parse(text) {
            Ok(nodes) => conf.walk(&nodes, shown, None),
            Err(e) => conf.findings.push(Finding::error(
                shown,
                Some(e.line()),
                "conf.syntax",
                format!("httpd would not start: {e}"),
                "fix the section structure",
            )),
        }
        conf
    }

    pub fn is_loaded(&self, module: &str) -> bool {
        let m = canonical_module(module);
        // Every httpd has its core and the MPM's common directives.
        m == "core" || m == "http_core" || m == "mpm_common" || self.loaded.contains(&m) || self.builtins.contains(&m)
    }

    /// `<IfModule NAME>` as httpd decides it: NAME must be a loaded
    /// module's source file (`mod_rewrite.c`, `prefork.c`) or its symbol
    /// (`rewrite_module`), compared case-sensitively; any other spelling is
    /// "not loaded", so `<IfModule !mod_rewrite>` is true with it loaded.
    pub fn is_loaded_exactly(&self, name: &str) -> bool {
        self.loaded.iter().chain(&self.builtins).chain(["core".to_owned(), "http_core".to_owned()].iter()).any(|m| {
            let stem = m.strip_prefix("mod_").unwrap_or(m);
            let file = match stem.strip_prefix("mpm_") {
                Some(mpm) => format!("{mpm}.c"),
                None => format!("{m}.c"),
            };
            name == file || name == format!("{stem}_module")
        })
    }

    fn walk(&mut self, nodes: &[Node], shown: &str, dir: Option<usize>) {
        for node in nodes {
            match node {
                Node::Directive { name, args, line, .. } => self.directive(name, args, *line, shown, dir),
                Node::Section { name, args, children, .. } => {
                    let lname = name.to_ascii_lowercase();
                    match lname.as_str() {
                        "ifmodule" => {
                            let arg = args.first().map(String::as_str).unwrap_or("");
                            let (negate, module) = arg.strip_prefix('!').map_or((false, arg), |m| (true, m));
                            if self.is_loaded_exactly(module) != negate {
                                self.walk(children, shown, dir);
                            }
                        }
                        "directory" if args.first().is_some_and(|a| a != "~") => {
                            let path = args[0].trim_end_matches('/').to_owned();
                            self.dirs.push(DirBlock {
                                path: if path.is_empty() { "/".into() } else { path },
                                allow_override: None,
                                allow_override_list: None,
                            });
                            let idx = self.dirs.len() - 1;
                            self.walk(children, shown, Some(idx));
                        }
                        "files" | "filesmatch" => {
                            let pattern = args.last().map(String::as_str).unwrap_or("");
                            if pattern.contains(".ht") && denies(children) {
                                self.denies_ht_files = true;
                            }
                            self.walk(children, shown, dir);
                        }
                        // Sections whose bodies apply conditionally or elsewhere:
                        // read for modules and overrides all the same.
                        _ => self.walk(children, shown, dir),
                    }
                }
            }
        }
    }

    fn directive(&mut self, name: &str, args: &[String], line: usize, shown: &str, dir: Option<usize>) {
        match name.to_ascii_lowercase().as_str() {
            "loadmodule" => {
                if let Some(m) = args.first() {
                    let module = canonical_module(m);
                    if self.builtins.contains(&module) {
                        self.findings.push(Finding::warning(
                            shown,
                            Some(line),
                            "conf.builtin-loadmodule",
                            format!("LoadModule {m}: the base's httpd builds {module} in; loading it again is a fatal error on some builds"),
                            format!("wrap it in <IfModule !{m}> … </IfModule>"),
                        ));
                    }
                    if let Some(file) = args.get(1) {
                        self.load_modules.push((m.clone(), file.clone(), line));
                    }
                    self.loaded.insert(module);
                }
            }
            "allowoverride" => match dir {
                Some(i) => self.dirs[i].allow_override = Some(args.to_vec()),
                None => self.findings.push(Finding::error(
                    shown,
                    Some(line),
                    "conf.context",
                    "AllowOverride is only valid in <Directory>",
                    "",
                )),
            },
            "allowoverridelist" => {
                if let Some(i) = dir {
                    self.dirs[i].allow_override_list = Some(args.to_vec());
                }
            }
            "documentroot" => self.document_root = args.first().map(|p| p.trim_end_matches('/').to_owned()),
            "listen" => self.listen.extend(args.first().cloned()),
            _ => {}
        }
    }

    /// The overrides in effect in `dir` (an absolute image path): the
    /// `<Directory>` blocks matching it or an ancestor, shortest first,
    /// each replacing what it sets.
    pub fn overrides_for(&self, dir: &str) -> Overrides {
        let mut allow: Vec<String> = match self.version {
            // httpd's defaults when nothing says otherwise.
            HttpdVersion::V22 => vec!["All".into()],
            HttpdVersion::V24 => vec!["None".into()],
        };
        let mut list: Vec<String> = Vec::new();
        let mut blocks: Vec<(usize, usize, &DirBlock)> = self
            .dirs
            .iter()
            .enumerate()
            .filter(|(_, b)| dir_matches(&b.path, dir))
            .map(|(i, b)| (component_count(&b.path), i, b))
            .collect();
        blocks.sort_by_key(|(depth, i, _)| (*depth, *i));
        for (_, _, b) in blocks {
            if let Some(a) = &b.allow_override {
                allow = a.clone();
            }
            if let Some(l) = &b.allow_override_list {
                list = l.iter().filter(|s| !s.eq_ignore_ascii_case("none")).map(|s| s.to_ascii_lowercase()).collect();
            }
        }
        let mut o = Overrides::parse(&allow);
        if self.version == HttpdVersion::V24 {
            o.list = list;
        }
        o
    }

    /// Lint findings about the conf itself, given where the site lands.
    /// `LoadModule` of a shared object the base does not ship (its lock
    /// lists the module directory): httpd would refuse to start.
    pub fn missing_modules(&self, shown: &str, dsos: &BTreeSet<String>) -> Vec<Finding> {
        self.load_modules
            .iter()
            .filter(|(m, _, _)| !self.builtins.contains(&canonical_module(m)))
            .filter_map(|(m, file, line)| {
                let stem = file.rsplit('/').next()?.strip_suffix(".so")?;
                (!dsos.contains(stem)).then(|| {
                    Finding::error(
                        shown,
                        Some(*line),
                        "conf.module-missing",
                        format!("LoadModule {m} {file}: the base ships no {stem}.so, so httpd would not start"),
                        "remove the line, guard it with <IfModule>, or pick a base that has the module (see base/base.lock)",
                    )
                })
            })
            .collect()
    }

    pub fn lint(&self, shown: &str, site_dest: &str, htpasswd_dest: &str, exposed_port: u16) -> Vec<Finding> {
        let mut out = self.findings.clone();
        if !self.denies_ht_files {
            out.push(Finding::warning(
                shown,
                None,
                "conf.ht-files",
                "no <Files \".ht*\"> (or <FilesMatch \"^\\.ht\">) section denies .htaccess and .htpasswd files",
                "add <Files \".ht*\"> Require all denied </Files>",
            ));
        }
        if let Some(root) = &self.document_root {
            if htpasswd_dest.starts_with(&format!("{}/", root.trim_end_matches('/'))) || root == "/" {
                out.push(Finding::warning(
                    shown,
                    None,
                    "conf.htpasswd-served",
                    format!("{htpasswd_dest} lies under DocumentRoot {root}, so it may be served"),
                    "keep the password file outside every served path",
                ));
            }
            if root != site_dest.trim_end_matches('/') {
                out.push(Finding::warning(
                    shown,
                    None,
                    "conf.docroot",
                    format!("DocumentRoot is {root}, but the site is installed in {site_dest}"),
                    format!("set DocumentRoot \"{site_dest}\""),
                ));
            }
        }
        for (m, _, line) in &self.load_modules {
            let module = canonical_module(m);
            let family = if module.starts_with("mod_proxy") { "mod_proxy" } else { module.as_str() };
            if super::policy::UNNEEDED_MODULES.contains(&family) || module.starts_with("mod_dav") {
                out.push(Finding::warning(
                    shown,
                    Some(*line),
                    "conf.unneeded-module",
                    format!("LoadModule {m}: no contributor's .htaccess may use {module} (the policy refuses it), so loading it only widens what a hole in the policy could reach"),
                    "remove the line unless the operator's own configuration uses it (docs/base-hardening.md)",
                ));
            }
        }
        let port = exposed_port.to_string();
        if !self.listen.is_empty() && !self.listen.iter().any(|l| l.rsplit(':').next() == Some(port.as_str())) {
            out.push(Finding::warning(
                shown,
                None,
                "conf.listen",
                format!("Listen {} does not match the image's exposed port {port}", self.listen.join(", ")),
                format!("Listen {port}"),
            ));
        }
        out
    }
}

fn denies(children: &[Node]) -> bool {
    children.iter().any(|n| match n {
        Node::Directive { name, args, .. } => {
            let words: Vec<String> = args.iter().map(|a| a.to_ascii_lowercase()).collect();
            (name.eq_ignore_ascii_case("require") && words == ["all", "denied"])
                || (name.eq_ignore_ascii_case("deny") && words == ["from", "all"])
        }
        Node::Section { children, .. } => denies(children),
    })
}

fn component_count(p: &str) -> usize {
    p.split('/').filter(|c| !c.is_empty()).count()
}

/// Whether `<Directory pattern>` applies to `dir` (the directory or an
/// ancestor matches); `*` and `?` match within one path component.
fn dir_matches(pattern: &str, dir: &str) -> bool {
    let pat: Vec<&str> = pattern.split('/').filter(|c| !c.is_empty()).collect();
    let d: Vec<&str> = dir.split('/').filter(|c| !c.is_empty()).collect();
    pat.len() <= d.len() && pat.iter().zip(&d).all(|(p, c)| glob(p.as_bytes(), c.as_bytes()))
}

/// `*` and `?` wildcard match, iterative (linear backtracking), so a
/// pattern of many stars cannot make it exponential.
fn glob(p: &[u8], s: &[u8]) -> bool {
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi] == s[si]) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, si));
            pi += 1;
        } else if let Some((sp, ss)) = star {
            pi = sp + 1;
            si = ss + 1;
            star = Some((sp, ss + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&b| b == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONF: &str = r#"
ServerRoot "/etc/httpd"
Listen 80
LoadModule rewrite_module modules/mod_rewrite.so
LoadModule log_config_module modules/mod_log_config.so
<IfModule !headers_module>
  LoadModule expires_module modules/mod_expires.so
</IfModule>
<IfModule mod_nonexistent.c>
  LoadModule never_module modules/mod_never.so
</IfModule>
DocumentRoot "/var/www/html"
<Directory />
  AllowOverride None
</Directory>
<Directory "/var/www/html">
  AllowOverride AuthConfig Options=Indexes,MultiViews
</Directory>
<Directory /var/www/html/*/private>
  AllowOverride None
  AllowOverrideList Redirect RewriteRule
</Directory>
<Files ".ht*">
  Require all denied
</Files>
# sitepack: allow policy.php
"#;

    #[test]
    fn modules_follow_ifmodule_in_order() {
        let c = Conf::parse(CONF, "httpd.conf", HttpdVersion::V24, CENTOS_BUILTINS);
        assert!(c.is_loaded("mod_rewrite.c") && c.is_loaded("expires_module") && c.is_loaded("core"));
        assert!(!c.is_loaded("mod_never") && !c.is_loaded("mod_headers"));
        assert!(c.allowed_rules.contains("policy.php"));
        assert!(c.denies_ht_files);
    }

    #[test]
    fn overrides_follow_the_directory_chain() {
        let c = Conf::parse(CONF, "httpd.conf", HttpdVersion::V24, CENTOS_BUILTINS);
        let site = c.overrides_for("/var/www/html/coffeefans");
        assert_eq!(site.classes, [ClassName::AuthConfig, ClassName::Options].into_iter().collect());
        assert_eq!(site.options, Some(vec!["indexes".into(), "multiviews".into()]));
        let private = c.overrides_for("/var/www/html/coffeefans/private/x");
        assert!(private.classes.is_empty());
        assert_eq!(private.list, ["redirect", "rewriterule"]);
        assert!(c.overrides_for("/srv").reads_nothing());
        // 2.2's default is All when nothing is said.
        assert_eq!(Conf::parse("", "c", HttpdVersion::V22, CENTOS_BUILTINS).overrides_for("/x").describe(), "All");
    }

    #[test]
    fn lint_names_builtin_loadmodule_docroot_listen_and_ht_files() {
        let c = Conf::parse(
            "Listen 8080\nLoadModule log_config_module m.so\nDocumentRoot /opt\n",
            "httpd.conf",
            HttpdVersion::V24,
            DEBIAN_BUILTINS,
        );
        let rules: Vec<&str> =
            c.lint("httpd.conf", "/var/www/html", "/opt/.htpasswd", 80).iter().map(|f| f.rule).collect();
        assert_eq!(
            rules,
            ["conf.builtin-loadmodule", "conf.ht-files", "conf.htpasswd-served", "conf.docroot", "conf.listen"]
        );
    }

    #[test]
    fn directory_globs_match_one_component_each() {
        assert!(dir_matches("/var/www/*/private", "/var/www/site/private/x"));
        assert!(!dir_matches("/var/www/*/private", "/var/www/site/public"));
        assert!(dir_matches("/var/w?w", "/var/www"));
        assert!(glob(b"a*b*c", b"axxbyyc") && !glob(b"a*b*c", b"axxbyy") && glob(b"*", b""));
        // Many stars against a long miss stays linear-ish (would hang if exponential).
        assert!(!glob(&[b'*'; 40].iter().chain(b"x").copied().collect::<Vec<_>>(), &[b'a'; 4000]));
    }

    #[test]
    fn module_names_are_canonical() {
        assert_eq!(canonical_module("rewrite_module"), "mod_rewrite");
        assert_eq!(canonical_module("mod_rewrite.c"), "mod_rewrite");
        assert_eq!(canonical_module("php7_module"), "mod_php");
        assert_eq!(canonical_module("core"), "core");
    }

    #[test]
    fn loading_a_module_the_base_does_not_ship_is_an_error() {
        let conf = Conf::parse(
            "LoadModule dir_module modules/mod_dir.so\nLoadModule php_module modules/libphp.so\n<IfModule !log_config_module>\nLoadModule log_config_module modules/mod_log_config.so\n</IfModule>\nLoadModule rewrite_module modules/mod_rewrite.so\n",
            "httpd.conf",
            HttpdVersion::V24,
            &["core", "mod_log_config"],
        );
        let dsos: BTreeSet<String> = ["mod_dir"].iter().map(|s| s.to_string()).collect();
        let found: Vec<(Option<usize>, &str)> =
            conf.missing_modules("httpd.conf", &dsos).iter().map(|f| (f.line, f.rule)).collect();
        // The guarded built-in is never loaded; libphp and mod_rewrite are missing.
        assert_eq!(found, [(Some(2), "conf.module-missing"), (Some(6), "conf.module-missing")]);
    }
}
