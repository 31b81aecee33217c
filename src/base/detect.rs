//! What a base image really holds, learnt from its layers read once as a
//! stream: tar headers for every path, and the bytes of a few small files
//! (`/etc/passwd`, confs, the `/usr/sbin/httpd` wrapper). Binaries named
//! like httpd are scanned as they pass for the `Apache/X.Y.Z` version
//! string and the names of modules compiled in (`mod_so.c`, as `httpd -l`
//! prints them). Nothing is unpacked to disk and nothing in the image runs.
//!
//! Layers apply in order with OCI whiteouts, so a later layer that removes
//! or replaces httpd is seen as the runtime would see it.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Read};

use serde::{Deserialize, Serialize};

/// The file the site image's entrypoint runs.
pub const HTTPD_ENTRY: &str = "/usr/sbin/httpd";
/// Files kept whole for reading after the stream (confs, wrappers, passwd).
const KEEP_LIMIT: u64 = 256 << 10;
/// Any file under /etc up to this size is kept: ServerRoot is only known
/// once the stream is read, and its files are what Includes read.
const KEEP_ETC_LIMIT: u64 = 64 << 10;
/// Longest printable run worth keeping while scanning a binary.
const MAX_RUN: usize = 128;

/// The httpd a base runs and where it keeps things, as recorded in the lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Facts {
    /// `2.4.62`, from the `Apache/2.4.62` string in the binary.
    pub httpd_version: String,
    /// The binary that carries it (`/usr/sbin/httpd`, or what a wrapper runs).
    pub httpd_binary: String,
    pub server_root: String,
    pub conf: String,
    pub docroot: Option<String>,
    /// The `User` of the default conf, and its uid from `/etc/passwd`.
    pub user: Option<String>,
    pub uid: Option<u32>,
    pub module_dir: Option<String>,
    /// Compiled into the binary (`httpd -l`): a `LoadModule` for them is fatal on some builds.
    pub builtin_modules: Vec<String>,
    /// Shared objects in the module directory, loadable with `LoadModule`.
    pub dso_modules: Vec<String>,
    /// Every file under `server_root` a conf's `Include` could name
    /// (`conf.modules.d/00-base.conf`, `conf.d/…`), by path relative to it,
    /// with its digest and text: what the operator's Includes read at run
    /// time. None in a lock pinned before sitepack recorded them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_files: Option<BTreeMap<String, ConfigFile>>,
}

/// One file of the base's configuration tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// `sha256:…` of its bytes; None when it is too large to keep.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Its text, when it is UTF-8 and small: what the checks read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    #[error("no httpd: {detail}; the site image runs {HTTPD_ENTRY}, so this base cannot serve it")]
    NoHttpd { detail: String },
    #[error("{path}: no `Apache/X.Y.Z` version string in this binary; is it Apache httpd?")]
    NoVersion { path: String },
    #[error("httpd {version} is not supported: sitepack checks sites for httpd 2.2 and 2.4")]
    Unsupported { version: String },
    #[error("layer {layer}: {detail}")]
    Layer { layer: String, detail: String },
}

#[derive(Debug, Clone)]
enum Node {
    Dir,
    File { kept: Option<Vec<u8>>, scan: Option<Scan> },
    Symlink(String),
    Hardlink(String),
}

/// One layer's changes, applied only once the whole layer has been read,
/// so a stream that breaks halfway leaves the model as it was.
#[derive(Debug, Default)]
pub struct LayerChanges {
    ops: Vec<Op>,
}

#[derive(Debug)]
enum Op {
    /// `.wh.NAME`: the path and everything below it, from lower layers.
    Remove(String),
    /// `.wh..wh..opq`: everything below the folder, from lower layers.
    Opaque(String),
    Put(String, Node),
}

/// A regular file after links: its real path, kept bytes and scan.
type FileView<'a> = (String, Option<&'a Vec<u8>>, Option<&'a Scan>);

/// The merged file system so far, as paths without contents.
#[derive(Debug, Default)]
pub struct Scanner {
    nodes: BTreeMap<String, Node>,
}

impl Scanner {
    pub fn new() -> Scanner {
        Scanner::default()
    }

    /// Reads one uncompressed layer tar; nothing changes until `apply`.
    pub fn read_layer(reader: impl Read) -> io::Result<LayerChanges> {
        let mut archive = tar::Archive::new(reader);
        let mut changes = LayerChanges::default();
        for entry in archive.entries()? {
            let mut entry = entry?;
            let raw = entry.path_bytes().into_owned();
            let Some(path) = normalize(&String::from_utf8_lossy(&raw)) else { continue };
            let (dir, name) = split(&path);
            if name == ".wh..wh..opq" {
                changes.ops.push(Op::Opaque(dir.to_owned()));
                continue;
            }
            if let Some(hidden) = name.strip_prefix(".wh.") {
                changes.ops.push(Op::Remove(join(dir, hidden)));
                continue;
            }
            let kind = entry.header().entry_type();
            let link = || entry.link_name_bytes().map(|l| String::from_utf8_lossy(&l).into_owned()).unwrap_or_default();
            let node = match kind {
                tar::EntryType::Directory => Node::Dir,
                tar::EntryType::Symlink => Node::Symlink(link()),
                tar::EntryType::Link => match normalize(&link()) {
                    Some(target) => Node::Hardlink(target),
                    None => continue,
                },
                tar::EntryType::Regular | tar::EntryType::Continuous => {
                    let size = entry.header().size()?;
                    let keep = (wanted_whole(&path) && size <= KEEP_LIMIT)
                        || (path.starts_with("/etc/") && size <= KEEP_ETC_LIMIT);
                    let scan = is_httpd_like(name);
                    if !keep && !scan {
                        Node::File { kept: None, scan: None }
                    } else {
                        let mut kept = keep.then(Vec::new);
                        let mut scanner = scan.then(Scan::default);
                        let mut buf = vec![0u8; 64 << 10];
                        loop {
                            let n = entry.read(&mut buf)?;
                            if n == 0 {
                                break;
                            }
                            if let Some(k) = kept.as_mut() {
                                k.extend_from_slice(&buf[..n]);
                            }
                            if let Some(s) = scanner.as_mut() {
                                s.feed(&buf[..n]);
                            }
                        }
                        if let Some(s) = scanner.as_mut() {
                            s.end_run();
                        }
                        Node::File { kept, scan: scanner }
                    }
                }
                // Devices, fifos: present, but never httpd or a conf.
                _ => Node::File { kept: None, scan: None },
            };
            changes.ops.push(Op::Put(path, node));
        }
        Ok(changes)
    }

    pub fn apply(&mut self, changes: LayerChanges) {
        // Whiteouts hide lower layers only: collect this layer's entries
        // after removing what it hides.
        let mut puts = Vec::new();
        for op in changes.ops {
            match op {
                Op::Remove(path) => {
                    self.nodes.remove(&path);
                    self.remove_below(&path);
                }
                Op::Opaque(dir) => self.remove_below(&dir),
                Op::Put(path, node) => puts.push((path, node)),
            }
        }
        for (path, node) in puts {
            if !matches!(node, Node::Dir) {
                // A file replacing a folder hides what was below it.
                self.remove_below(&path);
            }
            self.nodes.insert(path, node);
        }
    }

    fn remove_below(&mut self, dir: &str) {
        let prefix = if dir == "/" { "/".to_owned() } else { format!("{dir}/") };
        let below: Vec<String> = self
            .nodes
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, _)| k.clone())
            .collect();
        for k in below {
            self.nodes.remove(&k);
        }
    }

    /// Follows symbolic links (absolute and relative) in every component,
    /// as the kernel would inside the image's root.
    fn resolve(&self, path: &str) -> Option<String> {
        let mut pending: Vec<String> = path.split('/').filter(|c| !c.is_empty()).rev().map(str::to_owned).collect();
        let mut done: Vec<String> = Vec::new();
        let mut hops = 0;
        while let Some(part) = pending.pop() {
            match part.as_str() {
                "." => continue,
                ".." => {
                    done.pop();
                    continue;
                }
                _ => {}
            }
            done.push(part);
            let here = format!("/{}", done.join("/"));
            // Tars need not list every parent folder: absent means a folder.
            if let Some(Node::Symlink(target)) = self.nodes.get(&here) {
                hops += 1;
                if hops > 40 {
                    return None;
                }
                done.pop();
                if target.starts_with('/') {
                    done.clear();
                }
                pending.extend(target.split('/').filter(|c| !c.is_empty()).rev().map(str::to_owned));
            }
        }
        Some(format!("/{}", done.join("/")))
    }

    /// The regular file at `path` after links, with its kept bytes and scan.
    fn file(&self, path: &str) -> Option<FileView<'_>> {
        let mut real = self.resolve(path)?;
        for _ in 0..8 {
            match self.nodes.get(&real)? {
                Node::File { kept, scan } => return Some((real, kept.as_ref(), scan.as_ref())),
                Node::Hardlink(target) => real = self.resolve(target)?,
                _ => return None,
            }
        }
        None
    }

    fn is_dir(&self, path: &str) -> Option<String> {
        let real = self.resolve(path)?;
        let prefix = format!("{real}/");
        let implicit = || self.nodes.range(prefix.clone()..).next().is_some_and(|(k, _)| k.starts_with(&prefix));
        (matches!(self.nodes.get(&real), Some(Node::Dir)) || implicit()).then_some(real)
    }

    fn text(&self, path: &str) -> Option<String> {
        self.file(path).and_then(|(_, kept, _)| kept).map(|b| String::from_utf8_lossy(b).into_owned())
    }

    /// What `/usr/sbin/httpd` is, where it looks for its conf and modules,
    /// and as whom it serves.
    pub fn finish(&self) -> Result<Facts, DetectError> {
        let (entry_real, kept, scan) = self.file(HTTPD_ENTRY).ok_or_else(|| DetectError::NoHttpd {
            detail: match self.resolve(HTTPD_ENTRY).filter(|p| self.nodes.contains_key(p)) {
                None => format!("the image has no {HTTPD_ENTRY}"),
                Some(p) => format!("{HTTPD_ENTRY} ({p}) is not a regular file"),
            },
        })?;
        let mut root_flag = None;
        let mut conf_flag = None;
        let (binary, scan) = match kept.filter(|k| k.starts_with(b"#!")) {
            // A wrapper script: the binary is the absolute path it runs that
            // looks like httpd; `-d`/`-f` give ServerRoot and the conf.
            Some(script) => {
                let text = String::from_utf8_lossy(script);
                let words: Vec<&str> = text
                    .lines()
                    .map(|l| l.split('#').next().unwrap_or(""))
                    .flat_map(str::split_whitespace)
                    .map(|w| w.trim_matches(|c| c == '"' || c == '\''))
                    .collect();
                for pair in words.windows(2) {
                    match pair[0] {
                        "-d" => root_flag = Some(pair[1].to_owned()),
                        "-f" => conf_flag = Some(pair[1].to_owned()),
                        _ => {}
                    }
                }
                let found = words.iter().filter(|w| w.starts_with('/')).find_map(|w| {
                    let (real, _, scan) = self.file(w)?;
                    scan.filter(|s| s.version.is_some()).map(|s| (real, s))
                });
                match found {
                    Some((real, s)) => (real, s),
                    None => {
                        return Err(DetectError::NoHttpd {
                            detail: format!("{HTTPD_ENTRY} is a script that runs no httpd binary found in the image"),
                        })
                    }
                }
            }
            None => match scan {
                Some(s) => (entry_real.clone(), s),
                None => return Err(DetectError::NoVersion { path: entry_real }),
            },
        };
        let version = scan.version.clone().ok_or_else(|| DetectError::NoVersion { path: binary.clone() })?;
        if !(version.starts_with("2.2.") || version.starts_with("2.4.")) {
            return Err(DetectError::Unsupported { version });
        }

        // The conf: the wrapper's -f, else the usual places.
        let conf = match conf_flag {
            Some(f) if f.starts_with('/') => f,
            Some(f) => format!("{}/{f}", root_flag.as_deref().unwrap_or("/etc/httpd").trim_end_matches('/')),
            None => ["/etc/httpd/conf/httpd.conf", "/usr/local/apache2/conf/httpd.conf", "/etc/apache2/apache2.conf"]
                .into_iter()
                .find(|p| self.file(p).is_some())
                .unwrap_or("/etc/httpd/conf/httpd.conf")
                .to_owned(),
        };
        let directives = self.text(&conf).map(|t| conf_directives(&t)).unwrap_or_default();
        let server_root = root_flag
            .or_else(|| directives.get("serverroot").cloned())
            .unwrap_or_else(|| "/etc/httpd".into())
            .trim_end_matches('/')
            .to_owned();
        let docroot = directives.get("documentroot").cloned();
        let user = directives.get("user").cloned();
        let uid = user.as_deref().and_then(|u| match u.strip_prefix('#') {
            Some(n) => n.parse().ok(),
            None => self.text("/etc/passwd").and_then(|p| passwd_uid(&p, u)),
        });

        let module_dir = [format!("{server_root}/modules")]
            .into_iter()
            .chain(
                [
                    "/usr/lib64/httpd/modules",
                    "/usr/lib/httpd/modules",
                    "/usr/lib/apache2/modules",
                    "/usr/local/apache2/modules",
                ]
                .map(String::from),
            )
            .find_map(|p| self.is_dir(&p));
        let dso_modules: BTreeSet<String> = match &module_dir {
            Some(dir) => {
                let prefix = format!("{dir}/");
                self.nodes
                    .range(prefix.clone()..)
                    .take_while(|(k, _)| k.starts_with(&prefix))
                    .filter_map(|(k, _)| {
                        k[prefix.len()..].strip_suffix(".so").filter(|n| !n.contains('/')).map(str::to_owned)
                    })
                    .collect()
            }
            None => BTreeSet::new(),
        };
        let mut builtins: BTreeSet<String> = ["core", "http_core"].map(String::from).into();
        // A module whose shared object is present is loadable, not built in
        // (the binary may name a module it only looks up).
        builtins.extend(scan.modules.iter().filter(|m| !dso_modules.contains(*m)).cloned());

        let config_files = Some(self.config_files(&server_root));
        Ok(Facts {
            httpd_version: version,
            httpd_binary: binary,
            server_root,
            conf,
            docroot,
            user,
            uid,
            module_dir,
            builtin_modules: builtins.into_iter().collect(),
            dso_modules: dso_modules.into_iter().collect(),
            config_files,
        })
    }

    /// The regular files below `server_root` (links to files followed,
    /// linked folders such as `modules` or `logs` not entered).
    fn config_files(&self, server_root: &str) -> BTreeMap<String, ConfigFile> {
        let Some(root) = self.resolve(server_root) else { return BTreeMap::new() };
        let prefix = format!("{root}/");
        self.nodes
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            // `file` answers for regular files only (links followed).
            .filter_map(|(k, _)| {
                let (_, kept, _) = self.file(k)?;
                let rel = k[prefix.len()..].to_owned();
                let file = ConfigFile {
                    sha256: kept.map(|b| crate::digest::Digest::of_bytes(b).to_string()),
                    text: kept.and_then(|b| std::str::from_utf8(b).ok()).map(str::to_owned),
                };
                Some((rel, file))
            })
            .collect()
    }
}

/// Printable runs of a binary, as `strings` finds them, kept only when
/// they are a version banner or a module source name.
#[derive(Debug, Clone, Default)]
struct Scan {
    run: Vec<u8>,
    overflow: bool,
    version: Option<String>,
    modules: BTreeSet<String>,
}

impl Scan {
    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if (0x20..0x7f).contains(&b) {
                if self.run.len() < MAX_RUN {
                    self.run.push(b);
                } else {
                    self.overflow = true;
                }
            } else {
                self.end_run();
            }
        }
    }

    fn end_run(&mut self) {
        if !self.overflow && !self.run.is_empty() {
            let run = String::from_utf8_lossy(&self.run).into_owned();
            if self.version.is_none() {
                self.version = banner_version(&run);
            }
            if let Some(m) = module_source(&run) {
                self.modules.insert(m);
            }
        }
        self.run.clear();
        self.overflow = false;
    }
}

/// `Apache/2.4.62` or `Apache/2.4.62 (Debian)` → `2.4.62`.
fn banner_version(run: &str) -> Option<String> {
    let rest = run.strip_prefix("Apache/")?;
    let version: String = rest.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
    let parts: Vec<&str> = version.split('.').collect();
    (parts.len() == 3 && parts.iter().all(|p| !p.is_empty())).then_some(version)
}

/// `mod_so.c` → `mod_so`; `prefork.c` → `prefork` (how `<IfModule>` names them).
fn module_source(run: &str) -> Option<String> {
    let stem = run.strip_suffix(".c")?;
    let ok = !stem.is_empty() && stem.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    let module = stem.starts_with("mod_") || matches!(stem, "prefork" | "worker" | "event");
    (ok && module).then(|| stem.to_owned())
}

/// The first value of each top-level directive we care about, unquoted.
fn conf_directives(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut depth = 0usize;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with("</") {
            depth = depth.saturating_sub(1);
            continue;
        }
        if line.starts_with('<') {
            depth += 1;
            continue;
        }
        if depth > 0 || line.starts_with('#') {
            continue;
        }
        let mut words = line.splitn(2, char::is_whitespace);
        let (Some(name), Some(value)) = (words.next(), words.next()) else { continue };
        let name = name.to_ascii_lowercase();
        if matches!(name.as_str(), "serverroot" | "documentroot" | "user" | "group") {
            let value = value.trim().trim_matches('"').trim_end_matches('/').to_owned();
            out.entry(name).or_insert(value);
        }
    }
    out
}

fn passwd_uid(passwd: &str, user: &str) -> Option<u32> {
    passwd.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() >= 3 && f[0] == user).then(|| f[2].parse().ok()).flatten()
    })
}

/// Kept whole: account files, confs and scripts that may be wrappers.
fn wanted_whole(path: &str) -> bool {
    let (_, name) = split(path);
    matches!(path, "/etc/passwd" | "/etc/group")
        || (name.ends_with(".conf")
            && (path.starts_with("/etc/") || path.starts_with("/usr/local/apache2/") || path.starts_with("/opt/")))
        || is_httpd_like(name)
}

fn is_httpd_like(name: &str) -> bool {
    name.starts_with("httpd") || name.starts_with("apache2")
}

/// `./usr/sbin/httpd`, `usr/sbin/httpd/` → `/usr/sbin/httpd`; `.` → None.
fn normalize(raw: &str) -> Option<String> {
    let parts: Vec<&str> = raw.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    (!parts.is_empty()).then(|| format!("/{}", parts.join("/")))
}

fn split(path: &str) -> (&str, &str) {
    match path.rfind('/') {
        Some(0) => ("/", &path[1..]),
        Some(i) => (&path[..i], &path[i + 1..]),
        None => ("/", path),
    }
}

fn join(dir: &str, name: &str) -> String {
    if dir == "/" {
        format!("/{name}")
    } else {
        format!("{dir}/{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A layer tar from (path, content or symlink target) pairs.
    fn layer(entries: &[(&str, Entry)]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (path, e) in entries {
            let mut h = tar::Header::new_ustar();
            match e {
                Entry::Dir => {
                    h.set_entry_type(tar::EntryType::Directory);
                    h.set_size(0);
                    h.set_mode(0o755);
                    b.append_data(&mut h, path, io::empty()).unwrap();
                }
                Entry::File(data) => {
                    h.set_size(data.len() as u64);
                    h.set_mode(0o755);
                    b.append_data(&mut h, path, *data).unwrap();
                }
                Entry::Link(target) => {
                    h.set_entry_type(tar::EntryType::Symlink);
                    h.set_size(0);
                    b.append_link(&mut h, path, target).unwrap();
                }
            }
        }
        b.into_inner().unwrap()
    }

    enum Entry {
        Dir,
        File(&'static [u8]),
        Link(&'static str),
    }
    use Entry::*;

    fn scan(layers: &[Vec<u8>]) -> Result<Facts, DetectError> {
        let mut s = Scanner::new();
        for l in layers {
            s.apply(Scanner::read_layer(&l[..]).unwrap());
        }
        s.finish()
    }

    const CONF: &[u8] = b"ServerRoot \"/etc/httpd\"\n<Directory />\nUser nobody\n</Directory>\nUser apache\nDocumentRoot \"/var/www/html\"\n";
    const PASSWD: &[u8] = b"root:x:0:0::/root:/bin/bash\napache:x:48:48:Apache:/var/www:/sbin/nologin\n";

    fn centos6() -> Vec<u8> {
        layer(&[
            ("etc/", Dir),
            ("etc/passwd", File(PASSWD)),
            ("etc/httpd/conf/httpd.conf", File(CONF)),
            ("etc/httpd/modules", Link("../../usr/lib64/httpd/modules")),
            ("usr/lib64/httpd/modules/mod_rewrite.so", File(b"\x7fELF")),
            ("usr/lib64/httpd/modules/mod_ssl.so", File(b"\x7fELF")),
            (
                "usr/sbin/httpd",
                File(b"\x7fELF\0core.c\0prefork.c\0http_core.c\0mod_so.c\0mod_ssl.c\0Apache/2.2.15 (Unix)\0main.c\0"),
            ),
        ])
    }

    #[test]
    fn a_centos_layout_gives_version_modules_and_user() {
        let f = scan(&[centos6()]).unwrap();
        assert_eq!(f.httpd_version, "2.2.15");
        assert_eq!(f.httpd_binary, "/usr/sbin/httpd");
        assert_eq!(f.server_root, "/etc/httpd");
        assert_eq!(f.conf, "/etc/httpd/conf/httpd.conf");
        assert_eq!(f.docroot.as_deref(), Some("/var/www/html"));
        // The User inside <Directory> is not the server's.
        assert_eq!((f.user.as_deref(), f.uid), (Some("apache"), Some(48)));
        assert_eq!(f.module_dir.as_deref(), Some("/usr/lib64/httpd/modules"));
        assert_eq!(f.dso_modules, ["mod_rewrite", "mod_ssl"]);
        // mod_ssl.c is named in the binary but ships as a DSO: not built in.
        assert_eq!(f.builtin_modules, ["core", "http_core", "mod_so", "prefork"]);
    }

    #[test]
    fn a_wrapper_script_leads_to_the_real_binary_and_its_flags() {
        let l = layer(&[
            ("etc/passwd", File(b"www:x:33:33::/:/bin/false\n")),
            ("etc/httpd/conf/site.conf", File(b"User www\nServerRoot /srv/ignored\n")),
            ("usr/lib/apache2/modules/mod_dir.so", File(b"")),
            ("etc/httpd/modules", Link("/usr/lib/apache2/modules")),
            ("usr/sbin/apache2", File(b"Apache/2.4.68\0mod_log_config.c\0")),
            ("usr/sbin/httpd", File(b"#!/bin/sh\nexec /usr/sbin/apache2 -d /etc/httpd -f conf/site.conf \"$@\"\n")),
        ]);
        let f = scan(&[l]).unwrap();
        assert_eq!(f.httpd_version, "2.4.68");
        assert_eq!(f.httpd_binary, "/usr/sbin/apache2");
        assert_eq!(f.server_root, "/etc/httpd");
        assert_eq!(f.conf, "/etc/httpd/conf/site.conf");
        assert_eq!((f.user.as_deref(), f.uid), (Some("www"), Some(33)));
        assert_eq!(f.module_dir.as_deref(), Some("/usr/lib/apache2/modules"));
        assert_eq!(f.builtin_modules, ["core", "http_core", "mod_log_config"]);
        assert_eq!(f.dso_modules, ["mod_dir"]);
    }

    #[test]
    fn later_layers_win_and_whiteouts_remove() {
        let upper = layer(&[("usr/sbin/.wh.httpd", File(b""))]);
        let e = scan(&[centos6(), upper]).unwrap_err().to_string();
        assert!(e.contains("no httpd") && e.contains("has no /usr/sbin/httpd"), "{e}");

        let replaced = layer(&[("usr/sbin/httpd", File(b"Apache/2.4.6 (CentOS)\0"))]);
        assert_eq!(scan(&[centos6(), replaced]).unwrap().httpd_version, "2.4.6");

        let opaque = layer(&[
            ("usr/lib64/httpd/modules/.wh..wh..opq", File(b"")),
            ("usr/lib64/httpd/modules/mod_new.so", File(b"")),
        ]);
        assert_eq!(scan(&[centos6(), opaque]).unwrap().dso_modules, ["mod_new"]);
    }

    #[test]
    fn a_base_without_httpd_or_version_is_refused() {
        let none = layer(&[("etc/passwd", File(PASSWD))]);
        assert!(matches!(scan(&[none]), Err(DetectError::NoHttpd { .. })));
        let nginx = layer(&[("usr/sbin/httpd", File(b"nginx/1.25.3\0"))]);
        let e = scan(&[nginx]).unwrap_err().to_string();
        assert!(e.contains("/usr/sbin/httpd: no `Apache/X.Y.Z`"), "{e}");
        let script = layer(&[("usr/sbin/httpd", File(b"#!/bin/sh\nexec /usr/bin/busybox httpd -f\n"))]);
        assert!(scan(&[script]).unwrap_err().to_string().contains("runs no httpd binary"));
        let old = layer(&[("usr/sbin/httpd", File(b"Apache/2.0.65\0"))]);
        assert!(matches!(scan(&[old]), Err(DetectError::Unsupported { .. })));
    }

    #[test]
    fn scanning_finds_strings_across_chunk_borders() {
        let mut s = Scan::default();
        for chunk in [&b"\0Apa"[..], b"che/2.4", b".62 (Deb", b"ian)\0mod_", b"so.c\0"] {
            s.feed(chunk);
        }
        s.end_run();
        assert_eq!(s.version.as_deref(), Some("2.4.62"));
        assert!(s.modules.contains("mod_so"));
        assert_eq!(banner_version("Apache/2.4"), None);
        assert_eq!(module_source("main.c"), None);
    }
}
