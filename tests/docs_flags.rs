//! The guides' flag tables cannot drift from the binary: every flag a
//! command's `--help` lists is documented, and every flag a documentation
//! table names exists.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

const COMMANDS: &[&[&str]] =
    &[&["build"], &["check"], &["preview"], &["base", "pin"], &["base", "verify"], &["base", "mirror"]];
/// Everyone's flags, documented once in the README's words.
const GENERIC: &[&str] = &["--help", "--verbose", "--quiet", "--version"];

fn flags_in(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(at) = text[i..].find("--") {
        let start = i + at;
        let before = start.checked_sub(1).map(|b| bytes[b]);
        let mut end = start + 2;
        while end < bytes.len()
            && (bytes[end].is_ascii_lowercase() || bytes[end].is_ascii_digit() || bytes[end] == b'-')
        {
            end += 1;
        }
        // `--x` standing alone: not `a--b`, not `---`.
        if end > start + 2
            && bytes[start + 2].is_ascii_lowercase()
            && !before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            out.insert(text[start..end].trim_end_matches('-').to_owned());
        }
        i = end;
    }
    out
}

fn docs() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    ["README.md", "docs/operator-guide.md", "docs/checks.md", "docs/contributor-guide.md", "docs/pipeline.md"]
        .iter()
        .map(|p| std::fs::read_to_string(root.join(p)).unwrap_or_else(|e| panic!("{p}: {e}")))
        .collect::<Vec<_>>()
        .join("\n")
}

fn help(args: &[&str]) -> BTreeSet<String> {
    // Scrubbed: a SITEPACK_* or AWS_* variable of the host would show in `[env: …]`.
    let out = common::run_ok(common::sitepack_scrubbed().args(args).arg("--help"));
    let mut flags = flags_in(&out);
    flags.retain(|f| !GENERIC.contains(&f.as_str()));
    flags
}

#[test]
fn every_flag_of_every_command_is_documented() {
    let documented = flags_in(&docs());
    let mut missing = Vec::new();
    for command in COMMANDS {
        for flag in help(command) {
            if !documented.contains(&flag) {
                missing.push(format!("sitepack {} {flag}", command.join(" ")));
            }
        }
    }
    assert!(missing.is_empty(), "flags --help lists that no guide documents:\n{}", missing.join("\n"));
}

#[test]
fn every_flag_a_documentation_table_names_exists() {
    let real: BTreeSet<String> = COMMANDS.iter().flat_map(|c| help(c)).collect();
    let tables: String = docs()
        .lines()
        .filter(|l| l.starts_with("| `--"))
        .map(|l| l.split('|').nth(1).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(!tables.is_empty(), "no flag table found in the guides (a table row starts with | `--)");
    let unknown: Vec<String> = flags_in(&tables).into_iter().filter(|f| !real.contains(f)).collect();
    assert!(unknown.is_empty(), "flags the guides' tables name that no command has: {unknown:?}");
}

#[test]
fn flags_are_read_as_flags() {
    let found = flags_in("use --base-lock FILE, not a--b or ---x; `--allow RULE`");
    assert_eq!(found, ["--allow", "--base-lock"].map(String::from).into());
}
