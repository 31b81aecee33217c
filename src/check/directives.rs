//! TEMPORARY stub with the agreed interface; replaced by the full table.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    AuthConfig,
    FileInfo,
    Indexes,
    Limit,
    Options,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    Absent,
    ServerOnly,
    Htaccess(Class),
    Always,
}

#[derive(Debug, Clone, Copy)]
pub struct Directive {
    pub name: &'static str,
    pub module_22: &'static str,
    pub module_24: &'static str,
    pub v22: Rule,
    pub v24: Rule,
    pub since_24: u16,
}

pub static DIRECTIVES: &[Directive] = &[
    Directive {
        name: "AuthName",
        module_22: "core",
        module_24: "mod_authn_core",
        v22: Rule::Htaccess(Class::AuthConfig),
        v24: Rule::Htaccess(Class::AuthConfig),
        since_24: 0,
    },
    Directive {
        name: "AuthType",
        module_22: "core",
        module_24: "mod_authn_core",
        v22: Rule::Htaccess(Class::AuthConfig),
        v24: Rule::Htaccess(Class::AuthConfig),
        since_24: 0,
    },
    Directive {
        name: "AuthUserFile",
        module_22: "mod_authn_file",
        module_24: "mod_authn_file",
        v22: Rule::Htaccess(Class::AuthConfig),
        v24: Rule::Htaccess(Class::AuthConfig),
        since_24: 0,
    },
    Directive {
        name: "Listen",
        module_22: "mpm_common",
        module_24: "mpm_common",
        v22: Rule::ServerOnly,
        v24: Rule::ServerOnly,
        since_24: 0,
    },
    Directive {
        name: "Options",
        module_22: "core",
        module_24: "core",
        v22: Rule::Htaccess(Class::Options),
        v24: Rule::Htaccess(Class::Options),
        since_24: 0,
    },
    Directive {
        name: "Require",
        module_22: "core",
        module_24: "mod_authz_core",
        v22: Rule::Htaccess(Class::AuthConfig),
        v24: Rule::Htaccess(Class::AuthConfig),
        since_24: 0,
    },
    Directive {
        name: "RewriteEngine",
        module_22: "mod_rewrite",
        module_24: "mod_rewrite",
        v22: Rule::Htaccess(Class::FileInfo),
        v24: Rule::Htaccess(Class::FileInfo),
        since_24: 0,
    },
    Directive {
        name: "RewriteRule",
        module_22: "mod_rewrite",
        module_24: "mod_rewrite",
        v22: Rule::Htaccess(Class::FileInfo),
        v24: Rule::Htaccess(Class::FileInfo),
        since_24: 0,
    },
];

pub static SECTIONS: &[Directive] = &[
    Directive {
        name: "Files",
        module_22: "core",
        module_24: "core",
        v22: Rule::Always,
        v24: Rule::Always,
        since_24: 0,
    },
    Directive {
        name: "Directory",
        module_22: "core",
        module_24: "core",
        v22: Rule::ServerOnly,
        v24: Rule::ServerOnly,
        since_24: 0,
    },
];

pub fn find(name: &str) -> Option<&'static Directive> {
    DIRECTIVES.iter().find(|d| d.name.eq_ignore_ascii_case(name))
}

pub fn find_section(name: &str) -> Option<&'static Directive> {
    SECTIONS.iter().find(|d| d.name.eq_ignore_ascii_case(name))
}
