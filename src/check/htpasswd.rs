//! `users/htpasswd` as mod_authn_file reads it: one `user:hash` per line.
//! Each hash scheme is judged against the httpd version: what httpd checks
//! itself (`$apr1$`, `{SHA}`, bcrypt since 2.4.4), what it hands to the
//! system `crypt()` (DES, `$1$`, `$5$`, `$6$`), and what never matches on
//! Linux (plain text). Messages name the user and line, never the hash.

use std::collections::HashMap;

use super::{Finding, HttpdVersion, RuleId};

/// Above this bcrypt cost every request pays too much CPU (httpd verifies
/// the password on each one); `htpasswd -B` defaults to 5.
pub const MAX_BCRYPT_COST: u32 = 12;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Bcrypt {
        cost: u32,
    },
    Apr1,
    Sha1,
    DesCrypt,
    /// `$1$`, `$5$`, `$6$`: glibc crypt().
    GlibcCrypt,
    Plain,
}

pub fn scheme(hash: &str) -> Scheme {
    let b64 = |s: &str| s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'/');
    if let Some(rest) =
        hash.strip_prefix("$2y$").or_else(|| hash.strip_prefix("$2a$")).or_else(|| hash.strip_prefix("$2b$"))
    {
        if let Some((cost, tail)) = rest.split_once('$') {
            if let (Ok(cost), 53) = (cost.parse::<u32>(), tail.len()) {
                return Scheme::Bcrypt { cost };
            }
        }
        return Scheme::Plain;
    }
    if hash.starts_with("$apr1$") && hash.matches('$').count() == 3 {
        return Scheme::Apr1;
    }
    if let Some(rest) = hash.strip_prefix("{SHA}") {
        if rest.len() == 28 && rest.ends_with('=') {
            return Scheme::Sha1;
        }
        return Scheme::Plain;
    }
    if (hash.starts_with("$1$") || hash.starts_with("$5$") || hash.starts_with("$6$")) && hash.matches('$').count() >= 3
    {
        return Scheme::GlibcCrypt;
    }
    if hash.len() == 13 && b64(hash) {
        return Scheme::DesCrypt;
    }
    Scheme::Plain
}

/// Checks the file's bytes; `shown` is the path for messages.
pub fn check(bytes: &[u8], shown: &str, version: HttpdVersion) -> Vec<Finding> {
    let mut out = Vec::new();
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            out.push(Finding::error(
                shown,
                None,
                RuleId::HtpasswdEncoding,
                format!("is not UTF-8 text (byte {})", e.valid_up_to()),
                "save it as plain UTF-8 text",
            ));
            return out;
        }
    };
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut users = 0;
    for (i, raw) in text.split('\n').enumerate() {
        let line = i + 1;
        if raw.ends_with('\r') {
            out.push(Finding::error(
                shown,
                Some(line),
                RuleId::HtpasswdCrlf,
                "line ends with CR LF; httpd would take the CR as part of the hash and no password would match",
                "convert the file to LF line ends (dos2unix users/htpasswd)",
            ));
            continue;
        }
        // mod_authn_file skips comments and empty lines.
        if raw.is_empty() || raw.starts_with('#') {
            continue;
        }
        let Some((user, hash)) = raw.split_once(':') else {
            out.push(Finding::error(
                shown,
                Some(line),
                RuleId::HtpasswdSyntax,
                "line has no ':' between user and hash",
                "each line is user:hash, made with `htpasswd -B`",
            ));
            continue;
        };
        if user.is_empty() {
            out.push(Finding::error(
                shown,
                Some(line),
                RuleId::HtpasswdUser,
                "empty user name",
                "each line is user:hash",
            ));
            continue;
        }
        if user.chars().any(|c| c.is_whitespace() || c.is_control()) {
            out.push(Finding::error(
                shown,
                Some(line),
                RuleId::HtpasswdUser,
                format!("user name {user:?} contains white space or control characters"),
                "use a name without spaces",
            ));
            continue;
        }
        if let Some(first) = seen.insert(user, line) {
            out.push(Finding::error(
                shown,
                Some(line),
                RuleId::HtpasswdDuplicate,
                format!("user {user:?} is already defined on line {first}; httpd would use only the first"),
                "keep one line per user",
            ));
            continue;
        }
        users += 1;
        let hint_new = "regenerate it with `htpasswd -B users/htpasswd USER` (bcrypt)";
        match scheme(hash) {
            Scheme::Plain if hash.contains(':') => out.push(Finding::error(
                shown,
                Some(line),
                RuleId::HtpasswdUser,
                format!("line for {user:?} has more than one ':'; user names cannot contain ':'"),
                hint_new,
            )),
            Scheme::Plain => out.push(Finding::error(
                shown,
                Some(line),
                RuleId::HtpasswdPlaintext,
                format!("password of {user:?} is not a hash httpd understands (plain text never matches on Linux)"),
                hint_new,
            )),
            Scheme::Bcrypt { .. } if version == HttpdVersion::V22 => out.push(Finding::error(
                shown,
                Some(line),
                RuleId::HtpasswdBcryptOn22,
                format!("password of {user:?} is bcrypt, which httpd 2.2 cannot check: every login would fail"),
                "use `htpasswd -m` (apr1) for a 2.2 base, or move to a 2.4 base",
            )),
            Scheme::Bcrypt { cost } if cost > MAX_BCRYPT_COST => out.push(Finding::error(
                shown,
                Some(line),
                RuleId::HtpasswdBcryptCost,
                format!("password of {user:?} has bcrypt cost {cost}; above {MAX_BCRYPT_COST} every request costs too much CPU"),
                "regenerate it with `htpasswd -B -C 10 users/htpasswd USER`",
            )),
            Scheme::DesCrypt => out.push(Finding::warning(
                shown,
                Some(line),
                RuleId::HtpasswdWeak,
                format!("password of {user:?} uses DES crypt, which checks only the first 8 characters"),
                hint_new,
            )),
            Scheme::Sha1 => out.push(Finding::warning(
                shown,
                Some(line),
                RuleId::HtpasswdWeak,
                format!("password of {user:?} uses unsalted {{SHA}}"),
                hint_new,
            )),
            Scheme::Bcrypt { .. } | Scheme::Apr1 | Scheme::GlibcCrypt => {}
        }
    }
    if users == 0 && out.is_empty() {
        out.push(Finding::warning(
            shown,
            None,
            RuleId::HtpasswdEmpty,
            "has no users; nobody can log in to protected folders",
            "add users with `htpasswd -B`",
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const BCRYPT5: &str = "$2y$05$abcdefghijklmnopqrstuu5Vj1tQf2qW3e4r5t6y7u8i9o0p1a2s3";

    fn rules(text: &str, v: HttpdVersion) -> Vec<(Option<usize>, &'static str)> {
        check(text.as_bytes(), "users/htpasswd", v).into_iter().map(|f| (f.line, f.rule)).collect()
    }

    #[test]
    fn schemes_are_recognised() {
        assert_eq!(scheme(BCRYPT5), Scheme::Bcrypt { cost: 5 });
        assert_eq!(scheme("$apr1$salt1234$abcdefghijklmnopqrstuv"), Scheme::Apr1);
        assert_eq!(scheme("{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g="), Scheme::Sha1);
        assert_eq!(scheme("rqXexS6ZhobKA"), Scheme::DesCrypt);
        assert_eq!(scheme("$6$salt$hash"), Scheme::GlibcCrypt);
        assert_eq!(scheme("espresso"), Scheme::Plain);
        assert_eq!(scheme("$2y$05$short"), Scheme::Plain);
    }

    #[test]
    fn one_finding_per_bad_line() {
        let text = format!(
            "good:{BCRYPT5}\nnocolon\n:{BCRYPT5}\ngood:{BCRYPT5}\nbad user:{BCRYPT5}\nplain:espresso\nslow:$2y$13$abcdefghijklmnopqrstuu5Vj1tQf2qW3e4r5t6y7u8i9o0p1a2s3\ndes:rqXexS6ZhobKA\ncrlf:{BCRYPT5}\r\n# comment\n\n"
        );
        assert_eq!(
            rules(&text, HttpdVersion::V24),
            [
                (Some(2), "htpasswd.syntax"),
                (Some(3), "htpasswd.user"),
                (Some(4), "htpasswd.duplicate"),
                (Some(5), "htpasswd.user"),
                (Some(6), "htpasswd.plaintext"),
                (Some(7), "htpasswd.bcrypt-cost"),
                (Some(8), "htpasswd.weak"),
                (Some(9), "htpasswd.crlf"),
            ]
        );
    }

    #[test]
    fn bcrypt_is_refused_for_httpd_2_2_only() {
        assert_eq!(rules(&format!("u:{BCRYPT5}\n"), HttpdVersion::V22), [(Some(1), "htpasswd.bcrypt-on-2.2")]);
        assert!(rules(&format!("u:{BCRYPT5}\n"), HttpdVersion::V24).is_empty());
    }

    #[test]
    fn messages_never_contain_the_hash() {
        for f in check(b"plain:espresso\nweak:rqXexS6ZhobKA\n", "h", HttpdVersion::V24) {
            assert!(!f.message.contains("espresso") && !f.message.contains("rqXexS6ZhobKA"), "{f}");
        }
    }
}
