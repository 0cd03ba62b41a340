//! API-call metering: every authenticated call adds one to a Redis counter per tenant and UTC
//! day (off the request path, so Redis never slows or fails a call), and the control plane
//! moves the counters into `usage_daily` with [`flush`]. A counter is taken with `GETDEL`, so
//! each call is added to Postgres by exactly one flusher, and put back when the write fails
//! (a crash between the two loses at most that one counter's calls). Each flush also announces
//! `quota.warning` when the day's calls reach 80 % or 100 % of the tenant's limit. Calls are
//! counted, not refused: the daily cap is not enforced per call yet.

use crate::{
    auth::Principal,
    db::{Actor, Db},
    quota::{self, API_CALLS},
};
use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};
use chrono::{NaiveDate, Utc};
use eventkit_domain::quota::QuotaKey;
use redis::{AsyncCommands, aio::ConnectionManager};
use std::sync::Arc;
use tokio::sync::OnceCell;
use uuid::Uuid;

const PREFIX: &str = "eventkit:usage:api_calls";
/// Counters outlive their day by a margin, in case no flusher ran.
const TTL_SECS: i64 = 7 * 24 * 3600;

fn counter_key(tenant_id: Uuid, day: NaiveDate) -> String {
    format!("{PREFIX}:{tenant_id}:{}", day.format("%Y-%m-%d"))
}

fn parse_counter_key(key: &str) -> Option<(Uuid, NaiveDate)> {
    let rest = key.strip_prefix(PREFIX)?.strip_prefix(':')?;
    let (tenant, day) = rest.split_once(':')?;
    Some((
        Uuid::try_parse(tenant).ok()?,
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

/// Axum middleware (inside authentication): counts the call for the principal's tenant.
pub async fn count_api_call(State(redis): State<Redis>, request: Request, next: Next) -> Response {
    if let Some(principal) = request.extensions().get::<Principal>() {
        let key = counter_key(principal.tenant_id, Utc::now().date_naive());
        tokio::spawn(async move {
            let counted = async {
                let mut conn = redis.connection().await?;
                redis::pipe()
                    .incr(&key, 1)
                    .expire(&key, TTL_SECS)
                    .query_async::<()>(&mut conn)
                    .await
            };
            if let Err(err) = counted.await {
                tracing::warn!(error = %err, "counting an API call failed");
            }
        });
    }
    next.run(request).await
}

/// Moves every API-call counter (or only `tenant`'s) into `usage_daily`; returns how many
/// calls were moved.
pub async fn flush(db: &Db, redis: &Redis, tenant: Option<Uuid>) -> anyhow::Result<u64> {
    let mut conn = redis.connection().await?;
    let pattern = match tenant {
        Some(t) => format!("{PREFIX}:{t}:*"),
        None => format!("{PREFIX}:*"),
    };
    let keys: Vec<String> = {
        let mut iter = conn.scan_match::<_, String>(&pattern).await?;
        let mut keys = Vec::new();
        while let Some(key) = iter.next_item().await {
            keys.push(key);
        }
        keys
    };
    let mut moved = 0;
    for key in keys {
        let Some((tenant_id, day)) = parse_counter_key(&key) else {
            continue;
        };
        let mut tx = db.tenant_tx(tenant_id, &Actor::system("metering")).await?;
        // Counters of tenants in another database (a shared Redis) are left to their flusher.
        let ours: bool = sqlx::query_scalar("select exists (select 1 from tenants where id = $1)")
            .bind(tenant_id)
            .fetch_one(&mut *tx)
            .await?;
        if !ours {
            continue;
        }
        let taken: Option<i64> = conn.get_del(&key).await?;
        let Some(calls) = taken.filter(|n| *n > 0) else {
            continue;
        };
        let stored = async {
            sqlx::query(
                "insert into usage_daily (tenant_id, day, metric, value) values ($1, $2, $3, $4) \
                 on conflict (tenant_id, day, metric) do update set value = usage_daily.value + excluded.value",
            )
            .bind(tenant_id)
            .bind(day)
            .bind(API_CALLS)
            .bind(calls)
            .execute(&mut *tx)
            .await?;
            warn_api_calls(&mut tx, day).await?;
            tx.commit().await
        };
        if let Err(err) = stored.await {
            let _: redis::RedisResult<i64> = conn.incr(&key, calls).await;
            return Err(err.into());
        }
        moved += calls as u64;
    }
    Ok(moved)
}

/// Records `quota.warning` for the day's API calls when they reach 80 % or 100 % of the limit.
async fn warn_api_calls(tx: &mut crate::db::TenantTx, day: NaiveDate) -> Result<(), sqlx::Error> {
    let (_, limits) = quota::limits(tx).await?;
    let Some(limit) = limits.iter().find(|l| l.key == QuotaKey::ApiCallsPerDay) else {
        return Ok(());
    };
    let used: i64 = sqlx::query_scalar(
        "select value from usage_daily where tenant_id = $1 and day = $2 and metric = $3",
    )
    .bind(tx.tenant_id())
    .bind(day)
    .bind(API_CALLS)
    .fetch_one(&mut **tx)
    .await?;
    quota::warn(tx, limit, used.max(0) as u64, day).await
}

/// Drops every API-call counter of `tenant_id` (erasure: nothing of the tenant stays in Redis).
pub async fn forget(redis: &Redis, tenant_id: Uuid) -> redis::RedisResult<()> {
    let mut conn = redis.connection().await?;
    let keys: Vec<String> = {
        let mut iter = conn
            .scan_match::<_, String>(format!("{PREFIX}:{tenant_id}:*"))
            .await?;
        let mut keys = Vec::new();
        while let Some(key) = iter.next_item().await {
            keys.push(key);
        }
        keys
    };
    if !keys.is_empty() {
        let _: i64 = conn.del(keys).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counter_keys_round_trip() {
        let tenant = Uuid::now_v7();
        let day = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let key = counter_key(tenant, day);
        assert_eq!(parse_counter_key(&key), Some((tenant, day)));
        assert_eq!(parse_counter_key("eventkit:usage:api_calls:x:y"), None);
    }
}
