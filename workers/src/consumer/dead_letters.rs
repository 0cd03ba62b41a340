//! Dead letters: an event a consumer gave up on is published to the `EVENTKIT_DEAD_LETTERS`
//! stream (`eventkit.dead.<consumer>.<tenant>.<type>`, with the error and delivery count in
//! headers) and recorded in `job_failures` in the tenant's context, so operators can list it
//! and replay it to that one consumer once the cause is fixed.

use super::REPLAY_FOR_HEADER;
use crate::event::Event;
use async_nats::jetstream;
use chrono::{DateTime, Utc};
use eventkit_platform::db::{Actor, Db};
use uuid::Uuid;

pub const DEAD_LETTERS_STREAM: &str = "EVENTKIT_DEAD_LETTERS";
pub const DEAD_LETTERS_SUBJECTS: &str = "eventkit.dead.>";

/// A stored failure, as operators see it.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FailureRecord {
    pub id: Uuid,
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
            .strip_prefix(crate::event::EVENTS_SUBJECT_PREFIX)
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

/// A tenant's stored failures, newest first.
pub async fn list(db: &Db, tenant_id: Uuid) -> anyhow::Result<Vec<FailureRecord>> {
    let mut tx = db.tenant_tx(tenant_id, &Actor::system("jobs")).await?;
    let rows = sqlx::query_as(
        "select id, consumer, event_id, event_type, error, deliveries, failed_at, replayed_at \
         from job_failures where tenant_id = $1 order by failed_at desc, id desc",
    )
    .bind(tenant_id)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(rows)
}

/// Sends a stored failure's event again, to its consumer only, and marks it replayed.
pub async fn replay(
    db: &Db,
    js: &jetstream::Context,
    tenant_id: Uuid,
    failure_id: Uuid,
) -> anyhow::Result<FailureRecord> {
    let mut tx = db.tenant_tx(tenant_id, &Actor::system("jobs")).await?;
    let (consumer, envelope): (String, serde_json::Value) = sqlx::query_as(
        "select consumer, envelope from job_failures where tenant_id = $1 and id = $2 for update",
    )
    .bind(tenant_id)
    .bind(failure_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| anyhow::anyhow!("no failure {failure_id} for tenant {tenant_id}"))?;
    let event: Event = serde_json::from_value(envelope)?;
    let mut headers = async_nats::HeaderMap::new();
    headers.insert(
        async_nats::header::NATS_MESSAGE_ID,
        format!("replay:{failure_id}:{}", Utc::now().timestamp_micros()).as_str(),
    );
    headers.insert(REPLAY_FOR_HEADER, consumer.as_str());
    js.publish_with_headers(event.subject(), headers, serde_json::to_vec(&event)?.into())
        .await?
        .await?;
    let record = sqlx::query_as(
        "update job_failures set replayed_at = now() where tenant_id = $1 and id = $2 \
         returning id, consumer, event_id, event_type, error, deliveries, failed_at, replayed_at",
    )
    .bind(tenant_id)
    .bind(failure_id)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(record)
}
