//! The contributor's files as a tree: walked with lstat only (nothing is
//! followed, no special file is opened), every name and size judged from
//! metadata before any byte is read, and the few files that need reading
//! (`.htaccess`, small files that might be Git LFS pointers) collected.
//!
//! Symbolic links are refused everywhere, even in-tree relative ones: a copy
//! would silently duplicate content, and a link is the usual way to smuggle
//! a build-host file (`/proc/self/environ`, a credentials file) into a
//! public image. Hard links are copied as independent files; no tar link
//! entry is ever written.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::{Finding, RuleId};
use crate::site::Entry;

/// Limits with defaults suited to a community site.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_file_bytes: u64,
    pub max_total_bytes: u64,
    pub max_files: u64,
    /// Longest path in the image, bytes.
    pub max_path_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_file_bytes: 100 << 20, max_total_bytes: 2 << 30, max_files: 100_000, max_path_bytes: 1024 }
    }
}

pub use crate::site::excluded;

const LFS_POINTER: &[u8] = b"version https://git-lfs.github.com/spec/v1";

/// Where an `.htaccess` is.
#[derive(Debug, Clone)]
pub struct HtaccessPlace {
    pub host: PathBuf,
    /// Its folder relative to the site root ("" for the root).
    pub folder: String,
}

/// What the walk learned besides its findings.
#[derive(Debug, Default)]
pub struct SiteFacts {
    /// Every `.htaccess` of the site, in walk order.
    pub htaccess: Vec<HtaccessPlace>,
    pub files: u64,
    pub bytes: u64,
    /// Bytes of files the layers store as media (already compressed).
    pub media_bytes: u64,
    /// What the layers publish, in tar order: the layer builder reuses this
    /// walk instead of listing the tree again (valid when no error was found).
    pub listing: crate::site::Listing,
}

/// Where the site lands under the document root with `--namespace`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layout {
    /// No namespace: `site/` is the document root.
    Root,
    /// `site/NAME/…`: already inside the namespace.
    Nested(String),
    /// `site/…` placed under `/NAME/`.
    Flat(String),
}

impl Layout {
    /// The image directory `site/` is copied to.
    pub fn dest(&self, docroot: &str) -> String {
        match self {
            Layout::Root | Layout::Nested(_) => docroot.to_owned(),
            Layout::Flat(ns) => format!("{}/{ns}", docroot.trim_end_matches('/')),
        }
    }
}

pub fn valid_namespace(ns: &str) -> bool {
    !ns.is_empty()
        && ns.len() <= 64
        && ns.bytes().next().is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && ns.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// Decides the layout: `site/NAME/` present means nested, else flat.
pub fn layout(site: &Path, namespace: Option<&str>) -> Layout {
    match namespace {
        None => Layout::Root,
        Some(ns) if fs::symlink_metadata(site.join(ns)).is_ok_and(|m| m.is_dir()) => Layout::Nested(ns.to_owned()),
        Some(ns) => Layout::Flat(ns.to_owned()),
    }
}

/// Walks `site` (shown as `shown`), whose contents land at `dest` in the image.
pub fn check_site(site: &Path, shown: &str, dest: &str, layout: &Layout, limits: &Limits) -> (Vec<Finding>, SiteFacts) {
    let mut w = Walker { out: Vec::new(), facts: SiteFacts::default(), limits };
    w.facts.listing = crate::site::walk(site, shown, dest, &mut w);
    if let Layout::Nested(ns) = layout {
        // Only /NAME/ is routed to this site behind the load balancer.
        if let Ok(read) = fs::read_dir(site) {
            let mut outside: Vec<String> = read
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n != ns && !excluded(n))
                .collect();
            outside.sort();
            for name in outside {
                w.out.push(Finding::error(
                    format!("{shown}/{name}"),
                    None,
                    RuleId::TreeOutsideNamespace,
                    format!("is outside the site's namespace /{ns}/ and would not be reachable"),
                    format!("move it into {shown}/{ns}/"),
                ));
            }
        }
    }
    if w.facts.files > limits.max_files {
        w.out.push(Finding::error(
            shown,
            None,
            RuleId::TreeLimitFiles,
            format!("holds {} files, more than the limit of {}", w.facts.files, limits.max_files),
            "remove files, or ask the operator to raise --max-files",
        ));
    }
    if w.facts.bytes > limits.max_total_bytes {
        w.out.push(Finding::error(
            shown,
            None,
            RuleId::TreeLimitTotal,
            format!("holds {} bytes, more than the limit of {}", w.facts.bytes, limits.max_total_bytes),
            "remove large files, or ask the operator to raise --max-total-bytes",
        ));
    }
    (w.out, w.facts)
}

struct Walker<'a> {
    out: Vec<Finding>,
    facts: SiteFacts,
    limits: &'a Limits,
}

/// The checks of each entry the site's walk meets.
impl crate::site::Visitor for Walker<'_> {
    fn unreadable(&mut self, shown: &str, error: &std::io::Error) {
        self.out.push(Finding::error(
            shown,
            None,
            RuleId::TreeUnreadable,
            format!("cannot be read: {error}"),
            "check its permissions",
        ));
    }

    fn non_utf8(&mut self, shown: &str) {
        self.out.push(Finding::error(shown, None, RuleId::TreeName, "file name is not valid UTF-8", "rename it"));
    }

    fn excluded(&mut self, entry: &Entry<'_>, parent_shown: &str, meta: Option<&fs::Metadata>) {
        if entry.name == ".git" && meta.is_some_and(|m| m.is_file()) {
            // A .git *file* marks a submodule checkout.
            self.out.push(Finding::error(
                parent_shown,
                None,
                RuleId::TreeSubmodule,
                "is a git submodule; its content is another repository's and is not published",
                "copy the files into the site instead of using a submodule",
            ));
        } else {
            self.out.push(Finding::warning(
                entry.shown,
                None,
                RuleId::TreeExcluded,
                "is not published (version control or editor/OS litter)",
                "remove it from the site",
            ));
        }
    }

    fn admit(&mut self, entry: &Entry<'_>) -> bool {
        if let Some(problem) = bad_name(entry.name) {
            self.out.push(Finding::error(
                entry.shown,
                None,
                RuleId::TreeName,
                problem,
                "rename it with letters, digits, '.', '-', '_'",
            ));
            return false;
        }
        if entry.name != ".htaccess" && entry.name.eq_ignore_ascii_case(".htaccess") {
            self.out.push(Finding::warning(
                entry.shown,
                None,
                RuleId::TreeHtaccessCase,
                "httpd reads only `.htaccess` (lower case); this file is ignored",
                "rename it to .htaccess",
            ));
        }
        if entry.image_path.len() > self.limits.max_path_bytes {
            self.out.push(Finding::error(
                entry.shown,
                None,
                RuleId::TreeLimitPath,
                format!(
                    "its path in the image is {} bytes, more than the limit of {}",
                    entry.image_path.len(),
                    self.limits.max_path_bytes
                ),
                "use shorter folder or file names",
            ));
            return false;
        }
        true
    }

    fn case_collision(&mut self, entry: &Entry<'_>, other: &str) {
        self.out.push(Finding::warning(
            entry.shown,
            None,
            RuleId::TreeCaseCollision,
            format!("differs from {other:?} only in letter case; links may reach the wrong one"),
            "rename one of them",
        ));
    }

    fn symlink(&mut self, entry: &Entry<'_>) {
        let target = fs::read_link(entry.host).map(|t| t.display().to_string()).unwrap_or_default();
        self.out.push(Finding::error(
            entry.shown,
            None,
            RuleId::TreeSymlink,
            format!("is a symbolic link (to {target}); links are never published"),
            "replace it with a copy of the file it points to",
        ));
    }

    fn special(&mut self, entry: &Entry<'_>, kind: &'static str) {
        self.out.push(Finding::error(
            entry.shown,
            None,
            RuleId::TreeSpecial,
            format!("is {kind}; only regular files and folders are published"),
            "remove it",
        ));
    }

    fn file(&mut self, entry: &Entry<'_>, meta: &fs::Metadata) {
        Walker::file(self, entry.host, entry.shown, entry.dir_rel, entry.name, meta);
    }
}

impl Walker<'_> {
    fn file(&mut self, path: &Path, shown: &str, dir_rel: &str, name: &str, meta: &fs::Metadata) {
        let size = meta.len();
        self.facts.files += 1;
        self.facts.bytes += size;
        if size > self.limits.max_file_bytes {
            // Judged from metadata: a huge (or sparse) file is never read.
            self.out.push(Finding::error(
                shown,
                None,
                RuleId::TreeLimitFile,
                format!("is {size} bytes, more than the limit of {} per file", self.limits.max_file_bytes),
                "host large media elsewhere, or ask the operator to raise --max-file-bytes",
            ));
            return;
        }
        if meta.mode() & 0o7000 != 0 {
            self.out.push(Finding::warning(
                shown,
                None,
                RuleId::TreeMode,
                "has setuid, setgid or sticky bits; they are dropped (files are published 0644)",
                "",
            ));
        }
        if name == ".htaccess" {
            self.facts.htaccess.push(HtaccessPlace { host: path.to_owned(), folder: dir_rel.to_owned() });
        }
        if crate::site::precompressed(name) {
            self.facts.media_bytes += size;
        }
        if size < 1024 && size as usize >= LFS_POINTER.len() {
            if let Ok(bytes) = fs::read(path) {
                if bytes.starts_with(LFS_POINTER) {
                    self.out.push(Finding::error(
                        shown,
                        None,
                        RuleId::TreeLfsPointer,
                        "is a Git LFS pointer, not the file's content",
                        "fetch LFS content before building (git lfs pull), or commit the file itself",
                    ));
                }
            }
        }
    }
}

/// Why a name cannot be published, if it cannot.
fn bad_name(name: &str) -> Option<String> {
    if name.starts_with("..") {
        return Some("name starts with '..'".into());
    }
    if name.chars().any(|c| c.is_control()) {
        return Some("name contains control characters".into());
    }
    if name.contains('\\') {
        return Some("name contains a backslash".into());
    }
    if name.starts_with(".wh.") {
        return Some("name starts with '.wh.', which marks a deletion in image layers".into());
    }
    None
}

/// The htpasswd file's own checks: it must be a plain file reachable
/// without links, and readable by the httpd user.
pub fn check_htpasswd_file(path: &Path, shown: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut ancestor = PathBuf::new();
    for component in path.components() {
        ancestor.push(component);
        if fs::symlink_metadata(&ancestor).is_ok_and(|m| m.file_type().is_symlink()) {
            out.push(Finding::error(
                shown,
                None,
                RuleId::TreeSymlink,
                format!("{} is a symbolic link; the htpasswd file must be reached without links", ancestor.display()),
                "replace the link with the real file",
            ));
            return out;
        }
    }
    if let Ok(meta) = fs::metadata(path) {
        if meta.permissions().mode() & 0o004 == 0 {
            out.push(Finding::warning(
                shown,
                None,
                RuleId::HtpasswdMode,
                format!(
                    "has mode {:04o}: the httpd user could not read it like this (sitepack publishes it 0644)",
                    meta.permissions().mode() & 0o7777
                ),
                "chmod 0644 it so the repository matches what is served",
            ));
        }
    }
    out
}

/// Submodules declared under the site, from the repository's `.gitmodules`.
pub fn check_gitmodules(repo_root: &Path, site_rel: &str) -> Vec<Finding> {
    let path = repo_root.join(".gitmodules");
    // Never through a link: its target could be any file of the build host
    // (git itself refuses a linked .gitmodules).
    if !fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
        return Vec::new();
    }
    let Ok(text) = fs::read_to_string(&path) else { return Vec::new() };
    let prefix = format!("{}/", site_rel.trim_end_matches('/'));
    text.lines()
        .enumerate()
        .filter_map(|(i, l)| {
            let (k, v) = l.split_once('=')?;
            (k.trim() == "path" && (v.trim().starts_with(&prefix) || v.trim() == site_rel)).then(|| {
                Finding::error(
                    ".gitmodules",
                    Some(i + 1),
                    RuleId::TreeSubmodule,
                    format!(
                        "{} is a git submodule; its content is another repository's and is not published",
                        v.trim()
                    ),
                    "copy the files into the site instead of using a submodule",
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_exclusions() {
        assert!(
            excluded(".git")
                && excluded(".DS_Store")
                && excluded("index.html~")
                && excluded(".index.html.swp")
                && excluded("#x#")
        );
        assert!(!excluded(".htaccess") && !excluded("#") && !excluded("a.swp"));
        assert!(
            bad_name("..hidden").is_some()
                && bad_name("a\\b").is_some()
                && bad_name(".wh.x").is_some()
                && bad_name("a\u{7}").is_some()
        );
        assert!(bad_name("café.html").is_none() && bad_name("a..b").is_none());
        assert!(
            valid_namespace("coffeefans")
                && !valid_namespace("Coffee")
                && !valid_namespace("a/b")
                && !valid_namespace("")
        );
    }

    #[test]
    fn the_checks_walk_lists_exactly_what_the_layers_would() {
        let d = tempfile::tempdir().unwrap();
        let site = d.path().join("site");
        for dir in ["b/deep", "a", ".git"] {
            fs::create_dir_all(site.join(dir)).unwrap();
        }
        for file in ["b/deep/x.html", "a/logo.png", "index.html", "Z.css", "notes.txt~", ".git/HEAD", "b/.htaccess"] {
            fs::write(site.join(file), "x").unwrap();
        }
        let (findings, facts) = check_site(&site, "site", "/var/www/html", &Layout::Root, &Limits::default());
        assert!(findings.iter().all(|f| f.severity == crate::check::Severity::Warning), "{findings:?}");
        assert_eq!(facts.listing, crate::site::list(&site, "/var/www/html").unwrap());
    }
}
