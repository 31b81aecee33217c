//! `RewriteRule` and `RewriteCond` as mod_rewrite reads them: their raw
//! argument line split by its own `parseargline` (not `ap_getword_conf`:
//! a backslash before a space keeps both, a quote closes a word, anything
//! after the third word is ignored) and their `[flags]` by
//! `cmd_parseflagfield` (comma-separated, spaces trimmed, `key=value`, each
//! key matched by its first letter and the rest of its long name).

use super::syntax::{is_space, skip_space};

/// Up to three words of a raw argument line; None is mod_rewrite's "bad
/// argument line" (fewer than two words).
pub fn split(raw: &str) -> Option<(String, String, Option<String>)> {
    let c: Vec<char> = raw.chars().collect();
    let mut i = 0;
    let first = word(&c, &mut i);
    if i >= c.len() {
        return None;
    }
    i += 1;
    i = skip_space(&c, i);
    let second = word(&c, &mut i);
    if i >= c.len() {
        return Some((first, second, None));
    }
    i += 1;
    i = skip_space(&c, i);
    if i >= c.len() {
        return Some((first, second, None));
    }
    let third = word(&c, &mut i);
    Some((first, second, Some(third)))
}

/// One word from `i`; leaves `i` on the character that ended it.
fn word(c: &[char], i: &mut usize) -> String {
    *i = skip_space(c, *i);
    let quote = match c.get(*i) {
        Some(&q) if q == '"' || q == '\'' => {
            *i += 1;
            Some(q)
        }
        _ => None,
    };
    let start = *i;
    while *i < c.len() {
        if (is_space(c[*i]) && quote.is_none()) || Some(c[*i]) == quote {
            break;
        }
        if c[*i] == '\\' && c.get(*i + 1).is_some_and(|&n| is_space(n)) {
            *i += 1;
        }
        *i += 1;
    }
    c[start..(*i).min(c.len())].iter().collect()
}

/// `[a,b=c]` → `[("a", ""), ("b", "c")]`; None is "bad flag delimiters".
pub fn flags(text: &str) -> Option<Vec<(String, String)>> {
    let inner = text.strip_prefix('[')?.strip_suffix(']')?;
    let mut out = Vec::new();
    // httpd turns the closing bracket into a comma and stops at the last one.
    let with_comma = format!("{inner},");
    let mut rest = with_comma.as_str();
    loop {
        rest = rest.trim_start_matches(is_space);
        let Some(comma) = rest.find(',') else { break };
        if rest.is_empty() {
            break;
        }
        let item = rest[..comma].trim_end_matches(is_space);
        let (key, val) = item.split_once('=').unwrap_or((item, ""));
        out.push((key.to_owned(), val.to_owned()));
        rest = &rest[comma + 1..];
    }
    Some(out)
}

/// What a `RewriteRule` flag does, as far as the checks care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleFlag {
    Proxy,
    Handler(String),
    Type(String),
    Env(String),
    /// `UnsafePrefixStat`: a substitution may be looked up as a file path.
    UnsafePrefixStat,
    /// Any other flag mod_rewrite knows.
    Other,
    /// A flag mod_rewrite refuses ("unknown flag"): the folder answers 500.
    Unknown(String),
}

/// Classifies one flag exactly as `cmd_rewriterule_setflag` matches it.
pub fn rule_flag(key: &str, val: &str) -> RuleFlag {
    let mut chars = key.chars();
    let Some(first) = chars.next() else { return RuleFlag::Unknown(key.to_owned()) };
    let rest = chars.as_str().to_ascii_lowercase();
    let r = rest.as_str();
    let known = match first.to_ascii_lowercase() {
        'b' => matches!(r, "" | "ackrefescaping" | "np" | "ackrefernoplus" | "ctls" | "ne"),
        'c' => matches!(r, "" | "hain" | "o" | "ookie"),
        'd' => matches!(r, "" | "pi" | "iscardpath"),
        'e' if matches!(r, "" | "nv") => return RuleFlag::Env(val.to_owned()),
        'e' => r == "nd",
        'f' => matches!(r, "" | "orbidden"),
        'g' => matches!(r, "" | "one"),
        'h' if matches!(r, "" | "andler") => return RuleFlag::Handler(val.to_owned()),
        'l' => matches!(r, "" | "ast"),
        'n' => matches!(r, "e" | "oescape" | "" | "ext" | "s" | "osubreq" | "c" | "ocase"),
        'p' if matches!(r, "" | "roxy") => return RuleFlag::Proxy,
        'p' => matches!(r, "t" | "assthrough"),
        'q' => matches!(r, "sa" | "sappend" | "sd" | "sdiscard" | "sl" | "slast"),
        'r' => matches!(r, "" | "edirect"),
        's' => matches!(r, "" | "kip"),
        't' if matches!(r, "" | "ype") => return RuleFlag::Type(val.to_owned()),
        'u' if r == "nsafeprefixstat" => return RuleFlag::UnsafePrefixStat,
        'u' => r == "nsafeallow3f",
        _ => false,
    };
    if known {
        RuleFlag::Other
    } else {
        RuleFlag::Unknown(key.to_owned())
    }
}

/// Whether `RewriteCond` knows a flag.
pub fn cond_flag_known(key: &str) -> bool {
    matches!(key.to_ascii_lowercase().as_str(), "nocase" | "nc" | "ornext" | "or" | "novary" | "nv")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(a: &str, b: &str, c: Option<&str>) -> Option<(String, String, Option<String>)> {
        Some((a.into(), b.into(), c.map(str::to_owned)))
    }

    #[test]
    fn words_split_as_parseargline() {
        assert_eq!(split("^a$ /b [R,L]"), s("^a$", "/b", Some("[R,L]")));
        // An escaped space stays in the word, backslash and all.
        assert_eq!(split("^a\\ b$ /c"), s("^a\\ b$", "/c", None));
        // A quote closes the word; what follows the third word is ignored.
        assert_eq!(split("\"^a b$\" '/c d' [P] [R]"), s("^a b$", "/c d", Some("[P]")));
        // A no-break space is not white space to httpd.
        assert_eq!(split("^a$\u{a0}/b [L]"), s("^a$\u{a0}/b", "[L]", None));
        assert_eq!(split("^only$"), None);
    }

    #[test]
    fn flags_are_matched_by_first_letter_and_long_name() {
        let f = flags("[ p=x , R=302,L ]").unwrap();
        assert_eq!(f, [("p".to_owned(), "x".to_owned()), ("R".into(), "302".into()), ("L".into(), "".into())]);
        assert_eq!(rule_flag("p", "x"), RuleFlag::Proxy);
        assert_eq!(rule_flag("PROXY", ""), RuleFlag::Proxy);
        assert_eq!(rule_flag("PT", ""), RuleFlag::Other);
        assert_eq!(rule_flag("Handler", "lua-script"), RuleFlag::Handler("lua-script".into()));
        assert_eq!(rule_flag("t", "text/plain"), RuleFlag::Type("text/plain".into()));
        assert_eq!(rule_flag("Pfoo", ""), RuleFlag::Unknown("Pfoo".into()));
        assert_eq!(flags("R,L"), None);
    }
}
