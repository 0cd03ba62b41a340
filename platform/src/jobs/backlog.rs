//! The outbox backlog: events that business transactions wrote and the relay has not published
//! yet. Summed over every tenant, each read in its own context (row-level security), using the
//! partial index on unpublished rows. A growing backlog means the relay is down or JetStream
//! refuses it.

use crate::db::{Actor, Db};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct OutboxBacklog {
    /// Rows not yet published.
    pub unpublished: i64,
    /// When the oldest of them was written; `None` when there are none.
    pub oldest: Option<DateTime<Utc>>,
}

/// The backlog over every tenant.
pub async fn outbox(db: &Db) -> Result<OutboxBacklog, sqlx::Error> {
    let mut total = OutboxBacklog::default();
    for tenant in db.tenant_ids().await? {
        let mut tx = db.tenant_tx(tenant, &Actor::system("jobs-metrics")).await?;
        let (n, oldest): (i64, Option<DateTime<Utc>>) = sqlx::query_as(
            "select count(*), min(created_at) from outbox where tenant_id = $1 and published_at is null",
        )
        .bind(tenant)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        total.unpublished += n;
        total.oldest = match (total.oldest, oldest) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    Ok(total)
}
