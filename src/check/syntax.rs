//! httpd's configuration syntax, as `ap_cfg_getline` and `ap_getword_conf`
//! read it, for `.htaccess` and `httpd.conf` alike: physical lines joined by
//! a trailing backslash, `#` comments only at the start of a line, words
//! split on white space with `"…"`/`'…'` quoting, and `<Section …>` …
//! `</Section>` nesting matched case-insensitively.

/// One directive or section, with the line it starts on (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Directive { name: String, args: Vec<String>, line: usize },
    Section { name: String, args: Vec<String>, line: usize, children: Vec<Node> },
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

/// Logical lines with the number of their first physical line.
fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    for (i, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let (start, mut acc) = pending.take().unwrap_or((i + 1, String::new()));
        // A backslash as the very last character continues the line.
        if let Some(body) = raw.strip_suffix('\\') {
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
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let Some(&first) = chars.peek() else { break };
        let mut word = String::new();
        if first == '"' || first == '\'' {
            chars.next();
            let mut closed = false;
            while let Some(c) = chars.next() {
                if c == '\\' && chars.peek() == Some(&first) {
                    word.push(first);
                    chars.next();
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
                if c.is_whitespace() {
                    break;
                }
                word.push(c);
                chars.next();
            }
        }
        out.push(word);
    }
    Some(out)
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
        let trimmed = logical.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix("</") {
            let name = rest.trim_end_matches('>').trim().to_owned();
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
            let name: String = rest.chars().take_while(|c| !c.is_whitespace() && *c != '>').collect();
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
        let name: String = trimmed.chars().take_while(|c| !c.is_whitespace()).collect();
        let args = words(&trimmed[name.len()..]).ok_or(SyntaxError::UnclosedQuote { line })?;
        let node = Node::Directive { name, args, line };
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
        Node::Directive { name: name.into(), args: args.iter().map(|s| s.to_string()).collect(), line }
    }

    #[test]
    fn continuations_comments_quotes_and_sections() {
        let text = "# comment\nAuthName \"coffee fans\" \nRequire \\\n  valid-user\n<Files \"x y.txt\">\n  Require all denied\n</files>\nErrorDocument 404 '/it''s'\n";
        let nodes = parse(text).unwrap();
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
            parse("Options -Indexes # no listing").unwrap()[0],
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
        assert_eq!(parse("Require all granted\r\n").unwrap(), vec![d("Require", &["all", "granted"], 1)]);
    }
}
