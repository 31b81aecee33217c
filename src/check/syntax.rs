//! httpd's configuration syntax, as `ap_cfg_getline` and `ap_getword_conf`
//! read it, for `.htaccess` and `httpd.conf` alike: physical lines joined by
//! a trailing backslash, `#` comments only at the start of a line, words
//! split on white space with `"…"`/`'…'` quoting, and `<Section …>` …
//! `</Section>` nesting matched case-insensitively. White space is C's
//! `isspace` (space, tab, line feed, vertical tab, form feed, carriage
//! return) and nothing else: httpd reads bytes, so a no-break space or any
//! other Unicode space is part of a word, as it is here.

/// One directive or section, with the line it starts on (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// `raw` is the text after the name, as a `RAW_ARGS` directive
    /// (`RewriteRule`, `Require`) receives it before its own splitting.
    Directive {
        name: String,
        args: Vec<String>,
        raw: String,
        line: usize,
    },
    Section {
        name: String,
        args: Vec<String>,
        line: usize,
        children: Vec<Node>,
    },
}

impl Node {
    pub fn line(&self) -> usize {
        match self {
            Node::Directive { line, .. } | Node::Section { line, .. } => *line,
        }
    }
}

/// What makes httpd refuse the whole file (HTTP 500 for a .htaccess).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyntaxError {
    #[error("the file starts with a UTF-8 byte order mark, which httpd reads as part of the first directive name")]
    Bom,
    #[error("<{name}> is never closed")]
    Unclosed { name: String, line: usize },
    #[error("</{found}> closes <{expected}>")]
    Mismatched { expected: String, found: String, line: usize },
    #[error("</{name}> without a matching <{name}>")]
    Unopened { name: String, line: usize },
    #[error("<{name}> section line lacks its closing '>'")]
    SectionNoClose { name: String, line: usize },
    #[error("a quote is not closed")]
    UnclosedQuote { line: usize },
    #[error("sections are nested more than {MAX_DEPTH} deep")]
    TooDeep { line: usize },
}

/// Deeper nesting is refused rather than walked (the checks recurse).
pub const MAX_DEPTH: usize = 256;

impl SyntaxError {
    pub fn line(&self) -> usize {
        match self {
            SyntaxError::Bom => 1,
            SyntaxError::Unclosed { line, .. }
            | SyntaxError::Mismatched { line, .. }
            | SyntaxError::Unopened { line, .. }
            | SyntaxError::SectionNoClose { line, .. }
            | SyntaxError::UnclosedQuote { line }
            | SyntaxError::TooDeep { line } => *line,
        }
    }
}

/// C's `isspace` in the "C" locale, which is what `apr_isspace` is.
pub fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{b}' | '\u{c}' | '\r')
}

/// Trims C white space from both ends (`str::trim` would also take Unicode spaces).
pub fn trim(s: &str) -> &str {
    s.trim_matches(is_space)
}

/// The first index at or after `i` that is not white space (as `is_space`).
pub fn skip_space(c: &[char], mut i: usize) -> usize {
    while i < c.len() && is_space(c[i]) {
        i += 1;
    }
    i
}

/// Logical lines with the number of their first physical line.
pub fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    let pieces: Vec<&str> = text.split('\n').collect();
    for (i, raw) in pieces.iter().enumerate() {
        let ends_in_newline = i + 1 < pieces.len();
        let raw = if ends_in_newline { raw.strip_suffix('\r').unwrap_or(raw) } else { raw };
        let (start, mut acc) = pending.take().unwrap_or((i + 1, String::new()));
        // A backslash right before the line feed continues the line; at the
        // end of the file, with no line feed, it stays (`ap_cfg_getline`).
        if let Some(body) = raw.strip_suffix('\\').filter(|_| ends_in_newline) {
            acc.push_str(body);
            pending = Some((start, acc));
            continue;
        }
        acc.push_str(raw);
        out.push((start, acc));
    }
    if let Some(p) = pending {
        out.push(p);
    }
    out
}

/// Splits arguments as `ap_getword_conf` does. Returns None on an unclosed quote.
pub fn words(s: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.peek().is_some_and(|&c| is_space(c)) {
            chars.next();
        }
        let Some(&first) = chars.peek() else { break };
        let mut word = String::new();
        if first == '"' || first == '\'' {
            chars.next();
            let mut closed = false;
            while let Some(c) = chars.next() {
                // `\"` and `\\` are escapes inside quotes (`substring_conf`).
                if c == '\\' && (chars.peek() == Some(&first) || chars.peek() == Some(&'\\')) {
                    word.extend(chars.next());
                } else if c == first {
                    closed = true;
                    break;
                } else {
                    word.push(c);
                }
            }
            if !closed {
                return None;
            }
        } else {
            while let Some(&c) = chars.peek() {
                if is_space(c) {
                    break;
                }
                chars.next();
                // Unquoted, only `\\` is an escape.
                if c == '\\' && chars.peek() == Some(&'\\') {
                    chars.next();
                }
                word.push(c);
            }
        }
        out.push(word);
    }
    Some(out)
}

/// The text after the first word (quoted or not) and the white space after it.
fn raw_after_first_word(s: &str) -> &str {
    let s = s.trim_start_matches(is_space);
    let mut chars = s.char_indices();
    let end = match chars.next() {
        Some((_, q)) if q == '"' || q == '\'' => {
            let mut end = s.len();
            let mut escaped = false;
            for (i, c) in chars {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    end = i + c.len_utf8();
                    break;
                }
            }
            end
        }
        _ => s.find(is_space).unwrap_or(s.len()),
    };
    s[end..].trim_start_matches(is_space)
}

/// Parses a whole file. httpd stops at the first error, and so does this.
pub fn parse(text: &str) -> Result<Vec<Node>, SyntaxError> {
    if text.starts_with('\u{feff}') {
        return Err(SyntaxError::Bom);
    }
    // Stack of open sections: (name, args, line, children so far).
    let mut stack: Vec<(String, Vec<String>, usize, Vec<Node>)> = Vec::new();
    let mut top: Vec<Node> = Vec::new();
    for (line, logical) in logical_lines(text) {
        let trimmed = trim(&logical);
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix("</") {
            let name = trim(rest.trim_end_matches('>')).to_owned();
            let Some((open, args, open_line, children)) = stack.pop() else {
                return Err(SyntaxError::Unopened { name, line });
            };
            if !open.eq_ignore_ascii_case(&name) {
                return Err(SyntaxError::Mismatched { expected: open, found: name, line });
            }
            let node = Node::Section { name: open, args, line: open_line, children };
            match stack.last_mut() {
                Some(parent) => parent.3.push(node),
                None => top.push(node),
            }
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix('<') {
            let name: String = rest.chars().take_while(|&c| !is_space(c) && c != '>').collect();
            let Some(inner) = rest.strip_suffix('>') else {
                return Err(SyntaxError::SectionNoClose { name, line });
            };
            let args = words(&inner[name.len()..]).ok_or(SyntaxError::UnclosedQuote { line })?;
            if stack.len() >= MAX_DEPTH {
                return Err(SyntaxError::TooDeep { line });
            }
            stack.push((name, args, line, Vec::new()));
            continue;
        }
        // The name is a word like any other: httpd finds `"SetHandler"` too.
        let mut all = words(trimmed).ok_or(SyntaxError::UnclosedQuote { line })?;
        let name = all.remove(0);
        let raw = raw_after_first_word(trimmed).to_owned();
        let node = Node::Directive { name, args: all, raw, line };
        match stack.last_mut() {
            Some(parent) => parent.3.push(node),
            None => top.push(node),
        }
    }
    if let Some((name, _, line, _)) = stack.pop() {
        return Err(SyntaxError::Unclosed { name, line });
    }
    Ok(top)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(name: &str, args: &[&str], line: usize) -> Node {
        Node::Directive {
            name: name.into(),
            args: args.iter().map(|s| s.to_string()).collect(),
            raw: String::new(),
            line,
        }
    }

    /// Compares without the raw text.
    fn bare(n: &Node) -> Node {
        match n {
            Node::Directive { name, args, line, .. } => {
                d(name, &args.iter().map(String::as_str).collect::<Vec<_>>(), *line)
            }
            Node::Section { name, args, line, children } => Node::Section {
                name: name.clone(),
                args: args.clone(),
                line: *line,
                children: children.iter().map(bare).collect(),
            },
        }
    }

    #[test]
    fn continuations_comments_quotes_and_sections() {
        let text = "# comment\nAuthName \"coffee fans\" \nRequire \\\n  valid-user\n<Files \"x y.txt\">\n  Require all denied\n</files>\nErrorDocument 404 '/it''s'\n";
        let nodes: Vec<Node> = parse(text).unwrap().iter().map(bare).collect();
        assert_eq!(nodes[0], d("AuthName", &["coffee fans"], 2));
        assert_eq!(nodes[1], d("Require", &["valid-user"], 3));
        match &nodes[2] {
            Node::Section { name, args, line, children } => {
                assert_eq!((name.as_str(), args.as_slice(), *line), ("Files", &["x y.txt".to_string()][..], 5));
                assert_eq!(children, &[d("Require", &["all", "denied"], 6)]);
            }
            n => panic!("{n:?}"),
        }
        assert_eq!(nodes[3], d("ErrorDocument", &["404", "/it", "s"], 8));
    }

    #[test]
    fn a_hash_after_a_directive_is_an_argument_not_a_comment() {
        assert_eq!(
            bare(&parse("Options -Indexes # no listing").unwrap()[0]),
            d("Options", &["-Indexes", "#", "no", "listing"], 1)
        );
    }

    #[test]
    fn structural_errors_name_their_line() {
        assert_eq!(parse("\u{feff}Require all granted"), Err(SyntaxError::Bom));
        assert_eq!(
            parse("<Files x>\nRequire all denied\n").unwrap_err(),
            SyntaxError::Unclosed { name: "Files".into(), line: 1 }
        );
        assert_eq!(parse("</Files>").unwrap_err().line(), 1);
        assert_eq!(
            parse("<Files x>\n</FilesMatch>").unwrap_err(),
            SyntaxError::Mismatched { expected: "Files".into(), found: "FilesMatch".into(), line: 2 }
        );
        assert_eq!(parse("\nAuthName \"open").unwrap_err(), SyntaxError::UnclosedQuote { line: 2 });
        assert_eq!(
            parse("<Files x\n</Files>").unwrap_err(),
            SyntaxError::SectionNoClose { name: "Files".into(), line: 1 }
        );
    }

    #[test]
    fn crlf_line_ends_are_read_like_lf() {
        assert_eq!(bare(&parse("Require all granted\r\n").unwrap()[0]), d("Require", &["all", "granted"], 1));
    }

    /// What httpd reads differently from a naive reader, each of which once
    /// let a check see other words than httpd does.
    #[test]
    fn words_are_split_as_httpd_splits_them() {
        // A no-break space is part of the word, not a separator.
        let n = bare(&parse("SetHandler\u{a0}lua-script").unwrap()[0]);
        assert_eq!(n, d("SetHandler\u{a0}lua-script", &[], 1));
        // A quoted directive name is found by httpd all the same.
        assert_eq!(bare(&parse("\"SetHandler\" lua-script").unwrap()[0]), d("SetHandler", &["lua-script"], 1));
        // Escapes: `\\` everywhere, `\"` inside double quotes.
        assert_eq!(
            bare(&parse(r#"Header set X "a\"b\\c" d\\e"#).unwrap()[0]),
            d("Header", &["set", "X", "a\"b\\c", "d\\e"], 1)
        );
        // A vertical tab separates.
        assert_eq!(bare(&parse("Options\u{b}-Indexes").unwrap()[0]), d("Options", &["-Indexes"], 1));
    }

    #[test]
    fn raw_arguments_keep_their_quotes_and_escapes() {
        match &parse("RewriteRule ^a\\ b$  \"/x y\" [P]").unwrap()[0] {
            Node::Directive { raw, .. } => assert_eq!(raw, "^a\\ b$  \"/x y\" [P]"),
            n => panic!("{n:?}"),
        }
        match &parse("\"Require\"   expr true").unwrap()[0] {
            Node::Directive { raw, .. } => assert_eq!(raw, "expr true"),
            n => panic!("{n:?}"),
        }
    }

    #[test]
    fn a_backslash_continues_only_before_a_line_feed() {
        assert_eq!(bare(&parse("Require \\\r\n all granted\n").unwrap()[0]), d("Require", &["all", "granted"], 1));
        // At the end of the file it is kept.
        assert_eq!(bare(&parse("Options -Indexes\\").unwrap()[0]), d("Options", &["-Indexes\\"], 1));
        // A continued comment swallows the next line.
        assert!(parse("# note \\\nSetHandler lua-script\n").unwrap().is_empty());
    }
}
