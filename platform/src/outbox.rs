//! The transactional outbox: events are rows written in the same `TenantTx` as the change they
//! describe, so an event exists exactly when its change committed. The workers' relay publishes
//! them to NATS JetStream (with the row id as `Nats-Msg-Id`).

use crate::db::TenantTx;
use uuid::Uuid;

/// Records `event_type` (e.g. `product.created`) about `subject_id` with a JSON payload.
pub async fn emit(
    tx: &mut TenantTx,
    event_type: &str,
    subject_id: Uuid,
    payload: serde_json::Value,
) -> Result<(), sqlx::Error> {
    let tenant_id = tx.tenant_id();
    let actor = tx.actor().0.clone();
    sqlx::query(
        "insert into outbox (tenant_id, id, event_type, subject_id, payload, actor) values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(tenant_id)
    .bind(eventkit_domain::id::new_id())
    .bind(event_type)
    .bind(subject_id)
    .bind(payload)
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
