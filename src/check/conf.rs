//! The operator's httpd.conf, read for what it means to a contributor's
//! `.htaccess` as httpd evaluates it: `Include`/`IncludeOptional` followed
//! into the base's configuration files (`base_tree`), `<IfModule>`,
//! `<IfDefine>` (the entrypoint's `-D FOREGROUND`, and `Define`),
//! `<IfVersion>` and `${VAR}` of `Define`s evaluated in order; then which
//! modules are loaded (built in, or by `LoadModule` wherever it stands),
//! what `AllowOverride` and `AllowOverrideList` grant along the
//! `<Directory>` chain, and the operator's `# sitepack: allow RULE`
//! switches. What cannot be read (an Include with no base tree to read it
//! from) is kept as an unknown part, so the checks that depend on it can say
//! so rather than guess. Also the lint of the conf.

use std::collections::BTreeSet;

use super::base_tree::{wildcard, ConfigTree, Included};
use super::directives::Class;
use super::syntax::{self, Node};
use super::{Finding, HttpdVersion, RuleId};

/// Defines the image's entrypoint sets (`-D FOREGROUND`; `-e DEBUG` is a log level).
pub const ENTRYPOINT_DEFINES: &[&str] = &["FOREGROUND"];
/// httpd's limit on nested includes (`AP_MAX_INCLUDE_DEPTH`).
const MAX_INCLUDE_DEPTH: usize = 128;

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
    /// Whether `builtins` is exactly what this httpd builds in (read from
    /// a pinned base), not the usual set of its version.
    builtins_exact: bool,
    dirs: Vec<DirBlock>,
    pub document_root: Option<String>,
    pub listen: Vec<String>,
    /// Policy rules the operator switched off (`# sitepack: allow RULE`).
    pub allowed_rules: BTreeSet<String>,
    /// Whether a `<Files>`/`<FilesMatch>` section denies `.ht*`.
    pub denies_ht_files: bool,
    /// `LoadModule` lines in effect.
    pub load_modules: Vec<LoadedModule>,
    pub findings: Vec<Finding>,
    /// What could not be read: modules and overrides may hide there.
    pub unknown: Vec<UnknownPart>,
    defines: BTreeSet<String>,
    variables: std::collections::BTreeMap<String, String>,
    server_root: String,
}

/// One `LoadModule` in effect, and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedModule {
    /// As written: `rewrite_module`.
    pub name: String,
    /// The shared object: `modules/mod_rewrite.so`.
    pub so: String,
    /// The conf file (`httpd.conf`, `conf.modules.d/00-base.conf`) and line.
    pub file: String,
    pub line: usize,
}

/// A part of the configuration sitepack could not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownPart {
    pub file: String,
    pub line: usize,
    /// `IncludeOptional conf.d/*.conf`.
    pub what: String,
    /// Why: no base tree, a path outside it, a file it has no bytes of.
    pub why: String,
}

/// The modules httpd builds in.
#[derive(Debug, Clone, Copy)]
pub enum Builtins<'a> {
    /// Exactly these: read from the pinned base's httpd.
    Exactly(&'a [&'a str]),
    /// The usual set of the version: a build may differ.
    Usually(&'a [&'a str]),
}

impl Conf {
    /// Nothing read yet: no module loaded, no override, the entrypoint's defines.
    fn empty(version: HttpdVersion, builtins: Builtins<'_>) -> Conf {
        let (names, builtins_exact) = match builtins {
            Builtins::Exactly(names) => (names, true),
            Builtins::Usually(names) => (names, false),
        };
        Conf {
            version,
            loaded: BTreeSet::new(),
            builtins: names.iter().map(|s| s.to_string()).collect(),
            builtins_exact,
            dirs: Vec::new(),
            document_root: None,
            listen: Vec::new(),
            allowed_rules: BTreeSet::new(),
            denies_ht_files: false,
            load_modules: Vec::new(),
            findings: Vec::new(),
            unknown: Vec::new(),
            defines: ENTRYPOINT_DEFINES.iter().map(|d| d.to_string()).collect(),
            variables: Default::default(),
            server_root: String::new(),
        }
    }

    /// A stand-in when no conf is given: every override allowed and every
    /// module of the directive table loaded.
    pub fn permissive(version: HttpdVersion, builtins: &[&str]) -> Conf {
        Conf {
            loaded: super::directives::DIRECTIVES
                .iter()
                .map(|d| if version == HttpdVersion::V22 { d.module_22 } else { d.module_24 })
                .filter(|m| !m.is_empty())
                .map(str::to_owned)
                .collect(),
            dirs: vec![DirBlock {
                path: "/".into(),
                allow_override: Some(vec!["All".into()]),
                allow_override_list: None,
            }],
            denies_ht_files: true,
            ..Conf::empty(version, Builtins::Usually(builtins))
        }
    }

    /// The conf alone: an `Include` is an unknown part.
    pub fn parse(text: &str, shown: &str, version: HttpdVersion, builtins: &[&str]) -> Conf {
        Conf::load(text, shown, version, Builtins::Usually(builtins), None)
    }

    /// The conf with the base's configuration files its Includes read.
    pub fn load(
        text: &str,
        shown: &str,
        version: HttpdVersion,
        builtins: Builtins<'_>,
        tree: Option<&ConfigTree>,
    ) -> Conf {
        let mut conf = Conf {
            allowed_rules: text
                .lines()
                .filter_map(|l| l.trim().strip_prefix('#'))
                .filter_map(|l| l.trim().strip_prefix("sitepack:"))
                .filter_map(|l| l.trim().strip_prefix("allow"))
                .flat_map(|l| l.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
                .collect(),
            server_root: tree.map(|t| t.server_root.clone()).unwrap_or_else(|| "/etc/httpd".into()),
            ..Conf::empty(version, builtins)
        };
        conf.read_file(text, shown, None, tree, 0);
        conf
    }

    /// One file, in the `<Directory>` it is included in (if any).
    fn read_file(&mut self, text: &str, shown: &str, dir: Option<usize>, tree: Option<&ConfigTree>, depth: usize) {
        match syntax::parse(text) {
            Ok(nodes) => self.walk(&nodes, shown, dir, tree, depth),
            Err(e) => self.findings.push(Finding::error(
                shown,
                Some(e.line()),
                RuleId::ConfSyntax,
                format!("httpd would not start: {e}"),
                "fix the section structure",
            )),
        }
    }

    /// `<IfDefine NAME>`: the entrypoint's defines and the conf's `Define`s.
    pub fn is_defined(&self, name: &str) -> bool {
        self.defines.contains(name)
    }

    /// Whether the conf was read whole (no Include left unread).
    pub fn is_known(&self) -> bool {
        self.unknown.is_empty()
    }

    /// `${NAME}` replaced by what `Define` set (httpd would fall back to its
    /// environment, unknown here, so such a word stays as written).
    fn expand(&self, word: &str) -> String {
        let mut out = String::new();
        let mut rest = word;
        while let Some(at) = rest.find("${") {
            out.push_str(&rest[..at]);
            match rest[at + 2..].find('}') {
                Some(end) => {
                    let name = &rest[at + 2..at + 2 + end];
                    match self.variables.get(name) {
                        Some(v) => out.push_str(v),
                        None => out.push_str(&rest[at..at + 3 + end]),
                    }
                    rest = &rest[at + 3 + end..];
                }
                None => {
                    out.push_str(&rest[at..]);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        out
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

    fn walk(&mut self, nodes: &[Node], shown: &str, dir: Option<usize>, tree: Option<&ConfigTree>, depth: usize) {
        for node in nodes {
            match node {
                Node::Directive { name, args, line, .. } => {
                    let args: Vec<String> = args.iter().map(|a| self.expand(a)).collect();
                    self.directive(name, &args, *line, shown, dir, tree, depth)
                }
                Node::Section { name, args, children, line } => {
                    let args: Vec<String> = args.iter().map(|a| self.expand(a)).collect();
                    let lname = name.to_ascii_lowercase();
                    let arg = args.first().map(String::as_str).unwrap_or("");
                    let (negate, what) = arg.strip_prefix('!').map_or((false, arg), |m| (true, m));
                    match lname.as_str() {
                        "ifmodule" => {
                            if self.is_loaded_exactly(what) != negate {
                                self.walk(children, shown, dir, tree, depth);
                            }
                        }
                        "ifdefine" => {
                            if self.defines.contains(what) != negate {
                                self.walk(children, shown, dir, tree, depth);
                            }
                        }
                        "ifversion" => match if_version(&args, self.version) {
                            Some(true) => self.walk(children, shown, dir, tree, depth),
                            Some(false) => {}
                            None => self.unknown.push(UnknownPart {
                                file: shown.to_owned(),
                                line: *line,
                                what: format!("<IfVersion {}>", args.join(" ")),
                                why: "sitepack knows the httpd version only as 2.2 or 2.4 here".into(),
                            }),
                        },
                        "directory" if args.first().is_some_and(|a| a != "~") => {
                            let path = args[0].trim_end_matches('/').to_owned();
                            self.dirs.push(DirBlock {
                                path: if path.is_empty() { "/".into() } else { path },
                                allow_override: None,
                                allow_override_list: None,
                            });
                            let idx = self.dirs.len() - 1;
                            self.walk(children, shown, Some(idx), tree, depth);
                        }
                        "files" | "filesmatch" => {
                            let pattern = args.last().map(String::as_str).unwrap_or("");
                            if pattern.contains(".ht") && denies(children) {
                                self.denies_ht_files = true;
                            }
                            self.walk(children, shown, dir, tree, depth);
                        }
                        // Sections whose bodies apply conditionally or elsewhere:
                        // read for modules and overrides all the same.
                        _ => self.walk(children, shown, dir, tree, depth),
                    }
                }
            }
        }
    }

    /// `Include`/`IncludeOptional`: the files it names, read in place.
    #[allow(clippy::too_many_arguments)]
    fn include(
        &mut self,
        name: &str,
        pattern: &str,
        line: usize,
        shown: &str,
        dir: Option<usize>,
        tree: Option<&ConfigTree>,
        depth: usize,
    ) {
        let optional = name.eq_ignore_ascii_case("includeoptional");
        if optional && self.version == HttpdVersion::V22 {
            self.findings.push(Finding::error(
                shown,
                Some(line),
                RuleId::ConfInclude,
                format!("{name}: httpd 2.2 has no such directive; httpd would not start"),
                "use Include (on 2.2 a wildcard that matches nothing is not an error)",
            ));
            return;
        }
        let unknown =
            |why: String| UnknownPart { file: shown.to_owned(), line, what: format!("{name} {pattern}"), why };
        let Some(tree) = tree else {
            self.unknown.push(unknown("the base's configuration files are not known (no base lock holds them)".into()));
            return;
        };
        if depth >= MAX_INCLUDE_DEPTH {
            self.findings.push(Finding::error(
                shown,
                Some(line),
                RuleId::ConfInclude,
                format!("{name} {pattern}: includes nested more than {MAX_INCLUDE_DEPTH} deep (a loop?); httpd would not start"),
                "remove the include loop",
            ));
            return;
        }
        match tree.include(pattern, &self.server_root) {
            Included::Files(files) => {
                for (path, bytes) in files {
                    match bytes.map(String::from_utf8) {
                        Some(Ok(text)) => self.read_file(&text, &path, dir, Some(tree), depth + 1),
                        _ => self.unknown.push(unknown(format!("{} holds {path} but not its text", tree.source))),
                    }
                }
            }
            Included::Nothing if optional => {}
            // httpd 2.2 ignores a wildcard that matches nothing.
            Included::Nothing if self.version == HttpdVersion::V22 && pattern.contains(['*', '?']) => {}
            Included::Nothing => self.findings.push(Finding::error(
                shown,
                Some(line),
                RuleId::ConfInclude,
                format!("{name} {pattern}: no such file in the base ({}); httpd would not start", tree.source),
                "use IncludeOptional, or include files the base has",
            )),
            Included::Unknowable => self.unknown.push(unknown(format!(
                "the path lies outside the base's {} that {} holds",
                tree.server_root, tree.source
            ))),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn directive(
        &mut self,
        name: &str,
        args: &[String],
        line: usize,
        shown: &str,
        dir: Option<usize>,
        tree: Option<&ConfigTree>,
        depth: usize,
    ) {
        match name.to_ascii_lowercase().as_str() {
            "include" | "includeoptional" => {
                if let Some(pattern) = args.first() {
                    self.include(name, pattern, line, shown, dir, tree, depth);
                }
            }
            "serverroot" => {
                if let Some(root) = args.first() {
                    self.server_root = root.trim_end_matches('/').to_owned();
                }
            }
            "define" => {
                if let Some(n) = args.first() {
                    self.defines.insert(n.clone());
                    self.variables.insert(n.clone(), args.get(1).cloned().unwrap_or_default());
                }
            }
            "undefine" => {
                if let Some(n) = args.first() {
                    self.defines.remove(n);
                    self.variables.remove(n);
                }
            }
            "loadmodule" => {
                if let Some(m) = args.first() {
                    let module = canonical_module(m);
                    if self.builtins.contains(&module) {
                        let hint = format!("wrap it in <IfModule !{m}> … </IfModule>");
                        // httpd 2.4 refuses to start on a built-in's LoadModule
                        // ("is built-in and can't be loaded"; checked with
                        // 2.4.68): certain when the builtins are the base's own.
                        self.findings.push(if self.builtins_exact && self.version == HttpdVersion::V24 {
                            Finding::error(
                                shown,
                                Some(line),
                                RuleId::ConfBuiltinLoadmodule,
                                format!("LoadModule {m}: the base's httpd builds {module} in; loading it again is a fatal error: httpd would not start"),
                                hint,
                            )
                        } else {
                            Finding::warning(
                                shown,
                                Some(line),
                                RuleId::ConfBuiltinLoadmodule,
                                format!("LoadModule {m}: the base's httpd builds {module} in; loading it again is a fatal error on some builds"),
                                hint,
                            )
                        });
                    }
                    if let Some(so) = args.get(1) {
                        self.load_modules.push(LoadedModule {
                            name: m.clone(),
                            so: so.clone(),
                            file: shown.to_owned(),
                            line,
                        });
                    }
                    self.loaded.insert(module);
                }
            }
            "allowoverride" => match dir {
                Some(i) => self.dirs[i].allow_override = Some(args.to_vec()),
                None => self.findings.push(Finding::error(
                    shown,
                    Some(line),
                    RuleId::ConfContext,
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
    pub fn missing_modules(&self, dsos: &BTreeSet<String>) -> Vec<Finding> {
        self.load_modules
            .iter()
            .filter(|lm| !self.builtins.contains(&canonical_module(&lm.name)))
            .filter_map(|lm| {
                let stem = lm.so.rsplit('/').next()?.strip_suffix(".so")?;
                (!dsos.contains(stem)).then(|| {
                    Finding::error(
                        &lm.file,
                        Some(lm.line),
                        RuleId::ConfModuleMissing,
                        format!("LoadModule {} {}: the base ships no {stem}.so, so httpd would not start", lm.name, lm.so),
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
                RuleId::ConfHtFiles,
                "no <Files \".ht*\"> (or <FilesMatch \"^\\.ht\">) section denies .htaccess and .htpasswd files",
                "add <Files \".ht*\"> Require all denied </Files>",
            ));
        }
        if let Some(root) = &self.document_root {
            if htpasswd_dest.starts_with(&format!("{}/", root.trim_end_matches('/'))) || root == "/" {
                out.push(Finding::warning(
                    shown,
                    None,
                    RuleId::ConfHtpasswdServed,
                    format!("{htpasswd_dest} lies under DocumentRoot {root}, so it may be served"),
                    "keep the password file outside every served path",
                ));
            }
            if root != site_dest.trim_end_matches('/') {
                out.push(Finding::warning(
                    shown,
                    None,
                    RuleId::ConfDocroot,
                    format!("DocumentRoot is {root}, but the site is installed in {site_dest}"),
                    format!("set DocumentRoot \"{site_dest}\""),
                ));
            }
        }
        // One warning per file, at its first such line.
        let mut unneeded: Vec<(&str, usize, Vec<String>)> = Vec::new();
        for lm in &self.load_modules {
            let module = canonical_module(&lm.name);
            if super::policy::is_unneeded_module(&module) {
                match unneeded.iter_mut().find(|(f, _, _)| *f == lm.file) {
                    Some((_, _, list)) => list.push(module),
                    None => unneeded.push((&lm.file, lm.line, vec![module])),
                }
            }
        }
        for (file, line, modules) in unneeded {
            out.push(Finding::warning(
                file,
                Some(line),
                RuleId::ConfUnneededModule,
                format!("loads {}, which no contributor's .htaccess may use (the policy refuses them): loading them only widens what a hole in the policy could reach", modules.join(", ")),
                "remove those LoadModule lines unless the operator's own configuration uses them; in the base's own files, use a base built from base/, which drops these modules (docs/base-hardening.md)",
            ));
        }
        let port = exposed_port.to_string();
        if !self.listen.is_empty() && !self.listen.iter().any(|l| l.rsplit(':').next() == Some(port.as_str())) {
            out.push(Finding::warning(
                shown,
                None,
                RuleId::ConfListen,
                format!("Listen {} does not match the image's exposed port {port}", self.listen.join(", ")),
                format!("Listen {port}"),
            ));
        }
        out
    }
}

/// `<IfVersion [[!]op] version>` against the major.minor the checks know;
/// None when that is not enough to decide (a patch level, a regex).
fn if_version(args: &[String], version: HttpdVersion) -> Option<bool> {
    let (op, wanted) = match args {
        [v] => ("=", v.as_str()),
        [op, v] => (op.as_str(), v.as_str()),
        _ => return None,
    };
    let (negate, op) = op.strip_prefix('!').map_or((false, op), |o| (true, o));
    if op == "~" || wanted.starts_with('/') {
        return None;
    }
    let nums: Vec<u32> = wanted.split('.').map(|n| n.parse().ok()).collect::<Option<_>>()?;
    let have = match version {
        HttpdVersion::V22 => (2, 2),
        HttpdVersion::V24 => (2, 4),
    };
    let want = (*nums.first()?, nums.get(1).copied().unwrap_or(0));
    use std::cmp::Ordering::*;
    let result = match (have.cmp(&want), op) {
        (Equal, _) if nums.len() > 2 => return None,
        (ord, "=" | "==") => ord == Equal,
        (ord, ">") => ord == Greater,
        (ord, ">=") => ord != Less,
        (ord, "<") => ord == Less,
        (ord, "<=") => ord != Greater,
        _ => return None,
    };
    Some(result != negate)
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
    pat.len() <= d.len() && pat.iter().zip(&d).all(|(p, c)| wildcard(p.as_bytes(), c.as_bytes()))
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
        assert!(wildcard(b"a*b*c", b"axxbyyc") && !wildcard(b"a*b*c", b"axxbyy") && wildcard(b"*", b""));
        // Many stars against a long miss stays linear-ish (would hang if exponential).
        assert!(!wildcard(&[b'*'; 40].iter().chain(b"x").copied().collect::<Vec<_>>(), &[b'a'; 4000]));
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
        let found: Vec<(Option<usize>, &str)> = conf.missing_modules(&dsos).iter().map(|f| (f.line, f.rule)).collect();
        // The guarded built-in is never loaded; libphp and mod_rewrite are missing.
        assert_eq!(found, [(Some(2), "conf.module-missing"), (Some(6), "conf.module-missing")]);
    }

    fn base(files: &[(&str, &str)]) -> ConfigTree {
        ConfigTree {
            server_root: "/etc/httpd".into(),
            files: files.iter().map(|(p, t)| (p.to_string(), Some(t.as_bytes().to_vec()))).collect(),
            source: "the test tree".into(),
        }
    }

    #[test]
    fn includes_are_read_as_httpd_reads_them() {
        let tree = base(&[
            ("conf.modules.d/00-base.conf", "LoadModule rewrite_module modules/mod_rewrite.so\nInclude conf.modules.d/nested/*.conf\n"),
            ("conf.modules.d/nested/a.conf", "<IfDefine FOREGROUND>\nLoadModule headers_module modules/mod_headers.so\n</IfDefine>\n"),
            ("conf.modules.d/10-ver.conf", "<IfVersion >= 2.4>\nLoadModule expires_module modules/mod_expires.so\n</IfVersion>\n<IfVersion < 2.4>\nLoadModule never_module modules/mod_never.so\n</IfVersion>\n"),
            ("conf.d/site.conf", "AllowOverride FileInfo\nLoadModule ${MOD}_module modules/mod_${MOD}.so\n"),
            ("conf.d/loop.conf", "Include conf.d/loop.conf\n"),
        ]);
        let conf = "ServerRoot /etc/httpd\nInclude conf.modules.d/*.conf\nDefine MOD setenvif\n<Directory /var/www/html>\nIncludeOptional conf.d/site.conf\n</Directory>\nIncludeOptional conf.d/none-*.conf\n";
        let c = Conf::load(conf, "httpd.conf", HttpdVersion::V24, Builtins::Usually(CENTOS_BUILTINS), Some(&tree));
        assert!(c.is_known(), "{:?}", c.unknown);
        for m in ["mod_rewrite", "mod_headers", "mod_expires", "mod_setenvif"] {
            assert!(c.is_loaded(m), "{m}");
        }
        assert!(!c.is_loaded("mod_never"));
        // The AllowOverride of the included file counts inside <Directory>.
        assert_eq!(c.overrides_for("/var/www/html/x").classes, [ClassName::FileInfo].into_iter().collect());
        // Findings of included files name the file and line.
        let lm = c.load_modules.iter().find(|l| l.name == "headers_module").unwrap();
        assert_eq!((lm.file.as_str(), lm.line), ("conf.modules.d/nested/a.conf", 2));
        assert!(c.findings.is_empty(), "{:?}", c.findings);

        // A loop stops at httpd's depth limit; a missing Include stops httpd.
        let c = Conf::load(
            "Include conf.d/loop.conf\nInclude conf.d/gone.conf\n",
            "httpd.conf",
            HttpdVersion::V24,
            Builtins::Usually(CENTOS_BUILTINS),
            Some(&tree),
        );
        let found: Vec<(&str, Option<usize>)> = c.findings.iter().map(|f| (f.file.as_str(), f.line)).collect();
        assert_eq!(found, [("conf.d/loop.conf", Some(1)), ("httpd.conf", Some(2))]);
        assert!(c.findings.iter().all(|f| f.rule == "conf.include" && f.severity == crate::check::Severity::Error));
        // httpd 2.2 ignores a wildcard that matches nothing, and has no IncludeOptional.
        let conf_22 = "Include conf.d/none-*.conf\nIncludeOptional conf.d/site.conf\n";
        let c = Conf::load(conf_22, "httpd.conf", HttpdVersion::V22, Builtins::Usually(CENTOS_BUILTINS), Some(&tree));
        assert_eq!(c.findings.iter().map(|f| f.line).collect::<Vec<_>>(), [Some(2)]);
    }

    #[test]
    fn without_the_base_tree_an_include_is_an_unknown_part() {
        let c = Conf::parse(
            "Include conf.modules.d/*.conf\nLoadModule dir_module modules/mod_dir.so\n",
            "httpd.conf",
            HttpdVersion::V24,
            CENTOS_BUILTINS,
        );
        assert!(!c.is_known());
        assert_eq!(
            (c.unknown[0].file.as_str(), c.unknown[0].line, c.unknown[0].what.as_str()),
            ("httpd.conf", 1, "Include conf.modules.d/*.conf")
        );
        assert!(c.is_loaded("mod_dir"));
        // A path outside the recorded ServerRoot is unknown too.
        let c = Conf::load(
            "Include /usr/local/x.conf\n",
            "httpd.conf",
            HttpdVersion::V24,
            Builtins::Usually(CENTOS_BUILTINS),
            Some(&base(&[])),
        );
        assert!(!c.is_known() && c.findings.is_empty());
    }

    #[test]
    fn if_version_is_decided_only_where_major_and_minor_decide_it() {
        let w = |a: &[&str]| if_version(&a.iter().map(|s| s.to_string()).collect::<Vec<_>>(), HttpdVersion::V24);
        assert_eq!(w(&[">=", "2.4"]), Some(true));
        assert_eq!(w(&["<", "2.4"]), Some(false));
        assert_eq!(w(&["!<", "2.3"]), Some(true));
        assert_eq!(w(&["2.2"]), Some(false));
        assert_eq!(w(&[">=", "2.4.10"]), None);
        assert_eq!(w(&["~", "^2.4"]), None);
    }
}
