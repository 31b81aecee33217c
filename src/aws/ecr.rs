//! Amazon ECR: registry credentials from `GetAuthorizationToken` (HTTP Basic
//! `AWS:<password>`, kept in memory only), and the repository facts a push
//! needs: does it exist, are its tags immutable; creating it on request.

use std::future::Future;
use std::pin::Pin;

use aws_sdk_ecr::types::{ImageScanningConfiguration, ImageTagMutability};
use base64::Engine as _;

use super::{describe, Aws, AwsError};
use crate::registry::{CredentialSource, Credentials, RegistryError, Secret};

/// `ACCOUNT.dkr.ecr[-fips].REGION.amazonaws.com[.cn]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcrHost {
    pub account: String,
    pub region: String,
}

pub fn parse_host(host: &str) -> Option<EcrHost> {
    let host = host.split(':').next()?;
    let rest = host.strip_suffix(".amazonaws.com").or_else(|| host.strip_suffix(".amazonaws.com.cn"))?;
    let (account, rest) = rest.split_once('.')?;
    let region = rest.strip_prefix("dkr.ecr.").or_else(|| rest.strip_prefix("dkr.ecr-fips."))?;
    let valid_region =
        !region.is_empty() && region.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) && valid_region)
        .then(|| EcrHost { account: account.to_owned(), region: region.to_owned() })
}

/// Tag mutability for repositories sitepack creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TagMutability {
    Mutable,
    Immutable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RepositoryInfo {
    pub immutable_tags: bool,
}

#[derive(Clone)]
pub struct Ecr {
    client: aws_sdk_ecr::Client,
    /// The registry (account) the token and repository calls are for; `None`
    /// means the caller's own account.
    registry_id: Option<String>,
    region: Option<String>,
}

impl Ecr {
    pub async fn new(aws: &Aws, region: Option<&str>, registry_id: Option<String>) -> Result<Ecr, AwsError> {
        let sdk = aws.config().await;
        let mut builder = aws_sdk_ecr::config::Builder::from(sdk);
        if let Some(r) = region {
            builder = builder.region(aws_sdk_ecr::config::Region::new(r.to_owned()));
        }
        let config = builder.build();
        let region = config.region().map(|r| r.to_string());
        if region.is_none() {
            return Err(AwsError::NoRegion);
        }
        Ok(Ecr { client: aws_sdk_ecr::Client::from_conf(config), registry_id, region })
    }

    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// A fresh registry password. `expiresAt` is not trusted (emulators
    /// return dates in the past); a 401 triggers a refetch instead.
    pub async fn credentials(&self) -> Result<Credentials, AwsError> {
        let fail = |detail: String| AwsError::Call { service: "ECR", operation: "GetAuthorizationToken", detail };
        // registryIds is deprecated because AWS ignores it (a token opens every
        // registry the principal may use); it still says which registry is
        // meant, and emulators such as moto answer per registry.
        #[allow(deprecated)]
        let out = self
            .client
            .get_authorization_token()
            .set_registry_ids(self.registry_id.clone().map(|id| vec![id]))
            .send()
            .await
            .map_err(|e| fail(describe(&e)))?;
        let encoded = out
            .authorization_data()
            .first()
            .and_then(|d| d.authorization_token())
            .ok_or_else(|| fail("the answer holds no authorization token".into()))?;
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| fail("the authorization token is not base64 text".into()))?;
        let (username, password) =
            decoded.split_once(':').ok_or_else(|| fail("the authorization token is not `user:password`".into()))?;
        Ok(Credentials::Basic { username: username.to_owned(), password: Secret::new(password) })
    }

    /// `None` when the repository does not exist.
    pub async fn repository(&self, name: &str) -> Result<Option<RepositoryInfo>, AwsError> {
        let result = self
            .client
            .describe_repositories()
            .set_registry_id(self.registry_id.clone())
            .repository_names(name)
            .send()
            .await;
        match result {
            Ok(out) => Ok(out
                .repositories()
                .first()
                .map(|r| RepositoryInfo { immutable_tags: is_immutable(r.image_tag_mutability()) })),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_repository_not_found_exception()) => Ok(None),
            Err(e) => Err(AwsError::Call { service: "ECR", operation: "DescribeRepositories", detail: describe(&e) }),
        }
    }

    /// Creates the repository with scan-on-push enabled.
    pub async fn create_repository(&self, name: &str, mutability: TagMutability) -> Result<RepositoryInfo, AwsError> {
        let tags = match mutability {
            TagMutability::Mutable => ImageTagMutability::Mutable,
            TagMutability::Immutable => ImageTagMutability::Immutable,
        };
        self.client
            .create_repository()
            .set_registry_id(self.registry_id.clone())
            .repository_name(name)
            .image_tag_mutability(tags)
            .image_scanning_configuration(ImageScanningConfiguration::builder().scan_on_push(true).build())
            .send()
            .await
            .map_err(|e| AwsError::Call { service: "ECR", operation: "CreateRepository", detail: describe(&e) })?;
        Ok(RepositoryInfo { immutable_tags: mutability == TagMutability::Immutable })
    }
}

fn is_immutable(m: Option<&ImageTagMutability>) -> bool {
    matches!(m, Some(ImageTagMutability::Immutable | ImageTagMutability::ImmutableWithExclusion))
}

/// Lets the registry client fetch a new token on a 401 mid-push.
impl CredentialSource for Ecr {
    fn fetch(&self) -> Pin<Box<dyn Future<Output = Result<Credentials, RegistryError>> + Send + '_>> {
        Box::pin(async move {
            self.credentials().await.map_err(|e| RegistryError::CredentialSource { detail: e.to_string() })
        })
    }

    fn describe(&self) -> &'static str {
        "an ECR token"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecr_hosts_are_recognised_in_every_partition() {
        let want = |a: &str, r: &str| Some(EcrHost { account: a.into(), region: r.into() });
        assert_eq!(parse_host("123456789012.dkr.ecr.eu-west-1.amazonaws.com"), want("123456789012", "eu-west-1"));
        assert_eq!(
            parse_host("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com"),
            want("123456789012", "us-gov-west-1")
        );
        assert_eq!(parse_host("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn"), want("123456789012", "cn-north-1"));
        for other in [
            "127.0.0.1:5000",
            "public.ecr.aws",
            "12345.dkr.ecr.eu-west-1.amazonaws.com",
            "123456789012.dkr.ecr..amazonaws.com",
            "ghcr.io",
        ] {
            assert_eq!(parse_host(other), None, "{other}");
        }
    }
}
