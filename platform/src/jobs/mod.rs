//! Background jobs as both sides see them. The workers run the pipeline (outbox relay →
//! JetStream → consumers → dead letters); the control plane shows operators its state and
//! replays dead letters. Service crates never import each other (DESIGN.md), so what both need
//! lives here: the event envelope, the stream names and their declaration, the dead-letter
//! store (bury, list, replay), consumer lag read from JetStream and the outbox backlog — and
//! purging one tenant's messages from both streams when it is erased ([`purge_tenant`]).

pub mod backlog;
pub mod dead_letters;
pub mod event;
pub mod lag;

use async_nats::jetstream::{self, ErrorCode, context::GetStreamErrorKind, stream::PurgeErrorKind};
use eventkit_domain::ids::TenantId;
use std::time::Duration;

/// The stream every domain event is published to (`eventkit.events.<tenant>.<type>`).
pub const EVENTS_STREAM: &str = "EVENTKIT_EVENTS";
pub const EVENTS_SUBJECTS: &str = "eventkit.events.>";
pub use dead_letters::{DEAD_LETTERS_STREAM, DEAD_LETTERS_SUBJECTS};

/// Header on a replayed event naming the one consumer it is meant for; others skip it.
pub const REPLAY_FOR_HEADER: &str = "EventKit-Replay-For";

/// The streams that hold tenants' messages (payloads with entities, emails, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Events,
    DeadLetters,
}

impl Stream {
    pub const ALL: [Stream; 2] = [Stream::Events, Stream::DeadLetters];

    pub fn name(self) -> &'static str {
        match self {
            Stream::Events => EVENTS_STREAM,
            Stream::DeadLetters => DEAD_LETTERS_STREAM,
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The subjects that hold exactly one tenant's messages in this stream:
    /// `eventkit.events.<tenant>.<type…>` and `eventkit.dead.<consumer>.<tenant>.<type…>`.
    pub fn tenant_subjects(self, tenant_id: TenantId) -> String {
        match self {
            Stream::Events => format!("{}.{tenant_id}.>", event::EVENTS_SUBJECT_PREFIX),
            Stream::DeadLetters => format!("eventkit.dead.*.{tenant_id}.>"),
        }
    }
}

/// Removes every message of `tenant_id` from `stream`; returns how many went. A stream that
/// does not exist (no worker ever ran) holds nothing.
pub async fn purge_tenant(
    js: &jetstream::Context,
    stream: Stream,
    tenant_id: TenantId,
) -> anyhow::Result<u64> {
    let not_found = |code: ErrorCode| code == ErrorCode::STREAM_NOT_FOUND;
    let handle = match js.get_stream_no_info(stream.name()).await {
        Ok(handle) => handle,
        Err(err) => match err.kind() {
            GetStreamErrorKind::JetStream(e) if not_found(e.error_code()) => return Ok(0),
            _ => return Err(err.into()),
        },
    };
    match handle
        .purge()
        .filter(stream.tenant_subjects(tenant_id))
        .await
    {
        Ok(purged) => Ok(purged.purged),
        Err(err) => match err.kind() {
            PurgeErrorKind::JetStream(e) if not_found(e.error_code()) => Ok(0),
            _ => Err(err.into()),
        },
    }
}

/// Declares the JetStream streams the workers use; safe to run any number of times.
pub async fn declare_streams(nats: &async_nats::Client) -> anyhow::Result<()> {
    let js = async_nats::jetstream::new(nats.clone());
    js.get_or_create_stream(async_nats::jetstream::stream::Config {
        name: EVENTS_STREAM.into(),
        subjects: vec![EVENTS_SUBJECTS.into()],
        duplicate_window: Duration::from_secs(120),
        // Consumers are durable and ack within seconds; a week covers any outage.
        max_age: Duration::from_secs(7 * 24 * 3600),
        ..Default::default()
    })
    .await?;
    js.get_or_create_stream(async_nats::jetstream::stream::Config {
        name: DEAD_LETTERS_STREAM.into(),
        subjects: vec![DEAD_LETTERS_SUBJECTS.into()],
        duplicate_window: Duration::from_secs(120),
        max_age: Duration::from_secs(30 * 24 * 3600),
        ..Default::default()
    })
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tenants_subjects_are_its_events_and_dead_letters() {
        let tenant = TenantId::new();
        let event = event::Event {
            id: uuid::Uuid::now_v7(),
            event_type: "product.created".into(),
            tenant_id: tenant,
            subject_id: None,
            actor: String::new(),
            occurred_at: chrono::Utc::now(),
            data: serde_json::Value::Null,
        };
        let events = Stream::Events.tenant_subjects(tenant);
        assert_eq!(events, format!("eventkit.events.{tenant}.>"));
        assert!(event.subject().starts_with(events.trim_end_matches('>')));
        // Dead letters are `eventkit.dead.<consumer><suffix of the event's subject>`.
        assert_eq!(
            Stream::DeadLetters.tenant_subjects(tenant),
            format!("eventkit.dead.*.{tenant}.>")
        );
        for stream in Stream::ALL {
            assert_eq!(Stream::from_name(stream.name()), Some(stream));
        }
        assert_eq!(Stream::from_name("nope"), None);
    }
}
