//! The shape of the crate, checked from its sources: no module but the
//! command line's own (`main.rs`, `cli.rs`, `commands/`, `plan.rs`) knows
//! the command line, and the modules depend on each other one way only (no
//! circle in the graph of top-level modules, test code left out).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// The file's code without its tests (by convention the last item).
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    match text.find("#[cfg(test)]") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

/// The top-level modules a piece of code names: `crate::x` and the
/// members of `use crate::{x, y::z}`.
fn references(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let ident = |s: &str| s.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect::<String>();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            let mut depth = 0;
            let mut start = true;
            for (j, c) in group[..end].char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if start && !c.is_whitespace() => {
                        start = false;
                        out.insert(ident(&group[j..]));
                    }
                    _ => {}
                }
            }
        } else {
            out.insert(ident(rest));
        }
    }
    out.retain(|m| !m.is_empty() && m != "self");
    out
}

/// Top-level module → the top-level modules its code names.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in sources(&src) {
        let rel = path.strip_prefix(&src).unwrap().to_string_lossy().into_owned();
        let module = rel.split('/').next().unwrap().trim_end_matches(".rs").to_owned();
        let mut refs = references(&code(&path));
        refs.remove(&module);
        graph.entry(module).or_default().extend(refs);
    }
    graph
}

#[test]
fn only_the_command_layer_knows_the_command_line() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let allowed = ["main.rs", "cli.rs", "plan.rs"];
    let offenders: Vec<String> = sources(&src)
        .into_iter()
        .map(|p| p.strip_prefix(&src).unwrap().to_string_lossy().into_owned())
        .filter(|rel| !allowed.contains(&rel.as_str()) && !rel.starts_with("commands/"))
        .filter(|rel| references(&code(&src.join(rel))).contains("cli"))
        .collect();
    assert!(offenders.is_empty(), "domain modules that import the CLI: {offenders:?}");
}

#[test]
fn modules_depend_on_each_other_one_way() {
    let graph = graph();
    // Depth-first search for a path back to where it started.
    fn path_back(
        graph: &BTreeMap<String, BTreeSet<String>>,
        from: &str,
        at: &str,
        seen: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        for next in graph.get(at).into_iter().flatten() {
            if next == from {
                return Some(vec![at.to_owned(), next.clone()]);
            }
            if seen.insert(next.clone()) {
                if let Some(mut rest) = path_back(graph, from, next, seen) {
                    rest.insert(0, at.to_owned());
                    return Some(rest);
                }
            }
        }
        None
    }
    let circles: Vec<String> =
        graph.keys().filter_map(|m| path_back(&graph, m, m, &mut BTreeSet::new())).map(|c| c.join(" -> ")).collect();
    assert!(circles.is_empty(), "import circles:\n{}", circles.join("\n"));
}

#[test]
fn the_reader_sees_references_in_every_form() {
    let refs =
        references("use crate::{aws, check::tree::Limits, registry::{self, Registry}};\nlet x = crate::plan::X;");
    assert_eq!(refs, ["aws", "check", "plan", "registry"].map(String::from).into());
}
