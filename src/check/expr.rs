//! httpd's expressions (`ap_expr`, and mod_rewrite's `%{…}` lookups), read
//! for what they reach rather than what they compute: the functions they
//! call, the `%{name:arg}` lookups and variables they use, the file tests
//! they make. The contributor policy judges these; nothing here evaluates.
//!
//! Two modes, as httpd has them: a *string* (an `ErrorDocument` text, a
//! `Header` value, a rewrite substitution) only interpolates `%{…}`; a
//! *condition* (`<If>`, `Require expr`, `SetEnvIfExpr`, `expr=`) also calls
//! functions (`osenv('X')`, with or without space before the parenthesis)
//! and applies unary operators (`-f path`). Function names are
//! case-insensitive in httpd, so they are lower-cased here; operators are not.

use super::syntax::skip_space;

/// One thing an expression uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Use {
    /// `name(arg)`; `arg` is the literal when it is one quoted string.
    Call { name: String, arg: Option<String> },
    /// `%{name:arg}` (`name` lower-cased).
    Lookup { name: String, arg: String },
    /// `%{NAME}`.
    Variable(String),
    /// A unary or binary operator such as `-f` or `-ipmatch`, with its dash, as written.
    Operator(String),
    /// A bare word that is not a function call (`true`, `false`, `in`, or something unknown).
    Word(String),
    /// Something this reader cannot follow: an unclosed `%{` or string.
    Unreadable(&'static str),
}

/// The `%{…}` uses of a string expression (or of any directive argument).
pub fn string_uses(text: &str) -> Vec<Use> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '%' && chars.get(i + 1) == Some(&'{') {
            i = lookup(&chars, i, &mut out);
        } else {
            i += 1;
        }
    }
    out
}

/// The uses of a condition: calls, lookups, operators and bare words, with
/// string literals read as strings and regular expressions skipped.
pub fn condition_uses(text: &str) -> Vec<Use> {
    let mut out = Vec::new();
    let c: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        if ch == '%' && c.get(i + 1) == Some(&'{') {
            i = lookup(&c, i, &mut out);
        } else if ch == '\'' || ch == '"' {
            let (end, body) = string_literal(&c, i);
            out.extend(string_uses(&body));
            if end.is_none() {
                out.push(Use::Unreadable("a string is not closed"));
                return out;
            }
            i = end.unwrap_or(c.len());
        } else if (ch == '=' || ch == '!') && c.get(i + 1) == Some(&'~') {
            i = skip_regex(&c, i + 2, &mut out);
        } else if ch == '-' && c.get(i + 1).is_some_and(|n| n.is_ascii_alphabetic()) {
            let start = i;
            i += 1;
            while i < c.len() && (c[i].is_ascii_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            // Operator names are case-sensitive (`-f` is not `-F`).
            out.push(Use::Operator(c[start..i].iter().collect()));
        } else if ch.is_ascii_alphabetic() || ch == '_' {
            let start = i;
            while i < c.len() && (c[i].is_ascii_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            let name = c[start..i].iter().collect::<String>().to_ascii_lowercase();
            let j = skip_space(&c, i);
            if c.get(j) == Some(&'(') {
                out.push(Use::Call { name, arg: literal_argument(&c, j + 1) });
                i = j + 1;
            } else {
                out.push(Use::Word(name));
            }
        } else {
            i += 1;
        }
    }
    out
}

/// Reads `%{…}` at `i` (nested braces counted as mod_rewrite does) and
/// returns the index after it.
fn lookup(c: &[char], i: usize, out: &mut Vec<Use>) -> usize {
    let mut depth = 0;
    let mut j = i + 1;
    while j < c.len() {
        match c[j] {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            _ => {}
        }
        j += 1;
    }
    if j >= c.len() {
        out.push(Use::Unreadable("a %{ is not closed"));
        return c.len();
    }
    let inner: String = c[i + 2..j].iter().collect();
    // The inside may hold lookups of its own.
    if inner.contains("%{") {
        out.extend(string_uses(&inner));
    }
    match inner.split_once(':') {
        Some((name, arg)) => out.push(Use::Lookup { name: name.to_ascii_lowercase(), arg: arg.to_owned() }),
        None => out.push(Use::Variable(inner)),
    }
    j + 1
}

/// A quoted string at `i`: the index after it (None when unclosed) and its text.
fn string_literal(c: &[char], i: usize) -> (Option<usize>, String) {
    let quote = c[i];
    let mut body = String::new();
    let mut j = i + 1;
    while j < c.len() {
        if c[j] == '\\' && j + 1 < c.len() {
            body.push(c[j + 1]);
            j += 2;
            continue;
        }
        if c[j] == quote {
            return (Some(j + 1), body);
        }
        body.push(c[j]);
        j += 1;
    }
    (None, body)
}

/// After `=~`/`!~`: white space, then `/…/` or `m<d>…<d>`, then flags.
fn skip_regex(c: &[char], i: usize, out: &mut Vec<Use>) -> usize {
    let mut i = skip_space(c, i);
    let delim = match c.get(i) {
        Some('/') => '/',
        Some('m') if c.get(i + 1).is_some_and(|d| !d.is_ascii_alphanumeric() && !super::syntax::is_space(*d)) => {
            i += 1;
            c[i]
        }
        // Not a regular expression literal: read on as usual.
        _ => return i,
    };
    let mut j = i + 1;
    while j < c.len() && c[j] != delim {
        if c[j] == '\\' {
            j += 1;
        }
        j += 1;
    }
    if j >= c.len() {
        out.push(Use::Unreadable("a regular expression is not closed"));
        return c.len();
    }
    j += 1;
    while j < c.len() && c[j].is_ascii_alphabetic() {
        j += 1;
    }
    j
}

/// The argument of a call when it is exactly one quoted string.
fn literal_argument(c: &[char], i: usize) -> Option<String> {
    let i = skip_space(c, i);
    if !matches!(c.get(i), Some('\'') | Some('"')) {
        return None;
    }
    let (end, body) = string_literal(c, i);
    let j = skip_space(c, end?);
    (c.get(j) == Some(&')') && !body.contains("%{")).then_some(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(name: &str, arg: Option<&str>) -> Use {
        Use::Call { name: name.into(), arg: arg.map(str::to_owned) }
    }

    #[test]
    fn calls_are_found_in_any_case_and_spacing() {
        assert_eq!(condition_uses("OsEnv ('X') =~ /^h/"), [call("osenv", Some("X"))]);
        assert_eq!(condition_uses("env(\"A\") == 'b' && true"), [call("env", Some("A")), Use::Word("true".into())]);
        // An argument that is not one literal is not read as one.
        assert_eq!(condition_uses("env(toupper('x'))"), [call("env", None), call("toupper", Some("x"))]);
    }

    #[test]
    fn regexes_and_strings_hide_nothing_and_invent_nothing() {
        // `foo(` inside a regex is not a call; `%{…}` inside a string is a lookup.
        assert_eq!(condition_uses("%{REQUEST_URI} =~ m#^/foo(bar)#i"), [Use::Variable("REQUEST_URI".into())]);
        assert_eq!(
            condition_uses("'%{ENV:SECRET}' == 'x'"),
            [Use::Lookup { name: "env".into(), arg: "SECRET".into() }]
        );
        assert_eq!(condition_uses("-f '/etc/passwd'"), [Use::Operator("-f".into())]);
        assert_eq!(condition_uses("%{REMOTE_ADDR} -ipmatch '10.0.0.0/8'")[1], Use::Operator("-ipmatch".into()));
        assert!(matches!(condition_uses("'open")[..], [Use::Unreadable(_)]));
    }

    #[test]
    fn string_mode_reads_only_lookups() {
        assert_eq!(string_uses("file(x) %{Env:A}"), [Use::Lookup { name: "env".into(), arg: "A".into() }]);
        assert_eq!(
            string_uses("%{ENV:%{HTTP:X}}"),
            [
                Use::Lookup { name: "http".into(), arg: "X".into() },
                Use::Lookup { name: "env".into(), arg: "%{HTTP:X}".into() }
            ]
        );
        assert!(matches!(string_uses("%{ENV:X")[..], [Use::Unreadable(_)]));
    }
}
