//! The operator's httpd.conf from S3: `s3://BUCKET/KEY[?versionId=…]`,
//! fetched with `GetObject` (with `ExpectedBucketOwner` when the account is
//! known), size-capped, hashed, and checked against a pinned sha256.

use std::fmt;

use super::{describe, Aws, AwsError};
use crate::digest::Hasher;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Uri {
    pub bucket: String,
    pub key: String,
    pub version_id: Option<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not s3://BUCKET/KEY[?versionId=…]")]
pub struct S3UriError(pub String);

impl S3Uri {
    pub fn parse(s: &str) -> Result<S3Uri, S3UriError> {
        let bad = || S3UriError(s.to_owned());
        let rest = s.strip_prefix("s3://").ok_or_else(bad)?;
        let (path, query) = match rest.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (rest, None),
        };
        let (bucket, key) = path.split_once('/').ok_or_else(bad)?;
        if bucket.is_empty() || key.is_empty() || key.ends_with('/') {
            return Err(bad());
        }
        let version_id = match query {
            None => None,
            Some(q) => Some(
                q.strip_prefix("versionId=").filter(|v| !v.is_empty() && !v.contains('&')).ok_or_else(bad)?.to_owned(),
            ),
        };
        Ok(S3Uri { bucket: bucket.to_owned(), key: key.to_owned(), version_id })
    }
}

impl fmt::Display for S3Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.key)?;
        if let Some(v) = &self.version_id {
            write!(f, "?versionId={v}")?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum S3Error {
    #[error("{uri}: no such object (check the key and versionId)")]
    NoObject { uri: String },
    #[error("{uri}: no such bucket")]
    NoBucket { uri: String },
    #[error("{uri}: {detail}")]
    Call { uri: String, detail: String },
    #[error("{uri}: the object is {size} bytes, more than the {limit}-byte limit (--httpd-conf-max-bytes)")]
    TooLarge { uri: String, size: u64, limit: u64 },
    #[error("{uri}: content sha256 is {found}, but --httpd-conf-sha256 pins {expected}")]
    DigestMismatch { uri: String, expected: String, found: String },
    #[error(transparent)]
    Aws(#[from] AwsError),
}

/// What was fetched, for the image's annotations.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub bytes: Vec<u8>,
    pub sha256: String,
    pub version_id: Option<String>,
    pub etag: Option<String>,
}

pub async fn fetch(
    aws: &Aws,
    uri: &S3Uri,
    expected_owner: Option<&str>,
    limit: u64,
    pinned_sha256: Option<&str>,
) -> Result<Fetched, S3Error> {
    let sdk = aws.config().await;
    let mut builder = aws_sdk_s3::config::Builder::from(sdk);
    // Virtual-host addressing needs DNS for BUCKET.endpoint; emulators and
    // private endpoints are reached by path.
    if std::env::var_os("AWS_ENDPOINT_URL_S3").is_some() || std::env::var_os("AWS_ENDPOINT_URL").is_some() {
        builder = builder.force_path_style(true);
    }
    let config = builder.build();
    if config.region().is_none() {
        return Err(AwsError::NoRegion.into());
    }
    let client = aws_sdk_s3::Client::from_conf(config);
    let shown = uri.to_string();
    let out = client
        .get_object()
        .bucket(&uri.bucket)
        .key(&uri.key)
        .set_version_id(uri.version_id.clone())
        .set_expected_bucket_owner(expected_owner.map(str::to_owned))
        .send()
        .await
        .map_err(|e| {
            use aws_sdk_s3::error::ProvideErrorMetadata;
            let code = e.as_service_error().and_then(|s| s.code());
            let status = e.raw_response().map(|r| r.status().as_u16());
            match (code, status) {
                (Some("NoSuchBucket"), _) => S3Error::NoBucket { uri: shown.clone() },
                (Some("NoSuchKey" | "NoSuchVersion"), _) | (_, Some(404)) => S3Error::NoObject { uri: shown.clone() },
                _ => S3Error::Call { uri: shown.clone(), detail: describe(&e) },
            }
        })?;
    // Refuse from the header first, so an oversize object is never read.
    if let Some(size) = out.content_length().and_then(|l| u64::try_from(l).ok()) {
        if size > limit {
            return Err(S3Error::TooLarge { uri: shown, size, limit });
        }
    }
    let version_id = out.version_id().map(str::to_owned);
    let etag = out.e_tag().map(|e| e.trim_matches('"').to_owned());
    let mut body = out.body;
    let mut bytes = Vec::new();
    let mut hasher = Hasher::default();
    while let Some(chunk) =
        body.try_next().await.map_err(|e| S3Error::Call { uri: shown.clone(), detail: e.to_string() })?
    {
        if bytes.len() as u64 + chunk.len() as u64 > limit {
            return Err(S3Error::TooLarge { uri: shown, size: bytes.len() as u64 + chunk.len() as u64, limit });
        }
        hasher.update(&chunk);
        bytes.extend_from_slice(&chunk);
    }
    let (digest, _) = hasher.finish();
    let sha256 = digest.hex().to_owned();
    if let Some(expected) = pinned_sha256 {
        if expected != sha256 {
            return Err(S3Error::DigestMismatch { uri: shown, expected: expected.to_owned(), found: sha256 });
        }
    }
    Ok(Fetched { bytes, sha256, version_id, etag })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_uris_parse_with_and_without_version() {
        let u = S3Uri::parse("s3://ops-bucket/sites/httpd.conf?versionId=3HL4kqtJ").unwrap();
        assert_eq!(
            (u.bucket.as_str(), u.key.as_str(), u.version_id.as_deref()),
            ("ops-bucket", "sites/httpd.conf", Some("3HL4kqtJ"))
        );
        assert_eq!(u.to_string(), "s3://ops-bucket/sites/httpd.conf?versionId=3HL4kqtJ");
        assert_eq!(S3Uri::parse("s3://b/k").unwrap().version_id, None);
        for bad in ["s3://", "s3://bucket", "s3://bucket/", "s3:///key", "https://b/k", "s3://b/k?foo=1", "s3://b/dir/"]
        {
            assert!(S3Uri::parse(bad).is_err(), "{bad}");
        }
    }
}
