//! What an erasure leaves to do outside the database: the tenant's messages in the JetStream
//! streams (events for 7 days, dead letters for 30, with entities and emails in their payloads)
//! and its objects in storage. A transaction cannot reach either, so the erasure records each
//! piece of work as an `erasure_cleanups` row in its own transaction — committed exactly when
//! the rows are gone — does it right after the commit, and the control plane's sweep retries
//! whatever failed (storage or NATS down) until it is done, when the row goes. Objects are
//! removed by prefix, so whatever landed under the tenant's keys goes, with or without a row
//! that names it. Operators see the pending work in `ekctl tenants erasure-progress`.

use crate::ControlPlane;
use chrono::{DateTime, Utc};
use eventkit_domain::ids::TenantId;
use eventkit_platform::{
    ApiError,
    db::TenantTx,
    jobs::{self, Stream},
    storage,
};
use sqlx::PgConnection;

/// One piece of work an erasure leaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cleanup {
    /// Purge the tenant's messages from this stream.
    StreamMessages(Stream),
    /// Remove every object under this key prefix.
    Objects(String),
}

impl Cleanup {
    /// Everything an erasure of `tenant_id` leaves to do.
    pub fn for_tenant(tenant_id: TenantId) -> Vec<Cleanup> {
        let streams = Stream::ALL.into_iter().map(Cleanup::StreamMessages);
        let objects = storage::tenant_prefixes(tenant_id)
            .into_iter()
            .map(Cleanup::Objects);
        streams.chain(objects).collect()
    }

    fn kind(&self) -> &'static str {
        match self {
            Cleanup::StreamMessages(_) => "stream_messages",
            Cleanup::Objects(_) => "objects",
        }
    }

    fn target(&self) -> &str {
        match self {
            Cleanup::StreamMessages(stream) => stream.name(),
            Cleanup::Objects(prefix) => prefix,
        }
    }

    fn parse(kind: &str, target: &str) -> Option<Self> {
        match kind {
            "stream_messages" => Stream::from_name(target).map(Cleanup::StreamMessages),
            "objects" => Some(Cleanup::Objects(target.to_owned())),
            _ => None,
        }
    }
}

/// Records the cleanups of the tenant being erased, in the erasure's transaction.
pub async fn record(tx: &mut TenantTx, tenant_id: TenantId) -> Result<(), sqlx::Error> {
    for cleanup in Cleanup::for_tenant(tenant_id) {
        sqlx::query(
            "insert into erasure_cleanups (erased_tenant_id, kind, target) values ($1, $2, $3) \
             on conflict do nothing",
        )
        .bind(tenant_id)
        .bind(cleanup.kind())
        .bind(cleanup.target())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// A tenant's cleanups not done yet, as the progress shows them.
#[derive(Debug, Default, Clone)]
pub struct Pending {
    pub count: i32,
    /// The most recent failure and when it happened.
    pub last_error: Option<(String, DateTime<Utc>)>,
}

pub async fn pending(conn: &mut PgConnection, tenant_id: TenantId) -> Result<Pending, sqlx::Error> {
    let count: i64 =
        sqlx::query_scalar("select count(*) from erasure_cleanups where erased_tenant_id = $1")
            .bind(tenant_id)
            .fetch_one(&mut *conn)
            .await?;
    let last_error: Option<(String, DateTime<Utc>)> = sqlx::query_as(
        "select last_error, last_attempt_at from erasure_cleanups \
         where erased_tenant_id = $1 and last_error is not null and last_attempt_at is not null \
         order by last_attempt_at desc limit 1",
    )
    .bind(tenant_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(Pending {
        count: i32::try_from(count).unwrap_or(i32::MAX),
        last_error,
    })
}

/// What one pass over a tenant's cleanups did.
#[derive(Debug, Clone, Copy, Default)]
pub struct Swept {
    pub done: usize,
    pub left: usize,
}

impl ControlPlane {
    /// Does one cleanup; returns how many messages or objects it removed.
    async fn clean(&self, tenant_id: TenantId, cleanup: &Cleanup) -> anyhow::Result<u64> {
        match cleanup {
            Cleanup::StreamMessages(stream) => {
                let js = async_nats::jetstream::new(self.nats.clone());
                jobs::purge_tenant(&js, *stream, tenant_id).await
            }
            Cleanup::Objects(prefix) => Ok(self.storage.store.delete_under(prefix).await?),
        }
    }

    /// Tries every pending cleanup of one erased tenant once.
    pub(crate) async fn clean_up_after(&self, tenant_id: TenantId) -> Result<Swept, ApiError> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "select kind, target from erasure_cleanups where erased_tenant_id = $1 \
             order by created_at, kind, target",
        )
        .bind(tenant_id)
        .fetch_all(self.db.pool())
        .await?;
        let mut swept = Swept::default();
        for (kind, target) in rows {
            let Some(cleanup) = Cleanup::parse(&kind, &target) else {
                tracing::error!(%tenant_id, kind, target, "an erasure cleanup of a kind this control plane does not know; left for a newer one");
                swept.left += 1;
                continue;
            };
            match self.clean(tenant_id, &cleanup).await {
                Ok(removed) => {
                    sqlx::query(
                        "delete from erasure_cleanups \
                         where erased_tenant_id = $1 and kind = $2 and target = $3",
                    )
                    .bind(tenant_id)
                    .bind(&kind)
                    .bind(&target)
                    .execute(self.db.pool())
                    .await?;
                    tracing::info!(%tenant_id, kind, target, removed, "erasure cleanup done");
                    swept.done += 1;
                }
                Err(err) => {
                    let error: String = format!("{err:#}").chars().take(2000).collect();
                    tracing::warn!(%tenant_id, kind, target, error, "erasure cleanup failed; the sweep retries it");
                    sqlx::query(
                        "update erasure_cleanups set attempts = attempts + 1, last_error = $4, \
                         last_attempt_at = now() \
                         where erased_tenant_id = $1 and kind = $2 and target = $3",
                    )
                    .bind(tenant_id)
                    .bind(&kind)
                    .bind(&target)
                    .bind(&error)
                    .execute(self.db.pool())
                    .await?;
                    swept.left += 1;
                }
            }
        }
        Ok(swept)
    }

    /// The sweep's part: tries every erased tenant's pending cleanups once; returns how many
    /// are done.
    pub async fn clean_up_erasures(&self) -> Result<usize, ApiError> {
        let tenants: Vec<TenantId> =
            sqlx::query_scalar("select distinct erased_tenant_id from erasure_cleanups order by 1")
                .fetch_all(self.db.pool())
                .await?;
        let mut done = 0;
        for tenant_id in tenants {
            done += self.clean_up_after(tenant_id).await?.done;
        }
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_erasure_purges_both_streams_and_empties_the_tenants_prefixes() {
        let tenant = TenantId::new();
        let cleanups = Cleanup::for_tenant(tenant);
        assert_eq!(
            cleanups,
            [
                Cleanup::StreamMessages(Stream::Events),
                Cleanup::StreamMessages(Stream::DeadLetters),
                Cleanup::Objects(format!("exports/{tenant}")),
            ]
        );
        for cleanup in &cleanups {
            assert_eq!(
                Cleanup::parse(cleanup.kind(), cleanup.target()).as_ref(),
                Some(cleanup)
            );
        }
        assert_eq!(Cleanup::parse("stream_messages", "OTHER"), None);
        assert_eq!(Cleanup::parse("rows", "x"), None);
    }
}
