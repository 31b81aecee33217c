//! `base/base.lock`: the bases maintainers pinned, reviewed in git like
//! code. For each named base: the reference it was pinned from, the index
//! digest when it is multi-platform, and per platform the manifest digest
//! and what `detect` found in it (httpd version, layout, modules).
//! `sitepack base pin` writes it; `build`, `check` and `base verify` read it.
//!
//! TOML with a fixed order (bases by name, platforms by name, modules
//! sorted), so re-pinning shows as a small diff.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::detect::Facts;
use super::Platform;
use crate::digest::Digest;
use crate::reference::Reference;

pub use crate::layout::BASE_LOCK as DEFAULT_PATH;
/// Bumped when the file's meaning changes; older sitepacks refuse newer files.
pub const FORMAT: u32 = 1;

const HEADER: &str = "\
# sitepack base lock: written by `sitepack base pin`, read by `sitepack build`
# and `sitepack check`. Review changes like code: a new digest is a new base.
";

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    pub format: u32,
    #[serde(default)]
    pub bases: BTreeMap<String, Pin>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pin {
    /// What the maintainer asked for (`REGISTRY/REPO:TAG`); `verify` checks
    /// whether it still points at the pinned digest.
    pub reference: String,
    /// The index (multi-platform) digest, when the reference names one.
    pub index: Option<Digest>,
    /// RFC 3339, when the pin was written.
    pub pinned_at: String,
    pub platforms: Vec<PlatformPin>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformPin {
    pub platform: String,
    pub manifest: Digest,
    #[serde(flatten)]
    pub facts: Facts,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("base lock {}: cannot {op}: {source}", path.display())]
    Io {
        op: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("base lock {}: {detail}", path.display())]
    Parse { path: PathBuf, detail: String },
    #[error("base lock {}: format {found} is newer than this sitepack understands ({FORMAT}); upgrade sitepack", path.display())]
    Format { path: PathBuf, found: u32 },
    #[error("base lock {}: base `{name}`: {detail}", path.display())]
    Invalid { path: PathBuf, name: String, detail: String },
    #[error("base lock {} pins no base; pin one with `sitepack base pin REF`", path.display())]
    Empty { path: PathBuf },
    #[error("base lock {} pins several bases ({names}); choose one with --base-name", path.display())]
    Ambiguous { path: PathBuf, names: String },
    #[error("base lock {} has no base `{name}`; it pins: {names}", path.display())]
    UnknownName { path: PathBuf, name: String, names: String },
    #[error("base `{name}` in {} is not pinned for {platform}; it has: {available}. Pin it again with `sitepack base pin {reference} --name {name} --platform {platform}`", path.display())]
    NoPlatform { path: PathBuf, name: String, platform: Platform, available: String, reference: String },
}

impl Lock {
    pub fn load(path: &Path) -> Result<Lock, LockError> {
        let text = std::fs::read_to_string(path).map_err(|source| LockError::Io {
            op: "be read",
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// `path` only names the file in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Lock, LockError> {
        // toml's message names the line and column.
        let lock: Lock = toml::from_str(text)
            .map_err(|e| LockError::Parse { path: path.to_owned(), detail: e.to_string().trim_end().to_owned() })?;
        if lock.format > FORMAT {
            return Err(LockError::Format { path: path.to_owned(), found: lock.format });
        }
        for (name, pin) in &lock.bases {
            let invalid = |detail: String| LockError::Invalid { path: path.to_owned(), name: name.clone(), detail };
            Reference::parse(&pin.reference).map_err(|e| invalid(format!("reference: {e}")))?;
            if pin.platforms.is_empty() {
                return Err(invalid("no platforms".into()));
            }
            if pin.index.is_none() && pin.platforms.len() > 1 {
                return Err(invalid("several platforms but no index digest".into()));
            }
            for p in &pin.platforms {
                p.platform.parse::<Platform>().map_err(|e| invalid(e.to_string()))?;
                if !supported_release(&p.facts.httpd_version) {
                    return Err(invalid(format!(
                        "{}: httpd version `{}` is not 2.2.x or 2.4.x",
                        p.platform, p.facts.httpd_version
                    )));
                }
            }
        }
        Ok(lock)
    }

    /// The file as written: header, then stable TOML.
    pub fn render(&self) -> String {
        let body = toml::to_string_pretty(self).expect("the lock always serialises");
        format!("{HEADER}\n{body}")
    }

    pub fn save(&self, path: &Path) -> Result<(), LockError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| LockError::Io {
                op: "create its folder",
                path: path.to_owned(),
                source,
            })?;
        }
        crate::atomic::write(path, self.render().as_bytes()).map_err(|(op, source)| LockError::Io {
            op,
            path: path.to_owned(),
            source,
        })
    }

    /// The named base, or the only one.
    pub fn select(&self, name: Option<&str>, path: &Path) -> Result<(&str, &Pin), LockError> {
        let names = || self.bases.keys().cloned().collect::<Vec<_>>().join(", ");
        match name {
            Some(n) => self
                .bases
                .get_key_value(n)
                .map(|(k, v)| (k.as_str(), v))
                .ok_or_else(|| LockError::UnknownName { path: path.to_owned(), name: n.to_owned(), names: names() }),
            None => match self.bases.len() {
                0 => Err(LockError::Empty { path: path.to_owned() }),
                1 => Ok(self.bases.iter().next().map(|(k, v)| (k.as_str(), v)).expect("one base")),
                _ => Err(LockError::Ambiguous { path: path.to_owned(), names: names() }),
            },
        }
    }

    /// The pin whose index or a platform manifest is `digest`.
    pub fn find(&self, digest: &Digest) -> Option<(&str, &Pin)> {
        self.bases
            .iter()
            .find(|(_, p)| p.index.as_ref() == Some(digest) || p.platforms.iter().any(|pp| &pp.manifest == digest))
            .map(|(k, v)| (k.as_str(), v))
    }
}

impl Pin {
    /// The pinned reference: the index digest, else the one manifest's.
    pub fn pinned_reference(&self) -> Reference {
        let r = Reference::parse(&self.reference).expect("validated on load");
        let digest = self.index.clone().unwrap_or_else(|| self.platforms[0].manifest.clone());
        Reference { digest: Some(digest), ..r }
    }

    pub fn platform(&self, platform: &Platform) -> Option<&PlatformPin> {
        self.platforms.iter().find(|p| p.platform.parse::<Platform>().is_ok_and(|pp| platform.same_as(&pp)))
    }

    pub fn available(&self) -> String {
        self.platforms.iter().map(|p| p.platform.as_str()).collect::<Vec<_>>().join(", ")
    }
}

/// The httpd releases sitepack checks sites for: 2.2.x and 2.4.x.
fn supported_release(version: &str) -> bool {
    version.starts_with("2.2.") || version.starts_with("2.4.")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(version: &str) -> Facts {
        Facts {
            httpd_version: version.into(),
            httpd_binary: "/usr/sbin/httpd".into(),
            server_root: "/etc/httpd".into(),
            conf: "/etc/httpd/conf/httpd.conf".into(),
            docroot: Some("/var/www/html".into()),
            user: Some("apache".into()),
            uid: Some(48),
            module_dir: Some("/usr/lib64/httpd/modules".into()),
            builtin_modules: vec!["core".into(), "http_core".into(), "mod_so".into()],
            dso_modules: vec!["mod_dir".into(), "mod_rewrite".into()],
            config_files: Some(
                [(
                    "conf.modules.d/00-base.conf".to_owned(),
                    super::super::detect::ConfigFile {
                        sha256: Some(format!("sha256:{}", "a".repeat(64))),
                        text: Some("# \"base\" modules\nLoadModule rewrite_module modules/mod_rewrite.so\n".into()),
                    },
                )]
                .into(),
            ),
        }
    }

    fn digest(c: char) -> Digest {
        Digest::parse(&format!("sha256:{}", c.to_string().repeat(64))).unwrap()
    }

    fn sample() -> Lock {
        let mut lock = Lock { format: FORMAT, bases: BTreeMap::new() };
        lock.bases.insert(
            "rocky9".into(),
            Pin {
                reference: "registry.example/httpd:2.4".into(),
                index: Some(digest('a')),
                pinned_at: "2026-11-26T04:00:00Z".into(),
                platforms: vec![
                    PlatformPin { platform: "linux/amd64".into(), manifest: digest('b'), facts: facts("2.4.62") },
                    PlatformPin { platform: "linux/arm64".into(), manifest: digest('c'), facts: facts("2.4.62") },
                ],
            },
        );
        lock
    }

    #[test]
    fn the_lock_round_trips_and_reads_like_a_reviewed_file() {
        let lock = sample();
        let text = lock.render();
        assert!(text.starts_with("# sitepack base lock"), "{text}");
        assert!(text.contains("[bases.rocky9]") && text.contains("[[bases.rocky9.platforms]]"), "{text}");
        assert!(text.contains("httpd_version = \"2.4.62\""), "{text}");
        let back = Lock::parse(&text, Path::new("base.lock")).unwrap();
        assert_eq!(back.render(), text);
        assert_eq!(back.bases["rocky9"].platforms, lock.bases["rocky9"].platforms);
        let (name, pin) = back.select(None, Path::new("x")).unwrap();
        assert_eq!(name, "rocky9");
        assert_eq!(pin.pinned_reference().to_string(), format!("registry.example/httpd:2.4@{}", digest('a')));
        assert!(pin.platform(&"linux/arm64/v8".parse().unwrap()).is_some());
        assert!(pin.platform(&"linux/s390x".parse().unwrap()).is_none());
        assert_eq!(back.find(&digest('c')).map(|(n, _)| n), Some("rocky9"));
    }

    #[test]
    fn bad_locks_are_refused_with_the_file_and_reason() {
        let path = Path::new("base/base.lock");
        let e = Lock::parse("format = 1\n[bases.x]\nreference = 3\n", path).unwrap_err().to_string();
        assert!(e.starts_with("base lock base/base.lock: ") && e.contains("line 3"), "{e}");
        let e = Lock::parse("format = 9\n", path).unwrap_err().to_string();
        assert!(e.contains("format 9 is newer"), "{e}");
        let text = sample().render().replace("2.4.62", "1.3.42");
        let e = Lock::parse(&text, path).unwrap_err().to_string();
        assert!(e.contains("base `rocky9`") && e.contains("1.3.42"), "{e}");
        let two = {
            let mut l = sample();
            let p = l.bases["rocky9"].clone();
            l.bases.insert("other".into(), p);
            l
        };
        let e = two.select(None, path).unwrap_err().to_string();
        assert!(e.contains("several bases (other, rocky9)") && e.contains("--base-name"), "{e}");
        let e = two.select(Some("nope"), path).unwrap_err().to_string();
        assert!(e.contains("no base `nope`"), "{e}");
        let e = Lock::default().select(None, path).unwrap_err().to_string();
        assert!(e.contains("pins no base"), "{e}");
    }

    #[test]
    fn only_2_2_and_2_4_releases_are_supported() {
        assert!(supported_release("2.2.15") && supported_release("2.4.6"));
        assert!(!supported_release("2.0.65") && !supported_release("2.4"));
    }
}
