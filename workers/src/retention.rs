//! Retention: what is only kept for a while is removed on a fixed period, tenant by tenant,
//! each in its own tenant context. A failing tenant is logged and the sweep goes on with the
//! next.
//!
//! - Idempotency records are kept 24 hours (DESIGN.md, API rules).
//! - Export archives are kept while their link works (7 days): then the ZIP is removed from
//!   object storage and the export marked `expired`, so it stops counting against the tenant's
//!   storage quota and the copy of its data does not linger.
//! - Published outbox events are kept `EVENTKIT_OUTBOX_RETENTION_HOURS` (7 days by default,
//!   as long as JetStream keeps them): their payloads hold entities and recipients, and an
//!   outbox row has no use once JetStream has it (docs/adr/0033).
//! - Links kept for the mailer (`mail_links`) go once their `keep_until` has passed, and account
//!   emails that were sent or given up go after the outbox's period.
//! - The global identity tables are swept on the same period ([`crate::identity_sweep`]).

use eventkit_domain::ids::TenantId;
use eventkit_platform::{
    db::{Actor, Db},
    mail::links,
    storage::Storage,
};
use std::time::Duration;
use uuid::Uuid;

/// How often the sweeps run, and how long what they sweep is kept.
#[derive(Debug, Clone, Copy)]
pub struct Periods {
    pub every: Duration,
    /// Published outbox events, and account emails once done.
    pub published_events: Duration,
}

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
async fn expire_exports(db: &Db, storage: &Storage, tenant_id: TenantId) -> anyhow::Result<u64> {
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

/// Deletes the outbox events of every tenant published longer than `kept` ago, each tenant in
/// its own context and in batches; returns how many.
pub async fn sweep_published_events(db: &Db, kept: Duration) -> Result<u64, sqlx::Error> {
    let mut removed = 0;
    for tenant_id in db.tenant_ids().await? {
        match sweep_published_events_of(db, tenant_id, kept).await {
            Ok(n) => removed += n,
            Err(err) => {
                tracing::warn!(%tenant_id, error = %err, "outbox sweep failed for a tenant")
            }
        }
    }
    Ok(removed)
}

async fn sweep_published_events_of(
    db: &Db,
    tenant_id: TenantId,
    kept: Duration,
) -> Result<u64, sqlx::Error> {
    let mut removed = 0;
    loop {
        let mut tx = db.tenant_tx(tenant_id, &Actor::system("retention")).await?;
        let n = sqlx::query(
            "delete from outbox where tenant_id = $1 and id in (select id from outbox \
                 where tenant_id = $1 and published_at < now() - $2 * interval '1 second' limit 1000)",
        )
        .bind(tenant_id)
        .bind(kept.as_secs_f64())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        removed += n;
        if n < 1000 {
            return Ok(removed);
        }
    }
}

/// Removes links kept for the mailer past their `keep_until`, and account emails sent or given
/// up longer than `kept` ago; returns how many rows went.
pub async fn sweep_mail(db: &Db, kept: Duration) -> Result<u64, sqlx::Error> {
    let links = links::sweep(db.pool()).await?;
    let emails = sqlx::query(
        "delete from account_emails \
         where coalesce(sent_at, failed_at) < now() - $1 * interval '1 second'",
    )
    .bind(kept.as_secs_f64())
    .execute(db.pool())
    .await?
    .rows_affected();
    Ok(links + emails)
}

/// Runs every sweep every `periods.every` for as long as the process runs.
pub fn spawn(db: Db, storage: Storage, periods: Periods) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(periods.every);
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
            match sweep_published_events(&db, periods.published_events).await {
                Ok(0) => {}
                Ok(removed) => tracing::info!(removed, "published outbox events removed"),
                Err(err) => {
                    tracing::warn!(error = %err, "outbox sweep failed; next period retries")
                }
            }
            match sweep_mail(&db, periods.published_events).await {
                Ok(0) => {}
                Ok(removed) => tracing::info!(removed, "mailed links and account emails removed"),
                Err(err) => {
                    tracing::warn!(error = %err, "mail sweep failed; next period retries")
                }
            }
        }
    });
}
