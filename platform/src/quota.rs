//! Quotas where the data is: effective limits read inside the tenant's transaction (its plan,
//! visible to it through row-level security, and its overrides), usage counted from the rows,
//! and the check a creating RPC makes before it inserts. Shared by the tenant API (which
//! enforces) and the control plane (which reports), so both read limits the same way.

use crate::{
    ApiError,
    db::TenantTx,
    outbox::{self, Event},
};
use chrono::{Datelike, NaiveDate, Utc};
use eventkit_domain::{
    events::payloads::QuotaWarning,
    quota::{Limit, QuotaKey},
};

/// Metric name of API calls in `usage_daily` (and in the Redis counters, see `metering`).
pub const API_CALLS: &str = "api_calls";

/// One quota of the transaction's tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TenantLimit {
    pub key: QuotaKey,
    pub limit: Limit,
    pub overridden: bool,
}

/// The tenant's plan key and effective limit of every quota.
pub async fn limits(tx: &mut TenantTx) -> Result<(String, Vec<TenantLimit>), sqlx::Error> {
    let row: (String, i32, Vec<Option<i64>>) = sqlx::query_as(
        "select p.key, p.overage_cap_percent, \
                array[p.seats, p.assets, p.storage_bytes, p.api_calls_per_day, p.webhook_endpoints] \
         from tenants t join plans p on p.key = t.plan where t.id = $1",
    )
    .bind(tx.tenant_id())
    .fetch_one(&mut **tx)
    .await?;
    let overrides: Vec<(String, Option<i64>)> =
        sqlx::query_as("select key, value from quota_overrides where tenant_id = $1")
            .bind(tx.tenant_id())
            .fetch_all(&mut **tx)
            .await?;
    let (plan, cap, plan_limits) = row;
    let as_u64 = |v: Option<i64>| v.map(|n| n.max(0) as u64);
    let limits = QuotaKey::ALL
        .into_iter()
        .zip(plan_limits)
        .map(|(key, plan_limit)| {
            let over = overrides
                .iter()
                .find(|(k, _)| k == key.as_str())
                .map(|(_, v)| as_u64(*v));
            TenantLimit {
                key,
                limit: Limit::effective(as_u64(plan_limit), over, cap.max(100) as u32),
                overridden: over.is_some(),
            }
        })
        .collect();
    Ok((plan, limits))
}

/// Current use of `key` counted from the tenant's data; `None` while nothing meters it yet.
pub async fn used(tx: &mut TenantTx, key: QuotaKey) -> Result<Option<u64>, sqlx::Error> {
    let count: Option<i64> = match key {
        QuotaKey::Assets => Some(
            sqlx::query_scalar("select count(*) from assets where tenant_id = $1")
                .bind(tx.tenant_id())
                .fetch_one(&mut **tx)
                .await?,
        ),
        QuotaKey::ApiCallsPerDay => Some(
            sqlx::query_scalar(
                "select coalesce(sum(value), 0)::bigint from usage_daily \
                 where tenant_id = $1 and day = $2 and metric = $3",
            )
            .bind(tx.tenant_id())
            .bind(Utc::now().date_naive())
            .bind(API_CALLS)
            .fetch_one(&mut **tx)
            .await?,
        ),
        QuotaKey::WebhookEndpoints => Some(
            sqlx::query_scalar(
                "select count(*) from webhook_endpoints where tenant_id = $1 and deleted_at is null",
            )
            .bind(tx.tenant_id())
            .fetch_one(&mut **tx)
            .await?,
        ),
        // Members plus the invitations still open: each is a seat once accepted.
        QuotaKey::Seats => Some(
            sqlx::query_scalar(
                "select (select count(*) from memberships where tenant_id = $1) \
                      + (select count(*) from invitations where tenant_id = $1 \
                         and accepted_at is null and revoked_at is null and expires_at > now())",
            )
            .bind(tx.tenant_id())
            .fetch_one(&mut **tx)
            .await?,
        ),
        // The tenant's objects in storage: today, its export archives.
        QuotaKey::StorageBytes => Some(
            sqlx::query_scalar(
                "select coalesce(sum(size_bytes), 0)::bigint from exports \
                 where tenant_id = $1 and object_key is not null",
            )
            .bind(tx.tenant_id())
            .fetch_one(&mut **tx)
            .await?,
        ),
    };
    Ok(count.map(|n| n.max(0) as u64))
}

/// Before a creating RPC inserts `adding` more of `key`: refuses with `resource_exhausted`
/// naming the quota past the plan's overage cap, and records `quota.warning` events for the
/// thresholds the new total reaches (once per period). Creations of one tenant and key are
/// serialised for the rest of the transaction when the quota is limited, so racing calls
/// cannot both slip under the cap.
pub async fn reserve(tx: &mut TenantTx, key: QuotaKey, adding: u64) -> Result<(), ApiError> {
    let (_, limits) = limits(tx).await?;
    let Some(quota) = limits.into_iter().find(|l| l.key == key) else {
        return Ok(());
    };
    if quota.limit.quota.is_none() {
        return Ok(());
    }
    sqlx::query("select pg_advisory_xact_lock(hashtextextended($1::text || $2, 0))")
        .bind(tx.tenant_id())
        .bind(key.as_str())
        .execute(&mut **tx)
        .await?;
    let Some(used) = used(tx, key).await? else {
        return Ok(());
    };
    quota
        .limit
        .check(key, used, adding)
        .map_err(|e| ApiError::ResourceExhausted(e.to_string()))?;
    warn(tx, &quota, used + adding, Utc::now().date_naive()).await?;
    Ok(())
}

/// Emits `quota.warning` for each threshold `used` reaches that was not yet announced in the
/// current period (the day for daily quotas, else the month).
pub async fn warn(
    tx: &mut TenantTx,
    quota: &TenantLimit,
    used: u64,
    today: NaiveDate,
) -> Result<(), sqlx::Error> {
    let period = if quota.key.is_daily() {
        today.format("%Y-%m-%d").to_string()
    } else {
        format!("{:04}-{:02}", today.year(), today.month())
    };
    for threshold in quota.limit.thresholds_reached(used) {
        let fresh = sqlx::query(
            "insert into quota_warnings (tenant_id, key, threshold, period) values ($1, $2, $3, $4) \
             on conflict do nothing",
        )
        .bind(tx.tenant_id())
        .bind(quota.key.as_str())
        .bind(threshold as i32)
        .bind(&period)
        .execute(&mut **tx)
        .await?
        .rows_affected()
            == 1;
        if fresh {
            let warning = QuotaWarning {
                tenant_id: tx.tenant_id(),
                quota: quota.key,
                threshold_percent: threshold,
                used,
                limit: quota.limit.quota,
                hard_cap: quota.limit.hard_cap(),
                period: period.clone(),
            };
            let subject = tx.tenant_id().uuid();
            outbox::emit(tx, subject, Event::QuotaWarning(warning)).await?;
        }
    }
    Ok(())
}
