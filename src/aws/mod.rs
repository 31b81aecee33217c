//! AWS access: the SDK configuration loaded once from the default chain
//! (environment, profile, CodeBuild/ECS container credentials, IMDS) and the
//! service clients built from it. `ecr` turns it into registry credentials
//! and repository facts; `s3` fetches the operator's httpd.conf.
//!
//! Endpoint overrides (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_ECR`,
//! `AWS_ENDPOINT_URL_S3`) are honoured by aws-config itself.

pub mod ecr;
pub mod s3;

use aws_config::{BehaviorVersion, SdkConfig};
use tokio::sync::OnceCell;

#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    #[error("AWS {service} {operation} failed: {detail}")]
    Call { service: &'static str, operation: &'static str, detail: String },
    #[error(
        "no AWS region: set AWS_REGION or AWS_DEFAULT_REGION (or use an ECR registry host, which names its region)"
    )]
    NoRegion,
}

/// The SDK configuration, loaded on first use and shared.
#[derive(Default)]
pub struct Aws {
    config: OnceCell<SdkConfig>,
}

impl Aws {
    pub async fn config(&self) -> &SdkConfig {
        self.config.get_or_init(|| aws_config::defaults(BehaviorVersion::latest()).load()).await
    }
}

/// One line for an SDK error: the service's code and message when it sent
/// them, else the whole chain. SDK errors carry no credentials.
pub(crate) fn describe<E, R>(err: &aws_sdk_s3::error::SdkError<E, R>) -> String
where
    E: std::error::Error + aws_sdk_s3::error::ProvideErrorMetadata + 'static,
    R: std::fmt::Debug,
{
    use aws_sdk_s3::error::DisplayErrorContext;
    match err.as_service_error().map(|s| (s.code(), s.message())) {
        Some((Some(c), Some(m))) => format!("{c}: {m}"),
        Some((Some(c), None)) => c.to_owned(),
        _ => DisplayErrorContext(err).to_string(),
    }
}
