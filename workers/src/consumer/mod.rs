//! The consumers framework: a durable JetStream pull consumer per kind of work (webhook
//! fan-out, email, …) with explicit acks. Each event is handled by a [`Handler`]; a failure is
//! retried with growing delays (a `nak` with a delay, so the stream redelivers it), and after
//! `max_deliver` deliveries — or at once for a permanent failure — the event goes to the
//! dead-letter stream with a stored failure record that an operator can replay
//! ([`dead_letters`]). Handlers are idempotent by event id; a killed worker loses nothing,
//! because an event is acked only after its work committed (unacked events come back after
//! `ack_wait`).
//!
//! Fairness: events wait in one queue per tenant and are started round-robin across tenants,
//! with at most `per_tenant` of one tenant's events in flight, so one tenant's flood cannot
//! starve the others. Shutdown stops taking events, naks the queued ones (redelivered at
//! once to another worker) and gives in-flight handlers `grace` to finish.

pub use eventkit_platform::jobs::{REPLAY_FOR_HEADER, dead_letters};

use crate::event::{Event, tenant_of_subject};
use async_nats::jetstream::{self, AckKind, consumer::pull};
use eventkit_domain::ids::TenantId;
use eventkit_platform::db::Db;
use futures::StreamExt;
use std::{
    collections::{HashMap, VecDeque},
    future::Future,
    sync::Arc,
    time::Duration,
};
use tokio::task::JoinSet;
use uuid::Uuid;

/// How a handler failed.
#[derive(Debug)]
pub enum Failure {
    /// Worth retrying (a timeout, a database or network error).
    Retry(anyhow::Error),
    /// Retrying cannot help (a malformed event): dead-letter it now.
    Permanent(anyhow::Error),
}

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(err: E) -> Self {
        Failure::Retry(err.into())
    }
}

/// One kind of work done for every event a consumer receives.
pub trait Handler: Send + Sync + 'static {
    fn handle(&self, event: Event) -> impl Future<Output = Result<(), Failure>> + Send;
}

/// A consumer's settings.
#[derive(Debug, Clone)]
pub struct Spec {
    /// Durable consumer name, also its name in failure records and metrics.
    pub name: String,
    /// Subject filter on the events stream, e.g. `eventkit.events.>`.
    pub filter: String,
    /// Deliveries before an event is dead-lettered.
    pub max_deliver: i64,
    /// Delay before redelivery after the n-th failed delivery (the last entry repeats).
    pub backoff: Vec<Duration>,
    /// How long a delivered event may go unacked before the stream sends it again.
    pub ack_wait: Duration,
    /// Handlers running at once.
    pub concurrency: usize,
    /// Handlers of one tenant running at once.
    pub per_tenant: usize,
    /// How long shutdown waits for running handlers.
    pub grace: Duration,
    /// Remove the consumer from the server after this long without a client (tests' consumers);
    /// `None` keeps it for good.
    pub inactive_threshold: Option<Duration>,
}

impl Spec {
    /// Defaults for a consumer of every event.
    pub fn new(name: &str) -> Self {
        Self {
            name: name.into(),
            filter: format!("{}.>", crate::event::EVENTS_SUBJECT_PREFIX),
            max_deliver: 8,
            backoff: [1, 5, 30, 120, 600].map(Duration::from_secs).to_vec(),
            ack_wait: Duration::from_secs(60),
            concurrency: 32,
            per_tenant: 4,
            grace: Duration::from_secs(10),
            inactive_threshold: None,
        }
    }

    fn delay_after(&self, deliveries: i64) -> Duration {
        let i = (deliveries.max(1) - 1) as usize;
        self.backoff
            .get(i)
            .or(self.backoff.last())
            .copied()
            .unwrap_or(Duration::from_secs(1))
    }
}

/// Creates the durable consumer if it does not exist (idempotent at every start).
pub async fn declare(
    js: &jetstream::Context,
    spec: &Spec,
) -> anyhow::Result<jetstream::consumer::Consumer<pull::Config>> {
    let stream = js.get_stream(crate::EVENTS_STREAM).await?;
    let consumer = stream
        .get_or_create_consumer(
            &spec.name,
            pull::Config {
                durable_name: Some(spec.name.clone()),
                filter_subject: spec.filter.clone(),
                ack_policy: jetstream::consumer::AckPolicy::Explicit,
                ack_wait: spec.ack_wait,
                max_deliver: spec.max_deliver,
                max_ack_pending: (spec.concurrency * 4) as i64,
                inactive_threshold: spec.inactive_threshold.unwrap_or_default(),
                ..Default::default()
            },
        )
        .await?;
    Ok(consumer)
}

/// Runs `handler` for the consumer's events until `shutdown` completes.
pub async fn run<H: Handler>(
    js: jetstream::Context,
    db: Db,
    spec: Spec,
    handler: Arc<H>,
    shutdown: impl Future<Output = ()> + Send,
) -> anyhow::Result<()> {
    let consumer = declare(&js, &spec).await?;
    let mut messages = consumer
        .stream()
        .max_messages_per_batch(spec.concurrency)
        .heartbeat(Duration::from_secs(5))
        .expires(Duration::from_secs(30))
        .messages()
        .await?;
    let spec = Arc::new(spec);
    let dead = Arc::new(dead_letters::DeadLetters::new(js.clone(), db));
    let mut queues = Queues::default();
    let mut running: JoinSet<TenantId> = JoinSet::new();
    tokio::pin!(shutdown);
    let capacity = spec.concurrency * 4;
    loop {
        tokio::select! {
            biased;
            () = &mut shutdown => break,
            Some(done) = running.join_next(), if !running.is_empty() => {
                if let Ok(tenant) = done {
                    queues.finished(tenant);
                }
            }
            next = messages.next(), if queues.held() < capacity => {
                match next {
                    Some(Ok(message)) => {
                        let tenant = tenant_of_subject(&message.subject)
                            .unwrap_or(TenantId::from_uuid(Uuid::nil()));
                        queues.push(tenant, message);
                    }
                    Some(Err(err)) => {
                        tracing::warn!(consumer = %spec.name, error = %err, "pulling events failed");
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                    None => anyhow::bail!("the message stream of {} ended", spec.name),
                }
            }
        }
        while running.len() < spec.concurrency {
            let Some((tenant, message)) = queues.next(spec.per_tenant) else {
                break;
            };
            let (spec, handler, dead) = (spec.clone(), handler.clone(), dead.clone());
            running.spawn(async move {
                // A panicking handler is a failed delivery (redelivered after ack_wait), not a
                // lost slot: the tenant's count comes back either way.
                let work = std::panic::AssertUnwindSafe(process(&spec, &*handler, &dead, message));
                if futures::FutureExt::catch_unwind(work).await.is_err() {
                    tracing::error!(consumer = %spec.name, "a handler panicked");
                }
                tenant
            });
        }
    }
    // Shutdown: what has not started goes back at once; what runs gets `grace` to finish.
    for message in queues.drain() {
        let _ = message.ack_with(AckKind::Nak(None)).await;
    }
    let _ = tokio::time::timeout(spec.grace, async {
        while running.join_next().await.is_some() {}
    })
    .await;
    Ok(())
}

/// Handles one delivery of an event and acks, naks or dead-letters it.
async fn process<H: Handler>(
    spec: &Spec,
    handler: &H,
    dead: &dead_letters::DeadLetters,
    message: jetstream::Message,
) {
    let deliveries = message.info().map(|i| i.delivered).unwrap_or(1);
    let replay_for = message
        .headers
        .as_ref()
        .and_then(|h| h.get(REPLAY_FOR_HEADER))
        .map(|v| v.as_str().to_owned());
    if replay_for.is_some_and(|name| name != spec.name) {
        let _ = message.ack().await;
        return;
    }
    let outcome = match serde_json::from_slice::<Event>(&message.payload) {
        Ok(event) => handler.handle(event).await,
        Err(err) => Err(Failure::Permanent(anyhow::anyhow!("not an event: {err}"))),
    };
    let kind = match outcome {
        Ok(()) => {
            metrics::counter!("eventkit_jobs_total", "consumer" => spec.name.clone(), "outcome" => "done").increment(1);
            AckKind::Ack
        }
        Err(Failure::Retry(err)) if deliveries < spec.max_deliver => {
            metrics::counter!("eventkit_jobs_total", "consumer" => spec.name.clone(), "outcome" => "retry").increment(1);
            tracing::warn!(consumer = %spec.name, subject = %message.subject, deliveries, error = format!("{err:#}"), "event failed; retrying");
            AckKind::Nak(Some(spec.delay_after(deliveries)))
        }
        Err(Failure::Retry(err) | Failure::Permanent(err)) => {
            match dead.bury(&spec.name, &message, deliveries, &err).await {
                Ok(()) => {
                    metrics::counter!("eventkit_jobs_total", "consumer" => spec.name.clone(), "outcome" => "dead").increment(1);
                    AckKind::Term
                }
                Err(bury_err) => {
                    tracing::error!(consumer = %spec.name, error = format!("{bury_err:#}"), "dead-lettering failed; the event stays on the stream");
                    AckKind::Nak(Some(spec.delay_after(deliveries)))
                }
            }
        }
    };
    if let Err(err) = message.ack_with(kind).await {
        tracing::warn!(consumer = %spec.name, error = %err, "ack failed; the event will be redelivered");
    }
}

/// Events waiting to start, one queue per tenant, taken round-robin.
struct Queues<T> {
    waiting: HashMap<TenantId, VecDeque<T>>,
    turn: VecDeque<TenantId>,
    in_flight: HashMap<TenantId, usize>,
    held: usize,
}

impl<T> Default for Queues<T> {
    fn default() -> Self {
        Self {
            waiting: HashMap::new(),
            turn: VecDeque::new(),
            in_flight: HashMap::new(),
            held: 0,
        }
    }
}

impl<T> Queues<T> {
    fn push(&mut self, tenant: TenantId, message: T) {
        let queue = self.waiting.entry(tenant).or_default();
        if queue.is_empty() {
            self.turn.push_back(tenant);
        }
        queue.push_back(message);
        self.held += 1;
    }

    /// The next event to start: the first tenant in turn with room for one more in flight.
    fn next(&mut self, per_tenant: usize) -> Option<(TenantId, T)> {
        for _ in 0..self.turn.len() {
            let tenant = self.turn.pop_front()?;
            let busy = self.in_flight.get(&tenant).copied().unwrap_or(0);
            if busy >= per_tenant {
                self.turn.push_back(tenant);
                continue;
            }
            let queue = self.waiting.get_mut(&tenant)?;
            let message = queue.pop_front()?;
            if queue.is_empty() {
                self.waiting.remove(&tenant);
            } else {
                self.turn.push_back(tenant);
            }
            *self.in_flight.entry(tenant).or_default() += 1;
            return Some((tenant, message));
        }
        None
    }

    fn finished(&mut self, tenant: TenantId) {
        if let Some(n) = self.in_flight.get_mut(&tenant) {
            *n -= 1;
            if *n == 0 {
                self.in_flight.remove(&tenant);
            }
        }
        self.held -= 1;
    }

    fn held(&self) -> usize {
        self.held
    }

    fn drain(&mut self) -> Vec<T> {
        self.turn.clear();
        self.waiting.drain().flat_map(|(_, q)| q).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flooding_tenant_does_not_starve_the_others() {
        let (flood, quiet) = (TenantId::new(), TenantId::new());
        let mut q = Queues::default();
        for i in 0..100 {
            q.push(flood, i);
        }
        q.push(quiet, 1000);
        let first: Vec<_> = (0..3).filter_map(|_| q.next(2)).collect();
        assert_eq!(
            first.iter().map(|(t, _)| *t).collect::<Vec<_>>(),
            [flood, quiet, flood]
        );
        assert!(
            q.next(2).is_none(),
            "the flooding tenant is at its in-flight limit"
        );
        q.finished(flood);
        assert_eq!(q.next(2), Some((flood, 2)));
        assert_eq!(q.held(), 100, "queued and in flight");
        assert_eq!(q.drain().len(), 97);
    }

    #[test]
    fn backoff_grows_then_repeats_its_last_step() {
        let spec = Spec::new("t");
        assert_eq!(spec.delay_after(1), Duration::from_secs(1));
        assert_eq!(spec.delay_after(2), Duration::from_secs(5));
        assert_eq!(spec.delay_after(40), Duration::from_secs(600));
    }
}
