//! The transactional outbox: events are rows written in the same `TenantTx` as the change they
//! describe, so an event exists exactly when its change committed. The workers' relay publishes
//! them to NATS JetStream (with the row id as `Nats-Msg-Id`). What may be written is the typed
//! [`Event`] of the catalogue (`eventkit_domain::events`), never a bare name and JSON.

mod event;

pub use event::{Event, EventData};

use crate::db::TenantTx;
use uuid::Uuid;

/// Records `event` (e.g. [`Event::ProductCreated`]) about `subject_id`.
pub async fn emit(
    tx: &mut TenantTx,
    subject_id: impl Into<Uuid>,
    event: Event,
) -> Result<(), sqlx::Error> {
    let subject_id: Uuid = subject_id.into();
    let tenant_id = tx.tenant_id();
    let actor = tx.actor().0.clone();
    sqlx::query(
        "insert into outbox (tenant_id, id, event_type, subject_id, payload, actor) values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(tenant_id)
    .bind(eventkit_domain::id::new_id())
    .bind(event.event_type().as_str())
    .bind(subject_id)
    .bind(event.data())
    .bind(actor)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A generated message as proto3 canonical JSON (what webhook consumers receive); see
/// [`eventkit_proto::canonical_json`].
pub fn proto_json<M: prost::Message>(message: &M, full_name: &str) -> serde_json::Value {
    eventkit_proto::canonical_json(message, full_name)
}
