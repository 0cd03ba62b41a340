//! The tenant API's side: a per-process tally of calls per tenant and day, bumped under a
//! short lock on the request path and added to Redis (`INCRBY`, with an expiry) every second by
//! a background task. Counts that fail to reach Redis are kept for the next round.
//!
//! The daily cap: a call is refused (`resource_exhausted`, naming the quota) once the day's
//! total — the pool-wide day total Redis answered at the last push (a second counter the flush
//! leaves alone) plus this process's calls since —
//! reaches the plan's overage cap for `api_calls_per_day`. Other processes' calls of the last
//! second are not seen yet, so a pool may pass the cap by about a second of traffic; the cap is
//! read per tenant at most once a minute. Without Redis or the database the call goes through.

use super::{DAY_TOTAL_TTL_SECS, Redis, TTL_SECS, counter_key, day_total_key};
use crate::{
    ApiError,
    auth::Principal,
    db::{Actor, Db},
    quota,
};
use axum::response::Response;
use chrono::{NaiveDate, Utc};
use eventkit_domain::ids::TenantId;
use eventkit_domain::quota::QuotaKey;
use moka::future::Cache;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

/// How often a process adds its tally to Redis.
const PUSH_EVERY: Duration = Duration::from_secs(1);

/// How long a tenant's daily cap is trusted before it is read again.
const CAP_TTL: Duration = Duration::from_secs(60);

/// Calls per tenant and UTC day (the Redis key is only made when the tally is pushed).
type Tally = HashMap<(TenantId, NaiveDate), i64>;
type Counts = Arc<Mutex<Tally>>;

#[derive(Clone)]
pub struct ApiCallMeter {
    /// Calls not yet added to Redis.
    tally: Counts,
    /// The pool-wide day totals Redis answered at the last push.
    totals: Counts,
    /// Hard daily cap per tenant (`None`: unlimited).
    caps: Cache<TenantId, Option<u64>>,
    db: Db,
}

fn lock(counts: &Mutex<Tally>) -> std::sync::MutexGuard<'_, Tally> {
    counts.lock().unwrap_or_else(|e| e.into_inner())
}

impl ApiCallMeter {
    /// A meter whose tally goes to `redis` every second, for as long as the process runs;
    /// `db` is where the tenants' daily caps are read.
    pub fn start(redis: Redis, db: Db) -> Self {
        let meter = Self {
            tally: Arc::default(),
            totals: Arc::default(),
            caps: Cache::builder()
                .max_capacity(100_000)
                .time_to_live(CAP_TTL)
                .build(),
            db,
        };
        let (tally, totals) = (meter.tally.clone(), meter.totals.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(PUSH_EVERY);
            loop {
                tick.tick().await;
                push(&tally, &totals, &redis).await;
            }
        });
        meter
    }

    /// Counts the call for the principal's tenant (after authentication), or refuses it past
    /// the tenant's daily cap with the answer to send. Calls without a principal are not counted.
    pub async fn count_call(&self, principal: Option<&Principal>) -> Result<(), Response> {
        let Some(principal) = principal else {
            return Ok(());
        };
        self.admit(principal.tenant_id)
            .await
            .map_err(ApiError::into_http_response)
    }

    /// Counts the call, or refuses it when the tenant's day is used up.
    async fn admit(&self, tenant_id: TenantId) -> Result<(), ApiError> {
        let key = (tenant_id, Utc::now().date_naive());
        if let Some(cap) = self.cap(tenant_id).await {
            let known = lock(&self.totals).get(&key).copied().unwrap_or(0)
                + lock(&self.tally).get(&key).copied().unwrap_or(0);
            if known.max(0) as u64 >= cap {
                return Err(ApiError::ResourceExhausted(format!(
                    "quota {} exhausted: {cap} calls today (hard stop); it resets at 00:00 UTC, \
                     or ask your administrator to upgrade the plan",
                    QuotaKey::ApiCallsPerDay.as_str()
                )));
            }
        }
        *lock(&self.tally).entry(key).or_default() += 1;
        Ok(())
    }

    async fn cap(&self, tenant_id: TenantId) -> Option<u64> {
        let db = self.db.clone();
        self.caps
            .try_get_with(tenant_id, async move {
                let mut tx = db.tenant_tx(tenant_id, &Actor::system("metering")).await?;
                let (_, limits) = quota::limits(&mut tx).await?;
                tx.commit().await?;
                Ok::<_, sqlx::Error>(
                    limits
                        .into_iter()
                        .find(|l| l.key == QuotaKey::ApiCallsPerDay)
                        .and_then(|l| l.limit.hard_cap()),
                )
            })
            .await
            .inspect_err(|err| tracing::warn!(error = %err, %tenant_id, "reading the daily API-call cap failed; not enforcing it"))
            .ok()
            .flatten()
    }
}

async fn push(tally: &Mutex<Tally>, totals: &Mutex<Tally>, redis: &Redis) {
    let taken = std::mem::take(&mut *lock(tally));
    if taken.is_empty() {
        return;
    }
    let taken: Vec<((TenantId, NaiveDate), i64)> = taken.into_iter().collect();
    let mut pipe = redis::pipe();
    for &((tenant, day), n) in &taken {
        let key = counter_key(tenant, day);
        pipe.incr(&key, n).ignore().expire(&key, TTL_SECS).ignore();
        let total = day_total_key(tenant, day);
        pipe.incr(&total, n)
            .expire(&total, DAY_TOTAL_TTL_SECS)
            .ignore();
    }
    let pushed = async {
        let mut conn = redis.connection().await?;
        pipe.query_async::<Vec<i64>>(&mut conn).await
    };
    match pushed.await {
        Ok(new_totals) => {
            let mut totals = lock(totals);
            // Yesterday's keys are done with.
            let today = Utc::now().date_naive();
            totals.retain(|(_, day), _| *day == today);
            for ((key, _), total) in taken.into_iter().zip(new_totals) {
                totals.insert(key, total);
            }
        }
        Err(err) => {
            tracing::warn!(error = %err, "adding API-call counts to Redis failed; keeping them for the next try");
            let mut tally = lock(tally);
            for (key, n) in taken {
                *tally.entry(key).or_default() += n;
            }
        }
    }
}
