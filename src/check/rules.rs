//! Every finding's rule id, in one table: what `--format json` prints,
//! what the guides name, and what tests match on. A finding is made from a
//! `RuleId`, never from a free string, so a misspelt id does not compile.
//! The id's first word is its area: `tree`, `htaccess`, `htpasswd`, `conf`
//! and `base` for the correctness checks (what httpd would do with the
//! image), `policy` for the contributor policy (what it refuses however
//! httpd would take it; an operator can switch one off with `--allow RULE`
//! or `# sitepack: allow RULE` in httpd.conf).

/// Declares `RuleId` from the table below: the variants, `ALL` and `id`.
macro_rules! rule_ids {
    ($($(#[$doc:meta])* $variant:ident = $id:literal,)*) => {
        /// A finding's rule.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
        pub enum RuleId {
            $($(#[$doc])* $variant,)*
        }

        impl RuleId {
            pub const ALL: &[RuleId] = &[$(RuleId::$variant,)*];

            pub fn id(self) -> &'static str {
                match self {
                    $(RuleId::$variant => $id,)*
                }
            }
        }
    };
}

rule_ids! {
    BaseUnneededModules = "base.unneeded-modules",
    ConfBuiltinLoadmodule = "conf.builtin-loadmodule",
    ConfContext = "conf.context",
    ConfDocroot = "conf.docroot",
    ConfHtFiles = "conf.ht-files",
    ConfHtpasswdServed = "conf.htpasswd-served",
    ConfInclude = "conf.include",
    ConfIncludeUnread = "conf.include-unread",
    ConfListen = "conf.listen",
    ConfModuleMissing = "conf.module-missing",
    ConfSyntax = "conf.syntax",
    ConfUnneededModule = "conf.unneeded-module",
    HtaccessArgument = "htaccess.argument",
    HtaccessContext = "htaccess.context",
    HtaccessIgnored = "htaccess.ignored",
    HtaccessModule = "htaccess.module",
    HtaccessNotAllowed = "htaccess.not-allowed",
    HtaccessRequire = "htaccess.require",
    HtaccessSyntax = "htaccess.syntax",
    HtaccessUnknown = "htaccess.unknown",
    HtaccessUnreadable = "htaccess.unreadable",
    HtaccessVersion = "htaccess.version",
    HtpasswdBcryptCost = "htpasswd.bcrypt-cost",
    HtpasswdBcryptOn22 = "htpasswd.bcrypt-on-2.2",
    HtpasswdCrlf = "htpasswd.crlf",
    HtpasswdDuplicate = "htpasswd.duplicate",
    HtpasswdEmpty = "htpasswd.empty",
    HtpasswdEncoding = "htpasswd.encoding",
    HtpasswdMode = "htpasswd.mode",
    HtpasswdPlaintext = "htpasswd.plaintext",
    HtpasswdSyntax = "htpasswd.syntax",
    HtpasswdUnreadable = "htpasswd.unreadable",
    HtpasswdUser = "htpasswd.user",
    HtpasswdWeak = "htpasswd.weak",
    /// Authentication against anything but `/opt/.htpasswd` (LDAP, databases, …).
    PolicyAuthProvider = "policy.auth-provider",
    /// A password file other than `/opt/.htpasswd`.
    PolicyAuthUserFile = "policy.auth-user-file",
    /// A directive or section that is not on the allowlist.
    PolicyDirective = "policy.directive",
    /// Reading the server process's environment.
    PolicyEnvRead = "policy.env-read",
    /// `Options ExecCGI`.
    PolicyExecCgi = "policy.exec-cgi",
    /// An expression function or form the policy does not know.
    PolicyExpression = "policy.expression",
    /// Reading or testing files outside the site.
    PolicyFileRead = "policy.file-read",
    /// A handler other than those that serve files, set directly or through a type.
    PolicyHandler = "policy.handler",
    /// Server-side includes.
    PolicyIncludes = "policy.includes",
    /// mod_lua's directives and sections.
    PolicyLua = "policy.lua",
    /// `php_value` and friends.
    PolicyPhp = "policy.php",
    /// The proxy in any form: `[P]`, a `proxy:` handler or type.
    PolicyProxy = "policy.proxy",
    /// `server-status`, `server-info`, `balancer-manager`, `ldap-status`.
    PolicyServerInfo = "policy.server-info",
    /// Bytes the policy cannot read as httpd does (NUL, invalid UTF-8).
    PolicyUnreadable = "policy.unreadable",
    TreeCaseCollision = "tree.case-collision",
    TreeExcluded = "tree.excluded",
    TreeHtaccessCase = "tree.htaccess-case",
    TreeLfsPointer = "tree.lfs-pointer",
    TreeLimitFile = "tree.limit-file",
    TreeLimitFiles = "tree.limit-files",
    TreeLimitPath = "tree.limit-path",
    TreeLimitTotal = "tree.limit-total",
    TreeMode = "tree.mode",
    TreeName = "tree.name",
    TreeOutsideNamespace = "tree.outside-namespace",
    TreeSpecial = "tree.special",
    TreeSubmodule = "tree.submodule",
    TreeSymlink = "tree.symlink",
    TreeUnreadable = "tree.unreadable",
}

impl RuleId {
    /// Whether this is one of the contributor policy's rules.
    pub fn is_policy(self) -> bool {
        self.id().starts_with("policy.")
    }

    /// The policy rule `--allow` names, if it is one.
    pub fn policy_rule(id: &str) -> Option<RuleId> {
        RuleId::ALL.iter().copied().find(|r| r.is_policy() && r.id() == id)
    }

    pub fn policy_ids() -> Vec<&'static str> {
        RuleId::ALL.iter().filter(|r| r.is_policy()).map(|r| r.id()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_is_documented() {
        let checks = include_str!("../../docs/checks.md");
        let policy = include_str!("../../docs/contributor-policy.md");
        for rule in RuleId::ALL {
            let (doc, text) =
                if rule.is_policy() { ("docs/contributor-policy.md", policy) } else { ("docs/checks.md", checks) };
            assert!(text.contains(&format!("`{}`", rule.id())), "{} is not in {doc}", rule.id());
        }
    }

    #[test]
    fn ids_are_unique_and_shaped_like_area_dot_name() {
        let mut seen = std::collections::BTreeSet::new();
        for r in RuleId::ALL {
            let id = r.id();
            assert!(seen.insert(id), "{id} twice");
            let (area, name) = id.split_once('.').unwrap();
            assert!(["tree", "htaccess", "htpasswd", "conf", "base", "policy"].contains(&area), "{id}");
            assert!(
                !name.is_empty()
                    && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.'),
                "{id}"
            );
        }
    }

    #[test]
    fn allow_takes_policy_rules_only() {
        assert_eq!(RuleId::policy_rule("policy.lua"), Some(RuleId::PolicyLua));
        assert_eq!(RuleId::policy_rule("policy.cgi-handler"), None);
        assert_eq!(RuleId::policy_rule("tree.symlink"), None, "a correctness check cannot be switched off");
    }

    /// The policy's rule table in docs/contributor-policy.md lists exactly
    /// the policy's ids: a rule dropped from the table here is caught.
    #[test]
    fn the_policy_documents_exactly_its_rules() {
        let documented: std::collections::BTreeSet<&str> = include_str!("../../docs/contributor-policy.md")
            .lines()
            .filter_map(|l| l.strip_prefix("| `policy.")?.split_once('`').map(|(name, _)| name))
            .collect();
        let ids: std::collections::BTreeSet<&str> =
            RuleId::policy_ids().into_iter().map(|id| id.strip_prefix("policy.").unwrap()).collect();
        assert_eq!(documented, ids);
    }
}
