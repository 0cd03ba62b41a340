//! Where a tenant's rate limits come from: its plan's columns (`requests_per_second`,
//! `request_burst`, `principal_requests_per_second`, `principal_request_burst`), each replaced
//! by the tenant's row in `quota_overrides` under the same key when there is one (null:
//! unlimited). Read in the tenant's transaction (row-level security shows it only its own
//! plan and overrides) and cached per process for a few seconds, so a plan change applies
//! within that time.

use super::Bucket;
use crate::{
    ApiError,
    db::{Actor, Db},
};
use eventkit_domain::ids::TenantId;
use moka::future::Cache;
use std::{sync::Arc, time::Duration};

/// The override keys, in the order of the plan columns.
pub const KEYS: [&str; 4] = [
    "requests_per_second",
    "request_burst",
    "principal_requests_per_second",
    "principal_request_burst",
];

/// A tenant's effective budgets; `None` is unlimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RateLimits {
    /// All of the tenant's callers together.
    pub tenant: Option<Bucket>,
    /// Each principal (API key, user) alone.
    pub principal: Option<Bucket>,
}

impl RateLimits {
    /// From the plan's four values and the tenant's overrides (`Some(None)`: an unlimited
    /// override). A rate without a burst gets one second's worth; a burst without a rate is
    /// unlimited.
    pub fn resolve(plan: [Option<i64>; 4], overrides: &[(String, Option<i64>)]) -> Self {
        let value = |i: usize| {
            overrides
                .iter()
                .find(|(k, _)| k == KEYS[i])
                .map_or(plan[i], |(_, v)| *v)
                .map(|v| v.max(1) as u64)
        };
        let bucket = |rate: Option<u64>, burst: Option<u64>| {
            rate.map(|r| Bucket::per_second(r, burst.unwrap_or(r)))
        };
        Self {
            tenant: bucket(value(0), value(1)),
            principal: bucket(value(2), value(3)),
        }
    }
}

/// Per-process cache of tenants' limits.
#[derive(Clone)]
pub struct TenantRateLimits {
    db: Db,
    cache: Cache<TenantId, RateLimits>,
}

impl TenantRateLimits {
    pub fn new(db: Db, ttl: Duration) -> Self {
        Self {
            db,
            cache: Cache::builder()
                .max_capacity(100_000)
                .time_to_live(ttl)
                .build(),
        }
    }

    /// The tenant's limits, from the cache or the database.
    pub async fn get(&self, tenant_id: TenantId) -> Result<RateLimits, Arc<ApiError>> {
        self.cache
            .try_get_with(tenant_id, self.lookup(tenant_id))
            .await
    }

    async fn lookup(&self, tenant_id: TenantId) -> Result<RateLimits, ApiError> {
        let mut tx = self
            .db
            .tenant_tx(tenant_id, &Actor::system("rate_limit"))
            .await?;
        let plan: Option<(Vec<Option<i64>>,)> = sqlx::query_as(
            "select array[p.requests_per_second, p.request_burst, \
                          p.principal_requests_per_second, p.principal_request_burst] \
             from tenants t join plans p on p.key = t.plan where t.id = $1",
        )
        .bind(tenant_id)
        .fetch_optional(&mut *tx)
        .await?;
        let overrides: Vec<(String, Option<i64>)> = sqlx::query_as(
            "select key, value from quota_overrides where tenant_id = $1 and key = any($2)",
        )
        .bind(tenant_id)
        .bind(&KEYS[..])
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let Some((values,)) = plan else {
            return Ok(RateLimits::default());
        };
        let plan: [Option<i64>; 4] = std::array::from_fn(|i| values.get(i).copied().flatten());
        Ok(RateLimits::resolve(plan, &overrides))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn over(key: &str, v: Option<i64>) -> (String, Option<i64>) {
        (key.to_owned(), v)
    }

    #[test]
    fn overrides_beat_the_plan_and_null_is_unlimited() {
        let plan = [Some(20), Some(60), Some(10), Some(30)];
        let limits = RateLimits::resolve(plan, &[]);
        assert_eq!(limits.tenant, Some(Bucket::per_second(20, 60)));
        assert_eq!(limits.principal, Some(Bucket::per_second(10, 30)));

        let limits = RateLimits::resolve(
            plan,
            &[
                over("request_burst", Some(5)),
                over("principal_requests_per_second", None),
                over("seats", Some(1)),
            ],
        );
        assert_eq!(limits.tenant, Some(Bucket::per_second(20, 5)));
        assert_eq!(limits.principal, None, "an unlimited override");
    }

    #[test]
    fn missing_values() {
        let limits = RateLimits::resolve([Some(4), None, None, Some(9)], &[]);
        assert_eq!(
            limits.tenant,
            Some(Bucket::per_second(4, 4)),
            "burst = rate"
        );
        assert_eq!(limits.principal, None, "no rate: unlimited");
        let zero = RateLimits::resolve([Some(0), Some(0), None, None], &[]);
        assert_eq!(zero.tenant, Some(Bucket::per_second(1, 1)), "at least 1");
    }
}
