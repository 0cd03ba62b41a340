//! Quotas and usage per tenant: what the operators and the tenant's admins see (effective
//! limits, hard caps, use counted from the data and the metered API calls), per-tenant
//! overrides, and the background flush of API-call counters from Redis into Postgres.

use crate::{
    ControlPlane,
    audit::{self, parse_reason},
    lifecycle::operator_actor,
    registry,
};
use chrono::Utc;
use eventkit_domain::ids::TenantId;
use eventkit_domain::{
    FieldViolation,
    quota::{QuotaKey, parse_limit},
    rate_limit::{RateLimitKey, parse_rate_limit},
};
use eventkit_platform::auth::Operator;
use eventkit_platform::{ApiError, db::Actor, metering, quota};
use eventkit_proto::controlplane::v1::{set_quota_override_request::Value, *};
use serde_json::json;
use std::time::Duration;

/// How often the control plane moves API-call counters from Redis into Postgres.
pub const FLUSH_EVERY: Duration = Duration::from_secs(10);

impl ControlPlane {
    /// The tenant's quotas and usage, API calls counted up to now.
    pub async fn usage_of(
        &self,
        tenant_id: TenantId,
        actor: &Actor,
    ) -> Result<TenantUsage, ApiError> {
        if let Err(err) = metering::flush(&self.db, &self.redis, Some(tenant_id)).await {
            tracing::warn!(error = %err, "flushing API-call counters failed; usage may lag");
        }
        let mut tx = self.db.tenant_tx(tenant_id, actor).await?;
        registry::fetch(&mut tx, tenant_id, false).await?;
        let (plan, limits) = quota::limits(&mut tx).await?;
        let mut quotas = Vec::new();
        for l in limits {
            let used = quota::used(&mut tx, l.key).await?;
            let as_i64 = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
            quotas.push(QuotaUsage {
                key: l.key.as_str().into(),
                used: used.map_or(0, as_i64),
                limit: l.limit.quota.map(as_i64),
                hard_cap: l.limit.hard_cap().map(as_i64),
                overridden: l.overridden,
                metered: used.is_some(),
            });
        }
        tx.commit().await?;
        Ok(TenantUsage {
            tenant_id: tenant_id.to_string(),
            plan,
            day: Utc::now().date_naive().format("%Y-%m-%d").to_string(),
            quotas,
        })
    }

    pub async fn get_tenant_usage(
        &self,
        op: &Operator,
        req: GetTenantUsageRequest,
    ) -> Result<GetTenantUsageResponse, ApiError> {
        let tenant_id = registry::parse_tenant_id(&req.tenant_id)?;
        let usage = self.usage_of(tenant_id, &operator_actor(op)).await?;
        Ok(GetTenantUsageResponse { usage: Some(usage) })
    }

    pub async fn set_quota_override(
        &self,
        op: &Operator,
        req: SetQuotaOverrideRequest,
    ) -> Result<SetQuotaOverrideResponse, ApiError> {
        let mut v = eventkit_domain::Violations::new();
        let tenant_id = v.check(registry::parse_tenant_id(&req.tenant_id));
        // A quota or a rate limit: both live in quota_overrides under their name.
        let rate_key = RateLimitKey::find(&req.key);
        let key = v.check(match rate_key {
            Some(k) => Ok(k.as_str()),
            None => QuotaKey::parse("key", &req.key)
                .map(QuotaKey::as_str)
                .map_err(|mut e| {
                    e.description.push_str(&format!(
                        "; rate limits: {}",
                        RateLimitKey::ALL.map(RateLimitKey::as_str).join(", ")
                    ));
                    e
                }),
        });
        let value = v.check(match req.value {
            Some(Value::Limit(n)) if rate_key.is_some() => {
                parse_rate_limit("limit", n).map(|_| Some(Some(n)))
            }
            Some(Value::Limit(n)) => parse_limit("limit", n).map(|_| Some(Some(n))),
            Some(Value::Unlimited(true)) => Ok(Some(None)),
            Some(Value::PlanDefault(true)) => Ok(None),
            _ => Err(FieldViolation::new(
                "value",
                "set one of limit, unlimited or plan_default",
            )),
        });
        let reason = v.check(parse_reason(&req.reason, false));
        v.finish()?;
        let (tenant_id, key, value, reason) = (
            tenant_id.unwrap(),
            key.unwrap(),
            value.unwrap(),
            reason.unwrap(),
        );
        let mut tx = self.db.tenant_tx(tenant_id, &operator_actor(op)).await?;
        registry::fetch(&mut tx, tenant_id, true).await?;
        match value {
            Some(limit) => sqlx::query(
                "insert into quota_overrides (tenant_id, key, value) values ($1, $2, $3) \
                 on conflict (tenant_id, key) do update set value = excluded.value, updated_at = now()",
            )
            .bind(tenant_id)
            .bind(key)
            .bind(limit),
            None => sqlx::query("delete from quota_overrides where tenant_id = $1 and key = $2")
                .bind(tenant_id)
                .bind(key),
        }
        .execute(&mut *tx)
        .await?;
        let shown = match value {
            Some(Some(n)) => json!(n),
            Some(None) => json!("unlimited"),
            None => json!("plan default"),
        };
        let detail = json!({ "key": key, "value": shown });
        audit::record(
            &mut tx,
            op,
            "SetQuotaOverride",
            Some(tenant_id),
            &reason,
            detail,
        )
        .await?;
        tx.commit().await?;
        let usage = self.usage_of(tenant_id, &operator_actor(op)).await?;
        Ok(SetQuotaOverrideResponse { usage: Some(usage) })
    }

    /// Flushes every API-call counter every [`FLUSH_EVERY`], for as long as the process runs.
    pub fn spawn_flusher(&self) {
        let cp = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(FLUSH_EVERY);
            loop {
                tick.tick().await;
                if let Err(err) = metering::flush(&cp.db, &cp.redis, None).await {
                    tracing::warn!(error = %err, "flushing API-call counters failed; retrying later");
                }
            }
        });
    }
}
