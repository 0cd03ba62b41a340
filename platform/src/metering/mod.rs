//! API-call metering, in three hops so no request waits for it: each tenant-api process counts
//! authenticated calls in memory per tenant and UTC day ([`ApiCallMeter`]) and adds them to
//! Redis counters every second; the control plane moves the counters into `usage_daily`
//! ([`flush`]). A crash loses at most the last second of one process's counts. Past the plan's
//! overage cap for the day, calls are refused ([`ApiCallMeter`]).

mod flush;
mod meter;

pub use flush::{flush, forget};
pub use meter::ApiCallMeter;

use chrono::NaiveDate;
use eventkit_domain::ids::TenantId;
use redis::aio::ConnectionManager;
use std::sync::Arc;
use tokio::sync::OnceCell;
use uuid::Uuid;

pub(crate) const PREFIX: &str = "eventkit:usage:api_calls";
/// Running totals per tenant and day that the flush leaves alone (it takes the counters above):
/// what the daily cap is checked against.
pub(crate) const DAY_TOTAL_PREFIX: &str = "eventkit:usage:api_calls_day";
/// Day totals are needed for their day only.
pub(crate) const DAY_TOTAL_TTL_SECS: i64 = 2 * 24 * 3600;

pub(crate) fn day_total_key(tenant_id: TenantId, day: NaiveDate) -> String {
    format!("{DAY_TOTAL_PREFIX}:{tenant_id}:{}", day.format("%Y-%m-%d"))
}

/// Counters outlive their day by a margin, in case no flusher ran.
pub(crate) const TTL_SECS: i64 = 7 * 24 * 3600;

pub(crate) fn counter_key(tenant_id: TenantId, day: NaiveDate) -> String {
    format!("{PREFIX}:{tenant_id}:{}", day.format("%Y-%m-%d"))
}

pub(crate) fn parse_counter_key(key: &str) -> Option<(TenantId, NaiveDate)> {
    let rest = key.strip_prefix(PREFIX)?.strip_prefix(':')?;
    let (tenant, day) = rest.split_once(':')?;
    Some((
        TenantId::from_uuid(Uuid::try_parse(tenant).ok()?),
        NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?,
    ))
}

/// A Redis connection made on first use (a process starts while Redis is down).
#[derive(Clone)]
pub struct Redis {
    client: redis::Client,
    connection: Arc<OnceCell<ConnectionManager>>,
}

impl Redis {
    pub fn new(client: redis::Client) -> Self {
        Self {
            client,
            connection: Arc::new(OnceCell::new()),
        }
    }

    pub fn client(&self) -> &redis::Client {
        &self.client
    }

    pub async fn connection(&self) -> redis::RedisResult<ConnectionManager> {
        self.connection
            .get_or_try_init(|| self.client.get_connection_manager())
            .await
            .cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counter_keys_round_trip() {
        let tenant = TenantId::new();
        let day = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let key = counter_key(tenant, day);
        assert_eq!(parse_counter_key(&key), Some((tenant, day)));
        assert_eq!(parse_counter_key("eventkit:usage:api_calls:x:y"), None);
    }
}
