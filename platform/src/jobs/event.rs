//! The event as it travels on JetStream: what the outbox relay publishes and every consumer
//! reads. One struct for both sides, so the wire shape cannot drift. The type stays the name
//! the outbox row holds, so a consumer also carries (and acks) an event this build does not know
//! (a newer deployment's, a test's); consumers decide by [`Event::kind`].

use chrono::{DateTime, Utc};
use eventkit_domain::events::EventType;
use eventkit_domain::ids::TenantId;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// Events go to `eventkit.events.<tenant id>.<event type>`.
pub const EVENTS_SUBJECT_PREFIX: &str = "eventkit.events";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// The outbox row's id: `Nats-Msg-Id` on the stream, `webhook-id` for receivers.
    pub id: Uuid,
    #[serde(rename = "type")]
    pub event_type: String,
    pub tenant_id: TenantId,
    pub subject_id: Option<Uuid>,
    pub actor: String,
    pub occurred_at: DateTime<Utc>,
    /// What the business code wrote (for entities, the proto JSON of the entity).
    pub data: Value,
}

impl Event {
    /// The catalogue's type of this event; `None` for a name the catalogue does not hold.
    pub fn kind(&self) -> Option<EventType> {
        EventType::parse(&self.event_type)
    }

    pub fn subject(&self) -> String {
        format!(
            "{EVENTS_SUBJECT_PREFIX}.{}.{}",
            self.tenant_id, self.event_type
        )
    }
}

/// The tenant id in an events subject, so a consumer can be fair between tenants before it
/// parses a body.
pub fn tenant_of_subject(subject: &str) -> Option<TenantId> {
    subject
        .strip_prefix(EVENTS_SUBJECT_PREFIX)?
        .strip_prefix('.')?
        .split('.')
        .next()?
        .parse()
        .ok()
        .map(TenantId::from_uuid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_carry_the_tenant() {
        let event = Event {
            id: Uuid::now_v7(),
            event_type: "product.created".into(),
            tenant_id: TenantId::new(),
            subject_id: None,
            actor: "user:x".into(),
            occurred_at: Utc::now(),
            data: Value::Null,
        };
        assert_eq!(tenant_of_subject(&event.subject()), Some(event.tenant_id));
        assert_eq!(event.kind(), Some(EventType::ProductCreated));
        assert_eq!(tenant_of_subject("eventkit.other.x"), None);
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["type"], "product.created");
        assert!(json["occurredAt"].is_string());
        assert_eq!(serde_json::from_value::<Event>(json).unwrap(), event);
    }
}
