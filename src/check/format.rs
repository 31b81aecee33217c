//! Findings in the forms CI systems read, beside the human and JSON forms
//! (`Report::render`, serde): GitHub Actions workflow commands, which
//! GitHub turns into annotations on the lines of a pull request's diff, and
//! JUnit XML, which CodeBuild's report view (and most CI) lists. Pure
//! functions of a `Report` and the files the checks read; `main` prints them.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::{Finding, Report, Severity};

/// One workflow command per finding (`::error file=…,line=…,title=RULE::…`,
/// `::warning` likewise), the hint on a second line of the message, then
/// the total as a plain log line.
pub fn github(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let command = f.severity.as_str();
        let mut properties = format!("file={}", github_property(&f.file));
        if let Some(line) = f.line {
            let _ = write!(properties, ",line={line}");
        }
        let _ = write!(properties, ",title={}", github_property(f.rule));
        let mut message = f.message.clone();
        if !f.hint.is_empty() {
            let _ = write!(message, "\nhint: {}", f.hint);
        }
        let _ = writeln!(out, "::{command} {properties}::{}", github_data(&message));
    }
    let _ = writeln!(out, "sitepack check: {} error(s), {} warning(s)", report.errors(), report.warnings());
    out
}

/// A command's message, escaped as GitHub's runner reads it back
/// (`toCommandValue` in actions/toolkit): `%`, CR and LF.
pub fn github_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// A command's property value: the message escapes, and `:` and `,`, which
/// would otherwise end the value.
pub fn github_property(s: &str) -> String {
    github_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// JUnit XML: one test suite, one test case per file checked (`checked`,
/// plus any other file a finding names), one `<failure>` per error finding
/// in it; warnings go to the case's `<system-out>`, so they show without
/// failing it.
pub fn junit(report: &Report, checked: &[String]) -> String {
    let mut cases: BTreeMap<&str, Vec<&Finding>> = checked.iter().map(|f| (f.as_str(), Vec::new())).collect();
    for f in &report.findings {
        cases.entry(f.file.as_str()).or_default().push(f);
    }
    let (tests, failures) = (cases.len(), report.errors());
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ =
        writeln!(out, "<testsuites name=\"sitepack check\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">");
    let _ = writeln!(
        out,
        "  <testsuite name=\"sitepack check\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">"
    );
    for (file, findings) in &cases {
        let _ = write!(out, "    <testcase classname=\"sitepack.check\" name=\"{}\"", xml(file));
        if findings.is_empty() {
            out.push_str("/>\n");
            continue;
        }
        out.push_str(">\n");
        for f in findings.iter().filter(|f| f.severity == Severity::Error) {
            let _ = writeln!(
                out,
                "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                xml(f.rule),
                xml(&located(f)),
                xml(&f.to_string())
            );
        }
        let warnings: Vec<String> =
            findings.iter().filter(|f| f.severity == Severity::Warning).map(|f| f.to_string()).collect();
        if !warnings.is_empty() {
            let _ = writeln!(out, "      <system-out>{}</system-out>", xml(&warnings.join("\n")));
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// `line 3: message` (or the message alone): the failure's one-line summary.
fn located(f: &Finding) -> String {
    match f.line {
        Some(l) => format!("line {l}: {}", f.message),
        None => f.message.clone(),
    }
}

/// Text for an XML attribute or element. Characters XML 1.0 cannot carry
/// at all (most C0 controls) become U+FFFD; line breaks in attributes are
/// written as character references so a parser keeps them.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// The files a check reads, as findings name them: every file the site
/// publishes (the tree checks judge each one), the htpasswd file and the
/// operator's conf when one was given. Walks `site` with the same walk the
/// checks use; call it after the checks, whose errors name what it skips.
pub fn checked_files(site: &std::path::Path, htpasswd: &std::path::Path, conf: Option<&str>) -> Vec<String> {
    struct Files(Vec<String>);
    impl crate::site::Visitor for Files {
        fn file(&mut self, entry: &crate::site::Entry<'_>, _meta: &std::fs::Metadata) {
            self.0.push(entry.shown.to_owned());
        }
    }
    use super::shown;
    let mut files = Files(Vec::new());
    crate::site::walk(site, &shown(site), "/", &mut files);
    let mut all = files.0;
    all.push(shown(htpasswd));
    all.extend(conf.map(str::to_owned));
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        let mut r = Report::default();
        r.extend([
            Finding::error(
                "site/a/.htaccess",
                Some(2),
                crate::check::RuleId::HtaccessNotAllowed,
                "50% of it, a: b\nnext",
                "fix it",
            ),
            Finding::warning("site/a,b:c~", None, crate::check::RuleId::TreeExcluded, "is not published", ""),
        ]);
        r
    }

    #[test]
    fn github_commands_escape_data_and_properties_as_the_runner_reads_them() {
        let out = github(&report());
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines,
            [
                "::error file=site/a/.htaccess,line=2,title=htaccess.not-allowed::50%25 of it, a: b%0Anext%0Ahint: fix it",
                "::warning file=site/a%2Cb%3Ac~,title=tree.excluded::is not published",
                "sitepack check: 1 error(s), 1 warning(s)",
            ]
        );
        assert_eq!(github_data("a\r\n%"), "a%0D%0A%25");
        assert_eq!(github_property("%:,\n"), "%25%3A%2C%0A");
    }

    #[test]
    fn junit_has_a_case_per_file_and_a_failure_per_error() {
        let out = junit(&report(), &["site/a/index.html".to_owned(), "site/a/.htaccess".to_owned()]);
        assert_eq!(out.matches("<testcase ").count(), 3, "{out}");
        assert_eq!(out.matches("<failure ").count(), 1, "{out}");
        assert!(out.contains("tests=\"3\" failures=\"1\""), "{out}");
        assert!(out.contains("message=\"line 2: 50% of it, a: b&#10;next\""), "{out}");
        assert!(out.contains("<testcase classname=\"sitepack.check\" name=\"site/a/index.html\"/>"), "{out}");
        assert_eq!(xml("<a & \u{1}>"), "&lt;a &amp; \u{FFFD}&gt;");
    }
}
