//! The contributor's tree as it is published: the one walk of `site/` (with
//! `lstat` only, names in byte order, each folder before what it holds,
//! litter left out), the `Listing` it yields, which the layers are cut from,
//! and the name rules both the checks and the layers apply (what is litter,
//! what is already-compressed media). The checks see every entry through a
//! `Visitor` and judge it; nothing here judges.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};

/// Names that are never published: version control and editor/OS litter.
pub fn excluded(name: &str) -> bool {
    name == ".git"
        || name == ".DS_Store"
        || name == "Thumbs.db"
        || name.ends_with('~')
        || (name.starts_with('.') && (name.ends_with(".swp") || name.ends_with(".swo")))
        || (name.starts_with('#') && name.ends_with('#') && name.len() > 1)
}

/// Files whose content is already compressed: deflating them again costs
/// CPU and saves nothing, so they go in stored blocks.
pub fn precompressed(name: &str) -> bool {
    const EXT: &[&str] = &[
        "jpg", "jpeg", "png", "gif", "webp", "avif", "heic", "ico", "mp4", "m4v", "mov", "webm", "mkv", "avi", "mp3",
        "m4a", "aac", "ogg", "oga", "opus", "flac", "woff", "woff2", "gz", "tgz", "bz2", "xz", "zst", "br", "zip",
        "7z", "rar", "jar", "docx", "xlsx", "pptx", "odt", "ods", "epub",
    ];
    name.rsplit_once('.').is_some_and(|(_, ext)| EXT.iter().any(|e| e.eq_ignore_ascii_case(ext)))
}

/// A tree walked once, in tar order: names byte-sorted, each folder before
/// what it holds; what the layers publish.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Listing {
    entries: Vec<Listed>,
}

/// One published entry.
#[derive(Debug, PartialEq, Eq)]
pub struct Listed {
    pub host: PathBuf,
    /// Full path in the image.
    pub dest: String,
    pub dir: bool,
}

impl Listing {
    pub fn entries(&self) -> &[Listed] {
        &self.entries
    }
}

/// What a special file is, for messages.
pub fn special_kind(ft: fs::FileType) -> &'static str {
    if ft.is_fifo() {
        "a named pipe (FIFO)"
    } else if ft.is_socket() {
        "a socket"
    } else if ft.is_block_device() || ft.is_char_device() {
        "a device"
    } else {
        "a special file"
    }
}

/// One entry of the walk, as a visitor sees it.
pub struct Entry<'a> {
    pub host: &'a Path,
    pub name: &'a str,
    /// As the contributor knows it (`site/coffeefans/index.html`).
    pub shown: &'a str,
    /// The folder holding it, relative to the tree ("" at its top).
    pub dir_rel: &'a str,
    /// Its full path in the image.
    pub image_path: &'a str,
}

/// What the walk reports; each method's default ignores it.
pub trait Visitor {
    /// A folder that cannot be listed, or an entry that cannot be read.
    fn unreadable(&mut self, _shown: &str, _error: &io::Error) {}
    /// A name that is not UTF-8 (never published).
    fn non_utf8(&mut self, _shown: &str) {}
    /// Litter (`excluded`), never published; `meta` when it could be read.
    fn excluded(&mut self, _entry: &Entry<'_>, _parent_shown: &str, _meta: Option<&fs::Metadata>) {}
    /// Whether to publish this entry at all (name rules, limits).
    fn admit(&mut self, _entry: &Entry<'_>) -> bool {
        true
    }
    /// A name equal to an earlier sibling's but for letter case.
    fn case_collision(&mut self, _entry: &Entry<'_>, _other: &str) {}
    /// A symbolic link (never followed, never published).
    fn symlink(&mut self, _entry: &Entry<'_>) {}
    /// A FIFO, socket or device (never opened, never published).
    fn special(&mut self, _entry: &Entry<'_>, _kind: &'static str) {}
    /// A regular file, now in the listing.
    fn file(&mut self, _entry: &Entry<'_>, _meta: &fs::Metadata) {}
}

/// Walks `root` (shown as `shown`), whose contents land at `dest` in the
/// image, telling `visitor` what it meets; returns what is published.
pub fn walk(root: &Path, shown: &str, dest: &str, visitor: &mut impl Visitor) -> Listing {
    let mut listing = Listing::default();
    dir(root, shown, "", dest.trim_end_matches('/'), visitor, &mut listing);
    listing
}

fn dir(host: &Path, shown: &str, rel: &str, dest: &str, visitor: &mut impl Visitor, listing: &mut Listing) {
    let read = match fs::read_dir(host) {
        Ok(r) => r,
        Err(e) => return visitor.unreadable(shown, &e),
    };
    let mut names = Vec::new();
    for entry in read {
        match entry {
            Ok(e) => names.push(e.file_name()),
            Err(e) => visitor.unreadable(shown, &e),
        }
    }
    // Byte order of names: independent of locale and of read_dir order.
    names.sort_by(|a, b| a.as_encoded_bytes().cmp(b.as_encoded_bytes()));
    let mut folded: HashMap<String, String> = HashMap::new();
    for os_name in names {
        let path = host.join(&os_name);
        let Some(name) = os_name.to_str() else {
            visitor.non_utf8(&format!("{shown}/{}", os_name.to_string_lossy()));
            continue;
        };
        let shown_child = format!("{shown}/{name}");
        let rel_child = if rel.is_empty() { name.to_owned() } else { format!("{rel}/{name}") };
        let image_path = format!("{dest}/{rel_child}");
        let entry = Entry { host: &path, name, shown: &shown_child, dir_rel: rel, image_path: &image_path };
        if excluded(name) {
            visitor.excluded(&entry, shown, fs::symlink_metadata(&path).ok().as_ref());
            continue;
        }
        if !visitor.admit(&entry) {
            continue;
        }
        if let Some(other) = folded.insert(name.to_lowercase(), name.to_owned()) {
            visitor.case_collision(&entry, &other);
        }
        // lstat: never follow a link the contributor placed in the tree.
        let meta = match fs::symlink_metadata(&path) {
            Ok(m) => m,
            Err(e) => {
                visitor.unreadable(&shown_child, &e);
                continue;
            }
        };
        let ft = meta.file_type();
        if ft.is_symlink() {
            visitor.symlink(&entry);
        } else if ft.is_dir() {
            listing.entries.push(Listed { host: path.clone(), dest: image_path.clone(), dir: true });
            dir(&path, &shown_child, &rel_child, dest, visitor, listing);
        } else if ft.is_file() {
            listing.entries.push(Listed { host: path.clone(), dest: image_path.clone(), dir: false });
            visitor.file(&entry, &meta);
        } else {
            visitor.special(&entry, special_kind(ft));
        }
    }
}

/// A tree that must hold only folders and regular files: the listing, or
/// the first thing that is not (for tools and tests that bypass the checks).
pub fn list(root: &Path, dest: &str) -> Result<Listing, SiteError> {
    #[derive(Default)]
    struct Strict(Option<SiteError>);
    impl Visitor for Strict {
        fn unreadable(&mut self, shown: &str, error: &io::Error) {
            self.0.get_or_insert(SiteError::Unreadable { path: shown.into(), detail: error.to_string() });
        }
        fn non_utf8(&mut self, shown: &str) {
            self.0.get_or_insert(SiteError::NonUtf8Name { path: shown.into() });
        }
        fn symlink(&mut self, entry: &Entry<'_>) {
            self.0.get_or_insert(SiteError::Symlink { path: entry.host.to_owned() });
        }
        fn special(&mut self, entry: &Entry<'_>, kind: &'static str) {
            self.0.get_or_insert(SiteError::Special { path: entry.host.to_owned(), kind });
        }
    }
    let mut strict = Strict::default();
    let listing = walk(root, &root.display().to_string(), dest, &mut strict);
    match strict.0 {
        Some(e) => Err(e),
        None => Ok(listing),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error("{path}: cannot be read: {detail}")]
    Unreadable { path: PathBuf, detail: String },
    #[error("{path}: the name is not UTF-8")]
    NonUtf8Name { path: PathBuf },
    #[error("{}: symbolic links are never published (sitepack does not follow them); replace it with the file it points to", path.display())]
    Symlink { path: PathBuf },
    #[error("{}: is {kind}; only regular files and folders are published", path.display())]
    Special { path: PathBuf, kind: &'static str },
}

impl SiteError {
    /// Why a path of this type is never published; `None` for a regular
    /// file or a folder.
    pub fn not_published(path: &Path, ft: fs::FileType) -> Option<SiteError> {
        if ft.is_symlink() {
            Some(SiteError::Symlink { path: path.to_owned() })
        } else if ft.is_file() || ft.is_dir() {
            None
        } else {
            Some(SiteError::Special { path: path.to_owned(), kind: special_kind(ft) })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_walk_lists_in_tar_order_without_litter() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("b/c")).unwrap();
        for f in ["a.html", "b/c/x.css", "b/B.txt", ".DS_Store", "b/notes~"] {
            std::fs::write(d.path().join(f), "x").unwrap();
        }
        let listing = list(d.path(), "/var/www/html/").unwrap();
        let dests: Vec<(&str, bool)> = listing.entries().iter().map(|e| (e.dest.as_str(), e.dir)).collect();
        assert_eq!(
            dests,
            [
                ("/var/www/html/a.html", false),
                ("/var/www/html/b", true),
                ("/var/www/html/b/B.txt", false),
                ("/var/www/html/b/c", true),
                ("/var/www/html/b/c/x.css", false),
            ]
        );
        std::os::unix::fs::symlink("/etc/passwd", d.path().join("b/link")).unwrap();
        assert!(matches!(list(d.path(), "/x"), Err(SiteError::Symlink { .. })));
    }

    #[test]
    fn media_and_litter_are_named_by_their_names() {
        assert!(precompressed("a.JPG") && precompressed("x.woff2") && !precompressed("index.html"));
        assert!(excluded(".git") && excluded("a~") && excluded(".x.swp") && !excluded(".htaccess"));
    }
}
