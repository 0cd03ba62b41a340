//! Background jobs as both sides see them. The workers run the pipeline (outbox relay →
//! JetStream → consumers → dead letters); the control plane shows operators its state and
//! replays dead letters. Service crates never import each other (DESIGN.md), so what both need
//! lives here: the event envelope, the stream names and their declaration, the dead-letter
//! store (bury, list, replay), consumer lag read from JetStream and the outbox backlog.

pub mod backlog;
pub mod dead_letters;
pub mod event;
pub mod lag;

use std::time::Duration;

/// The stream every domain event is published to (`eventkit.events.<tenant>.<type>`).
pub const EVENTS_STREAM: &str = "EVENTKIT_EVENTS";
pub const EVENTS_SUBJECTS: &str = "eventkit.events.>";
pub use dead_letters::{DEAD_LETTERS_STREAM, DEAD_LETTERS_SUBJECTS};

/// Header on a replayed event naming the one consumer it is meant for; others skip it.
pub const REPLAY_FOR_HEADER: &str = "EventKit-Replay-For";

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
