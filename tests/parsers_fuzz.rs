//! Property tests for the parsers that read contributor and operator text:
//! whatever the input, they return (no panic, no hang). Inputs are both raw
//! strings and strings assembled from the syntax's own tokens, which reach
//! deeper than random bytes. Run briefly in CI (PROPTEST_CASES raises it).

use std::collections::BTreeSet;

use proptest::prelude::*;
use sitepack::check::conf::{Conf, CENTOS_BUILTINS, DEBIAN_BUILTINS};
use sitepack::check::{htaccess, htpasswd, syntax, HttpdVersion};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(256),
        ..ProptestConfig::default()
    }
}

/// Lines made of the syntax's tokens: sections, quotes, continuations,
/// comments, directive names the checks look at.
fn config_text() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("<Files \"a b\">".to_string()),
        Just("</Files>".to_string()),
        Just("<IfModule !mod_rewrite.c>".to_string()),
        Just("</IfModule>".to_string()),
        Just("<Directory /var/www/*/x>".to_string()),
        Just("</Directory>".to_string()),
        Just("<If \"file('/x') =~ /y/\">".to_string()),
        Just("</If>".to_string()),
        Just("<Limit GET".to_string()),
        Just("AllowOverride Options=Indexes, Nonfatal=All".to_string()),
        Just("AllowOverrideList Redirect".to_string()),
        Just("LoadModule rewrite_module m.so".to_string()),
        Just("Options +ExecCGI -Indexes All".to_string()),
        Just("Require not ip".to_string()),
        Just("RewriteRule ^a$ http://x [P,L]".to_string()),
        Just("AuthUserFile /etc/shadow".to_string()),
        Just("php_value a b".to_string()),
        Just("\"unclosed".to_string()),
        Just("\\".to_string()),
        Just("# comment".to_string()),
        Just("\u{feff}".to_string()),
        Just("\r".to_string()),
        "[ -~]{0,40}",
        any::<String>(),
    ];
    prop::collection::vec(token, 0..40).prop_map(|lines| lines.join("\n"))
}

fn check_everything(text: &str) {
    let _ = syntax::parse(text);
    for version in [HttpdVersion::V22, HttpdVersion::V24] {
        let conf = Conf::parse(text, "httpd.conf", version, DEBIAN_BUILTINS);
        let _ = conf.overrides_for("/var/www/html/a/b");
        let _ = conf.lint("httpd.conf", "/var/www/html", "/opt/.htpasswd", 80);
        let allowed = BTreeSet::new();
        let permissive = Conf::permissive(version, CENTOS_BUILTINS);
        for c in [&conf, &permissive] {
            let mut vars = sitepack::check::policy::SiteVariables::default();
            if let Ok(nodes) = syntax::parse(text) {
                vars.learn("a", &nodes);
            }
            let unchecked = std::cell::RefCell::default();
            let ctx = htaccess::Context {
                conf: c,
                allowed: &allowed,
                vars: &vars,
                site_root: "/var/www/html",
                unchecked: &unchecked,
            };
            let _ = htaccess::check(&htaccess::File::new(text.into()), ".htaccess", "/var/www/html/a", "a", &ctx);
        }
        let _ = htpasswd::check(text.as_bytes(), "htpasswd", version);
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn parsers_accept_any_string(text in any::<String>()) {
        check_everything(&text);
    }

    #[test]
    fn parsers_accept_any_token_soup(text in config_text()) {
        check_everything(&text);
    }

    #[test]
    fn htpasswd_accepts_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let _ = htpasswd::check(&bytes, "htpasswd", HttpdVersion::V24);
    }

    #[test]
    fn htpasswd_findings_never_quote_the_hash(user in "[a-z]{1,8}", hash in "[0-9A-Z]{12,40}") {
        for f in htpasswd::check(format!("{user}:{hash}\n").as_bytes(), "htpasswd", HttpdVersion::V24) {
            prop_assert!(!f.message.contains(&hash) && !f.hint.contains(&hash), "{}", f.message);
        }
    }
}

#[test]
fn deeply_nested_sections_and_long_lines_return() {
    let deep = "<IfModule x>\n".repeat(100_000) + &"</IfModule>\n".repeat(100_000);
    assert!(matches!(syntax::parse(&deep), Err(syntax::SyntaxError::TooDeep { line: 257 })));
    check_everything(&deep);
    let long = format!("Options {}", "+Indexes ".repeat(50_000));
    check_everything(&long);
    let continued = "Require \\\n".repeat(20_000);
    check_everything(&continued);
}
