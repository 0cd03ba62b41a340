//! Retention: idempotency records are kept 24 hours per tenant (DESIGN.md, API rules); this
//! sweep removes older ones, tenant by tenant, on a fixed period. A failing tenant is logged and
//! the sweep goes on with the next.

use eventkit_platform::db::Db;
use std::time::Duration;

/// One pass over every tenant; returns the number of records removed.
pub async fn sweep_once(db: &Db) -> Result<u64, sqlx::Error> {
    let mut removed = 0;
    for tenant_id in db.tenant_ids().await? {
        match db.sweep_idempotency_keys(tenant_id).await {
            Ok(n) => removed += n,
            Err(err) => {
                tracing::warn!(%tenant_id, error = %err, "idempotency sweep failed for a tenant")
            }
        }
    }
    Ok(removed)
}

/// Sweeps every `period` for as long as the process runs.
pub fn spawn(db: Db, period: Duration) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(period);
        loop {
            ticks.tick().await;
            match sweep_once(&db).await {
                Ok(0) => {}
                Ok(removed) => tracing::info!(removed, "expired idempotency records removed"),
                Err(err) => {
                    tracing::warn!(error = %err, "idempotency sweep failed; next period retries")
                }
            }
        }
    });
}
