//! The jobs gauges on the workers' `/metrics`, refreshed periodically from their sources of
//! truth (JetStream consumer info, `job_failures`, the dead-letter stream, `outbox`), so an
//! alert can fire on a stuck consumer, a growing dead-letter pile or a relay that stopped —
//! whichever worker process is up reports the whole picture.
//!
//! Gauges (every consumer labelled `stream` and `consumer`):
//! `eventkit_jobs_consumer_pending`, `eventkit_jobs_consumer_ack_pending`,
//! `eventkit_jobs_consumer_redelivered`, `eventkit_jobs_consumer_oldest_unacked_seconds`;
//! `eventkit_jobs_dead_letters` (stored, not replayed; per `consumer`, 0 for a consumer of the
//! streams without any),
//! `eventkit_jobs_dead_letter_stream_messages`; `eventkit_outbox_unpublished_events`,
//! `eventkit_outbox_oldest_unpublished_seconds`.

use async_nats::jetstream;
use chrono::Utc;
use eventkit_platform::{
    db::Db,
    jobs::{DEAD_LETTERS_STREAM, backlog, dead_letters, lag},
};
use std::{
    collections::BTreeMap,
    sync::{Mutex, OnceLock},
    time::Duration,
};

/// Every consumer that has had a dead-letter gauge, so one whose dead letters were all
/// replayed reads 0 instead of its last count.
fn dead_letter_consumers() -> &'static Mutex<BTreeMap<String, i64>> {
    static SEEN: OnceLock<Mutex<BTreeMap<String, i64>>> = OnceLock::new();
    SEEN.get_or_init(Default::default)
}

/// Reads every source once and sets the gauges.
pub async fn refresh(db: &Db, js: &jetstream::Context) -> anyhow::Result<()> {
    let now = Utc::now();
    let consumers = lag::all(js).await?;
    let stored = dead_letters::unreplayed_by_consumer(db).await?;
    let dead: Vec<(String, i64)> = {
        let mut seen = dead_letter_consumers().lock().expect("not poisoned");
        seen.values_mut().for_each(|n| *n = 0);
        for c in &consumers {
            seen.entry(c.consumer.clone()).or_default();
        }
        seen.extend(stored);
        seen.iter().map(|(k, v)| (k.clone(), *v)).collect()
    };
    for (consumer, n) in dead {
        metrics::gauge!("eventkit_jobs_dead_letters", "consumer" => consumer).set(n as f64);
    }
    for c in consumers {
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
