//! Every finding's rule id, in one table: what `--format json` prints,
//! what the guides name, and what tests match on. A finding is made from a
//! `RuleId` (or a policy `Rule`), never from a free string, so a misspelt
//! id does not compile.

/// Names a finding's rule.
pub trait RuleName {
    fn id(&self) -> &'static str;
}

/// Declares a rule enum and its ids from one table: the variants, `ALL`,
/// `id` and `RuleName`, so an id is written once.
macro_rules! rule_ids {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$doc:meta])* $variant:ident = $id:literal,)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
        $vis enum $name {
            $($(#[$doc])* $variant,)*
        }

        impl $name {
            pub const ALL: &[$name] = &[$($name::$variant,)*];

            pub fn id(self) -> &'static str {
                match self {
                    $($name::$variant => $id,)*
                }
            }
        }

        impl $crate::check::rules::RuleName for $name {
            fn id(&self) -> &'static str {
                $name::id(*self)
            }
        }
    };
}
pub(crate) use rule_ids;

rule_ids! {
    /// The checks' rule ids (the policy's are `policy::Rule`).
    pub enum RuleId {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_is_documented() {
        let checks = include_str!("../../docs/checks.md");
        let policy = include_str!("../../docs/contributor-policy.md");
        for id in RuleId::ALL.iter().map(|r| r.id()) {
            assert!(checks.contains(&format!("`{id}`")), "{id} is not in docs/checks.md");
        }
        for id in super::super::policy::Rule::ALL.iter().map(|r| r.id()) {
            assert!(policy.contains(&format!("`{id}`")), "{id} is not in docs/contributor-policy.md");
        }
    }

    #[test]
    fn ids_are_unique_and_shaped_like_area_dot_name() {
        let mut seen = std::collections::BTreeSet::new();
        for r in RuleId::ALL {
            let id = r.id();
            assert!(seen.insert(id), "{id} twice");
            let (area, name) = id.split_once('.').unwrap();
            assert!(["tree", "htaccess", "htpasswd", "conf", "base"].contains(&area), "{id}");
            assert!(
                !name.is_empty()
                    && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.'),
                "{id}"
            );
        }
    }
}
