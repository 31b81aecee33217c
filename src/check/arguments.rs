//! A directive's arguments as its module reads them when httpd reads the
//! `.htaccess`: `Header`/`RequestHeader` (mod_headers), `Redirect*`
//! (mod_alias), `ErrorDocument` and `Options` (core), `Expires*`
//! (mod_expires), the `Add*`/`*Type`/`SetHandler` argument counts, the
//! `Require` providers' own arguments (mod_authz_core, mod_authz_host) and
//! mod_rewrite's `R=` status. A refusal here is a 500 for the whole folder;
//! a few shapes httpd accepts but answers 500 for every request are here
//! too. Pure functions over the words `syntax` split (the raw line for
//! `RewriteRule`); `htaccess` calls [`check`] once httpd is known to reach
//! the directive (module loaded, override granted). Every rule is one
//! tests/htaccess_apache.rs shows on a real httpd 2.4; what it does not show
//! (regular expressions that PCRE refuses, ap_expr grammar beyond an empty
//! or unclosed expression) is not claimed.

use super::expr::{self, Use};
use super::rewrite;
use super::syntax::is_space;

/// What is wrong with a directive's arguments, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub message: String,
    pub hint: String,
}

fn refused(what: impl Into<String>, hint: impl Into<String>) -> Option<Problem> {
    Some(Problem { message: format!("{}; the folder would answer 500", what.into()), hint: hint.into() })
}

/// The first problem httpd would find in the arguments of `name`, if any.
/// `args` are the words as `ap_getword_conf` splits them, `raw` the text
/// after the name.
pub fn check(name: &str, args: &[String], raw: &str) -> Option<Problem> {
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    match name.to_ascii_lowercase().as_str() {
        "header" => header(name, &words, false),
        "requestheader" => header(name, &words, true),
        "redirect" => redirect(name, &words, false),
        "redirectmatch" => redirect(name, &words, true),
        "redirecttemp" | "redirectpermanent" => redirect_two(name, &words),
        "errordocument" => error_document(&words),
        "options" => options(&words),
        "expiresdefault" => take(name, &words, 1, 1).or_else(|| expires_code(name, words[0])),
        "expiresbytype" => expires_by_type(name, &words),
        "expiresactive" | "rewriteengine" => on_off(name, &words),
        "addtype" | "addhandler" | "addoutputfilter" => at_least_two(name, &words),
        "forcetype" | "defaulttype" | "sethandler" => take(name, &words, 1, 1),
        "require" => require(&words),
        "rewriterule" => rewrite_status(raw),
        _ => None,
    }
}

/// httpd's TAKE1/TAKE2: exactly `min..=max` words, none of the required ones empty.
fn take(name: &str, words: &[&str], min: usize, max: usize) -> Option<Problem> {
    let n = words.len();
    if n < min || n > max || words[..min].iter().any(|w| w.is_empty()) {
        let count = match (min, max) {
            (1, 1) => "exactly one argument".to_owned(),
            (2, 2) => "exactly two arguments".to_owned(),
            (a, b) => format!("{a} to {b} arguments"),
        };
        return refused(
            format!("{name} takes {count}, and this line has {n}{}", if n >= min { " (or an empty one)" } else { "" }),
            format!("give {name} {count}; quote an argument that contains spaces"),
        );
    }
    None
}

/// httpd's ITERATE2: a non-empty first word and at least one more.
fn at_least_two(name: &str, words: &[&str]) -> Option<Problem> {
    if words.len() < 2 || words[0].is_empty() {
        return refused(
            format!("{name} needs a first argument followed by one or more file extensions"),
            format!("write it as `{name} <value> .ext [.ext …]`"),
        );
    }
    None
}

/// A FLAG directive: exactly one word, `On` or `Off`.
fn on_off(name: &str, words: &[&str]) -> Option<Problem> {
    match words {
        [w] if w.eq_ignore_ascii_case("on") || w.eq_ignore_ascii_case("off") => None,
        _ => refused(format!("{name} must be On or Off"), format!("write `{name} On` or `{name} Off`")),
    }
}

/// C's `atoi`: leading white space, a sign, digits; 0 when there are none.
fn atoi(s: &str) -> i64 {
    let s = s.trim_start_matches(is_space);
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let mut n: i64 = 0;
    for b in digits.bytes().take_while(u8::is_ascii_digit) {
        n = n.saturating_mul(10).saturating_add(i64::from(b - b'0'));
    }
    if neg {
        -n
    } else {
        n
    }
}

/// The statuses httpd has a status line for (`ap_index_of_response`);
/// `ErrorDocument` and rewrite's `R=` refuse any other (checked on httpd
/// 2.4.71 for every code 100-599: 306, 418, 425 and 509 are not among them).
fn known_status(code: i64) -> bool {
    matches!(code,
        100..=103 | 200..=208 | 226 | 300..=305 | 307 | 308 | 400..=417 | 421..=424 | 426 | 428 | 429
        | 431 | 451 | 500..=508 | 510 | 511)
}

fn is_redirect(code: i64) -> bool {
    (300..=399).contains(&code)
}

/// `ap_is_url`: a scheme (letters, digits, `+-.`) and a colon.
fn is_url(s: &str) -> bool {
    match s.find(':') {
        Some(0) | None => false,
        Some(i) => s[..i].bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')),
    }
}

/// How mod_alias reads a first word: a status keyword or a number (`atoi`).
fn redirect_status(word: &str) -> Option<i64> {
    match word.to_ascii_lowercase().as_str() {
        "permanent" => Some(301),
        "temp" => Some(302),
        "seeother" => Some(303),
        "gone" => Some(410),
        _ if word.as_bytes().first().is_some_and(u8::is_ascii_digit) => Some(atoi(word)),
        _ => None,
    }
}

const REDIRECT_HINT: &str =
    "write `Redirect [permanent|temp|seeother|3xx] /path https://host/new` or `Redirect gone|4xx /path` (no URL)";

/// `Redirect` takes one to three words, `RedirectMatch` two or three.
fn redirect(name: &str, words: &[&str], regex: bool) -> Option<Problem> {
    let n = words.len();
    let min = if regex { 2 } else { 1 };
    if n < min || n > 3 {
        let counts = if regex { "two or three" } else { "one, two or three" };
        return refused(
            format!("{name} takes {counts} arguments: an optional status, the path, the URL"),
            REDIRECT_HINT,
        );
    }
    let status = redirect_status(words[0]);
    if n == 3 && status.is_none() {
        return refused(
            format!("{name} {}: the first of three arguments must be a status (permanent, temp, seeother, gone or a number)", words[0]),
            REDIRECT_HINT,
        );
    }
    redirect_target(name, words, status, regex)
}

/// `RedirectTemp`/`RedirectPermanent`: exactly two words.
fn redirect_two(name: &str, words: &[&str]) -> Option<Problem> {
    if words.len() != 2 || words.iter().any(|w| w.is_empty()) {
        return refused(
            format!("{name} takes exactly two arguments: the path, then the URL"),
            format!("write `{name} /old https://host/new`"),
        );
    }
    redirect_target(name, words, redirect_status(words[0]), false)
}

/// What the status says about the URL, once the words are counted.
fn redirect_target(name: &str, words: &[&str], status: Option<i64>, regex: bool) -> Option<Problem> {
    let n = words.len();
    let Some(status) = status else {
        // `path URL` (default 302) or, for Redirect, `URL` alone: the folder itself.
        let url = words[n - 1];
        return (!regex && !is_url(url) && !url.starts_with('/')).then(|| non_url(name, url)).flatten();
    };
    if !is_redirect(status) {
        if n == 3 {
            return refused(
                format!("{name} {}: a status that is not a redirect (3xx) takes no URL", words[0]),
                "drop the URL, or use a 3xx status",
            );
        }
        return None;
    }
    match n {
        1 => refused(format!("{name} {}: the URL to redirect to is missing", words[0]), REDIRECT_HINT),
        // `status URL`: the folder itself is redirected; httpd checks the URL
        // only when a request comes, and answers 500 for every one.
        2 if !is_url(words[1]) && !words[1].starts_with('/') => Some(Problem {
            message: format!(
                "{name} {} {}: with two arguments the second is the URL the whole folder redirects to, and it is neither a URL nor a path; every request to the folder would answer 500",
                words[0], words[1]
            ),
            hint: REDIRECT_HINT.into(),
        }),
        3 if !regex && !is_url(words[2]) && !words[2].starts_with('/') => non_url(name, words[2]),
        _ => None,
    }
}

fn non_url(name: &str, url: &str) -> Option<Problem> {
    refused(
        format!("{name}: `{url}` is neither a URL (scheme:…) nor a path starting with /"),
        "write the target as https://host/path or /path",
    )
}

/// `ErrorDocument code document`: the code must be one httpd knows.
fn error_document(words: &[&str]) -> Option<Problem> {
    if let Some(p) = take("ErrorDocument", words, 2, 2) {
        return Some(p);
    }
    let code = atoi(words[0]);
    if code != 500 && !known_status(code) {
        return refused(
            format!("ErrorDocument {}: httpd has no such HTTP status (\"Unsupported HTTP response code\")", words[0]),
            "use a standard status such as 403, 404, 410 or 500",
        );
    }
    let unclosed = !words[1].eq_ignore_ascii_case("default")
        && expr::string_uses(words[1]).iter().any(|u| matches!(u, Use::Unreadable(_)));
    if unclosed {
        return refused(
            "ErrorDocument: a %{ in the document is not closed (httpd reads it as an expression)",
            "close it: %{REQUEST_URI}",
        );
    }
    None
}

/// `Options`, as core's `set_options` reads it.
fn options(words: &[&str]) -> Option<Problem> {
    const MIX: &str = "Options: either every keyword starts with + or -, or none does";
    const HINT: &str =
        "write `Options -Indexes +FollowSymLinks` (all signed) or `Options FollowSymLinks` (none signed)";
    let (mut first, mut merge, mut all_none) = (true, false, false);
    for w in words {
        let (signed, word) = match w.strip_prefix(['+', '-']) {
            Some(rest) => {
                if !merge && !first && !all_none {
                    return refused(MIX, HINT);
                }
                merge = true;
                (true, rest)
            }
            None if !first && merge => return refused(MIX, HINT),
            None => (false, *w),
        };
        let lower = word.to_ascii_lowercase();
        match lower.as_str() {
            "indexes"
            | "includes"
            | "includesnoexec"
            | "followsymlinks"
            | "symlinksifownermatch"
            | "execcgi"
            | "multiviews"
            | "runscripts" => {}
            "none" | "all" => {
                if !first {
                    return refused(format!("Options {word} must be the first keyword"), HINT);
                }
                if signed {
                    return refused(format!("Options {w}: {word} cannot take + or -"), HINT);
                }
                all_none = true;
            }
            _ => {
                return refused(
                    format!("Options {w}: httpd knows no option `{word}`"),
                    "the options are Indexes, Includes, IncludesNOEXEC, FollowSymLinks, SymLinksIfOwnerMatch, ExecCGI, MultiViews, All, None",
                );
            }
        }
        first = false;
    }
    None
}

const EXPIRES_HINT: &str = "write A3600 / M3600 (seconds after access / modification) or \"access plus 1 month 2 days\" (units: years, months, weeks, days, hours, minutes, seconds)";

fn expires_by_type(name: &str, words: &[&str]) -> Option<Problem> {
    if let Some(p) = take(name, words, 2, 2) {
        return Some(p);
    }
    if !words[0].contains('/') {
        return refused(
            format!("{name} {}: not a MIME type (no slash)", words[0]),
            "write a type such as text/html or image/*",
        );
    }
    expires_code(name, words[1])
}

/// mod_expires' `check_code`: `A<seconds>`/`M<seconds>`, or
/// `<base> [plus] (<num> <type>)*` where words match by their first
/// letter (`mo`/`mi` for months and minutes).
fn expires_code(name: &str, code: &str) -> Option<Problem> {
    if code.starts_with(['A', 'M']) {
        return None;
    }
    let words: Vec<String> = super::syntax::words(code)
        .unwrap_or_else(|| code.split(is_space).filter(|w| !w.is_empty()).map(str::to_owned).collect());
    let mut it = words.iter().map(|w| w.to_ascii_lowercase());
    let bad = |what: String| refused(format!("{name} \"{code}\": {what}"), EXPIRES_HINT);
    let base = it.next().unwrap_or_default();
    if !base.starts_with(['a', 'n', 'm']) {
        return bad(format!("`{base}` is not a base (access, now or modification)"));
    }
    let mut word = it.next();
    if word.as_deref().is_some_and(|w| w.starts_with('p')) {
        word = it.next();
    }
    while let Some(num) = word.filter(|w| !w.is_empty()) {
        if !num.starts_with(|c: char| c.is_ascii_digit()) {
            return bad(format!("a number was expected, not `{num}`"));
        }
        let Some(unit) = it.next().filter(|w| !w.is_empty()) else {
            return bad(format!("the number {num} has no unit"));
        };
        let known = unit.starts_with(['y', 'w', 'd', 'h', 's']) || unit.starts_with("mo") || unit.starts_with("mi");
        if !known {
            return bad(format!("`{unit}` is not a unit"));
        }
        word = it.next();
    }
    None
}

/// mod_headers' `header_cmd`: `[always|onsuccess] action header [value]
/// [replacement] [early|env=…|expr=…]`.
fn header(name: &str, words: &[&str], request: bool) -> Option<Problem> {
    let mut i = 0;
    let mut action = words.first().copied().unwrap_or("");
    if !request && (action.eq_ignore_ascii_case("always") || action.eq_ignore_ascii_case("onsuccess")) {
        i = 1;
        action = words.get(1).copied().unwrap_or("");
    }
    let hdr = words.get(i + 1).copied().unwrap_or("");
    let (value, subs, clause) = (words.get(i + 2).copied(), words.get(i + 3).copied(), words.get(i + 4).copied());
    let hint_usage = format!("write `{name} set|append|add|merge|setifempty NAME VALUE [condition]`, `{name} unset NAME`, `{name} edit NAME REGEX REPLACEMENT`");
    if words.len() > i + 5 {
        return refused(format!("{name} has too many arguments"), "quote a value that contains spaces");
    }
    let act = action.to_ascii_lowercase();
    let known = ["set", "add", "append", "merge", "unset", "echo", "edit", "edit*", "setifempty", "note"];
    if !known.contains(&act.as_str()) {
        let shown = if action.is_empty() { "(none)" } else { action };
        let also = if request { "" } else { " (after an optional always or onsuccess)" };
        return refused(format!("{name}: `{shown}` is not an action{also}"), hint_usage);
    }
    if request && act == "note" {
        return refused("RequestHeader has no `note` action", "use Header note, or RequestHeader set");
    }
    let mut clause = clause;
    let mut value = value;
    if act.starts_with("edit") {
        if subs.is_none() {
            return refused(format!("{name} {action} needs a regular expression and a replacement"), hint_usage);
        }
    } else {
        if clause.is_some() {
            return refused(format!("{name} {action} has one argument too many"), "quote a value that contains spaces");
        }
        clause = subs;
    }
    match act.as_str() {
        "unset" | "echo" => {
            if value.is_some() {
                if clause.is_some() {
                    return refused(format!("{name} {action} takes a header name and at most a condition"), hint_usage);
                }
                clause = value.take();
            }
            if act == "echo" && request {
                return refused("RequestHeader has no `echo` action (only Header does)", "use Header echo");
            }
        }
        _ if value.is_none() => {
            return refused(format!("{name} {action} needs a header name and a value"), hint_usage);
        }
        _ => {}
    }
    if let Some(c) = clause {
        let lower = c.to_ascii_lowercase();
        if lower.starts_with("env=") {
            if matches!(&c[4..], "" | "!") {
                return refused(format!("{name}: `{c}` names no variable"), "write env=VARIABLE or env=!VARIABLE");
            }
        } else if lower.starts_with("expr=") {
            let e = &c[5..];
            let unreadable = expr::condition_uses(e).iter().any(|u| matches!(u, Use::Unreadable(_)));
            if e.trim_matches(is_space).is_empty() || unreadable {
                return refused(
                    format!("{name}: the condition `{c}` is not an expression httpd can parse"),
                    "write expr=%{REQUEST_URI} =~ m#^/x# (quote the whole condition)",
                );
            }
        } else if lower != "early" {
            return refused(
                format!("{name}: `{c}` is not a condition (early, env=VAR or expr=…)"),
                "quote a value that contains spaces; a condition is early, env=VAR, env=!VAR or expr=…",
            );
        }
    }
    // A value `expr=…` (case-sensitive) is a string expression, not a format.
    let value_expr = value.and_then(|v| v.strip_prefix("expr="));
    if value_expr.is_some_and(|e| expr::string_uses(e).iter().any(|u| matches!(u, Use::Unreadable(_)))) {
        return refused(
            format!("{name} {action}: a %{{ in the value expression is not closed"),
            "close it: %{REQUEST_URI}",
        );
    }
    if value_expr.is_none() && !matches!(act.as_str(), "unset" | "echo" | "edit" | "edit*") {
        if let Some(bad) = value.and_then(format_error) {
            return refused(
                format!("{name}: the value has an unknown format {bad} (httpd knows %D %t %l %i %b %e %s and %%)"),
                "write a literal percent sign as %%",
            );
        }
    }
    // Accepted, but an empty response header name fails every response.
    let name_part = hdr.split(':').next().unwrap_or("");
    if !request
        && clause.is_none()
        && name_part.is_empty()
        && matches!(act.as_str(), "set" | "add" | "append" | "merge" | "setifempty")
    {
        return Some(Problem {
            message: format!(
                "{name} {action} with an empty header name: every response from the folder would be a 500"
            ),
            hint: "name the header".into(),
        });
    }
    None
}

/// The first `%x` in a mod_headers value that is not one of its formats.
fn format_error(value: &str) -> Option<String> {
    let c: Vec<char> = value.chars().collect();
    let mut i = 0;
    while i < c.len() {
        if c[i] != '%' {
            i += 1;
            continue;
        }
        i += 1;
        match c.get(i) {
            None => return None,
            Some('%') => {
                i += 1;
                continue;
            }
            Some('{') => {
                while i < c.len() && c[i] != '}' {
                    i += 1;
                }
                i += 1;
            }
            Some(_) => {}
        }
        match c.get(i) {
            Some('D' | 't' | 'l' | 'i' | 'b' | 'e' | 's') => i += 1,
            Some(other) => return Some(format!("%{other}")),
            None => return Some("% at the end of a %{…}".into()),
        }
    }
    None
}

/// The methods httpd registers itself (`ap_method_number_of`, case-sensitive).
const METHODS: &[&str] = &[
    "GET",
    "HEAD",
    "PUT",
    "POST",
    "DELETE",
    "CONNECT",
    "OPTIONS",
    "TRACE",
    "PATCH",
    "PROPFIND",
    "PROPPATCH",
    "MKCOL",
    "COPY",
    "MOVE",
    "LOCK",
    "UNLOCK",
    "VERSION-CONTROL",
    "CHECKOUT",
    "UNCHECKOUT",
    "CHECKIN",
    "UPDATE",
    "LABEL",
    "REPORT",
    "MKWORKSPACE",
    "MKACTIVITY",
    "BASELINE-CONTROL",
    "MERGE",
];

/// httpd 2.4's authorization providers and the module of each. httpd names
/// them in lower case and looks them up case-sensitively.
const PROVIDERS: &[(&str, &str)] = &[
    ("all", "mod_authz_core"),
    ("env", "mod_authz_core"),
    ("method", "mod_authz_core"),
    ("expr", "mod_authz_core"),
    ("valid-user", "mod_authz_user"),
    ("user", "mod_authz_user"),
    ("group", "mod_authz_groupfile"),
    ("ip", "mod_authz_host"),
    ("host", "mod_authz_host"),
    ("local", "mod_authz_host"),
    ("forward-dns", "mod_authz_host"),
    ("file-owner", "mod_authz_owner"),
    ("file-group", "mod_authz_owner"),
    ("dbm-group", "mod_authz_dbm"),
];

/// The module that provides `Require PROVIDER` on httpd 2.4, if httpd
/// knows the provider (exactly as written).
pub fn provider_module(provider: &str) -> Option<&'static str> {
    PROVIDERS.iter().find(|(p, _)| *p == provider).map(|(_, m)| *m)
}

/// The provider's own reading of a `Require` line. Which providers exist
/// and whether their module is loaded is `htaccess`'s.
fn require(words: &[&str]) -> Option<Problem> {
    let mut rest = words;
    if rest.first().is_some_and(|w| w.eq_ignore_ascii_case("not")) {
        rest = &rest[1..];
    }
    let provider = rest.first().copied().unwrap_or("");
    let args = rest.get(1..).unwrap_or(&[]);
    if provider != provider.to_ascii_lowercase() && provider_module(&provider.to_ascii_lowercase()).is_some() {
        return refused(
            format!("Require {provider}: httpd looks providers up case-sensitively and knows no `{provider}`"),
            format!("write `Require {}`", provider.to_ascii_lowercase()),
        );
    }
    match provider {
        "all" => match args {
            [w] if w.eq_ignore_ascii_case("granted") || w.eq_ignore_ascii_case("denied") => None,
            _ => refused(
                "Require all takes exactly one word, granted or denied",
                "write `Require all granted` or `Require all denied`",
            ),
        },
        "ip" => {
            if args.is_empty() {
                return refused("Require ip needs at least one address", "write `Require ip 192.0.2.0/24`");
            }
            let bad = args.iter().find(|a| !ip_subnet_valid(a))?;
            refused(
                format!("Require ip {bad}: not an address or network httpd can read"),
                "write a full or partial IPv4 address (10.1), an IPv6 address, with an optional /bits or /mask",
            )
        }
        "method" => {
            let bad = args.iter().find(|m| !METHODS.contains(m))?;
            refused(
                format!("Require method {bad}: not a method httpd knows (names are upper case)"),
                "write methods in upper case: GET, POST, PUT, DELETE, …",
            )
        }
        "expr" => {
            let text = args.join(" ");
            let unreadable = expr::condition_uses(&text).iter().any(|u| matches!(u, Use::Unreadable(_)));
            (text.trim_matches(is_space).is_empty() || unreadable)
                .then(|| {
                    refused(
                        "Require expr: the expression is empty or not closed",
                        "write `Require expr \"%{REQUEST_URI} =~ m#^/x#\"`",
                    )
                })
                .flatten()
        }
        _ => None,
    }
}

/// `apr_ipsubnet_create` as far as the differential test shows it: digits
/// and dots (a partial IPv4 address is a network) or an IPv6 address, and
/// a mask of 1..=32 (1..=128) bits or in address form.
fn ip_subnet_valid(s: &str) -> bool {
    let (addr, mask) = match s.split_once('/') {
        Some((a, m)) => (a, Some(m)),
        None => (s, None),
    };
    let v6 = addr.contains(':');
    let addr_ok = if v6 {
        addr.parse::<std::net::Ipv6Addr>().is_ok()
    } else {
        let full = addr.parse::<std::net::Ipv4Addr>().is_ok();
        // `parse_network`: up to four parts, each digits ≤ 255; "10." is fine.
        let parts: Vec<&str> = addr.strip_suffix('.').unwrap_or(addr).split('.').collect();
        full || (!addr.is_empty()
            && addr.len() < 16
            && parts.len() <= 4
            && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && atoi(p) <= 255))
    };
    let mask_ok = match mask {
        None => true,
        Some(m) if !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()) => {
            let bits = atoi(m);
            bits > 0 && bits <= if v6 { 128 } else { 32 }
        }
        Some(m) if v6 => m.parse::<std::net::Ipv6Addr>().is_ok(),
        Some(m) => m.parse::<std::net::Ipv4Addr>().is_ok(),
    };
    addr_ok && mask_ok
}

/// mod_rewrite's `R=code`: a number must be a status httpd knows.
fn rewrite_status(raw: &str) -> Option<Problem> {
    let (_, _, Some(flags)) = rewrite::split(raw)? else { return None };
    for (key, val) in rewrite::flags(&flags)? {
        let redirect = key.eq_ignore_ascii_case("r") || key.eq_ignore_ascii_case("redirect");
        if redirect && val.starts_with(|c: char| c.is_ascii_digit()) {
            let code = atoi(&val);
            if code != 500 && !known_status(code) {
                return refused(
                    format!("RewriteRule flag {key}={val}: httpd has no HTTP status {code}"),
                    "use R=301, 302, 303, 307 or 308 (or a 4xx such as 410 with - as the target)",
                );
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refuses(line: &str) -> bool {
        let (name, rest) = line.split_once(' ').unwrap_or((line, ""));
        let words = crate::check::syntax::words(rest).unwrap();
        check(name, &words, rest).is_some()
    }

    #[test]
    fn header_actions_conditions_and_counts_as_mod_headers_reads_them() {
        for ok in [
            "Header set X a",
            "Header always SET X a",
            "Header onsuccess note X a",
            "Header unset X",
            "Header unset X env=a",
            "Header echo ^X",
            "Header edit* X a b env=x",
            "Header set X a ENV=!x",
            "Header set X a early",
            "Header set X a \"expr=%{REQUEST_URI} =~ m#^/x#\"",
            "Header set X \"%D %t %{FOO}e 100%\"",
            "RequestHeader setifempty X a",
            "RequestHeader set X a early",
            "Header unset \"\"",
            "Header set X \"expr=%{env:X} %q\"",
        ] {
            assert!(!refuses(ok), "{ok}");
        }
        for bad in [
            "Header",
            "Header always",
            "Header bogus X a",
            "Header set X",
            "Header unset X a",
            "Header unset X env=a b",
            "Header edit X a",
            "Header set X a b c",
            "Header set X a env=",
            "Header set X a env=!",
            "Header set X a bogus",
            "Header set X a expr=",
            "Header set X a \"expr=%{HTTP_HOST} == 'a\"",
            "Header set X %q",
            "Header set X \"%{a}\"",
            "Header set X \"EXPR=%{a}\"",
            "Header set X \"expr=%{HTTP_HOST\"",
            "Header set \"\" a",
            "Header always set : a",
            "RequestHeader always set X a",
            "RequestHeader echo ^X",
            "RequestHeader note X a",
        ] {
            assert!(refuses(bad), "{bad}");
        }
    }

    #[test]
    fn redirect_status_decides_whether_a_url_is_needed() {
        for ok in [
            "Redirect /a /b",
            "Redirect PERMANENT /a /b",
            "Redirect gone /a",
            "Redirect 410 /a",
            "Redirect 200 /a",
            "Redirect 301 /a http://x/",
            "Redirect 301x /a /b",
            "Redirect /a",
            "Redirect gone",
            "Redirect 301 mailto:x",
            "RedirectMatch 301 ^/a b",
            "RedirectPermanent /a /b",
        ] {
            assert!(!refuses(ok), "{ok}");
        }
        for bad in [
            "Redirect",
            "Redirect gone /a /b",
            "Redirect 404 /a /b",
            "Redirect 3xx /a /b",
            "Redirect bogus /a /b",
            "Redirect /a b",
            "Redirect 301 /a :y",
            "Redirect 301 /a /b /c",
            "Redirect 301",
            "Redirect 301 a",
            "RedirectMatch ^/a",
            "RedirectMatch 600 ^/a /b",
            "RedirectPermanent /a",
            "RedirectTemp /a b",
        ] {
            assert!(refuses(bad), "{bad}");
        }
    }

    #[test]
    fn error_document_codes_are_the_ones_httpd_has_status_lines_for() {
        for ok in ["ErrorDocument 404 /x", "ErrorDocument 451 /x", "ErrorDocument 500 x", "ErrorDocument 404x /x"] {
            assert!(!refuses(ok), "{ok}");
        }
        for bad in [
            "ErrorDocument 418 /x",
            "ErrorDocument 306 /x",
            "ErrorDocument 600 /x",
            "ErrorDocument abc /x",
            "ErrorDocument 404",
            "ErrorDocument 404 \"%{REQUEST_URI\"",
        ] {
            assert!(refuses(bad), "{bad}");
        }
    }

    #[test]
    fn options_sign_rules_follow_set_options() {
        for ok in [
            "Options Indexes FollowSymLinks",
            "Options +Indexes -MultiViews",
            "Options None Indexes",
            "Options All -Indexes",
            "Options",
        ] {
            assert!(!refuses(ok), "{ok}");
        }
        for bad in [
            "Options +Indexes FollowSymLinks",
            "Options Indexes -MultiViews",
            "Options Bogus",
            "Options +None",
            "Options Indexes None",
            "Options -Indexes All",
            "Options +",
        ] {
            assert!(refuses(bad), "{bad}");
        }
    }

    #[test]
    fn expires_codes_match_words_by_their_first_letters() {
        for ok in [
            "ExpiresDefault A3600",
            "ExpiresDefault a3600",
            "ExpiresDefault \"access plus 1 month\"",
            "ExpiresDefault \"now 1 sec\"",
            "ExpiresByType text/* \"modification plus 1 years 2 mi\"",
        ] {
            assert!(!refuses(ok), "{ok}");
        }
        for bad in [
            "ExpiresDefault X3600",
            "ExpiresDefault 3600",
            "ExpiresDefault \"access plus 1 fortnight\"",
            "ExpiresDefault \"access plus 1 m\"",
            "ExpiresDefault \"access plus 1\"",
            "ExpiresDefault \"access minus 1 month\"",
            "ExpiresDefault access plus 1 month",
            "ExpiresDefault \"\"",
            "ExpiresByType text A3600",
            "ExpiresActive bogus",
        ] {
            assert!(refuses(bad), "{bad}");
        }
    }

    #[test]
    fn require_providers_read_their_own_arguments() {
        for ok in [
            "Require all GRANTED",
            "Require ip 10.1 10.0.0.0/255.0.0.0 ::1 10.",
            "Require method GET PATCH",
            "Require expr true",
            "Require host example.org",
        ] {
            assert!(!refuses(ok), "{ok}");
        }
        for bad in [
            "Require all",
            "Require all bogus",
            "Require ALL granted",
            "Require Valid-User",
            "Require ip",
            "Require ip 256.1.1.1",
            "Require ip 1.2.3.4.5",
            "Require ip 10.0.0.0/0",
            "Require ip notanip",
            "Require method get",
            "Require expr",
        ] {
            assert!(refuses(bad), "{bad}");
        }
    }

    #[test]
    fn types_handlers_and_rewrite_status() {
        for ok in
            ["AddType text/plain .foo", "ForceType none", "RewriteRule ^x$ /b [R=301]", "RewriteRule ^x$ - [R=410]"]
        {
            assert!(!refuses(ok), "{ok}");
        }
        for bad in [
            "AddType text/plain",
            "AddType \"\" .foo",
            "AddHandler cgi-script",
            "ForceType",
            "ForceType a b",
            "SetHandler",
            "RewriteRule ^x$ /b [R=399]",
            "RewriteRule ^x$ /b [redirect=600]",
        ] {
            assert!(refuses(bad), "{bad}");
        }
    }
}
