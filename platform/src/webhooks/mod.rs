//! Webhook deliveries as both sides of the system see them: the body every receiver gets
//! (Standard Webhooks' `type`, `timestamp`, `data`), made once and stored, so each attempt
//! sends the same bytes; and queueing a delivery, once per (endpoint, event), in the caller's
//! transaction. The Admin API queues test events; the workers' fan-out queues real ones.

pub mod signing;

use crate::db::TenantTx;
use chrono::{DateTime, SecondsFormat, Utc};
use eventkit_domain::ids::TenantId;
use eventkit_domain::{events::EventType, webhooks::MAX_PAYLOAD_BYTES};
use serde_json::{Value, json};
use uuid::Uuid;

/// The JSON body sent for an event. A body over 256 KB is sent without its data, marked
/// `"truncated": true`, with the subject's id so the receiver can fetch it through the API.
pub fn body(
    tenant_id: TenantId,
    event_type: EventType,
    occurred_at: DateTime<Utc>,
    subject_id: Option<Uuid>,
    data: &Value,
) -> String {
    let timestamp = occurred_at.to_rfc3339_opts(SecondsFormat::Micros, true);
    let whole = json!({
        "type": event_type.as_str(),
        "timestamp": timestamp,
        "tenantId": tenant_id,
        "data": data,
    })
    .to_string();
    if whole.len() <= MAX_PAYLOAD_BYTES {
        return whole;
    }
    json!({
        "type": event_type.as_str(),
        "timestamp": timestamp,
        "tenantId": tenant_id,
        "data": { "truncated": true, "subjectId": subject_id },
    })
    .to_string()
}

/// Queues `body` for one endpoint unless this event already has a delivery there; returns the
/// new delivery's id, or `None` for a repeat.
pub async fn enqueue(
    tx: &mut TenantTx,
    endpoint_id: Uuid,
    event_id: Uuid,
    event_type: EventType,
    body: &str,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar(
        "insert into webhook_deliveries (tenant_id, id, endpoint_id, event_id, event_type, body) \
         values ($1, $2, $3, $4, $5, $6) \
         on conflict on constraint webhook_deliveries_once do nothing returning id",
    )
    .bind(tx.tenant_id())
    .bind(eventkit_domain::id::new_id())
    .bind(endpoint_id)
    .bind(event_id)
    .bind(event_type.as_str())
    .bind(body)
    .fetch_optional(&mut **tx)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_carry_type_timestamp_and_data_and_stay_under_the_limit() {
        let at = DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z")
            .unwrap()
            .to_utc();
        let tenant = TenantId::from_uuid(Uuid::nil());
        let small: Value = serde_json::from_str(&body(
            tenant,
            EventType::ProductCreated,
            at,
            None,
            &json!({"id": "p"}),
        ))
        .unwrap();
        assert_eq!(small["type"], "product.created");
        assert_eq!(small["timestamp"], "2026-01-02T03:04:05.000000Z");
        assert_eq!(small["data"]["id"], "p");
        let subject = Uuid::now_v7();
        let huge = json!({"notes": "x".repeat(MAX_PAYLOAD_BYTES)});
        let cut = body(tenant, EventType::ProductUpdated, at, Some(subject), &huge);
        assert!(cut.len() < 1024);
        let cut: Value = serde_json::from_str(&cut).unwrap();
        assert_eq!(cut["data"]["truncated"], true);
        assert_eq!(cut["data"]["subjectId"], subject.to_string());
    }
}
