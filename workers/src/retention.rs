//! Retention: what is only kept for a while is removed on a fixed period, tenant by tenant,
//! each in its own tenant context. A failing tenant is logged and the sweep goes on with the
//! next.
//!
//! - Idempotency records are kept 24 hours (DESIGN.md, API rules).
//! - Export archives are kept while their link works (7 days): then the ZIP is removed from
//!   object storage and the export marked `expired`, so it stops counting against the tenant's
//!   storage quota and the copy of its data does not linger.
//! - The global identity tables are swept on the same period ([`crate::identity_sweep`]).

use eventkit_platform::{
    db::{Actor, Db},
    storage::Storage,
};
use std::time::Duration;
use uuid::Uuid;

/// One pass of the idempotency sweep over every tenant; returns the number of records removed.
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

/// One pass of the export sweep over every tenant; returns the number of archives removed.
pub async fn sweep_expired_exports(db: &Db, storage: &Storage) -> Result<u64, sqlx::Error> {
    let mut removed = 0;
    for tenant_id in db.tenant_ids().await? {
        match expire_exports(db, storage, tenant_id).await {
            Ok(n) => removed += n,
            Err(err) => {
                tracing::warn!(%tenant_id, error = format!("{err:#}"), "export sweep failed for a tenant")
            }
        }
    }
    Ok(removed)
}

/// Removes one tenant's archives whose link has run out. The object goes first and the row is
/// marked after, so a crash in between only means the delete is repeated next time (deleting a
/// missing object is not an error); an object that cannot be deleted keeps its row as it is.
async fn expire_exports(db: &Db, storage: &Storage, tenant_id: Uuid) -> anyhow::Result<u64> {
    let actor = Actor::system("retention");
    let mut tx = db.tenant_tx(tenant_id, &actor).await?;
    let due: Vec<(Uuid, String)> = sqlx::query_as(
        "select id, object_key from exports \
         where tenant_id = $1 and status = 'ready' and expires_at <= now() order by expires_at limit 100",
    )
    .bind(tenant_id)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let mut removed = 0;
    for (export_id, key) in due {
        if let Err(err) = storage.store.delete(&key).await {
            tracing::warn!(%tenant_id, %export_id, key, error = %err, "removing an expired export failed; next sweep retries");
            continue;
        }
        let mut tx = db.tenant_tx(tenant_id, &actor).await?;
        removed += sqlx::query(
            "update exports set status = 'expired', object_key = null, updated_at = now() \
             where tenant_id = $1 and id = $2 and status = 'ready'",
        )
        .bind(tenant_id)
        .bind(export_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
    }
    Ok(removed)
}

/// Runs the sweeps every `period` for as long as the process runs.
pub fn spawn(db: Db, storage: Storage, period: Duration) {
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
            match crate::identity_sweep::sweep_identity_tables(&db).await {
                Ok(swept) => {
                    for (table, removed) in swept.into_iter().filter(|(_, n)| *n > 0) {
                        tracing::info!(table, removed, "expired identity rows removed");
                    }
                }
                Err(err) => {
                    tracing::warn!(error = %err, "identity sweep failed; next period retries")
                }
            }
            match sweep_expired_exports(&db, &storage).await {
                Ok(0) => {}
                Ok(removed) => tracing::info!(removed, "expired export archives removed"),
                Err(err) => {
                    tracing::warn!(error = %err, "export sweep failed; next period retries")
                }
            }
        }
    });
}
