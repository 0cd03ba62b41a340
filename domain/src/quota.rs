//! Quota arithmetic, kept pure so the rules are tested in one place: which keys exist, the
//! effective limit (a tenant override beats the plan), the hard stop at the plan's overage cap,
//! and the warning thresholds (80 % and 100 % of the limit). Quotas are soft: crossing the limit
//! warns; only the overage cap refuses.

use crate::FieldViolation;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum QuotaKey {
    Seats,
    Assets,
    StorageBytes,
    ApiCallsPerDay,
    WebhookEndpoints,
}

/// Warning thresholds in percent of the limit, lowest first.
pub const WARNING_THRESHOLDS: [u32; 2] = [80, 100];

impl QuotaKey {
    pub const ALL: [QuotaKey; 5] = [
        Self::Seats,
        Self::Assets,
        Self::StorageBytes,
        Self::ApiCallsPerDay,
        Self::WebhookEndpoints,
    ];

    /// The wire and storage name; also the column of `plans` that holds the plan's limit.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Seats => "seats",
            Self::Assets => "assets",
            Self::StorageBytes => "storage_bytes",
            Self::ApiCallsPerDay => "api_calls_per_day",
            Self::WebhookEndpoints => "webhook_endpoints",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldViolation> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == raw.trim())
            .ok_or_else(|| {
                let known: Vec<_> = Self::ALL.iter().map(|k| k.as_str()).collect();
                FieldViolation::new(
                    field,
                    format!("unknown quota {raw:?}; known: {}", known.join(", ")),
                )
            })
    }

    /// Whether usage restarts every day (warnings then come once per day, else once per month).
    pub fn is_daily(self) -> bool {
        self == Self::ApiCallsPerDay
    }
}

/// A limit as stored: `None` is unlimited.
pub fn parse_limit(field: &str, raw: i64) -> Result<u64, FieldViolation> {
    u64::try_from(raw).map_err(|_| FieldViolation::new(field, "must be zero or more"))
}

/// The overage cap in percent of the limit (at least 100: the cap never undercuts the quota).
pub fn parse_overage_cap(field: &str, raw: i64) -> Result<u32, FieldViolation> {
    u32::try_from(raw)
        .ok()
        .filter(|p| (100..=1000).contains(p))
        .ok_or_else(|| FieldViolation::new(field, "must be between 100 and 1000 (percent)"))
}

/// The effective limit of one quota for one tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// `None`: unlimited.
    pub quota: Option<u64>,
    /// Hard stop in percent of `quota`.
    pub overage_cap_percent: u32,
}

/// Adding would pass the hard cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exhausted {
    pub key: QuotaKey,
    pub quota: u64,
    pub hard_cap: u64,
}

impl std::fmt::Display for Exhausted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "quota {} exhausted: the plan allows {} (hard stop at {}); ask your administrator to upgrade the plan",
            self.key.as_str(),
            self.quota,
            self.hard_cap
        )
    }
}

impl Limit {
    /// The tenant's override when there is one (`Some(None)` is an unlimited override),
    /// otherwise the plan's limit.
    pub fn effective(
        plan: Option<u64>,
        over: Option<Option<u64>>,
        overage_cap_percent: u32,
    ) -> Self {
        Self {
            quota: over.unwrap_or(plan),
            overage_cap_percent,
        }
    }

    /// The most that may be used: the quota times the overage cap, rounded down.
    pub fn hard_cap(&self) -> Option<u64> {
        self.quota
            .map(|q| q.saturating_mul(u64::from(self.overage_cap_percent)) / 100)
    }

    /// Checks that using `adding` more on top of `used` stays within the hard cap.
    pub fn check(&self, key: QuotaKey, used: u64, adding: u64) -> Result<(), Exhausted> {
        match (self.quota, self.hard_cap()) {
            (Some(quota), Some(hard_cap)) if used.saturating_add(adding) > hard_cap => {
                Err(Exhausted {
                    key,
                    quota,
                    hard_cap,
                })
            }
            _ => Ok(()),
        }
    }

    /// The warning thresholds `used` has reached (80, then 100), lowest first.
    pub fn thresholds_reached(&self, used: u64) -> Vec<u32> {
        let Some(quota) = self.quota else {
            return Vec::new();
        };
        WARNING_THRESHOLDS
            .into_iter()
            .filter(|t| u128::from(used) * 100 >= u128::from(quota) * u128::from(*t))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_beat_the_plan_and_none_is_unlimited() {
        assert_eq!(Limit::effective(Some(10), None, 120).quota, Some(10));
        assert_eq!(
            Limit::effective(Some(10), Some(Some(3)), 120).quota,
            Some(3)
        );
        assert_eq!(Limit::effective(Some(10), Some(None), 120).quota, None);
        assert_eq!(Limit::effective(None, None, 120).hard_cap(), None);
    }

    #[test]
    fn the_hard_stop_is_at_the_overage_cap() {
        let limit = Limit::effective(Some(10), None, 120);
        assert_eq!(limit.hard_cap(), Some(12));
        assert!(limit.check(QuotaKey::Assets, 11, 1).is_ok());
        let err = limit.check(QuotaKey::Assets, 12, 1).unwrap_err();
        assert_eq!((err.quota, err.hard_cap), (10, 12));
        assert!(err.to_string().starts_with("quota assets exhausted"));
        let zero = Limit::effective(Some(0), None, 100);
        assert!(zero.check(QuotaKey::Seats, 0, 1).is_err());
        let unlimited = Limit::effective(None, None, 100);
        assert!(unlimited.check(QuotaKey::Assets, u64::MAX, 1).is_ok());
    }

    #[test]
    fn warnings_at_80_and_100_percent() {
        let limit = Limit::effective(Some(10), None, 150);
        assert!(limit.thresholds_reached(7).is_empty());
        assert_eq!(limit.thresholds_reached(8), [80]);
        assert_eq!(limit.thresholds_reached(10), [80, 100]);
        assert_eq!(limit.thresholds_reached(14), [80, 100]);
        assert!(
            Limit::effective(None, None, 100)
                .thresholds_reached(9)
                .is_empty()
        );
    }

    #[test]
    fn keys_and_limits_parse() {
        assert_eq!(QuotaKey::parse("key", "assets").unwrap(), QuotaKey::Assets);
        let err = QuotaKey::parse("key", "rockets").unwrap_err();
        assert!(err.description.contains("api_calls_per_day"), "{err}");
        assert_eq!(parse_limit("value", -1).unwrap_err().field, "value");
        assert_eq!(parse_limit("value", 5).unwrap(), 5);
        assert!(parse_overage_cap("cap", 99).is_err());
        assert_eq!(parse_overage_cap("cap", 120).unwrap(), 120);
    }
}
