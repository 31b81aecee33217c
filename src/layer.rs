//! Deterministic layers: a set of host files and trees becomes one
//! `tar → gzip` blob on disk, with its blob digest and diff_id computed in the
//! same streaming pass (memory stays bounded whatever the site size).
//!
//! Every entry is owned by root (uid/gid 0, names `root`), files are 0644 and
//! directories 0755 so the httpd user can read them, and every mtime is the
//! build epoch (see `plan::Epoch`): never a constant, because Apache derives
//! ETag and Last-Modified from mtime and size. Entries are sorted by name,
//! parents before children, and the parent directories of every destination
//! are included, as `COPY` would create them.

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::io::{self, BufWriter, Read};
use std::path::{Path, PathBuf};

use flate2::Compression;
use tar::{EntryType, Header};

use crate::digest::{Digest, Sha256Writer};
use crate::gzip::GzipWriter;
use crate::site::{precompressed, Listing};

/// One host path and where it lands in the image.
#[derive(Debug, Clone)]
pub struct Source {
    pub host: PathBuf,
    /// Absolute path in the image (`/var/www/html`).
    pub dest: String,
    pub kind: SourceKind,
    /// For trees: which files this layer takes (folders go in every layer).
    pub select: Select,
    /// For trees: the tree listed once and shared by the layers cut from
    /// it; listed by this layer when absent.
    pub listing: Option<std::sync::Arc<Listing>>,
}

/// How a tree is split between layers, so an edit re-sends little: media
/// apart from pages, and each of those spread over buckets by a stable hash
/// of the file's path in the image (an edit changes one bucket; a file stays
/// in its bucket whatever its content; many small files spread evenly).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Select {
    All,
    /// Files of kind `kind`, bucket `index` of `of`.
    Bucket {
        kind: Kind,
        index: u32,
        of: u32,
    },
}

/// Which files a bucket takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Already-compressed files (by extension).
    Media,
    /// The rest: pages, css, js.
    Pages,
    /// Both (a site with too little media for layers of its own).
    Any,
}

impl Select {
    fn takes(self, dest: &str) -> bool {
        match self {
            Select::All => true,
            Select::Bucket { kind, index, of } => {
                let kind_matches = match kind {
                    Kind::Media => precompressed(dest),
                    Kind::Pages => !precompressed(dest),
                    Kind::Any => true,
                };
                kind_matches && bucket(dest, of) == index
            }
        }
    }
}

/// FNV-1a of a file's image path, spread over `of` buckets: fixed across
/// runs, platforms and versions (not std's randomised hasher).
pub fn bucket(dest: &str, of: u32) -> u32 {
    let h = dest.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    (h % u64::from(of.max(1))) as u32
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// A single regular file copied to `dest`.
    File,
    /// A directory whose contents are copied below `dest` (`COPY dir/ dest/`).
    Tree,
}

/// What one layer holds; a build is an ordered list of these, so the site
/// can later be split into several layers without changing this module.
#[derive(Debug, Clone)]
pub struct LayerSpec {
    pub sources: Vec<Source>,
    /// The history line (`COPY … # sitepack`).
    pub created_by: String,
}

/// A finished layer blob on disk.
#[derive(Debug, Clone)]
pub struct Layer {
    pub digest: Digest,
    pub diff_id: Digest,
    /// Compressed size in bytes.
    pub size: u64,
    pub files: u64,
    /// The blob on disk; None when the registry already has it (reused from
    /// the previous image of the tag, found by diff_id).
    pub path: Option<PathBuf>,
    pub created_by: String,
}

/// Blobs of the tag's previous image, by diff_id: (blob digest, size).
pub type Reuse = std::collections::HashMap<Digest, (Digest, u64)>;

#[derive(Debug, thiserror::Error)]
pub enum LayerError {
    #[error("cannot {op} {}: {source}", path.display())]
    Io {
        op: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(transparent)]
    Site(#[from] crate::site::SiteError),
    #[error("{}: file changed size while being read ({expected} bytes expected); rerun the build when the tree is quiet", path.display())]
    Changed { path: PathBuf, expected: u64 },
    #[error("{}: expected a {expected}", path.display())]
    WrongKind { path: PathBuf, expected: &'static str },
}

const FILE_MODE: u32 = 0o644;
const DIR_MODE: u32 = 0o755;

fn io_err(op: &'static str, path: &Path) -> impl FnOnce(io::Error) -> LayerError {
    let path = path.to_owned();
    move |source| LayerError::Io { op, path, source }
}

/// Writes the layer described by `spec` to `out` (created or truncated).
/// With a non-empty `reuse`, the tar is first only hashed (no compression,
/// no file): a diff_id the previous image already has reuses its blob.
pub fn build(spec: &LayerSpec, mtime: u64, out: &Path, reuse: &Reuse) -> Result<Layer, LayerError> {
    if !reuse.is_empty() {
        let mut tar = tar::Builder::new(Sha256Writer::new(io::sink()));
        let files = write_tar(spec, mtime, &mut tar, out)?;
        let (_, diff_id, _) = tar.into_inner().map_err(io_err("hash layer", out))?.finish();
        if let Some((digest, size)) = reuse.get(&diff_id) {
            return Ok(Layer {
                digest: digest.clone(),
                diff_id,
                size: *size,
                files,
                path: None,
                created_by: spec.created_by.clone(),
            });
        }
    }
    let file = File::create(out).map_err(io_err("create", out))?;
    let blob = Sha256Writer::new(BufWriter::with_capacity(1 << 20, file));
    let gz = GzipWriter::new(blob, Compression::fast()).map_err(io_err("write layer", out))?;
    let mut tar = tar::Builder::new(Sha256Writer::new(gz));
    let files = write_tar(spec, mtime, &mut tar, out)?;
    let hashed_tar = tar.into_inner().map_err(io_err("write layer", out))?;
    let (gz, diff_id, _) = hashed_tar.finish();
    let blob = gz.finish().map_err(io_err("write layer", out))?;
    let (buffered, digest, size) = blob.finish();
    buffered.into_inner().map_err(|e| LayerError::Io {
        op: "write layer",
        path: out.to_owned(),
        source: e.into_error(),
    })?;
    Ok(Layer { digest, diff_id, size, files, path: Some(out.to_owned()), created_by: spec.created_by.clone() })
}

/// The tar stream of `spec` into `tar`; returns the number of files.
fn write_tar<W: LevelSink>(
    spec: &LayerSpec,
    mtime: u64,
    tar: &mut tar::Builder<W>,
    out: &Path,
) -> Result<u64, LayerError> {
    let mut writer = TarWriter { tar, mtime, dirs: BTreeSet::new(), files: 0 };
    for source in &spec.sources {
        writer.parents(&source.dest).map_err(io_err("write layer", out))?;
        match source.kind {
            SourceKind::File => {
                let meta = fs::symlink_metadata(&source.host).map_err(io_err("read", &source.host))?;
                if !meta.is_file() {
                    return Err(not_published(&source.host, &meta, "regular file"));
                }
                writer.file(&source.host, &source.dest)?;
            }
            SourceKind::Tree => {
                let meta = fs::symlink_metadata(&source.host).map_err(io_err("read", &source.host))?;
                if !meta.is_dir() {
                    return Err(not_published(&source.host, &meta, "directory"));
                }
                writer.dir(&source.dest).map_err(io_err("write layer", out))?;
                let own;
                let listing = match &source.listing {
                    Some(l) => l.as_ref(),
                    None => {
                        own = crate::site::list(&source.host, &source.dest)?;
                        &own
                    }
                };
                writer.listed(listing, source.select)?;
            }
        }
    }
    Ok(writer.files)
}

/// Where a tar goes: compressed to a file, or only hashed.
trait LevelSink: io::Write {
    fn set_level(&mut self, level: Compression) -> io::Result<()>;
}

impl LevelSink for HashedTar {
    fn set_level(&mut self, level: Compression) -> io::Result<()> {
        self.inner_mut().set_level(level)
    }
}

impl LevelSink for Sha256Writer<io::Sink> {
    fn set_level(&mut self, _: Compression) -> io::Result<()> {
        Ok(())
    }
}

type HashedTar = Sha256Writer<GzipWriter<Sha256Writer<BufWriter<File>>>>;

struct TarWriter<'a, W: LevelSink> {
    tar: &'a mut tar::Builder<W>,
    mtime: u64,
    dirs: BTreeSet<String>,
    files: u64,
}

impl<W: LevelSink> TarWriter<'_, W> {
    fn header(&self, kind: EntryType, mode: u32, size: u64) -> Header {
        // ustar, with PAX records for what does not fit (POSIX; what
        // BuildKit writes), rather than GNU extensions.
        let mut h = Header::new_ustar();
        h.set_entry_type(kind);
        h.set_mode(mode);
        h.set_uid(0);
        h.set_gid(0);
        // Only fails for names longer than the field; "root" fits.
        let _ = h.set_username("root");
        let _ = h.set_groupname("root");
        h.set_mtime(self.mtime);
        h.set_size(size);
        h
    }

    /// Directory entries for every ancestor of `dest` (not `dest` itself).
    fn parents(&mut self, dest: &str) -> io::Result<()> {
        let trimmed = dest.trim_matches('/');
        let mut acc = String::new();
        let parts: Vec<&str> = trimmed.split('/').collect();
        for part in &parts[..parts.len().saturating_sub(1)] {
            if !acc.is_empty() {
                acc.push('/');
            }
            acc.push_str(part);
            self.dir(&acc)?;
        }
        Ok(())
    }

    fn dir(&mut self, dest: &str) -> io::Result<()> {
        let path = dest.trim_matches('/').to_owned();
        if path.is_empty() || !self.dirs.insert(path.clone()) {
            return Ok(());
        }
        let h = self.header(EntryType::Directory, DIR_MODE, 0);
        self.append(h, &format!("{path}/"), io::empty())
    }

    /// Appends an entry; a path too long for ustar goes in a PAX `path` record.
    fn append(&mut self, mut h: Header, path: &str, data: impl Read) -> io::Result<()> {
        if h.set_path(path).is_err() {
            let record = pax_record("path", path);
            let mut x = self.header(EntryType::XHeader, FILE_MODE, record.len() as u64);
            x.set_path("PaxHeaders/path")?;
            x.set_cksum();
            self.tar.append(&x, record.as_slice())?;
            // Readers take the PAX path; the ustar name is a truncated stand-in.
            let name = &mut h.as_old_mut().name;
            let cut = path.len().min(name.len() - 1);
            name.fill(0);
            name[..cut].copy_from_slice(&path.as_bytes()[..cut]);
        }
        h.set_cksum();
        self.tar.append(&h, data)
    }

    fn file(&mut self, host: &Path, dest: &str) -> Result<(), LayerError> {
        let file = File::open(host).map_err(|source| LayerError::Io { op: "open", path: host.to_owned(), source })?;
        // Size from the open handle, so a file swapped after the walk's lstat
        // is still read consistently.
        let meta = file.metadata().map_err(|source| LayerError::Io { op: "stat", path: host.to_owned(), source })?;
        if !meta.is_file() {
            return Err(LayerError::WrongKind { path: host.to_owned(), expected: "regular file" });
        }
        let size = meta.len();
        let level = if precompressed(dest) { Compression::none() } else { Compression::fast() };
        let io = |op| move |source| LayerError::Io { op, path: host.to_owned(), source };
        self.tar.get_mut().set_level(level).map_err(io("write layer for"))?;
        let h = self.header(EntryType::Regular, FILE_MODE, size);
        let mut reader = CountingReader { inner: file.take(size), count: 0 };
        self.append(h, dest.trim_start_matches('/'), &mut reader).map_err(io("read"))?;
        if reader.count != size {
            return Err(LayerError::Changed { path: host.to_owned(), expected: size });
        }
        self.files += 1;
        Ok(())
    }

    fn listed(&mut self, listing: &Listing, select: Select) -> Result<(), LayerError> {
        for entry in listing.entries() {
            if entry.dir {
                self.dir(&entry.dest).map_err(|source| LayerError::Io {
                    op: "write layer for",
                    path: entry.host.clone(),
                    source,
                })?;
            } else if select.takes(&entry.dest) {
                self.file(&entry.host, &entry.dest)?;
            }
        }
        Ok(())
    }
}

/// One PAX extended-header record: `"<len> <key>=<value>\n"`, where `<len>`
/// counts the whole record including its own digits.
fn pax_record(key: &str, value: &str) -> Vec<u8> {
    let body = format!(" {key}={value}\n");
    let mut len = body.len() + 1;
    while len.to_string().len() + body.len() != len {
        len += 1;
    }
    format!("{len}{body}").into_bytes()
}

/// Why `path`, which is not the `expected` kind, cannot be a source.
fn not_published(path: &Path, meta: &fs::Metadata, expected: &'static str) -> LayerError {
    match crate::site::SiteError::not_published(path, meta.file_type()) {
        Some(refused) => refused.into(),
        None => LayerError::WrongKind { path: path.to_owned(), expected },
    }
}

struct CountingReader<R> {
    inner: R,
    count: u64,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime};

    fn write_site(root: &Path) {
        fs::create_dir_all(root.join("site/b/deep")).unwrap();
        fs::create_dir_all(root.join("site/a")).unwrap();
        fs::write(root.join("site/index.html"), "<h1>hi</h1>").unwrap();
        fs::write(root.join("site/a/x.css"), "body{}").unwrap();
        fs::write(root.join("site/b/deep/y.txt"), "y").unwrap();
        fs::write(root.join("site/b/.htaccess"), "Require all granted\n").unwrap();
    }

    fn site_spec(root: &Path) -> LayerSpec {
        LayerSpec {
            sources: vec![Source {
                listing: None,
                host: root.join("site"),
                dest: "/var/www/html".into(),
                kind: SourceKind::Tree,
                select: Select::All,
            }],
            created_by: "COPY site/ /var/www/html/".into(),
        }
    }

    fn touch_all(dir: &Path, when: SystemTime) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                touch_all(&path, when);
            }
            let file = File::options().write(true).open(&path).or_else(|_| File::open(&path)).unwrap();
            file.set_modified(when).unwrap();
            // The test means nothing unless the times really changed.
            assert_eq!(fs::metadata(&path).unwrap().modified().unwrap(), when, "{}", path.display());
        }
    }

    #[test]
    fn same_tree_gives_same_digests_in_different_dirs_with_different_mtimes() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        write_site(a.path());
        write_site(b.path());
        touch_all(&b.path().join("site"), SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000));
        let la = build(&site_spec(a.path()), 1_700_000_000, &a.path().join("l.tgz"), &Reuse::new()).unwrap();
        let lb = build(&site_spec(b.path()), 1_700_000_000, &b.path().join("l.tgz"), &Reuse::new()).unwrap();
        assert_eq!(la.digest, lb.digest);
        assert_eq!(la.diff_id, lb.diff_id);
        assert_eq!(la.files, 4);
        assert_eq!(fs::read(la.path.as_ref().unwrap()).unwrap(), fs::read(lb.path.as_ref().unwrap()).unwrap());
    }

    #[test]
    fn a_different_epoch_changes_the_digest() {
        let a = tempfile::tempdir().unwrap();
        write_site(a.path());
        let l1 = build(&site_spec(a.path()), 1_700_000_000, &a.path().join("1.tgz"), &Reuse::new()).unwrap();
        let l2 = build(&site_spec(a.path()), 1_700_000_001, &a.path().join("2.tgz"), &Reuse::new()).unwrap();
        assert_ne!(l1.diff_id, l2.diff_id);
    }

    #[test]
    fn digests_match_the_bytes_on_disk() {
        let a = tempfile::tempdir().unwrap();
        write_site(a.path());
        let l = build(&site_spec(a.path()), 1, &a.path().join("l.tgz"), &Reuse::new()).unwrap();
        let blob = fs::read(l.path.as_ref().unwrap()).unwrap();
        assert_eq!(Digest::of_bytes(&blob), l.digest);
        assert_eq!(blob.len() as u64, l.size);
        let mut tar_bytes = Vec::new();
        flate2::read::GzDecoder::new(&blob[..]).read_to_end(&mut tar_bytes).unwrap();
        assert_eq!(Digest::of_bytes(&tar_bytes), l.diff_id);
        // gzip header: mtime 0 (bytes 4..8), OS 255 (byte 9).
        assert_eq!(&blob[4..8], &[0, 0, 0, 0]);
        assert_eq!(blob[9], 255);
    }

    #[test]
    fn entries_are_sorted_root_owned_normalised_and_parents_come_first() {
        let a = tempfile::tempdir().unwrap();
        write_site(a.path());
        #[allow(clippy::permissions_set_readonly_false)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(a.path().join("site/index.html"), fs::Permissions::from_mode(0o4700)).unwrap();
        }
        let l = build(&site_spec(a.path()), 42, &a.path().join("l.tgz"), &Reuse::new()).unwrap();
        let mut archive =
            tar::Archive::new(flate2::read::GzDecoder::new(File::open(l.path.as_ref().unwrap()).unwrap()));
        let mut seen = Vec::new();
        for entry in archive.entries().unwrap() {
            let entry = entry.unwrap();
            let h = entry.header();
            let path = entry.path().unwrap().to_string_lossy().into_owned();
            assert_eq!((h.uid().unwrap(), h.gid().unwrap()), (0, 0), "{path}");
            assert_eq!(h.username().unwrap(), Some("root"));
            assert_eq!(h.groupname().unwrap(), Some("root"));
            assert_eq!(h.mtime().unwrap(), 42, "{path}");
            let want = if h.entry_type().is_dir() { 0o755 } else { 0o644 };
            assert_eq!(h.mode().unwrap(), want, "{path}");
            seen.push(path);
        }
        assert_eq!(
            seen,
            [
                "var/",
                "var/www/",
                "var/www/html/",
                "var/www/html/a/",
                "var/www/html/a/x.css",
                "var/www/html/b/",
                "var/www/html/b/.htaccess",
                "var/www/html/b/deep/",
                "var/www/html/b/deep/y.txt",
                "var/www/html/index.html",
            ]
        );
    }

    #[test]
    fn symlinks_and_fifos_are_refused_not_followed() {
        let a = tempfile::tempdir().unwrap();
        write_site(a.path());
        std::os::unix::fs::symlink("/etc/passwd", a.path().join("site/passwd")).unwrap();
        let err = build(&site_spec(a.path()), 1, &a.path().join("l.tgz"), &Reuse::new()).unwrap_err();
        let refused =
            matches!(&err, LayerError::Site(crate::site::SiteError::Symlink { path }) if path.ends_with("site/passwd"));
        assert!(refused, "{err}");

        let b = tempfile::tempdir().unwrap();
        write_site(b.path());
        let fifo = b.path().join("site/pipe");
        let status = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(status.success());
        let err = build(&site_spec(b.path()), 1, &b.path().join("l.tgz"), &Reuse::new()).unwrap_err();
        let refused =
            matches!(&err, LayerError::Site(crate::site::SiteError::Special { kind: "a named pipe (FIFO)", .. }));
        assert!(refused, "{err}");
    }

    #[test]
    fn a_source_that_is_a_link_a_fifo_or_the_wrong_kind_is_refused_by_the_sites_rule() {
        let a = tempfile::tempdir().unwrap();
        write_site(a.path());
        let file = |host: PathBuf| LayerSpec {
            sources: vec![Source {
                listing: None,
                host,
                dest: "/opt/.htpasswd".into(),
                kind: SourceKind::File,
                select: Select::All,
            }],
            created_by: "COPY".into(),
        };
        let out = a.path().join("l.tgz");
        std::os::unix::fs::symlink("/etc/passwd", a.path().join("htpasswd")).unwrap();
        let err = build(&file(a.path().join("htpasswd")), 1, &out, &Reuse::new()).unwrap_err();
        assert!(matches!(&err, LayerError::Site(crate::site::SiteError::Symlink { .. })), "{err}");
        assert!(err.to_string().contains("replace it with the file it points to"), "{err}");
        let status = std::process::Command::new("mkfifo").arg(a.path().join("fifo")).status().unwrap();
        assert!(status.success());
        let err = build(&file(a.path().join("fifo")), 1, &out, &Reuse::new()).unwrap_err();
        assert!(matches!(&err, LayerError::Site(crate::site::SiteError::Special { .. })), "{err}");
        let err = build(&file(a.path().join("site")), 1, &out, &Reuse::new()).unwrap_err();
        assert!(matches!(&err, LayerError::WrongKind { expected: "regular file", .. }), "{err}");
    }

    #[test]
    fn long_paths_are_carried_by_pax_records() {
        let a = tempfile::tempdir().unwrap();
        let long_dir = "d".repeat(120);
        let long_file = format!("{}.html", "f".repeat(180));
        fs::create_dir_all(a.path().join("site").join(&long_dir)).unwrap();
        fs::write(a.path().join("site").join(&long_dir).join(&long_file), "x").unwrap();
        let l = build(&site_spec(a.path()), 7, &a.path().join("l.tgz"), &Reuse::new()).unwrap();
        let mut archive =
            tar::Archive::new(flate2::read::GzDecoder::new(File::open(l.path.as_ref().unwrap()).unwrap()));
        let names: Vec<String> =
            archive.entries().unwrap().map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned()).collect();
        assert!(names.contains(&format!("var/www/html/{long_dir}/{long_file}")), "{names:?}");
        // POSIX PAX records ('x'), never GNU long-name entries ('L').
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(File::open(l.path.as_ref().unwrap()).unwrap()).read_to_end(&mut raw).unwrap();
        let types: Vec<u8> = raw.chunks(512).filter(|b| b[257..262] == *b"ustar").map(|b| b[156]).collect();
        assert!(types.contains(&b'x') && !types.contains(&b'L'), "entry types {:?}", String::from_utf8_lossy(&types));
        assert_eq!(pax_record("path", "abc"), b"12 path=abc\n");
        // At the digit-count boundary the length field grows: 98 bytes of body need 3 digits.
        let edge = pax_record("path", &"x".repeat(91));
        assert_eq!(edge.len(), 101);
        assert!(edge.starts_with(b"101 path="));
    }

    fn file_names(l: &Layer) -> Vec<String> {
        let mut archive =
            tar::Archive::new(flate2::read::GzDecoder::new(File::open(l.path.as_ref().unwrap()).unwrap()));
        archive
            .entries()
            .unwrap()
            .map(|e| e.unwrap())
            .filter(|e| e.header().entry_type().is_file())
            .map(|e| e.path().unwrap().to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn media_and_pages_layers_together_give_the_single_layer_tree() {
        let a = tempfile::tempdir().unwrap();
        write_site(a.path());
        fs::write(a.path().join("site/a/photo.JPG"), [0xff, 0xd8, 1, 2, 3]).unwrap();
        fs::write(a.path().join("site/b/deep/clip.mp4"), [0, 0, 0, 1]).unwrap();
        let with = |select| LayerSpec {
            sources: vec![Source {
                listing: None,
                host: a.path().join("site"),
                dest: "/var/www/html".into(),
                kind: SourceKind::Tree,
                select,
            }],
            created_by: "x".into(),
        };
        let all = build(&with(Select::All), 1, &a.path().join("all.tgz"), &Reuse::new()).unwrap();
        let media = build(
            &with(Select::Bucket { kind: Kind::Media, index: 0, of: 1 }),
            1,
            &a.path().join("m.tgz"),
            &Reuse::new(),
        )
        .unwrap();
        assert_eq!(file_names(&media), ["var/www/html/a/photo.JPG", "var/www/html/b/deep/clip.mp4"]);
        let mut union = file_names(&media);
        for index in 0..3 {
            let bucket = Select::Bucket { kind: Kind::Pages, index, of: 3 };
            let pages = build(&with(bucket), 1, &a.path().join(format!("p{index}.tgz")), &Reuse::new()).unwrap();
            union.extend(file_names(&pages));
        }
        union.sort();
        let mut single = file_names(&all);
        single.sort();
        assert_eq!(union, single);
    }

    #[test]
    fn a_layer_the_previous_image_has_is_reused_without_compressing() {
        let a = tempfile::tempdir().unwrap();
        write_site(a.path());
        let first = build(&site_spec(a.path()), 9, &a.path().join("1.tgz"), &Reuse::new()).unwrap();
        let reuse: Reuse = [(first.diff_id.clone(), (first.digest.clone(), first.size))].into_iter().collect();
        let again = build(&site_spec(a.path()), 9, &a.path().join("2.tgz"), &reuse).unwrap();
        assert_eq!((again.digest.clone(), again.path.clone()), (first.digest.clone(), None));
        assert!(!a.path().join("2.tgz").exists(), "nothing compressed or written");
        fs::write(a.path().join("site/index.html"), "<h1>changed</h1>").unwrap();
        let changed = build(&site_spec(a.path()), 9, &a.path().join("3.tgz"), &reuse).unwrap();
        assert!(changed.path.is_some() && changed.digest != first.digest);
    }

    #[test]
    fn single_file_source_gets_its_parent_directories() {
        let a = tempfile::tempdir().unwrap();
        fs::write(a.path().join("htpasswd"), "u:$apr1$x$y\n").unwrap();
        let spec = LayerSpec {
            sources: vec![Source {
                listing: None,
                host: a.path().join("htpasswd"),
                dest: "/opt/.htpasswd".into(),
                kind: SourceKind::File,
                select: Select::All,
            }],
            created_by: "COPY".into(),
        };
        let l = build(&spec, 5, &a.path().join("l.tgz"), &Reuse::new()).unwrap();
        let mut archive =
            tar::Archive::new(flate2::read::GzDecoder::new(File::open(l.path.as_ref().unwrap()).unwrap()));
        let names: Vec<String> =
            archive.entries().unwrap().map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(names, ["opt/", "opt/.htpasswd"]);
    }
}
