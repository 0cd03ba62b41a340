//! The control plane's configuration: the shared settings plus its address, the checks of tenant
//! credentials (the tenant-facing `AccountService`), rate limits, the public URL (links in
//! invitation emails) and object storage (export download links). It parses nothing of the
//! workers' (SMTP, webhook dispatch) or the tenant API's own (OpenID Connect, SSO name servers).

use eventkit_platform::{
    config::{Config, ConfigError, StorageConfig, TenantAuth, control_plane_addr, public_url},
    rate_limit::RateLimitConfig,
};
use std::{collections::HashMap, net::SocketAddr};

#[derive(Clone, Debug)]
pub struct ControlPlaneConfig {
    pub shared: Config,
    /// `EVENTKIT_CONTROL_PLANE_ADDR` (default `127.0.0.1:8081`).
    pub addr: SocketAddr,
    pub auth: TenantAuth,
    /// Rate limits (`EVENTKIT_RATE_LIMIT*`): the tenant budgets and the throttles of sign-up.
    pub rate_limits: RateLimitConfig,
    /// Where users reach EventKit (`EVENTKIT_PUBLIC_URL`: links in emails).
    pub public_url: String,
    /// Object storage (export download links).
    pub storage: StorageConfig,
}

impl ControlPlaneConfig {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(&eventkit_platform::config::env_vars())
    }

    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Self, ConfigError> {
        Ok(Self {
            shared: Config::from_vars(vars)?,
            addr: control_plane_addr(vars)?,
            auth: TenantAuth::from_vars(vars)?,
            rate_limits: RateLimitConfig::from_vars(vars)?,
            public_url: public_url(vars),
            storage: StorageConfig::from_vars(vars)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_work_locally_and_links_name_the_control_plane() {
        let c = ControlPlaneConfig::from_vars(&HashMap::new()).unwrap();
        assert_eq!(c.addr.port(), 8081);
        assert_eq!(c.storage.download_base_url, "http://127.0.0.1:8081");
        let vars = HashMap::from([("EVENTKIT_CONTROL_PLANE_ADDR".to_owned(), "x".to_owned())]);
        assert_eq!(
            ControlPlaneConfig::from_vars(&vars).unwrap_err().var,
            "EVENTKIT_CONTROL_PLANE_ADDR"
        );
    }
}
