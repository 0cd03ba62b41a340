//! The names and values of request rate limits, which plans carry next to their quotas and
//! tenants may override like quotas. Unlike quotas they are hard: past the budget a request
//! is refused, with no warning thresholds or overage cap.

use crate::FieldViolation;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RateLimitKey {
    RequestsPerSecond,
    RequestBurst,
    PrincipalRequestsPerSecond,
    PrincipalRequestBurst,
}

impl RateLimitKey {
    pub const ALL: [RateLimitKey; 4] = [
        Self::RequestsPerSecond,
        Self::RequestBurst,
        Self::PrincipalRequestsPerSecond,
        Self::PrincipalRequestBurst,
    ];

    /// The wire and storage name: the column of `plans` and the key in `quota_overrides`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RequestsPerSecond => "requests_per_second",
            Self::RequestBurst => "request_burst",
            Self::PrincipalRequestsPerSecond => "principal_requests_per_second",
            Self::PrincipalRequestBurst => "principal_request_burst",
        }
    }

    /// The key named `raw`, if it is one.
    pub fn find(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw.trim())
    }
}

/// A rate-limit value: at least 1 (use "unlimited" for no limit).
pub fn parse_rate_limit(field: &str, raw: i64) -> Result<i64, FieldViolation> {
    if raw >= 1 {
        Ok(raw)
    } else {
        Err(FieldViolation::new(
            field,
            "must be 1 or more (or unlimited)",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_values() {
        for key in RateLimitKey::ALL {
            assert_eq!(RateLimitKey::find(key.as_str()), Some(key));
        }
        assert_eq!(RateLimitKey::find("assets"), None);
        assert_eq!(parse_rate_limit("v", 0).unwrap_err().field, "v");
        assert_eq!(parse_rate_limit("v", 5).unwrap(), 5);
    }
}
