//! The base's configuration files, as the operator's `Include` and
//! `IncludeOptional` lines reach them at run time: every file under the
//! base's `ServerRoot` (from its lock, or from a local copy), and how httpd
//! expands an include pattern over them: relative to `ServerRoot`, shell
//! wildcards in any component (a leading dot only matched by a dot), each
//! folder's entries in `strcmp` order, a folder included whole and
//! recursively.

use std::collections::BTreeMap;
use std::path::Path;

/// Files under the base's ServerRoot, by path relative to it. A file whose
/// bytes are not known (too large, not text) maps to None.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigTree {
    /// The base's ServerRoot (`/etc/httpd`).
    pub server_root: String,
    pub files: BTreeMap<String, Option<Vec<u8>>>,
    /// Where the files come from, for messages (`the base lock`).
    pub source: String,
}

/// What an include pattern names in the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Included {
    /// These files, in httpd's order, with their bytes (None: not known).
    Files(Vec<(String, Option<Vec<u8>>)>),
    /// Nothing matched (a missing file, or a wildcard matching nothing).
    Nothing,
    /// A path outside the recorded ServerRoot, `..`, or a bracket pattern:
    /// not knowable from the tree.
    Unknowable,
}

/// Largest file read from a local copy.
const MAX_FILE: u64 = 256 << 10;

impl ConfigTree {
    /// A local copy of a ServerRoot (`--base-tree DIR`), read without
    /// following links; `server_root` is the path it has in the image.
    pub fn from_dir(dir: &Path, server_root: &str) -> std::io::Result<ConfigTree> {
        let mut files = BTreeMap::new();
        let mut stack = vec![(dir.to_owned(), String::new())];
        while let Some((path, rel)) = stack.pop() {
            for entry in std::fs::read_dir(&path)? {
                let entry = entry?;
                let name = entry.file_name().to_string_lossy().into_owned();
                let child_rel = if rel.is_empty() { name.clone() } else { format!("{rel}/{name}") };
                let meta = std::fs::symlink_metadata(entry.path())?;
                if meta.is_dir() {
                    stack.push((entry.path(), child_rel));
                } else if meta.is_file() {
                    let bytes = (meta.len() <= MAX_FILE).then(|| std::fs::read(entry.path())).transpose()?;
                    files.insert(child_rel, bytes);
                }
            }
        }
        Ok(ConfigTree {
            server_root: server_root.trim_end_matches('/').to_owned(),
            files,
            source: format!("--base-tree {}", dir.display()),
        })
    }

    /// Expands `pattern` as httpd would with `server_root` as the conf's
    /// ServerRoot.
    pub fn include(&self, pattern: &str, server_root: &str) -> Included {
        let absolute = if pattern.starts_with('/') {
            pattern.to_owned()
        } else {
            format!("{}/{pattern}", server_root.trim_end_matches('/'))
        };
        let root = format!("{}/", self.server_root);
        let rel = if absolute == self.server_root {
            ""
        } else {
            match absolute.strip_prefix(&root) {
                Some(r) => r,
                None => return Included::Unknowable,
            }
        };
        let parts: Vec<&str> = rel.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
        if parts.iter().any(|p| *p == ".." || p.contains('[')) {
            return Included::Unknowable;
        }
        // Expand component by component, each folder's entries sorted.
        let mut current = vec![String::new()];
        for part in &parts {
            let mut next = Vec::new();
            for base in &current {
                if is_wild(part) {
                    next.extend(self.children(base).into_iter().filter(|c| fnmatch(part, c)).map(|c| join(base, &c)));
                } else {
                    let path = join(base, part);
                    if self.files.contains_key(&path) || self.is_dir(&path) {
                        next.push(path);
                    }
                }
            }
            current = next;
        }
        let mut out = Vec::new();
        for path in current {
            self.whole(&path, &mut out);
        }
        if out.is_empty() {
            Included::Nothing
        } else {
            Included::Files(out)
        }
    }

    fn is_dir(&self, path: &str) -> bool {
        let prefix = if path.is_empty() { String::new() } else { format!("{path}/") };
        self.files.keys().any(|k| k.starts_with(&prefix) && k.len() > prefix.len())
    }

    /// The names directly in folder `dir`, in `strcmp` order.
    fn children(&self, dir: &str) -> Vec<String> {
        let prefix = if dir.is_empty() { String::new() } else { format!("{dir}/") };
        let mut names: Vec<String> = self
            .files
            .keys()
            .filter_map(|k| k.strip_prefix(&prefix))
            .map(|rest| rest.split('/').next().unwrap_or("").to_owned())
            .filter(|n| !n.is_empty())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// A file, or a folder's files recursively, folder by folder in order.
    fn whole(&self, path: &str, out: &mut Vec<(String, Option<Vec<u8>>)>) {
        if let Some(bytes) = self.files.get(path) {
            out.push((path.to_owned(), bytes.clone()));
            return;
        }
        for child in self.children(path) {
            self.whole(&join(path, &child), out);
        }
    }
}

fn join(base: &str, name: &str) -> String {
    if base.is_empty() {
        name.to_owned()
    } else {
        format!("{base}/{name}")
    }
}

fn is_wild(s: &str) -> bool {
    s.contains(['*', '?'])
}

/// `fnmatch` with `*` and `?` within one name; a leading dot is matched only
/// by a dot (APR_FNM_PERIOD, as httpd calls it).
fn fnmatch(pattern: &str, name: &str) -> bool {
    if name.starts_with('.') && !pattern.starts_with('.') {
        return false;
    }
    wildcard(pattern.as_bytes(), name.as_bytes())
}

/// `*` and `?` wildcard match, iterative (linear backtracking), so a
/// pattern of many stars cannot make it exponential.
pub(crate) fn wildcard(p: &[u8], s: &[u8]) -> bool {
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi] == s[si]) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, si));
            pi += 1;
        } else if let Some((sp, ss)) = star {
            pi = sp + 1;
            si = ss + 1;
            star = Some((sp, ss + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&b| b == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(paths: &[&str]) -> ConfigTree {
        ConfigTree {
            server_root: "/etc/httpd".into(),
            files: paths.iter().map(|p| (p.to_string(), Some(p.as_bytes().to_vec()))).collect(),
            source: "test".into(),
        }
    }

    fn names(i: Included) -> Vec<String> {
        match i {
            Included::Files(f) => f.into_iter().map(|(p, _)| p).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn patterns_expand_as_httpd_expands_them() {
        let t = tree(&[
            "conf.modules.d/00-base.conf",
            "conf.modules.d/10-h2.conf",
            "conf.modules.d/01-cgi.conf",
            "conf.modules.d/.hidden.conf",
            "conf.modules.d/README",
            "conf.d/a/x.conf",
            "conf.d/a-b/y.conf",
            "conf.d/z.conf",
        ]);
        assert_eq!(
            names(t.include("conf.modules.d/*.conf", "/etc/httpd")),
            ["conf.modules.d/00-base.conf", "conf.modules.d/01-cgi.conf", "conf.modules.d/10-h2.conf"]
        );
        // Absolute, and through the conf's own ServerRoot.
        assert_eq!(names(t.include("/etc/httpd/conf.d/z.conf", "/elsewhere")), ["conf.d/z.conf"]);
        // A folder is included whole, each folder's entries in strcmp order.
        assert_eq!(names(t.include("conf.d", "/etc/httpd")), ["conf.d/a/x.conf", "conf.d/a-b/y.conf", "conf.d/z.conf"]);
        // Wildcards in a folder's name.
        assert_eq!(names(t.include("conf.d/a*/*.conf", "/etc/httpd")), ["conf.d/a/x.conf", "conf.d/a-b/y.conf"]);
        assert_eq!(t.include("conf.d/*.load", "/etc/httpd"), Included::Nothing);
        assert_eq!(t.include("missing.conf", "/etc/httpd"), Included::Nothing);
        assert_eq!(t.include("/usr/local/x.conf", "/etc/httpd"), Included::Unknowable);
        assert_eq!(t.include("../x.conf", "/etc/httpd"), Included::Unknowable);
        assert_eq!(t.include("conf.d/[a-z].conf", "/etc/httpd"), Included::Unknowable);
    }
}
