//! How far behind each durable consumer is, read from JetStream itself (consumer info): events
//! not yet delivered, delivered but unacked, redelivered, and the age of the oldest event the
//! consumer has not acked (the first stream message past its ack floor that its filter takes).
//! The control plane shows it (`ekctl jobs lag`); the workers export it as gauges.

use super::{DEAD_LETTERS_STREAM, EVENTS_STREAM};
use async_nats::jetstream::{self, consumer, stream::Stream};
use chrono::{DateTime, Utc};
use futures::TryStreamExt;

/// One consumer's position on its stream.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsumerLag {
    pub stream: String,
    pub consumer: String,
    pub filter_subject: String,
    /// Matching events not yet delivered to the consumer.
    pub pending: u64,
    /// Delivered, not yet acked (in flight, or waiting for their redelivery).
    pub ack_pending: u64,
    /// Events delivered more than once and not yet acked.
    pub redelivered: u64,
    /// When the oldest unacked (pending or in-flight) event was stored; `None` when caught up.
    pub oldest_unacked: Option<DateTime<Utc>>,
}

impl ConsumerLag {
    /// Age of the oldest unacked event at `now`, in seconds (0 when caught up).
    pub fn oldest_unacked_age(&self, now: DateTime<Utc>) -> f64 {
        self.oldest_unacked
            .map(|t| ((now - t).num_milliseconds().max(0) as f64) / 1000.0)
            .unwrap_or(0.0)
    }
}

/// The streams whose consumers are reported.
pub const STREAMS: [&str; 2] = [EVENTS_STREAM, DEAD_LETTERS_STREAM];

/// Every consumer of the events and dead-letter streams, by stream then name. A stream not
/// declared yet has no consumers.
pub async fn all(js: &jetstream::Context) -> anyhow::Result<Vec<ConsumerLag>> {
    let mut out = Vec::new();
    for name in STREAMS {
        let stream = match js.get_stream(name).await {
            Ok(stream) => stream,
            Err(err)
                if matches!(
                    err.kind(),
                    jetstream::context::GetStreamErrorKind::JetStream(ref e)
                        if e.error_code() == jetstream::ErrorCode::STREAM_NOT_FOUND
                ) =>
            {
                continue; // not declared yet
            }
            Err(err) => return Err(err.into()),
        };
        let infos: Vec<consumer::Info> = stream.consumers().try_collect().await?;
        for info in infos {
            out.push(of(&stream, info).await?);
        }
    }
    out.sort_by(|a, b| (&a.stream, &a.consumer).cmp(&(&b.stream, &b.consumer)));
    Ok(out)
}

async fn of(stream: &Stream, info: consumer::Info) -> anyhow::Result<ConsumerLag> {
    let filter = if info.config.filter_subject.is_empty() {
        info.config
            .filter_subjects
            .first()
            .cloned()
            .unwrap_or_else(|| ">".into())
    } else {
        info.config.filter_subject.clone()
    };
    let behind = info.num_pending + info.num_ack_pending as u64;
    let oldest_unacked = if behind == 0 {
        None
    } else {
        oldest_after(stream, info.ack_floor.stream_sequence + 1, &filter).await?
    };
    Ok(ConsumerLag {
        stream: info.stream_name,
        consumer: info.name,
        filter_subject: filter,
        pending: info.num_pending,
        ack_pending: info.num_ack_pending as u64,
        redelivered: info.num_redelivered as u64,
        oldest_unacked,
    })
}

/// The store time of the first message at or after `sequence` that `filter` matches.
async fn oldest_after(
    stream: &Stream,
    sequence: u64,
    filter: &str,
) -> anyhow::Result<Option<DateTime<Utc>>> {
    let found = stream
        .raw_message_builder()
        .sequence(sequence)
        .next_by_subject(filter.to_owned())
        .send()
        .await;
    match found {
        Ok(message) => {
            let nanos = message.time.unix_timestamp_nanos();
            Ok(Some(DateTime::from_timestamp_nanos(
                i64::try_from(nanos).unwrap_or(i64::MAX),
            )))
        }
        Err(err) if err.kind() == jetstream::stream::RawMessageErrorKind::NoMessageFound => {
            Ok(None)
        }
        Err(err) => Err(err.into()),
    }
}
