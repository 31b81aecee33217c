//! Registries by host, connected once per run and shared between base and
//! destination, each authenticated by its mode: an ECR token for ECR hosts
//! (or when asked), docker's config.json otherwise, or nothing.

use std::collections::HashMap;
use std::sync::Arc;

use crate::aws;
use crate::reference::Reference;
use crate::registry::{self, Registry};

/// How the destination registry is authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RegistryAuth {
    /// ECR for ECR hosts, docker's config.json for the rest
    Auto,
    /// An ECR token from GetAuthorizationToken, for any host
    Ecr,
    /// docker's config.json (auths, credHelpers, credsStore)
    DockerConfig,
    /// No credentials
    Anonymous,
}

/// Why a registry could not be reached with its credentials.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(transparent)]
    Aws(#[from] aws::AwsError),
    #[error(transparent)]
    Registry(#[from] registry::RegistryError),
}

/// How to reach registries in this run.
pub struct Access<'a> {
    pub options: &'a registry::Options,
    /// The mode for `auth_host` (the destination); other hosts use auto.
    pub auth: RegistryAuth,
    pub auth_host: Option<&'a str>,
    /// The registry an ECR token is for, when the host does not say.
    pub aws_account: Option<String>,
}

pub struct Registries<'a> {
    access: Access<'a>,
    aws: &'a aws::Aws,
    connected: HashMap<String, Arc<Registry>>,
    pub ecr: HashMap<String, aws::ecr::Ecr>,
}

impl<'a> Registries<'a> {
    pub fn new(access: Access<'a>, aws: &'a aws::Aws) -> Registries<'a> {
        Registries { access, aws, connected: HashMap::new(), ecr: HashMap::new() }
    }

    pub fn retries(&self) -> u64 {
        self.connected.values().map(|r| r.retries()).sum()
    }

    fn mode_for(&self, host: &str) -> RegistryAuth {
        let requested = if self.access.auth_host == Some(host) { self.access.auth } else { RegistryAuth::Auto };
        match requested {
            RegistryAuth::Auto if aws::ecr::parse_host(host).is_some() => RegistryAuth::Ecr,
            RegistryAuth::Auto => RegistryAuth::DockerConfig,
            other => other,
        }
    }

    pub async fn get(&mut self, reference: &Reference) -> Result<Arc<Registry>, ConnectError> {
        let host = &reference.registry;
        if let Some(r) = self.connected.get(host) {
            return Ok(r.clone());
        }
        let mode = self.mode_for(host);
        let auth = match mode {
            RegistryAuth::Ecr => {
                let parsed = aws::ecr::parse_host(host);
                let region = parsed.as_ref().map(|h| h.region.clone());
                let registry_id = parsed.map(|h| h.account).or_else(|| self.access.aws_account.clone());
                let ecr = aws::ecr::Ecr::new(self.aws, region.as_deref(), registry_id).await?;
                self.ecr.insert(host.clone(), ecr.clone());
                // Fetched now, right before the registry is used; never stored.
                registry::Auth::Refreshable(Arc::new(ecr))
            }
            RegistryAuth::Anonymous => registry::Auth::Static(registry::Credentials::Anonymous),
            RegistryAuth::DockerConfig | RegistryAuth::Auto => {
                registry::Auth::Static(registry::auth::from_docker_config(host).map_err(registry::RegistryError::from)?)
            }
        };
        tracing::debug!(registry = %host, ?mode, "connecting");
        let reg = Arc::new(Registry::connect(host, reference.api_host(), auth, self.access.options).await?);
        self.connected.insert(host.clone(), reg.clone());
        Ok(reg)
    }
}
