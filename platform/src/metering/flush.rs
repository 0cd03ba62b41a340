//! The control plane's side: counters move from Redis into `usage_daily`. A counter is taken
//! with `GETDEL`, so each call is added to Postgres by exactly one flusher, and put back when
//! the write fails (a crash between the two loses at most that one counter's calls). Each flush
//! also announces `quota.warning` when the day's calls reach 80 % or 100 % of the limit. The
//! counters of an erased tenant are dropped.

use super::{DAY_TOTAL_PREFIX, PREFIX, Redis, parse_counter_key};
use crate::{
    db::{Actor, Db},
    quota::{self, API_CALLS},
};
use chrono::NaiveDate;
use eventkit_domain::ids::TenantId;
use eventkit_domain::{lifecycle::TenantState, quota::QuotaKey};
use redis::AsyncCommands;

async fn keys_matching(
    conn: &mut redis::aio::ConnectionManager,
    pattern: &str,
) -> redis::RedisResult<Vec<String>> {
    let mut iter = conn.scan_match::<_, String>(pattern).await?;
    let mut keys = Vec::new();
    while let Some(key) = iter.next_item().await {
        keys.push(key);
    }
    Ok(keys)
}

/// Moves every API-call counter (or only `tenant`'s) into `usage_daily`; returns how many
/// calls were moved.
pub async fn flush(db: &Db, redis: &Redis, tenant: Option<TenantId>) -> anyhow::Result<u64> {
    let mut conn = redis.connection().await?;
    let pattern = match tenant {
        Some(t) => format!("{PREFIX}:{t}:*"),
        None => format!("{PREFIX}:*"),
    };
    let keys = keys_matching(&mut conn, &pattern).await?;
    let mut moved = 0;
    for key in keys {
        let Some((tenant_id, day)) = parse_counter_key(&key) else {
            continue;
        };
        let mut tx = db.tenant_tx(tenant_id, &Actor::system("metering")).await?;
        // Counters of tenants in another database (a shared Redis) are left to their flusher;
        // those of an erased tenant (counted while it was being erased) are dropped: nothing
        // may be written for it any more.
        let state: Option<String> = sqlx::query_scalar("select state from tenants where id = $1")
            .bind(tenant_id)
            .fetch_optional(&mut *tx)
            .await?;
        match state.as_deref().map(TenantState::from_db) {
            None => continue,
            Some(Some(TenantState::Erased)) => {
                let _: () = conn.del(&key).await?;
                continue;
            }
            Some(_) => {}
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
pub async fn forget(redis: &Redis, tenant_id: TenantId) -> redis::RedisResult<()> {
    let mut conn = redis.connection().await?;
    let mut keys = keys_matching(&mut conn, &format!("{PREFIX}:{tenant_id}:*")).await?;
    keys.extend(keys_matching(&mut conn, &format!("{DAY_TOTAL_PREFIX}:{tenant_id}:*")).await?);
    if !keys.is_empty() {
        let _: i64 = conn.del(keys).await?;
    }
    Ok(())
}
