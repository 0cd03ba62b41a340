//! Configuration from `EVENTKIT_*` environment variables (plus the usual `DATABASE_URL`,
//! `REDIS_URL`, `NATS_URL`), with defaults that work on a developer machine. Secrets are
//! wrapped in [`Secret`] so `Debug` output is safe to log.
//!
//! Cut per deployable: [`Config`] holds what every deployable shares (the database, Redis and
//! NATS, the HTTP stack every role serves, logging, development mode), [`sections`] what some of
//! them share (object storage, tenant credentials, the public URL, the outbound guard), and each
//! deployable crate composes its own configuration from these and its own settings
//! (`eventkit_tenant_api::config`, `eventkit_control_plane::config`, `eventkit_workers::config`).
//! So the tenant API never parses the workers' SMTP settings, and a bad value only stops the
//! deployables that use it. `eventkit up` reads all three from the same variables.

pub mod sections;
mod urls;
mod vars;

pub use sections::{
    DEV_SIGNING_KEY, DatabaseUrls, ExternalJwt, StorageConfig, TenantAuth, control_plane_addr,
    public_url, webhook_guard,
};
pub use urls::{database_name, with_database, with_user};
pub use vars::{Vars, var_set};

use crate::rpc::client_address::{ForwardedHeader, TrustedProxies};
use crate::secret::Secret;
use std::{collections::HashMap, time::Duration};

/// The settings every deployable shares; also all that `eventkit migrate` and the bootstrap
/// commands read. The HTTP fields are what [`crate::rpc::server::app`] serves every role with.
#[derive(Clone, Debug)]
pub struct Config {
    pub database: DatabaseUrls,
    pub redis_url: String,
    pub nats_url: String,
    /// `json` (default) or `pretty`.
    pub log_format: String,
    /// `EVENTKIT_DEV_MODE` (`1`/`on`; off by default; `eventkit up` turns it on): the
    /// development defaults (built-in download signing key, role passwords equal to role
    /// names) are accepted with a loud warning; otherwise the deployables refuse to start
    /// with them ([`crate::development`]).
    pub dev_mode: bool,
    /// Largest accepted request body (and gRPC message), in bytes.
    pub max_request_bytes: usize,
    /// Deadline for one request when the client sets none.
    pub request_timeout: Duration,
    /// Browser origins allowed to call the API (CORS); empty allows none.
    pub cors_origins: Vec<String>,
    /// Proxies whose forwarding header names the client (`EVENTKIT_TRUSTED_PROXIES`: CIDRs;
    /// `EVENTKIT_TRUSTED_PROXY_HEADER`: `x-forwarded-for` or `forwarded`); none by default.
    pub trusted_proxies: TrustedProxies,
    /// `Strict-Transport-Security` max-age in seconds (`EVENTKIT_HSTS_MAX_AGE`); by default one
    /// year when `EVENTKIT_PUBLIC_URL` is `https://`, else none; `0` turns it off.
    pub hsts_max_age: Option<u64>,
    /// `EVENTKIT_METRICS_TOKEN`: the bearer token for `/metrics` and the detailed `/health`.
    /// Unset, `/metrics` is off and `/health` says only up or down ([`crate::rpc::diagnostics`]).
    pub metrics_token: Option<Secret<String>>,
}

/// Errors in configuration name the variable.
#[derive(Debug, thiserror::Error)]
#[error("{var}: {message}")]
pub struct ConfigError {
    pub var: &'static str,
    pub message: String,
}

/// The process environment, as a set of variables every configuration reads from.
pub fn env_vars() -> HashMap<String, String> {
    std::env::vars().collect()
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(&env_vars())
    }

    /// Reads a given set of variables (tests use this instead of mutating the process env).
    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let database = DatabaseUrls::from_vars(vars);
        let vars = Vars(vars);
        Ok(Self {
            database,
            redis_url: vars
                .get("REDIS_URL")
                .unwrap_or_else(|| "redis://127.0.0.1:6379".into()),
            nats_url: vars
                .get("NATS_URL")
                .unwrap_or_else(|| "nats://127.0.0.1:4222".into()),
            log_format: vars
                .get("EVENTKIT_LOG_FORMAT")
                .unwrap_or_else(|| "json".into()),
            dev_mode: vars.flag("EVENTKIT_DEV_MODE", false)?,
            max_request_bytes: vars.parse("EVENTKIT_MAX_REQUEST_BYTES", 4 * 1024 * 1024)?,
            request_timeout: vars.millis("EVENTKIT_REQUEST_TIMEOUT_MS", 30_000)?,
            cors_origins: parse_origins(&vars.get("EVENTKIT_CORS_ORIGINS").unwrap_or_default())
                .map_err(|message| ConfigError {
                    var: "EVENTKIT_CORS_ORIGINS",
                    message,
                })?,
            trusted_proxies: trusted_proxies(vars)?,
            hsts_max_age: match vars.get("EVENTKIT_HSTS_MAX_AGE") {
                Some(_) => Some(vars.parse("EVENTKIT_HSTS_MAX_AGE", 0u64)?).filter(|s| *s > 0),
                None => vars
                    .get("EVENTKIT_PUBLIC_URL")
                    .filter(|u| u.starts_with("https://"))
                    .map(|_| 31_536_000),
            },
            metrics_token: vars.get("EVENTKIT_METRICS_TOKEN").map(Secret::new),
        })
    }
}

/// Parses `EVENTKIT_CORS_ORIGINS` (comma-separated): each entry must be an origin exactly as a
/// browser sends it, `http(s)://host[:port]`, with no path, wildcard or `null`. Normalised to
/// lower case.
pub fn parse_origins(raw: &str) -> Result<Vec<String>, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|origin| {
            let lower = origin.to_ascii_lowercase();
            let host = lower
                .strip_prefix("https://")
                .or_else(|| lower.strip_prefix("http://"))
                .ok_or_else(|| format!("{origin:?}: an origin starts with https:// or http://"))?;
            let valid = !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c))
                && http::HeaderValue::from_str(&lower).is_ok();
            if !valid {
                return Err(format!(
                    "{origin:?}: an origin is scheme://host[:port] exactly, without path, wildcard or trailing slash"
                ));
            }
            Ok(lower)
        })
        .collect()
}

fn trusted_proxies(vars: Vars) -> Result<TrustedProxies, ConfigError> {
    let header = vars
        .get("EVENTKIT_TRUSTED_PROXY_HEADER")
        .unwrap_or_default();
    let header = ForwardedHeader::parse(&header).ok_or_else(|| ConfigError {
        var: "EVENTKIT_TRUSTED_PROXY_HEADER",
        message: format!("{header:?}: use x-forwarded-for or forwarded"),
    })?;
    TrustedProxies::parse(
        &vars.get("EVENTKIT_TRUSTED_PROXIES").unwrap_or_default(),
        header,
    )
    .map_err(|message| ConfigError {
        var: "EVENTKIT_TRUSTED_PROXIES",
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::var_set as vars;

    #[test]
    fn defaults_work_locally_and_roles_share_the_host() {
        let c = Config::from_vars(&HashMap::new()).unwrap();
        assert_eq!(c.nats_url, "nats://127.0.0.1:4222");
        assert_eq!(
            c.database.owner.expose(),
            "postgres://eventkit_owner:eventkit_owner@127.0.0.1:5432/eventkit"
        );
        assert!(
            !format!("{c:?}").contains("eventkit_owner@"),
            "passwords are redacted in Debug"
        );
    }

    #[test]
    fn bad_values_name_the_variable() {
        for (var, value) in [
            ("EVENTKIT_TRUSTED_PROXIES", "10.0.0.0/8,proxy"),
            ("EVENTKIT_TRUSTED_PROXY_HEADER", "x-real-ip"),
            ("EVENTKIT_MAX_REQUEST_BYTES", "lots"),
            ("EVENTKIT_CORS_ORIGINS", "*"),
        ] {
            assert_eq!(
                Config::from_vars(&vars(&[(var, value)])).unwrap_err().var,
                var
            );
        }
        let count = Vars(&vars(&[("EVENTKIT_WEBHOOK_PER_TENANT", "0")]))
            .count("EVENTKIT_WEBHOOK_PER_TENANT", 32)
            .unwrap_err();
        assert_eq!(
            (count.var, count.message.as_str()),
            ("EVENTKIT_WEBHOOK_PER_TENANT", "must be at least 1")
        );
    }

    #[test]
    fn development_mode_is_off_unless_asked_for() {
        let mode = |value: &str| Config::from_vars(&vars(&[("EVENTKIT_DEV_MODE", value)]));
        assert!(!Config::from_vars(&HashMap::new()).unwrap().dev_mode);
        assert!(mode("1").unwrap().dev_mode);
        assert!(mode("ON").unwrap().dev_mode);
        assert!(!mode("0").unwrap().dev_mode);
        assert_eq!(mode("maybe").unwrap_err().var, "EVENTKIT_DEV_MODE");
    }

    #[test]
    fn origins_are_exact() {
        assert_eq!(
            parse_origins(" https://App.Example.com , http://localhost:5173").unwrap(),
            ["https://app.example.com", "http://localhost:5173"]
        );
        assert_eq!(parse_origins("").unwrap(), Vec::<String>::new());
        for bad in [
            "*",
            "null",
            "app.example.com",
            "https://*.example.com",
            "https://app.example.com/",
            "https://app.example.com/path",
            "ftp://app.example.com",
            "https://",
        ] {
            assert!(parse_origins(bad).is_err(), "{bad} accepted");
        }
    }
}
