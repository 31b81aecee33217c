//! The contributor policy: what a contributor's `.htaccess` may do, as an
//! allowlist. A static site with protected folders needs auth against
//! `/opt/.htpasswd`, redirects and rewrites, error documents, headers and
//! caching, types and charsets, indexes, a few `Options`, variables it sets
//! itself, and compression. Everything else is refused with a rule id, even
//! where httpd would happily run it, and even inside an `<IfModule>` that is
//! false today (a dormant rule wakes up the day a module is loaded).
//!
//! The policy reads what httpd reads (see `syntax`, `rewrite`, `expr`) and
//! refuses what it cannot read with certainty. It knows nothing of the
//! operator's conf: the same file is judged the same on every base.
//! See docs/contributor-policy.md for the list and the reasons.

use std::collections::BTreeSet;

use super::expr::{self, Use};
use super::rewrite::{self, RuleFlag};
use super::syntax::{self, Node};
use super::{Finding, RuleId};

/// The only password file a contributor may point at.
pub use crate::layout::HTPASSWD_DEST as HTPASSWD_PATH;

/// Modules no contributor's `.htaccess` may use under this policy: loading
/// them only widens what a hole in it could reach (conf lint warns).
pub const UNNEEDED_MODULES: &[&str] = &[
    "mod_lua",
    "mod_proxy",
    "mod_cgi",
    "mod_cgid",
    "mod_include",
    "mod_info",
    "mod_status",
    "mod_dav",
    "mod_ext_filter",
    "mod_actions",
    "mod_authnz_ldap",
    "mod_ldap",
    "mod_authn_dbd",
    "mod_authz_dbd",
    "mod_dbd",
    "mod_macro",
    "mod_userdir",
    "mod_suexec",
];

/// Whether a module (`mod_x`) is one no contributor may use: one of
/// `UNNEEDED_MODULES`, or of the proxy and DAV families.
pub fn is_unneeded_module(module: &str) -> bool {
    UNNEEDED_MODULES.contains(&module) || module.starts_with("mod_proxy") || module.starts_with("mod_dav")
}

/// Handlers that serve the files themselves.
const FILE_HANDLERS: &[&str] = &["default-handler", "none", "type-map"];
/// Handlers that publish the server's state or configuration.
const STATUS_HANDLERS: &[&str] = &["server-status", "server-info", "balancer-manager", "ldap-status"];
/// Variables httpd itself puts in a request's environment, which may be
/// read: were one unset, httpd would look the name up in its process
/// environment, where an operator does not keep secrets under these names.
const REQUEST_VARIABLES: &[&str] = &[
    "REDIRECT_STATUS",
    "REDIRECT_URL",
    "REDIRECT_QUERY_STRING",
    "REDIRECT_REQUEST_METHOD",
    "REDIRECT_ERROR_NOTES",
    "REDIRECT_REMOTE_USER",
    "HTTPS",
    "UNIQUE_ID",
    "REMOTE_USER",
    "AUTH_TYPE",
    "no-gzip",
    "dont-vary",
    "force-no-vary",
    "gzip-only-text/html",
    "nokeepalive",
    "downgrade-1.0",
    "force-response-1.0",
];
/// `SetEnvIf` attributes every request has.
const ALWAYS_PRESENT: &[&str] = &["request_uri", "request_method", "request_protocol", "remote_addr", "server_addr"];
/// Regular expressions that match every value.
const MATCH_ALL: &[&str] = &["^", ".*", "^.*", "^.*$", "(.*)", "^(.*)$"];
/// ap_expr functions that read only the request.
const SAFE_FUNCTIONS: &[&str] = &[
    "req",
    "http",
    "req_novary",
    "resp",
    "reqenv",
    "v",
    "note",
    "tolower",
    "toupper",
    "escape",
    "unescape",
    "base64",
    "unbase64",
    "md5",
    "sha1",
    "ldap",
];
/// ap_expr operators that do not touch the file system (names are
/// case-sensitive: `-f` tests a path, `-F` a path through a subrequest).
const SAFE_OPERATORS: &[&str] = &[
    "-U",
    "-A",
    "-n",
    "-z",
    "-T",
    "-R",
    "-ipmatch",
    "-strmatch",
    "-strcmatch",
    "-fnmatch",
    "-eq",
    "-ne",
    "-lt",
    "-le",
    "-gt",
    "-ge",
];
/// ap_expr operators that test a path of the server.
const FILE_OPERATORS: &[&str] = &["-d", "-e", "-f", "-s", "-L", "-h", "-x", "-F"];
/// Output filters a static site may set.
const FILTERS: &[&str] = &["deflate", "brotli_compress", "inflate"];

/// Directives on the allowlist whose arguments need no check beyond the
/// lookups every argument gets. Lower case.
const PLAIN: &[&str] = &[
    // Auth and access.
    "authname",
    "authbasicauthoritative",
    "authmerging",
    "authdigestdomain",
    "satisfy",
    "order",
    "allow",
    "deny",
    // Redirects and rewrites (RewriteRule and RewriteCond are checked apart).
    "redirect",
    "redirectmatch",
    "redirectpermanent",
    "redirecttemp",
    "rewriteengine",
    "rewritebase",
    "rewriteoptions",
    // Error documents, headers and caching (Header is checked apart).
    "errordocument",
    "expiresactive",
    "expiresbytype",
    "expiresdefault",
    "fileetag",
    // Types, charsets, languages.
    "addcharset",
    "addencoding",
    "addlanguage",
    "defaultlanguage",
    "adddefaultcharset",
    "removetype",
    "removecharset",
    "removeencoding",
    "removelanguage",
    "removehandler",
    "removeoutputfilter",
    "languagepriority",
    "forcelanguagepriority",
    "multiviewsmatch",
    // Indexes.
    "directoryindex",
    "directoryslash",
    "fallbackresource",
    "indexoptions",
    "indexignore",
    "indexignorereset",
    "indexorderdefault",
    "indexstylesheet",
    "indexheadinsert",
    "headername",
    "readmename",
    "addicon",
    "addiconbytype",
    "addiconbyencoding",
    "addalt",
    "addaltbytype",
    "addaltbyencoding",
    "adddescription",
    "defaulticon",
    // Variables the site sets (reads are checked where they happen).
    "setenv",
    "unsetenv",
    "setenvif",
    "setenvifnocase",
    "browsermatch",
    "browsermatchnocase",
    // Harmless switches real sites ship.
    "serversignature",
    "acceptpathinfo",
    "contentdigest",
    "limitrequestbody",
    "checkspelling",
    "checkcaseonly",
];

/// Sections a contributor may write. Lower case.
const SECTIONS: &[&str] = &[
    "files",
    "filesmatch",
    "limit",
    "limitexcept",
    "requireall",
    "requireany",
    "requirenone",
    "if",
    "elseif",
    "else",
    "ifmodule",
    "ifdefine",
    "ifversion",
    "ifdirective",
    "ifsection",
];

/// Variables the site's `.htaccess` files set for every request of a folder
/// (a top-level `SetEnvIf` of an attribute every request has, with a
/// pattern that matches every value), by folder relative to the site.
#[derive(Debug, Clone, Default)]
pub struct SiteVariables {
    by_folder: Vec<(String, BTreeSet<String>)>,
    /// Names some file unsets (`!NAME`, `UnsetEnv`, `E=!NAME`): never certain.
    unset: BTreeSet<String>,
}

impl SiteVariables {
    /// Learns from one file (`folder` relative to the site, "" for its top).
    pub fn learn(&mut self, folder: &str, nodes: &[Node]) {
        let mut set = BTreeSet::new();
        for node in nodes {
            if let Node::Directive { name, args, .. } = node {
                let lname = name.to_ascii_lowercase();
                if matches!(lname.as_str(), "setenvif" | "setenvifnocase")
                    && args.len() >= 3
                    && ALWAYS_PRESENT.contains(&args[0].to_ascii_lowercase().as_str())
                    && MATCH_ALL.contains(&args[1].as_str())
                {
                    set.extend(args[2..].iter().filter(|a| !a.starts_with('!')).map(|a| var_name(a)));
                }
            }
        }
        walk_all(nodes, &mut |node| {
            if let Node::Directive { name, args, raw, .. } = node {
                let lname = name.to_ascii_lowercase();
                if lname == "unsetenv" {
                    self.unset.extend(args.iter().map(|a| a.to_ascii_uppercase()));
                }
                if lname.starts_with("setenvif") || lname.starts_with("browsermatch") {
                    self.unset.extend(
                        args.iter().filter_map(|a| a.strip_prefix('!')).map(|a| var_name(a).to_ascii_uppercase()),
                    );
                }
                if lname == "rewriterule" {
                    if let Some((_, _, Some(f))) = rewrite::split(raw) {
                        for (k, v) in rewrite::flags(&f).unwrap_or_default() {
                            if let RuleFlag::Env(e) = rewrite::rule_flag(&k, &v) {
                                if let Some(n) = e.strip_prefix('!') {
                                    self.unset.insert(n.to_ascii_uppercase());
                                }
                            }
                        }
                    }
                }
            }
        });
        self.by_folder.push((folder.to_owned(), set));
    }

    /// Whether `name` is set for every request of `folder` (the file's own
    /// or an ancestor's `SetEnvIf`, merged as mod_setenvif merges them).
    fn certain(&self, folder: &str, name: &str) -> bool {
        if self.unset.contains(&name.to_ascii_uppercase()) {
            return false;
        }
        self.by_folder.iter().any(|(f, set)| {
            let applies = f.is_empty() || folder == f || folder.starts_with(&format!("{f}/"));
            // Request variables are looked up without regard to case.
            applies && set.iter().any(|s| s.eq_ignore_ascii_case(name))
        })
    }
}

fn var_name(assignment: &str) -> String {
    assignment.split('=').next().unwrap_or("").to_owned()
}

fn walk_all(nodes: &[Node], f: &mut impl FnMut(&Node)) {
    for n in nodes {
        f(n);
        if let Node::Section { children, .. } = n {
            walk_all(children, f);
        }
    }
}

/// Where a file stands, for the path rules.
pub struct Place<'a> {
    /// The site's folder in the image (`/var/www/html/coffeefans`), under
    /// which group files may live.
    pub site_root: &'a str,
    /// This file's folder relative to the site ("" at its top).
    pub folder: &'a str,
}

/// Policy findings for one file: the raw text (for what the parse does not
/// keep: `${…}`, NUL bytes) and its parsed nodes, every section included.
pub fn check(
    bytes: &[u8],
    nodes: &[Node],
    shown: &str,
    place: &Place<'_>,
    vars: &SiteVariables,
    allowed: &BTreeSet<String>,
) -> Vec<Finding> {
    let mut p = Policy { shown, place, vars, allowed, out: Vec::new() };
    p.raw(bytes);
    p.nodes(nodes);
    p.out
}

struct Policy<'a> {
    shown: &'a str,
    place: &'a Place<'a>,
    vars: &'a SiteVariables,
    allowed: &'a BTreeSet<String>,
    out: Vec<Finding>,
}

impl Policy<'_> {
    fn refuse(&mut self, line: usize, rule: RuleId, message: String, hint: &str) {
        debug_assert!(rule.is_policy(), "{} is not a policy rule", rule.id());
        if self.allowed.contains(rule.id()) {
            return;
        }
        let id = rule.id();
        self.out.push(Finding::error(
            self.shown,
            (line > 0).then_some(line),
            rule,
            message,
            format!("{hint} (an operator can switch this rule off with --allow {id}; see docs/contributor-policy.md)"),
        ));
    }

    /// What the parse does not keep: bytes httpd reads differently, and
    /// `${VAR}`, which httpd expands from its own environment in any line.
    fn raw(&mut self, bytes: &[u8]) {
        if bytes.contains(&0) {
            self.refuse(
                0,
                RuleId::PolicyUnreadable,
                "the file holds a NUL byte, where httpd stops reading its line".into(),
                "remove it",
            );
        }
        if std::str::from_utf8(bytes).is_err() {
            self.refuse(
                0,
                RuleId::PolicyUnreadable,
                "the file is not valid UTF-8, so sitepack cannot read it as httpd does".into(),
                "save it as UTF-8",
            );
        }
        // httpd replaces `${…}` in each logical line (continuations joined)
        // that is not a comment, before it reads the directive.
        for (line_no, line) in syntax::logical_lines(&String::from_utf8_lossy(bytes)) {
            if syntax::trim(&line).starts_with('#') {
                continue;
            }
            if let Some(at) = line.find("${") {
                if line[at..].contains('}') {
                    self.refuse(
                        line_no,
                        RuleId::PolicyEnvRead,
                        "`${…}` is replaced by httpd with a variable of the server's environment (where the container's secrets are)".into(),
                        "write the value itself",
                    );
                }
            }
        }
    }

    fn nodes(&mut self, nodes: &[Node]) {
        for node in nodes {
            match node {
                Node::Directive { name, args, raw, line } => self.directive(name, args, raw, *line),
                Node::Section { name, args, line, children } => {
                    let lname = name.to_ascii_lowercase();
                    self.section(&lname, name, args, *line);
                    // Every body counts, taken or not today; a <LuaHook…>
                    // body is Lua source, refused with its section.
                    if !lname.starts_with("lua") {
                        self.nodes(children);
                    }
                }
            }
        }
    }

    fn section(&mut self, lname: &str, name: &str, args: &[String], line: usize) {
        match lname {
            // Conditions are evaluated before the folder's SetEnvIf runs.
            "if" | "elseif" => return self.condition(&args.join(" "), line, true, &format!("<{name}>")),
            _ => self.lookups(&args.join(" "), line, false, &format!("<{name}>")),
        }
        match lname {
            "iffile" => self.refuse(
                line,
                RuleId::PolicyFileRead,
                format!("<{name}> tells whether a file of the server exists"),
                "remove the section",
            ),
            _ if lname.starts_with("lua") => self.refuse(
                line,
                RuleId::PolicyLua,
                format!("<{name}> runs Lua code inside httpd"),
                "remove the section; a static site runs no code",
            ),
            _ if SECTIONS.contains(&lname) => {}
            _ => self.refuse(
                line,
                RuleId::PolicyDirective,
                format!("<{name}> is not something a contributor's .htaccess may use"),
                "remove it; see the list of what .htaccess may do",
            ),
        }
    }

    fn directive(&mut self, name: &str, args: &[String], raw: &str, line: usize) {
        let lname = name.to_ascii_lowercase();
        // Whether httpd may evaluate it before the folder's SetEnvIf has
        // run, when the site's own variables are not set yet: an error
        // document (an error can come first), an `early` header.
        let early = lname == "errordocument"
            || ((lname == "header" || lname == "requestheader")
                && args.iter().any(|a| a.eq_ignore_ascii_case("early")));
        // Every argument, whatever the directive: lookups of the environment
        // or of files are refused in any string httpd expands.
        let is_rewrite = lname == "rewriterule" || lname == "rewritecond";
        if !is_rewrite {
            for a in args {
                self.lookups(a, line, early, name);
            }
        }
        match lname.as_str() {
            n if PLAIN.contains(&n) => {}
            "authtype" => {
                let t = args.first().map(|a| a.to_ascii_lowercase()).unwrap_or_default();
                if !matches!(t.as_str(), "basic" | "digest" | "none") {
                    self.refuse(
                        line,
                        RuleId::PolicyAuthProvider,
                        format!("AuthType {t}: only Basic (or Digest) against {HTPASSWD_PATH} is allowed"),
                        "use AuthType Basic",
                    );
                }
            }
            "authuserfile" => {
                let path = args.first().map(String::as_str).unwrap_or("");
                if path != HTPASSWD_PATH {
                    self.refuse(
                        line,
                        RuleId::PolicyAuthUserFile,
                        format!("AuthUserFile {path}: the only password file is {HTPASSWD_PATH}"),
                        "use AuthUserFile /opt/.htpasswd, filled from users/htpasswd",
                    );
                }
            }
            "authgroupfile" => {
                let path = args.first().map(String::as_str).unwrap_or("");
                if !self.inside_site(path) {
                    self.refuse(
                        line,
                        RuleId::PolicyFileRead,
                        format!("AuthGroupFile {path}: a group file must lie in the site ({}/…)", self.place.site_root),
                        "keep the group file in your site, named .ht… so it is never served",
                    );
                }
            }
            "authbasicprovider" | "authdigestprovider" => {
                if let Some(p) = args.iter().find(|a| !a.eq_ignore_ascii_case("file")) {
                    self.refuse(
                        line,
                        RuleId::PolicyAuthProvider,
                        format!("{name} {p}: only the file provider ({HTPASSWD_PATH}) is allowed"),
                        "remove it (file is the default)",
                    );
                }
            }
            "require" => self.require(args, raw, line, early),
            "rewriterule" => self.rewrite_rule(raw, line, early),
            "rewritecond" => self.rewrite_cond(raw, line, early),
            "header" | "requestheader" => {
                // mod_headers matches a condition's `expr=` in any case.
                for a in args {
                    if a.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("expr=")) {
                        self.condition(&a[5..], line, early, name);
                    }
                }
            }
            "setenvifexpr" => {
                if let Some(e) = args.first() {
                    self.condition(e, line, true, name);
                }
            }
            "options" => self.options(args, line),
            "sethandler" | "addhandler" => {
                if let Some(h) = args.first() {
                    self.handler(h, line, name);
                }
            }
            "addtype" | "forcetype" => {
                if let Some(t) = args.first() {
                    self.content_type(t, line, name);
                }
            }
            "defaulttype" => {
                if let Some(t) = args.first().filter(|t| !t.eq_ignore_ascii_case("none")) {
                    self.content_type(t, line, name);
                }
            }
            "addoutputfilter" | "setoutputfilter" | "addoutputfilterbytype" => {
                if let Some(chain) = args.first() {
                    self.filters(chain, line, name);
                }
            }
            "passenv" => self.refuse(
                line,
                RuleId::PolicyEnvRead,
                format!("{name} copies variables of the server's environment into requests"),
                "remove it",
            ),
            "xbithack" => {
                self.refuse(line, RuleId::PolicyIncludes, format!("{name} turns on server-side includes"), "remove it")
            }
            n if n.starts_with("ssi") => self.refuse(
                line,
                RuleId::PolicyIncludes,
                format!("{name} configures server-side includes, which contributors may not use"),
                "remove it",
            ),
            n if n.starts_with("lua") => self.refuse(
                line,
                RuleId::PolicyLua,
                format!("{name} runs Lua code inside httpd"),
                "remove it; a static site runs no code",
            ),
            n if n.starts_with("php_") => self.refuse(
                line,
                RuleId::PolicyPhp,
                format!("{name} changes PHP settings, which contributors may not do"),
                "remove it",
            ),
            n if n.starts_with("proxy") => self.refuse(
                line,
                RuleId::PolicyProxy,
                format!("{name} configures the proxy, which fetches from other hosts"),
                "remove it; redirect with [R=302] instead",
            ),
            "action" | "script" => {
                self.refuse(line, RuleId::PolicyHandler, format!("{name} hands requests to a CGI program"), "remove it")
            }
            n if n.starts_with("authldap")
                || n.starts_with("authdbm")
                || n.starts_with("authdbd")
                || n.starts_with("authncache")
                || n.starts_with("authform")
                || n.starts_with("anonymous") =>
            {
                self.refuse(
                    line,
                    RuleId::PolicyAuthProvider,
                    format!("{name}: authentication against anything but {HTPASSWD_PATH} is not allowed"),
                    "use AuthType Basic with AuthUserFile /opt/.htpasswd",
                )
            }
            _ => self.refuse(
                line,
                RuleId::PolicyDirective,
                format!("{name} is not something a contributor's .htaccess may use"),
                "remove it; see the list of what .htaccess may do",
            ),
        }
    }

    fn inside_site(&self, path: &str) -> bool {
        let root = self.place.site_root.trim_end_matches('/');
        path.starts_with(&format!("{root}/")) && !path.split('/').any(|c| c == ".." || c == ".")
    }

    /// `%{…}` lookups in a string httpd expands.
    fn lookups(&mut self, text: &str, line: usize, early: bool, what: &str) {
        for u in expr::string_uses(text) {
            self.judge_use(&u, line, early, what);
        }
    }

    /// A condition: calls, lookups, operators.
    fn condition(&mut self, text: &str, line: usize, early: bool, what: &str) {
        for u in expr::condition_uses(text) {
            match &u {
                Use::Call { name, arg } => match name.as_str() {
                    "osenv" => self.env_refusal(line, what, arg.as_deref()),
                    "env" => self.env_read(arg.as_deref(), line, early, what),
                    "file" | "filesize" | "filemod" => self.refuse(
                        line,
                        RuleId::PolicyFileRead,
                        format!("{what}: {name}() reads a file of the server"),
                        "remove it",
                    ),
                    n if SAFE_FUNCTIONS.contains(&n) => {}
                    _ => self.refuse(
                        line,
                        RuleId::PolicyExpression,
                        format!("{what}: the expression calls {name}(), which the policy does not know"),
                        "use the request's own variables and functions (req, http, reqenv, tolower, …)",
                    ),
                },
                Use::Operator(op) => match op.as_str() {
                    o if SAFE_OPERATORS.contains(&o) => {}
                    o if FILE_OPERATORS.contains(&o) => self.refuse(
                        line,
                        RuleId::PolicyFileRead,
                        format!("{what}: {op} tests a path of the server"),
                        "remove the test",
                    ),
                    _ => self.refuse(
                        line,
                        RuleId::PolicyExpression,
                        format!("{what}: the operator {op} is not one the policy knows"),
                        "remove it",
                    ),
                },
                Use::Word(w) if matches!(w.as_str(), "true" | "false" | "in") => {}
                Use::Word(w) => self.refuse(
                    line,
                    RuleId::PolicyExpression,
                    format!("{what}: `{w}` in an expression is not something the policy can read"),
                    "remove it",
                ),
                _ => self.judge_use(&u, line, early, what),
            }
        }
    }

    fn judge_use(&mut self, u: &Use, line: usize, early: bool, what: &str) {
        match u {
            Use::Lookup { name, arg } => match name.as_str() {
                "env" => self.env_read(Some(arg), line, early, what),
                "osenv" => self.env_refusal(line, what, Some(arg)),
                "file" | "filesize" | "filemod" => self.refuse(
                    line,
                    RuleId::PolicyFileRead,
                    format!("{what}: %{{{name}:…}} reads a file of the server"),
                    "remove it",
                ),
                n if SAFE_FUNCTIONS.contains(&n) => {}
                _ => self.refuse(
                    line,
                    RuleId::PolicyExpression,
                    format!("{what}: %{{{name}:…}} is a lookup the policy does not know"),
                    "use %{HTTP:…} or a variable",
                ),
            },
            Use::Unreadable(why) => self.refuse(
                line,
                RuleId::PolicyExpression,
                format!("{what}: {why}, so sitepack cannot read it as httpd does"),
                "fix the expression",
            ),
            Use::Variable(_) | Use::Call { .. } | Use::Operator(_) | Use::Word(_) => {}
        }
    }

    fn env_refusal(&mut self, line: usize, what: &str, name: Option<&str>) {
        self.refuse(
            line,
            RuleId::PolicyEnvRead,
            format!(
                "{what} reads {} from the server's environment (where the container's secrets are)",
                name.unwrap_or("a variable")
            ),
            "use variables of the request, or set the variable yourself first (docs/contributor-policy.md)",
        );
    }

    /// `env()` / `%{ENV:…}` fall back to the process environment when the
    /// request lacks the variable: only names certain to be there, or never
    /// secret, may be read.
    fn env_read(&mut self, name: Option<&str>, line: usize, early: bool, what: &str) {
        let Some(name) =
            name.filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || "_-./".contains(c)))
        else {
            return self.refuse(line, RuleId::PolicyEnvRead, format!("{what} reads a variable whose name sitepack cannot read; were it unset, httpd would read the server's environment"), "name the variable literally");
        };
        if REQUEST_VARIABLES.iter().any(|v| v.eq_ignore_ascii_case(name)) {
            return;
        }
        // `<If>` and SetEnvIfExpr are evaluated before the folder's
        // SetEnvIf has run, so there the site's variables are never set yet.
        if !early && self.vars.certain(self.place.folder, name) {
            return;
        }
        self.env_refusal(line, what, Some(name));
    }

    fn require(&mut self, args: &[String], raw: &str, line: usize, early: bool) {
        let mut words = args.iter();
        let mut first = words.next().map(|a| a.to_ascii_lowercase()).unwrap_or_default();
        if first == "not" {
            first = words.next().map(|a| a.to_ascii_lowercase()).unwrap_or_default();
        }
        match first.as_str() {
            "all" | "valid-user" | "user" | "group" | "ip" | "host" | "local" | "forward-dns" | "method" | "env" => {}
            "expr" => {
                // Read both as httpd's raw line and with quotes taken off.
                let mut rest = syntax::trim(raw);
                for word in ["not", "expr"] {
                    if let Some((w, after)) = rest.split_once(syntax::is_space) {
                        if w.eq_ignore_ascii_case(word) {
                            rest = syntax::trim(after);
                        }
                    }
                }
                self.condition(rest, line, early, "Require expr");
                let unquoted: Vec<&str> = args.iter().skip_while(|a| !a.eq_ignore_ascii_case("expr")).skip(1).map(String::as_str).collect();
                let joined = unquoted.join(" ");
                if joined != rest {
                    self.condition(&joined, line, early, "Require expr");
                }
            }
            p => self.refuse(line, RuleId::PolicyAuthProvider, format!("Require {p}: only users, groups, hosts, IPs, methods, variables and expressions of the request may be required"), "use Require user/group/valid-user/ip/host"),
        }
    }

    fn rewrite_rule(&mut self, raw: &str, line: usize, early: bool) {
        let Some((pattern, target, flags)) = rewrite::split(raw) else { return };
        self.lookups(&pattern, line, early, "RewriteRule");
        self.lookups(&target, line, early, "RewriteRule");
        let Some(flags) = flags else { return };
        self.lookups(&flags, line, early, "RewriteRule");
        for (key, val) in rewrite::flags(&flags).unwrap_or_default() {
            match rewrite::rule_flag(&key, &val) {
                RuleFlag::Proxy => self.refuse(line, RuleId::PolicyProxy, format!("RewriteRule with the [{key}] flag makes the server fetch other hosts (internal ones too, such as 169.254.169.254)"), "redirect instead: [R=302] to an absolute URL"),
                RuleFlag::Handler(h) => self.handler(&h, line, "RewriteRule [H=…]"),
                RuleFlag::Type(t) => self.content_type(&t, line, "RewriteRule [T=…]"),
                RuleFlag::UnsafePrefixStat => self.refuse(line, RuleId::PolicyFileRead, "RewriteRule [UnsafePrefixStat] lets a substitution name a file of the server".into(), "remove the flag"),
                RuleFlag::Env(_) | RuleFlag::Other | RuleFlag::Unknown(_) => {}
            }
        }
    }

    fn rewrite_cond(&mut self, raw: &str, line: usize, early: bool) {
        let Some((test, pattern, _)) = rewrite::split(raw) else { return };
        self.lookups(&test, line, early, "RewriteCond");
        if test.eq_ignore_ascii_case("expr") {
            self.condition(&pattern, line, early, "RewriteCond expr");
            return;
        }
        self.lookups(&pattern, line, early, "RewriteCond");
        let p = pattern.strip_prefix('!').unwrap_or(&pattern);
        if matches!(p, "-f" | "-F" | "-d" | "-s" | "-l" | "-L" | "-h" | "-x") {
            let upper = test.to_ascii_uppercase();
            let in_site =
                ["%{REQUEST_FILENAME}", "%{SCRIPT_FILENAME}", "%{DOCUMENT_ROOT}"].iter().any(|v| upper.starts_with(v))
                    && !test.contains("..");
            if !in_site {
                self.refuse(
                    line,
                    RuleId::PolicyFileRead,
                    format!("RewriteCond {test} {pattern} tests a path that may lie outside the site"),
                    "test %{REQUEST_FILENAME}",
                );
            }
        }
    }

    fn options(&mut self, args: &[String], line: usize) {
        for a in args {
            let opt = a.trim_start_matches(['+', '-']).to_ascii_lowercase();
            if a.starts_with('-') {
                continue;
            }
            match opt.as_str() {
                "indexes" | "multiviews" | "followsymlinks" | "symlinksifownermatch" | "none" => {}
                "execcgi" => self.refuse(
                    line,
                    RuleId::PolicyExecCgi,
                    format!("Options {a} allows running CGI programs"),
                    "remove it",
                ),
                "all" => {
                    self.refuse(
                        line,
                        RuleId::PolicyExecCgi,
                        format!("Options {a} allows running CGI programs"),
                        "list the options you need: Indexes, MultiViews, FollowSymLinks",
                    );
                    self.refuse(
                        line,
                        RuleId::PolicyIncludes,
                        format!("Options {a} allows server-side includes"),
                        "list the options you need",
                    );
                }
                "includes" | "includesnoexec" => self.refuse(
                    line,
                    RuleId::PolicyIncludes,
                    format!("Options {a} turns on server-side includes, whose pages can read the server's environment"),
                    "remove it; a static site needs no includes",
                ),
                _ => self.refuse(
                    line,
                    RuleId::PolicyDirective,
                    format!("Options {a} is not an option a contributor may set"),
                    "use Indexes, MultiViews, FollowSymLinks or SymLinksIfOwnerMatch",
                ),
            }
        }
    }

    fn handler(&mut self, handler: &str, line: usize, what: &str) {
        let h = syntax::trim(handler).to_ascii_lowercase();
        if FILE_HANDLERS.contains(&h.as_str()) {
            return;
        }
        let (rule, why) = if h.starts_with("proxy:") {
            (RuleId::PolicyProxy, "makes the server fetch other hosts (internal ones too, such as 169.254.170.2)")
        } else if STATUS_HANDLERS.contains(&h.as_str()) {
            (RuleId::PolicyServerInfo, "publishes the server's state or its whole configuration")
        } else if h.contains("server-parsed") {
            (RuleId::PolicyIncludes, "turns on server-side includes")
        } else {
            (
                RuleId::PolicyHandler,
                "hands requests to something other than the file server (a script handler runs code)",
            )
        };
        self.refuse(
            line,
            rule,
            format!("{what} {handler} {why}"),
            "remove it; only default-handler, none and type-map serve files",
        );
    }

    /// A content type becomes the handler when none is set, so it must be a
    /// plain `type/subtype` that names no handler.
    fn content_type(&mut self, t: &str, line: usize, what: &str) {
        let lower = syntax::trim(t).to_ascii_lowercase();
        let essence = lower.split(';').next().unwrap_or("").trim_end_matches(syntax::is_space);
        let token = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "!#$&^_.+-".contains(c));
        let plain = essence.split_once('/').is_some_and(|(a, b)| token(a) && token(b));
        let handler_type = essence.starts_with("application/x-httpd-")
            || essence.starts_with("httpd/")
            || essence.starts_with("text/x-server-parsed");
        if plain && !handler_type {
            return;
        }
        if essence.starts_with("text/x-server-parsed") {
            return self.refuse(
                line,
                RuleId::PolicyIncludes,
                format!("{what} {t} turns on server-side includes"),
                "remove it",
            );
        }
        if !plain {
            // Not a media type at all: judged as the handler it becomes.
            return self.handler(t, line, what);
        }
        self.refuse(
            line,
            RuleId::PolicyHandler,
            format!("{what} {t}: this type is a handler's name, so files of it would be run, not served"),
            "use the file's real media type",
        );
    }

    fn filters(&mut self, chain: &str, line: usize, what: &str) {
        for f in chain.split(';').map(|f| syntax::trim(f).to_ascii_lowercase()).filter(|f| !f.is_empty()) {
            if FILTERS.contains(&f.as_str()) {
                continue;
            }
            if f == "includes" {
                self.refuse(
                    line,
                    RuleId::PolicyIncludes,
                    format!(
                        "{what} INCLUDES turns on server-side includes, whose pages can read the server's environment"
                    ),
                    "remove it; a static site needs no includes",
                );
            } else {
                self.refuse(
                    line,
                    RuleId::PolicyDirective,
                    format!("{what} {f}: only the DEFLATE and BROTLI_COMPRESS filters are allowed"),
                    "remove it",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::conf::{Conf, DEBIAN_BUILTINS};
    use crate::check::htaccess::{self, Context};
    use crate::check::HttpdVersion;

    /// The policy's rule ids for one `.htaccess` in `/var/www/html/ns/d`,
    /// with every module loaded and every override allowed, the site's
    /// variables learned from `parent` (the site's top `.htaccess`) and the file.
    fn refused_with_parent(parent: &str, text: &[u8]) -> Vec<&'static str> {
        let conf = Conf::permissive(HttpdVersion::V24, DEBIAN_BUILTINS);
        let mut vars = SiteVariables::default();
        for (folder, t) in [("", parent.as_bytes()), ("d", text)] {
            if let Ok(nodes) = syntax::parse(&String::from_utf8_lossy(t)) {
                vars.learn(folder, &nodes);
            }
        }
        let allowed = BTreeSet::new();
        let unchecked = std::cell::RefCell::default();
        let ctx = Context {
            conf: &conf,
            allowed: &allowed,
            vars: &vars,
            site_root: "/var/www/html/ns",
            unchecked: &unchecked,
        };
        let mut rules: Vec<&str> =
            htaccess::check(&htaccess::File::new(text.to_vec()), ".htaccess", "/var/www/html/ns/d", "d", &ctx)
                .into_iter()
                .map(|f| f.rule)
                .filter(|r| r.starts_with("policy."))
                .collect();
        rules.sort();
        rules.dedup();
        rules
    }

    fn refused(text: &str) -> Vec<&'static str> {
        refused_with_parent("", text.as_bytes())
    }

    /// Every handler name, module directive and expression form the policy
    /// refuses, in several letter cases, quotings and line continuations,
    /// each with the rule that must name it.
    #[test]
    fn each_hostile_form_is_refused_by_its_rule() {
        let cases: &[(&str, &str)] = &[
            // Handlers that run code (point 2), however they are written.
            ("SetHandler lua-script", "policy.handler"),
            ("SetHandler LUA-Script", "policy.handler"),
            ("SetHandler \"lua-script\"", "policy.handler"),
            ("SetHandler 'lua-script'", "policy.handler"),
            ("\"SetHandler\" lua-script", "policy.handler"),
            ("sethandler \\\n  lua-script", "policy.handler"),
            ("AddHandler lua-script .lua", "policy.handler"),
            ("AddHandler cgi-script .sh .pl", "policy.handler"),
            ("SetHandler perl-script", "policy.handler"),
            ("SetHandler wsgi-script", "policy.handler"),
            ("SetHandler mod_python", "policy.handler"),
            ("SetHandler fcgid-script", "policy.handler"),
            ("SetHandler php-script", "policy.handler"),
            ("SetHandler send-as-is", "policy.handler"),
            ("SetHandler application/x-httpd-php", "policy.handler"),
            ("AddType application/x-httpd-php .html", "policy.handler"),
            ("AddType APPLICATION/X-HTTPD-CGI .txt", "policy.handler"),
            ("ForceType lua-script", "policy.handler"),
            ("AddType lua-script .lua", "policy.handler"),
            ("DefaultType application/x-httpd-php", "policy.handler"),
            ("RewriteRule ^ - [H=lua-script]", "policy.handler"),
            ("RewriteRule ^ - [handler=cgi-script,L]", "policy.handler"),
            ("RewriteRule ^ - [T=application/x-httpd-php]", "policy.handler"),
            ("RewriteRule ^ - [type=lua-script]", "policy.handler"),
            ("<FilesMatch \"\\.lua$\">\nSetHandler lua-script\n</FilesMatch>", "policy.handler"),
            ("<Files x.lua>\n  <If \"true\">\n    SetHandler lua-script\n  </If>\n</Files>", "policy.handler"),
            ("Action my-type /cgi-bin/run.cgi", "policy.handler"),
            // The proxy, in any form (point 4).
            ("SetHandler \"proxy:http://169.254.170.2/\"", "policy.proxy"),
            ("SetHandler PROXY:http://169.254.169.254/", "policy.proxy"),
            ("AddHandler proxy:fcgi://127.0.0.1:9000 .php", "policy.proxy"),
            ("ForceType proxy:http://127.0.0.1/", "policy.proxy"),
            ("AddType \"proxy:http://127.0.0.1/\" .html", "policy.proxy"),
            ("RewriteRule ^ - [H=proxy:http://127.0.0.1/]", "policy.proxy"),
            ("RewriteRule ^(.*)$ http://127.0.0.1/$1 [P]", "policy.proxy"),
            ("RewriteRule ^(.*)$ http://127.0.0.1/$1 [p]", "policy.proxy"),
            ("RewriteRule ^(.*)$ http://127.0.0.1/$1 [Proxy,L]", "policy.proxy"),
            ("RewriteRule ^(.*)$ http://127.0.0.1/$1 [P=anything]", "policy.proxy"),
            ("RewriteRule ^(.*)$ http://127.0.0.1/$1 \"[ L , P ]\"", "policy.proxy"),
            ("RewriteRule ^a\\ b$ http://127.0.0.1/ [P]", "policy.proxy"),
            ("RewriteRule \"^a b$\" 'http://127.0.0.1/' [P]", "policy.proxy"),
            ("RewriteRule ^a$ \\\n http://127.0.0.1/ \\\n [P]", "policy.proxy"),
            // A dormant rule wakes up the day its module is loaded (point 5).
            ("<IfModule mod_rewrite.c>\nRewriteRule ^ http://127.0.0.1/ [P]\n</IfModule>", "policy.proxy"),
            ("<IfModule !mod_rewrite.c>\nRewriteRule ^ http://127.0.0.1/ [P]\n</IfModule>", "policy.proxy"),
            ("<IfModule mod_nope.c>\nSetHandler lua-script\n</IfModule>", "policy.handler"),
            ("ProxyPass / http://127.0.0.1/", "policy.proxy"),
            // Server state.
            ("SetHandler server-info", "policy.server-info"),
            ("SetHandler Server-Status", "policy.server-info"),
            ("SetHandler balancer-manager", "policy.server-info"),
            ("SetHandler ldap-status", "policy.server-info"),
            ("ForceType server-info", "policy.server-info"),
            ("RewriteRule ^ - [H=server-status]", "policy.server-info"),
            // The server's environment (point 3), in every expression context.
            ("RewriteRule ^go$ /ns/index.html?%{ENV:SECRET_TOKEN} [R=302,L]", "policy.env-read"),
            ("RewriteRule ^go$ /x [E=Y:%{env:SECRET_TOKEN}]", "policy.env-read"),
            ("RewriteCond %{env:SECRET_TOKEN} ^h\nRewriteRule ^ - [F]", "policy.env-read"),
            ("RewriteCond expr \"osenv('SECRET_TOKEN') =~ /^h/\"\nRewriteRule ^ - [F]", "policy.env-read"),
            ("Header set X-Leak \"expr=%{env:SECRET_TOKEN}\"", "policy.env-read"),
            // mod_headers takes the condition's `expr=` in any case.
            ("Header set X-O y \"EXPR=osenv('SECRET_TOKEN') =~ /^h/\"", "policy.env-read"),
            ("RequestHeader set X-O y \"Expr=file('/etc/passwd') =~ /root/\"", "policy.file-read"),
            // `${…}` is replaced in the logical line, after continuations
            // are joined; a comment ends where httpd ends it (one CR).
            ("Header set X-Leak \"$\\\n{SECRET_TOKEN}\"", "policy.env-read"),
            ("# a note \\\r\r\nHeader set X-Leak \"${SECRET_TOKEN}\"", "policy.env-read"),
            ("Header set X-Leak \"expr=%{ENV:secret_token}\"", "policy.env-read"),
            ("Header always set X-Leak ok \"expr=osenv('S') =~ /^h/\"", "policy.env-read"),
            ("RequestHeader set X-Leak \"expr=%{osenv:S}\"", "policy.env-read"),
            ("ErrorDocument 404 \"%{env:SECRET_TOKEN}\"", "policy.env-read"),
            ("ErrorDocument 404 %{OsEnv:SECRET_TOKEN}", "policy.env-read"),
            ("<If \"osenv('SECRET_TOKEN') =~ /^h/\">\n</If>", "policy.env-read"),
            ("<If \"OSENV ('SECRET_TOKEN') =~ /^h/\">\n</If>", "policy.env-read"),
            ("<If \"true\">\n</If>\n<ElseIf \"env('SECRET_TOKEN') == 'x'\">\n</ElseIf>", "policy.env-read"),
            ("<If \"env(%{HTTP:X-Name}) == 'x'\">\n</If>", "policy.env-read"),
            ("Require expr \"osenv('SECRET_TOKEN') == 'x'\"", "policy.env-read"),
            ("Require expr osenv('SECRET_TOKEN') == 'x'", "policy.env-read"),
            ("Require not expr \"env('SECRET_TOKEN') == 'x'\"", "policy.env-read"),
            ("SetEnvIfExpr \"env('SECRET_TOKEN') =~ /^h/\" X=1", "policy.env-read"),
            ("AuthName \"%{env:SECRET_TOKEN}\"", "policy.env-read"),
            ("Header set X-Leak \"${SECRET_TOKEN}\"", "policy.env-read"),
            ("AuthName ${SECRET_TOKEN}", "policy.env-read"),
            ("Redirect 302 /a \\\n /b?${SECRET_TOKEN}", "policy.env-read"),
            ("PassEnv SECRET_TOKEN", "policy.env-read"),
            // Set only when a header says so: otherwise httpd reads its environment.
            ("SetEnvIf X-Never ^zzz$ SECRET_TOKEN=1\nRewriteRule ^go$ /?%{ENV:SECRET_TOKEN} [R]", "policy.env-read"),
            ("SetEnvIf Request_URI ^ S=1\nUnsetEnv S\nRewriteRule ^go$ /?%{ENV:S} [R]", "policy.env-read"),
            ("SetEnvIf Request_URI ^ S=1\n<If \"env('S') == '1'\">\n</If>", "policy.env-read"),
            // Files of the server.
            ("<If \"-f '/etc/passwd'\">\n</If>", "policy.file-read"),
            ("<If \"-F '/etc/passwd'\">\n</If>", "policy.file-read"),
            ("<If \"file('/etc/passwd') =~ /root/\">\n</If>", "policy.file-read"),
            ("Header set X \"expr=%{file:/etc/passwd}\"", "policy.file-read"),
            ("<IfFile /etc/passwd>\n</IfFile>", "policy.file-read"),
            ("AuthGroupFile /etc/group", "policy.file-read"),
            ("AuthGroupFile /var/www/html/ns/../../../etc/group", "policy.file-read"),
            ("RewriteCond /etc/passwd -f\nRewriteRule ^ - [F]", "policy.file-read"),
            ("RewriteCond %{DOCUMENT_ROOT}/../../etc/passwd -f\nRewriteRule ^ - [F]", "policy.file-read"),
            ("RewriteRule ^ - [UnsafePrefixStat]", "policy.file-read"),
            // Server-side includes, refused altogether.
            ("Options +Includes", "policy.includes"),
            ("Options +IncludesNOEXEC", "policy.includes"),
            ("Options IncludesNoExec", "policy.includes"),
            ("AddOutputFilter INCLUDES .shtml", "policy.includes"),
            ("SetOutputFilter includes", "policy.includes"),
            ("AddOutputFilterByType DEFLATE;INCLUDES text/html", "policy.includes"),
            ("AddHandler server-parsed .shtml", "policy.includes"),
            ("AddType text/x-server-parsed-html .html", "policy.includes"),
            ("XBitHack on", "policy.includes"),
            ("SSIStartTag <!--%", "policy.includes"),
            ("Options +ExecCGI", "policy.exec-cgi"),
            ("php_value upload_max_filesize 1M", "policy.php"),
            ("PHP_FLAG engine on", "policy.php"),
            ("LuaHookFixups /var/www/html/ns/x.lua fixup", "policy.lua"),
            ("LuaCodeCache never", "policy.lua"),
            ("<LuaHookFixups hook>\nfunction hook(r) return 0 end\n</LuaHookFixups>", "policy.lua"),
            ("AuthUserFile /etc/shadow", "policy.auth-user-file"),
            ("AuthBasicProvider ldap", "policy.auth-provider"),
            ("AuthLDAPURL ldap://127.0.0.1/dc=x", "policy.auth-provider"),
            ("Require ldap-user alice", "policy.auth-provider"),
            ("Require dbd-group admins", "policy.auth-provider"),
            ("AuthType Form", "policy.auth-provider"),
            ("<If \"frobnicate('x')\">\n</If>", "policy.expression"),
            ("RewriteCond %{LA-U:REMOTE_USER} x\nRewriteRule ^ - [F]", "policy.expression"),
            ("<If \"%{HTTP_HOST} == 'x' && mystery\">\n</If>", "policy.expression"),
            ("Use leak", "policy.directive"),
            ("Substitute s/a/b/", "policy.directive"),
            ("SetInputFilter SUBSTITUTE", "policy.directive"),
            ("AddOutputFilter SUBSTITUTE .html", "policy.directive"),
            ("CGIPassAuth on", "policy.directive"),
        ];
        let mut wrong = Vec::new();
        for (text, rule) in cases {
            let got = refused(text);
            if !got.contains(rule) {
                wrong.push(format!("{text:?}: expected {rule}, got {got:?}"));
            }
        }
        // A macro hides what it holds: refused, and so is what it holds.
        assert_eq!(refused("<Macro leak>\nSetHandler lua-script\n</Macro>"), ["policy.directive", "policy.handler"]);
        assert!(wrong.is_empty(), "{} of {} cases:\n{}", wrong.len(), cases.len(), wrong.join("\n"));
    }

    #[test]
    fn bytes_httpd_reads_differently_are_refused() {
        assert_eq!(refused_with_parent("", b"Header set X a\0b"), ["policy.unreadable"]);
        assert_eq!(refused_with_parent("", b"Header set X \xff"), ["policy.unreadable"]);
        // A no-break space makes one word of the name: not a directive the policy allows.
        assert_eq!(refused("SetHandler\u{a0}lua-script"), ["policy.directive"]);
    }

    /// What real static sites ship keeps building.
    #[test]
    fn what_static_sites_need_passes() {
        let benign = [
            "AuthType Basic\nAuthName \"members only\"\nAuthUserFile /opt/.htpasswd\nRequire valid-user",
            "AuthType Basic\nAuthName x\nAuthUserFile /opt/.htpasswd\nAuthGroupFile /var/www/html/ns/.htgroups\nRequire group staff",
            "RewriteEngine On\nRewriteCond %{ENV:REDIRECT_STATUS} ^$\nRewriteRule ^old$ /ns/new [R=301,L]",
            "RewriteEngine On\nRewriteCond %{HTTPS} !=on\nRewriteRule ^ https://%{HTTP_HOST}%{REQUEST_URI} [R=301,L]",
            "RewriteCond %{REQUEST_FILENAME} !-f\nRewriteCond %{REQUEST_FILENAME} !-d\nRewriteRule . /ns/index.html [L]",
            "SetEnvIf Request_URI ^ SITE_FLAG=on\nRewriteCond %{ENV:SITE_FLAG} =on\nRewriteRule ^x$ /ns/y [R,L]",
            "SetEnvIfNoCase Request_URI \"\\.(gif|jpe?g|png)$\" no-gzip dont-vary\nHeader append Vary User-Agent env=!dont-vary",
            "Header set X-Frame-Options DENY\nHeader always set Strict-Transport-Security \"max-age=31536000\"",
            "Header unset ETag\nFileETag None\nHeader set X-Site \"%{SITE_FLAG}e\"",
            "<IfModule mod_expires.c>\nExpiresActive On\nExpiresByType image/png \"access plus 1 month\"\nExpiresDefault \"access plus 1 hour\"\n</IfModule>",
            "ErrorDocument 404 /ns/404.html\nErrorDocument 500 \"Sorry: file(s) missing\"\nErrorDocument 403 https://example.org/forbidden",
            "AddType application/manifest+json .webmanifest\nAddType 'text/html; charset=UTF-8' .html\nForceType text/plain\nAddCharset utf-8 .css .js\nAddDefaultCharset UTF-8",
            "Options -Indexes +FollowSymLinks -MultiViews\nOptions -ExecCGI -Includes",
            "DirectoryIndex index.html index.htm\nIndexOptions FancyIndexing\nIndexIgnore *.bak",
            "<FilesMatch \"\\.(bak|old|sql)$\">\nRequire all denied\n</FilesMatch>\n<Files \".ht*\">\nRequire all denied\n</Files>",
            "<If \"%{HTTP_HOST} == 'example.org'\">\nRedirect 301 / https://www.example.org/\n</If>",
            "Require expr \"%{REQUEST_URI} =~ m#^/ns/#\"\n<RequireAny>\nRequire ip 10.0.0.0/8\nRequire host example.org\n</RequireAny>",
            "<IfModule mod_deflate.c>\nAddOutputFilterByType DEFLATE text/html text/css application/javascript\n</IfModule>",
            "SetHandler default-handler\nSetHandler None\nAddHandler type-map .var",
            "RewriteRule ^ - [E=CACHE:1]\nRewriteRule ^(.*)\\.html$ /ns/$1 [R=301,L,QSA,NE]",
            "<If \"-U '/ns/private/'\">\nHeader set X-Private yes\n</If>",
            "Order deny,allow\nDeny from all\nAllow from 127.0.0.1\nSatisfy any",
            "ServerSignature Off\n# SetHandler lua-script \\\n  still a comment ${X}",
        ];
        // The kind of .htaccess front-end boilerplates ship (security
        // headers with expr= conditions, types, compression, caching,
        // rewrites that hide dot files), written here in their shape.
        let boilerplate = r#"
<IfModule mod_headers.c>
    Header always set X-Content-Type-Options "nosniff"
    Header always set Referrer-Policy "strict-origin-when-cross-origin" "expr=%{CONTENT_TYPE} =~ m#text\/html#i"
    Header always set Content-Security-Policy "default-src 'self'" "expr=%{CONTENT_TYPE} =~ m#text\/(html|javascript)|application\/pdf|xml#i"
    Header always unset X-Powered-By
    <FilesMatch "\.(appcache|css|gif|ico|jpe?g|m?js|json|png|svgz?|webp|woff2?)$">
        Header unset X-UA-Compatible
    </FilesMatch>
</IfModule>
<IfModule mod_mime.c>
    AddType application/javascript js mjs
    AddType image/svg+xml svg svgz
    AddType application/manifest+json webmanifest
    AddEncoding gzip svgz
    AddCharset utf-8 .css .js .json .webmanifest
</IfModule>
AddDefaultCharset utf-8
<IfModule mod_deflate.c>
    <IfModule mod_setenvif.c>
        <IfModule mod_headers.c>
            SetEnvIfNoCase ^(Accept-EncodXng|X-cept-Encoding|X{15}|~{15}|-{15})$ ^((gzip|deflate)\s*,?\s*)+|[X~-]{4,13}$ HAVE_Accept-Encoding
            RequestHeader append Accept-Encoding "gzip,deflate" env=HAVE_Accept-Encoding
        </IfModule>
    </IfModule>
    <IfModule mod_filter.c>
        AddOutputFilterByType DEFLATE "application/javascript" "application/json" "image/svg+xml" "text/css" "text/html"
    </IfModule>
</IfModule>
<IfModule mod_expires.c>
    ExpiresActive on
    ExpiresDefault                                      "access plus 1 month"
    ExpiresByType text/css                              "access plus 1 year"
    ExpiresByType text/html                             "access plus 0 seconds"
</IfModule>
<IfModule mod_rewrite.c>
    RewriteEngine On
    Options +SymLinksIfOwnerMatch
    RewriteCond %{HTTPS} =on
    RewriteRule ^ - [E=PROTO:https]
    RewriteCond %{HTTPS} !=on
    RewriteRule ^ - [E=PROTO:http]
    RewriteCond %{REQUEST_URI} "!(^|/)\.well-known/([^./]+./?)+$" [NC]
    RewriteCond %{SCRIPT_FILENAME} -d [OR]
    RewriteCond %{SCRIPT_FILENAME} -f
    RewriteRule "(^|/)\." - [F]
</IfModule>
<IfModule mod_autoindex.c>
    Options -Indexes
</IfModule>
<IfModule mod_authz_core.c>
    <FilesMatch "(^#.*#|\.(bak|conf|dist|fla|in[ci]|log|orig|psd|sh|sql|sw[op])|~)$">
        Require all denied
    </FilesMatch>
</IfModule>
ServerSignature Off
FileETag None
ErrorDocument 404 /404.html
"#;
        assert!(refused(boilerplate).is_empty(), "boilerplate refused: {:?}", refused(boilerplate));
        for text in benign {
            assert!(refused(text).is_empty(), "{text:?} refused: {:?}", refused(text));
        }
        // A variable set for every request in a parent folder may be read below.
        assert!(refused_with_parent(
            "SetEnvIf Request_URI \"^\" SITE_FLAG=1",
            b"RewriteCond %{ENV:SITE_FLAG} 1\nRewriteRule ^ - [F]"
        )
        .is_empty());
    }
}
