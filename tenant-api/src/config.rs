//! The tenant API's configuration: the shared settings plus what only this deployable reads —
//! its address and pool size, the checks of tenant credentials, rate limits, the public URL,
//! the guard on outbound requests (identity providers, webhook URLs), the platform's OpenID
//! Connect provider and the name servers for SSO domain proofs. It parses nothing of the
//! workers' (SMTP, webhook dispatch, exports) or the control plane's (object storage).

use eventkit_domain::webhooks::destination::Guard;
use eventkit_platform::{
    config::{Config, ConfigError, TenantAuth, Vars, public_url, webhook_guard},
    rate_limit::RateLimitConfig,
    secret::Secret,
};
use std::{collections::HashMap, net::SocketAddr, path::PathBuf};

#[derive(Clone, Debug)]
pub struct TenantApiConfig {
    pub shared: Config,
    /// `EVENTKIT_TENANT_API_ADDR` (default `127.0.0.1:8080`).
    pub addr: SocketAddr,
    /// `EVENTKIT_DB_MAX_CONNECTIONS` (default 32): the pool as `eventkit_app`.
    pub db_max_connections: u32,
    pub auth: TenantAuth,
    /// Rate limits (`EVENTKIT_RATE_LIMIT*`, see `eventkit_platform::rate_limit::config`).
    pub rate_limits: RateLimitConfig,
    /// Internal destinations the operator allows (`EVENTKIT_WEBHOOK_ALLOWLIST`).
    pub webhook_guard: Guard,
    /// Where users reach EventKit (`EVENTKIT_PUBLIC_URL`: links in emails, sign-in redirects).
    pub public_url: String,
    /// The platform's OpenID Connect provider (`EVENTKIT_OIDC_ISSUER`, `EVENTKIT_OIDC_CLIENT_ID`,
    /// `EVENTKIT_OIDC_CLIENT_SECRET`): people with an account sign in with it. Unset: off.
    pub oidc: Option<PlatformOidc>,
    /// Name servers for the DNS TXT proofs of SSO domains (`EVENTKIT_DNS_SERVERS`:
    /// comma-separated `ip:port`); empty: the system's (`/etc/resolv.conf`).
    pub dns_servers: Vec<SocketAddr>,
    /// `EVENTKIT_WEB_DIR`: serve the web app from this built `web/dist` instead of the one
    /// compiled into the binary (a customised build, or a newer one without recompiling).
    pub web_dir: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct PlatformOidc {
    pub issuer_url: String,
    pub client_id: String,
    pub client_secret: Secret<String>,
}

impl TenantApiConfig {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(&eventkit_platform::config::env_vars())
    }

    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let shared = Config::from_vars(vars)?;
        let v = Vars(vars);
        Ok(Self {
            shared,
            addr: v.addr("EVENTKIT_TENANT_API_ADDR", "127.0.0.1:8080")?,
            db_max_connections: v.parse("EVENTKIT_DB_MAX_CONNECTIONS", 32)?,
            auth: TenantAuth::from_vars(vars)?,
            rate_limits: RateLimitConfig::from_vars(vars)?,
            webhook_guard: webhook_guard(vars)?,
            public_url: public_url(vars),
            oidc: match v.get("EVENTKIT_OIDC_ISSUER") {
                None => None,
                Some(issuer_url) => Some(PlatformOidc {
                    issuer_url,
                    client_id: v.required("EVENTKIT_OIDC_CLIENT_ID", "EVENTKIT_OIDC_ISSUER")?,
                    client_secret: Secret::new(
                        v.required("EVENTKIT_OIDC_CLIENT_SECRET", "EVENTKIT_OIDC_ISSUER")?,
                    ),
                }),
            },
            dns_servers: v
                .get("EVENTKIT_DNS_SERVERS")
                .unwrap_or_default()
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse().map_err(|e| ConfigError {
                        var: "EVENTKIT_DNS_SERVERS",
                        message: format!("{s:?}: {e} (give ip:port, e.g. 10.0.0.2:53)"),
                    })
                })
                .collect::<Result<_, _>>()?,
            web_dir: v.get("EVENTKIT_WEB_DIR").map(PathBuf::from),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eventkit_platform::config::var_set as vars;

    #[test]
    fn defaults_work_locally() {
        let c = TenantApiConfig::from_vars(&HashMap::new()).unwrap();
        assert_eq!(c.addr.port(), 8080);
        assert_eq!(c.db_max_connections, 32);
        assert_eq!(c.public_url, "http://127.0.0.1:8080");
        assert!(c.oidc.is_none() && c.auth.jwt.is_none());
        assert!(c.web_dir.is_none(), "the embedded web app by default");
    }

    #[test]
    fn bad_values_name_the_variable() {
        for (var, value) in [
            ("EVENTKIT_TENANT_API_ADDR", "nope"),
            ("EVENTKIT_WEBHOOK_ALLOWLIST", "10.0.0.0/99"),
            ("EVENTKIT_DNS_SERVERS", "10.0.0.2"),
            ("EVENTKIT_OIDC_ISSUER", "https://idp.example"),
        ] {
            let err = TenantApiConfig::from_vars(&vars(&[(var, value)])).unwrap_err();
            let expected = if var == "EVENTKIT_OIDC_ISSUER" {
                "EVENTKIT_OIDC_CLIENT_ID"
            } else {
                var
            };
            assert_eq!(err.var, expected, "{value}");
        }
    }
}
