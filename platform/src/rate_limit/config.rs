//! Rate-limit settings from `EVENTKIT_RATE_LIMIT_*` variables: a section of the configuration of
//! the deployables that limit calls (tenant API and control plane), which call
//! [`RateLimitConfig::from_vars`].

use crate::config::ConfigError;
use std::{collections::HashMap, time::Duration};

#[derive(Debug, Clone)]
pub struct RateLimitConfig {
    /// `EVENTKIT_RATE_LIMITS`: `on` (default) or `off` (no limits at all).
    pub enabled: bool,
    /// `EVENTKIT_RATE_LIMIT_CACHE_MS` (default 10 000): how long a tenant's limits stay cached.
    pub limits_cache_ttl: Duration,
    /// `EVENTKIT_RATE_LIMIT_REDIS_TIMEOUT_MS` (default 250): past this Redis counts as down
    /// for that request, which is then admitted under the local limits only.
    pub redis_timeout: Duration,
    /// `EVENTKIT_RATE_LIMIT_LOCAL_BUCKETS` (default 100 000): buckets kept in process.
    pub local_buckets: u64,
    /// Idle time after which a local bucket is dropped (60 s).
    pub local_idle: Duration,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self::from_vars(&HashMap::new()).expect("defaults parse")
    }
}

impl RateLimitConfig {
    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let get = |k: &str| vars.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
        let number = |var: &'static str, default: u64| -> Result<u64, ConfigError> {
            get(var).map_or(Ok(default), |raw| {
                raw.parse().map_err(|e| ConfigError {
                    var,
                    message: format!("{raw:?}: {e}"),
                })
            })
        };
        let enabled = match get("EVENTKIT_RATE_LIMITS").unwrap_or("on") {
            "on" | "true" | "1" => true,
            "off" | "false" | "0" => false,
            other => {
                return Err(ConfigError {
                    var: "EVENTKIT_RATE_LIMITS",
                    message: format!("{other:?}: use on or off"),
                });
            }
        };
        Ok(Self {
            enabled,
            limits_cache_ttl: Duration::from_millis(number(
                "EVENTKIT_RATE_LIMIT_CACHE_MS",
                10_000,
            )?),
            redis_timeout: Duration::from_millis(number(
                "EVENTKIT_RATE_LIMIT_REDIS_TIMEOUT_MS",
                250,
            )?),
            local_buckets: number("EVENTKIT_RATE_LIMIT_LOCAL_BUCKETS", 100_000)?,
            local_idle: Duration::from_secs(60),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_errors_name_the_variable() {
        let c = RateLimitConfig::default();
        assert!(c.enabled);
        assert_eq!(c.redis_timeout, Duration::from_millis(250));
        let vars = HashMap::from([("EVENTKIT_RATE_LIMITS".to_owned(), "maybe".to_owned())]);
        assert_eq!(
            RateLimitConfig::from_vars(&vars).unwrap_err().var,
            "EVENTKIT_RATE_LIMITS"
        );
        let vars = HashMap::from([("EVENTKIT_RATE_LIMIT_CACHE_MS".to_owned(), "-1".to_owned())]);
        assert_eq!(
            RateLimitConfig::from_vars(&vars).unwrap_err().var,
            "EVENTKIT_RATE_LIMIT_CACHE_MS"
        );
        let off = HashMap::from([("EVENTKIT_RATE_LIMITS".to_owned(), "off".to_owned())]);
        assert!(!RateLimitConfig::from_vars(&off).unwrap().enabled);
    }
}
