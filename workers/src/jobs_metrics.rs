//! The jobs gauges on the workers' `/metrics`, refreshed periodically from their sources of
//! truth (JetStream consumer info, `job_failures`, the dead-letter stream, `outbox`), so an
//! alert can fire on a stuck consumer, a growing dead-letter pile or a relay that stopped —
//! whichever worker process is up reports the whole picture.
//!
//! Gauges (every consumer labelled `stream` and `consumer`):
//! `eventkit_jobs_consumer_pending`, `eventkit_jobs_consumer_ack_pending`,
//! `eventkit_jobs_consumer_redelivered`, `eventkit_jobs_consumer_oldest_unacked_seconds`;
//! `eventkit_jobs_dead_letters` (stored, not replayed; per `consumer`),
//! `eventkit_jobs_dead_letter_stream_messages`; `eventkit_outbox_unpublished_events`,
//! `eventkit_outbox_oldest_unpublished_seconds`.

use async_nats::jetstream;
use chrono::Utc;
use eventkit_platform::{
    db::Db,
    jobs::{DEAD_LETTERS_STREAM, backlog, dead_letters, lag},
};
use std::time::Duration;

/// Reads every source once and sets the gauges.
pub async fn refresh(db: &Db, js: &jetstream::Context) -> anyhow::Result<()> {
    let now = Utc::now();
    for c in lag::all(js).await? {
        let labels = [
            ("stream", c.stream.clone()),
            ("consumer", c.consumer.clone()),
        ];
        metrics::gauge!("eventkit_jobs_consumer_pending", &labels).set(c.pending as f64);
        metrics::gauge!("eventkit_jobs_consumer_ack_pending", &labels).set(c.ack_pending as f64);
        metrics::gauge!("eventkit_jobs_consumer_redelivered", &labels).set(c.redelivered as f64);
        metrics::gauge!("eventkit_jobs_consumer_oldest_unacked_seconds", &labels)
            .set(c.oldest_unacked_age(now));
    }
    let stored = dead_letters::unreplayed_by_consumer(db).await?;
    for (consumer, n) in stored {
        metrics::gauge!("eventkit_jobs_dead_letters", "consumer" => consumer).set(n as f64);
    }
    if let Ok(mut stream) = js.get_stream(DEAD_LETTERS_STREAM).await {
        let messages = stream.info().await?.state.messages;
        metrics::gauge!("eventkit_jobs_dead_letter_stream_messages").set(messages as f64);
    }
    let outbox = backlog::outbox(db).await?;
    metrics::gauge!("eventkit_outbox_unpublished_events").set(outbox.unpublished as f64);
    let age = outbox
        .oldest
        .map(|t| (now - t).num_milliseconds().max(0) as f64 / 1000.0)
        .unwrap_or(0.0);
    metrics::gauge!("eventkit_outbox_oldest_unpublished_seconds").set(age);
    Ok(())
}

/// Refreshes the gauges every `every` for as long as the process runs; a failed round is
/// logged and the next one tries again.
pub fn spawn(db: Db, js: jetstream::Context, every: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(err) = refresh(&db, &js).await {
                tracing::warn!(
                    error = format!("{err:#}"),
                    "refreshing the jobs metrics failed"
                );
            }
        }
    });
}
