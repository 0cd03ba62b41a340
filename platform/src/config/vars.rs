//! Reading settings from a set of variables: the one way every section and every deployable's
//! configuration turns `EVENTKIT_*` values into typed settings, with errors that name the
//! variable. Empty values count as unset, so `VAR=` falls back to the default.

use super::ConfigError;
use std::{collections::HashMap, fmt, net::SocketAddr, str::FromStr, time::Duration};

/// A set of variables from `(name, value)` pairs: for tests, and for settings composed by hand.
pub fn var_set(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// The variables a configuration is read from (the process environment, or a test's own set).
#[derive(Clone, Copy)]
pub struct Vars<'a>(pub &'a HashMap<String, String>);

impl Vars<'_> {
    /// The value of `var`, unless unset or empty.
    pub fn get(&self, var: &str) -> Option<String> {
        self.0.get(var).filter(|v| !v.is_empty()).cloned()
    }

    /// `var` parsed as a `T`, or `default` when unset.
    pub fn parse<T: FromStr>(&self, var: &'static str, default: T) -> Result<T, ConfigError>
    where
        T::Err: fmt::Display,
    {
        match self.0.get(var).filter(|v| !v.is_empty()) {
            None => Ok(default),
            Some(raw) => raw.parse().map_err(|e: T::Err| ConfigError {
                var,
                message: format!("{raw:?}: {e}"),
            }),
        }
    }

    /// A duration given in milliseconds.
    pub fn millis(&self, var: &'static str, default: u64) -> Result<Duration, ConfigError> {
        Ok(Duration::from_millis(self.parse(var, default)?))
    }

    /// A listening address (`host:port`).
    pub fn addr(&self, var: &'static str, default: &str) -> Result<SocketAddr, ConfigError> {
        self.parse(var, default.parse().expect("a valid default address"))
    }

    /// A count that must be positive (zero would stop the work it sizes).
    pub fn count(&self, var: &'static str, default: usize) -> Result<usize, ConfigError> {
        let value = self.parse(var, default)?;
        if value == 0 {
            return Err(ConfigError {
                var,
                message: "must be at least 1".into(),
            });
        }
        Ok(value)
    }

    /// An on/off switch: `1`, `on`, `true`, `yes` or `0`, `off`, `false`, `no`.
    pub fn flag(&self, var: &'static str, default: bool) -> Result<bool, ConfigError> {
        match self
            .0
            .get(var)
            .map(|v| v.trim().to_ascii_lowercase())
            .as_deref()
        {
            None | Some("") => Ok(default),
            Some("1" | "on" | "true" | "yes") => Ok(true),
            Some("0" | "off" | "false" | "no") => Ok(false),
            Some(other) => Err(ConfigError {
                var,
                message: format!("{other:?}: use 1 or 0"),
            }),
        }
    }

    /// A value that `var` is required for when `because` is set.
    pub fn required(
        &self,
        var: &'static str,
        because: &'static str,
    ) -> Result<String, ConfigError> {
        self.get(var).ok_or(ConfigError {
            var,
            message: format!("is required when {because} is set"),
        })
    }
}
