//! Dead letters: an event a consumer gave up on is published to the `EVENTKIT_DEAD_LETTERS`
//! stream (`eventkit.dead.<consumer>.<tenant>.<type>`, with the error and delivery count in
//! headers) and recorded in `job_failures` in the tenant's context, so operators can list it
//! and replay it to that one consumer once the cause is fixed. The workers bury; the control
//! plane lists across tenants (per tenant, in its context) and replays for `ekctl jobs`.

use super::{REPLAY_FOR_HEADER, event::Event};
use crate::{
    ApiError,
    db::{Actor, Db, TenantTx},
};
use async_nats::jetstream;
use chrono::{DateTime, Utc};
use eventkit_domain::ids::TenantId;
use uuid::Uuid;

pub const DEAD_LETTERS_STREAM: &str = "EVENTKIT_DEAD_LETTERS";
pub const DEAD_LETTERS_SUBJECTS: &str = "eventkit.dead.>";

/// A stored failure, as operators see it.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FailureRecord {
    pub id: Uuid,
    pub tenant_id: TenantId,
    pub consumer: String,
    pub event_id: Uuid,
    pub event_type: String,
    pub error: String,
    pub deliveries: i32,
    pub failed_at: DateTime<Utc>,
    pub replayed_at: Option<DateTime<Utc>>,
}

pub struct DeadLetters {
    js: jetstream::Context,
    db: Db,
}

impl DeadLetters {
    pub fn new(js: jetstream::Context, db: Db) -> Self {
        Self { js, db }
    }

    /// Publishes the message to the dead-letter stream and records the failure; only when both
    /// succeeded may the caller stop redelivery.
    pub async fn bury(
        &self,
        consumer: &str,
        message: &jetstream::Message,
        deliveries: i64,
        error: &anyhow::Error,
    ) -> anyhow::Result<()> {
        let error_text: String = format!("{error:#}").chars().take(2000).collect();
        let sequence = message.info().map(|i| i.stream_sequence).unwrap_or(0);
        let suffix = message
            .subject
            .strip_prefix(super::event::EVENTS_SUBJECT_PREFIX)
            .unwrap_or(".unknown");
        let mut headers = async_nats::HeaderMap::new();
        headers.insert(
            async_nats::header::NATS_MESSAGE_ID,
            format!("{consumer}:{sequence}").as_str(),
        );
        headers.insert("EventKit-Consumer", consumer);
        headers.insert("EventKit-Deliveries", deliveries.to_string().as_str());
        headers.insert(
            "EventKit-Error",
            error_text.replace(['\r', '\n'], " ").as_str(),
        );
        self.js
            .publish_with_headers(
                format!("eventkit.dead.{consumer}{suffix}"),
                headers,
                message.payload.clone(),
            )
            .await?
            .await?;
        tracing::error!(consumer, subject = %message.subject, deliveries, error = %error_text, "event dead-lettered");
        let Ok(event) = serde_json::from_slice::<Event>(&message.payload) else {
            return Ok(()); // Not an event: no tenant to file it under; the stream keeps it.
        };
        let mut tx = self
            .db
            .tenant_tx(event.tenant_id, &Actor::system(consumer))
            .await?;
        sqlx::query(
            "insert into job_failures (tenant_id, id, consumer, event_id, event_type, envelope, error, deliveries) \
             values ($1, $2, $3, $4, $5, $6, $7, $8) \
             on conflict on constraint job_failures_once do update set error = excluded.error, \
             deliveries = excluded.deliveries, failed_at = now(), replayed_at = null",
        )
        .bind(event.tenant_id)
        .bind(eventkit_domain::id::new_id())
        .bind(consumer)
        .bind(event.id)
        .bind(&event.event_type)
        .bind(serde_json::to_value(&event)?)
        .bind(&error_text)
        .bind(deliveries as i32)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

const COLUMNS: &str =
    "id, tenant_id, consumer, event_id, event_type, error, deliveries, failed_at, replayed_at";

/// A tenant's stored failures, newest first.
pub async fn list(db: &Db, tenant_id: TenantId) -> Result<Vec<FailureRecord>, ApiError> {
    list_page(db, Some(tenant_id), None, i64::MAX).await
}

/// At most `limit` stored failures of one tenant or of every tenant, newest (by id, which is
/// time-ordered) first, older than `before` when given. Every tenant's rows are read in that
/// tenant's own context, so row-level security guards each one.
pub async fn list_page(
    db: &Db,
    tenant_id: Option<TenantId>,
    before: Option<Uuid>,
    limit: i64,
) -> Result<Vec<FailureRecord>, ApiError> {
    let tenants = match tenant_id {
        Some(t) => vec![t],
        None => db.tenant_ids().await?,
    };
    let mut all: Vec<FailureRecord> = Vec::new();
    for tenant in tenants {
        let mut tx = db.tenant_tx(tenant, &Actor::system("jobs")).await?;
        let rows: Vec<FailureRecord> = sqlx::query_as(&format!(
            "select {COLUMNS} from job_failures where tenant_id = $1 \
             and ($2::uuid is null or id < $2) order by id desc limit $3"
        ))
        .bind(tenant)
        .bind(before)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        all.extend(rows);
    }
    all.sort_by_key(|r| std::cmp::Reverse(r.id));
    all.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok(all)
}

/// The tenant of each failure id, or `not_found` naming the ids no tenant has.
pub async fn locate(db: &Db, ids: &[Uuid]) -> Result<Vec<(TenantId, Uuid)>, ApiError> {
    let mut found: Vec<(TenantId, Uuid)> = Vec::with_capacity(ids.len());
    for tenant in db.tenant_ids().await? {
        if found.len() == ids.len() {
            break;
        }
        let mut tx = db.tenant_tx(tenant, &Actor::system("jobs")).await?;
        let here: Vec<Uuid> =
            sqlx::query_scalar("select id from job_failures where tenant_id = $1 and id = any($2)")
                .bind(tenant)
                .bind(ids)
                .fetch_all(&mut *tx)
                .await?;
        tx.commit().await?;
        found.extend(here.into_iter().map(|id| (tenant, id)));
    }
    let missing: Vec<String> = ids
        .iter()
        .filter(|id| !found.iter().any(|(_, f)| f == *id))
        .map(ToString::to_string)
        .collect();
    if !missing.is_empty() {
        return Err(ApiError::NotFound(format!(
            "no dead letter with id {}; nothing was replayed",
            missing.join(", ")
        )));
    }
    // In the order asked for.
    Ok(ids
        .iter()
        .filter_map(|id| found.iter().find(|(_, f)| f == id).copied())
        .collect())
}

/// Stored failures not replayed yet, per consumer, over every tenant.
pub async fn unreplayed_by_consumer(db: &Db) -> Result<Vec<(String, i64)>, ApiError> {
    let mut totals: std::collections::BTreeMap<String, i64> = Default::default();
    for tenant in db.tenant_ids().await? {
        let mut tx = db.tenant_tx(tenant, &Actor::system("jobs")).await?;
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "select consumer, count(*) from job_failures where tenant_id = $1 \
             and replayed_at is null group by consumer",
        )
        .bind(tenant)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        for (consumer, n) in rows {
            *totals.entry(consumer).or_default() += n;
        }
    }
    Ok(totals.into_iter().collect())
}

/// Sends a stored failure's event again, to its consumer only, and marks it replayed.
pub async fn replay(
    db: &Db,
    js: &jetstream::Context,
    tenant_id: TenantId,
    failure_id: Uuid,
) -> Result<FailureRecord, ApiError> {
    let mut tx = db.tenant_tx(tenant_id, &Actor::system("jobs")).await?;
    let record = replay_in(&mut tx, js, failure_id).await?;
    tx.commit().await?;
    Ok(record)
}

/// [`replay`] inside the caller's transaction (so an audit record can join it). The event is
/// published before the caller commits: if the commit then fails, the event went out but is
/// not marked replayed, which is safe because handlers are idempotent by event id.
pub async fn replay_in(
    tx: &mut TenantTx,
    js: &jetstream::Context,
    failure_id: Uuid,
) -> Result<FailureRecord, ApiError> {
    let tenant_id = tx.tenant_id();
    let (consumer, envelope): (String, serde_json::Value) = sqlx::query_as(
        "select consumer, envelope from job_failures where tenant_id = $1 and id = $2 for update",
    )
    .bind(tenant_id)
    .bind(failure_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| ApiError::not_found("dead letter", failure_id))?;
    let event: Event = serde_json::from_value(envelope)
        .map_err(|e| anyhow::anyhow!("stored envelope of {failure_id}: {e}"))?;
    let mut headers = async_nats::HeaderMap::new();
    headers.insert(
        async_nats::header::NATS_MESSAGE_ID,
        format!("replay:{failure_id}:{}", Utc::now().timestamp_micros()).as_str(),
    );
    headers.insert(REPLAY_FOR_HEADER, consumer.as_str());
    let body = serde_json::to_vec(&event).map_err(anyhow::Error::from)?;
    let unavailable = |e: &dyn std::fmt::Display| {
        ApiError::Unavailable(format!("publishing the replay to JetStream failed: {e}"))
    };
    js.publish_with_headers(event.subject(), headers, body.into())
        .await
        .map_err(|e| unavailable(&e))?
        .await
        .map_err(|e| unavailable(&e))?;
    let record = sqlx::query_as(&format!(
        "update job_failures set replayed_at = now() where tenant_id = $1 and id = $2 \
         returning {COLUMNS}"
    ))
    .bind(tenant_id)
    .bind(failure_id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(record)
}
