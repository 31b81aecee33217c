//! Image references (`registry/repository[:tag][@sha256:…]`) as users type
//! them, normalised the way docker does (`nginx` → `docker.io/library/nginx`).

use std::fmt;

use crate::digest::Digest;

pub const DOCKER_HUB: &str = "docker.io";

#[derive(Clone, PartialEq, Eq)]
pub struct Reference {
    /// Registry host with optional port, as written (`docker.io` for Hub).
    pub registry: String,
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<Digest>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    #[error("image reference is empty")]
    Empty,
    #[error("image reference `{input}`: {reason}")]
    Invalid { input: String, reason: &'static str },
    #[error("image reference `{input}`: {source}")]
    Digest {
        input: String,
        #[source]
        source: crate::digest::DigestParseError,
    },
}

impl Reference {
    pub fn parse(input: &str) -> Result<Self, ReferenceError> {
        if input.is_empty() {
            return Err(ReferenceError::Empty);
        }
        let invalid = |reason| ReferenceError::Invalid { input: input.to_owned(), reason };
        if input.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid("contains whitespace or control characters"));
        }
        let (rest, digest) = match input.split_once('@') {
            Some((rest, d)) => {
                let digest =
                    Digest::parse(d).map_err(|source| ReferenceError::Digest { input: input.to_owned(), source })?;
                (rest, Some(digest))
            }
            None => (input, None),
        };
        // A tag is whatever follows the last ':' after the last '/', so a
        // registry port (`localhost:5000/x`) is not mistaken for one.
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].find(':') {
            Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
            None => (rest, None),
        };
        if let Some(tag) = tag {
            let valid = !tag.is_empty()
                && tag.len() <= 128
                && tag.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
                && tag.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
            if !valid {
                return Err(invalid("tag must be 1-128 characters of [A-Za-z0-9_.-], not starting with '.' or '-'"));
            }
        }
        let (registry, repository) = match name.split_once('/') {
            Some((first, path)) if first.contains(['.', ':']) || first == "localhost" => {
                (first.to_owned(), path.to_owned())
            }
            _ => (DOCKER_HUB.to_owned(), name.to_owned()),
        };
        let repository = if registry == DOCKER_HUB && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository
        };
        if repository.is_empty() || repository.split('/').any(|c| !valid_path_component(c)) {
            return Err(invalid(
                "repository path components must be lowercase letters and digits, separated by '.', '_', '__' or '-'",
            ));
        }
        if registry.is_empty() {
            return Err(invalid("registry host is empty"));
        }
        Ok(Reference { registry, repository, tag: tag.map(str::to_owned), digest })
    }

    /// `registry/repository`, without tag or digest.
    pub fn name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// The host to talk HTTP to (Docker Hub's API lives on another name).
    pub fn api_host(&self) -> &str {
        if self.registry == DOCKER_HUB {
            "registry-1.docker.io"
        } else {
            &self.registry
        }
    }

    /// What to ask the registry for: the digest when pinned, else the tag.
    pub fn manifest_ref(&self) -> String {
        match (&self.digest, &self.tag) {
            (Some(d), _) => d.to_string(),
            (None, Some(t)) => t.clone(),
            (None, None) => "latest".to_owned(),
        }
    }

    pub fn with_digest(&self, digest: Digest) -> Reference {
        Reference {
            registry: self.registry.clone(),
            repository: self.repository.clone(),
            tag: None,
            digest: Some(digest),
        }
    }
}

fn valid_path_component(c: &str) -> bool {
    let bytes = c.as_bytes();
    let alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if bytes.is_empty() || !alnum(&bytes[0]) || !alnum(&bytes[bytes.len() - 1]) {
        return false;
    }
    // Separators: '.', '_', '__', or runs of '-'; never two different ones together.
    let mut prev_sep: Option<u8> = None;
    let mut run = 0;
    for &b in bytes {
        if alnum(&b) {
            prev_sep = None;
            run = 0;
        } else if b"._-".contains(&b) {
            match prev_sep {
                Some(p) if p != b => return false,
                Some(b'.') => return false,
                Some(b'_') if run >= 2 => return false,
                _ => {}
            }
            prev_sep = Some(b);
            run += 1;
        } else {
            return false;
        }
    }
    true
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn docker_hub_short_names_are_normalised() {
        let r = Reference::parse("httpd:2.4").unwrap();
        assert_eq!(r.registry, "docker.io");
        assert_eq!(r.repository, "library/httpd");
        assert_eq!(r.tag.as_deref(), Some("2.4"));
        assert_eq!(r.api_host(), "registry-1.docker.io");
    }

    #[test]
    fn registry_port_is_not_a_tag() {
        let r = Reference::parse("127.0.0.1:5000/base/httpd").unwrap();
        assert_eq!(r.registry, "127.0.0.1:5000");
        assert_eq!(r.repository, "base/httpd");
        assert_eq!(r.tag, None);
        let r = Reference::parse(&format!("localhost:5000/httpd:2.4@{D}")).unwrap();
        assert_eq!(r.tag.as_deref(), Some("2.4"));
        assert_eq!(r.digest.as_ref().map(Digest::as_str), Some(D));
        assert_eq!(r.to_string(), format!("localhost:5000/httpd:2.4@{D}"));
    }

    #[test]
    fn ecr_reference_parses() {
        let r = Reference::parse("123456789012.dkr.ecr.eu-west-1.amazonaws.com/sites/coffeefans:42").unwrap();
        assert_eq!(r.registry, "123456789012.dkr.ecr.eu-west-1.amazonaws.com");
        assert_eq!(r.repository, "sites/coffeefans");
        assert_eq!(r.manifest_ref(), "42");
    }

    #[test]
    fn bad_references_are_refused() {
        for bad in ["", "UPPER/case", "a//b", "x:", "x@sha256:12", "host/a b", "a/-b", "r/x:.tag", "a/b..c"] {
            assert!(Reference::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
