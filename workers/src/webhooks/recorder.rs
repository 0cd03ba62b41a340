//! Records finished webhook attempts in batches. Recording one attempt is an attempt row, the
//! delivery's new state and the endpoint's health — written one by one that is a transaction and
//! a WAL flush per delivery, which capped the dispatcher at a few hundred deliveries a second
//! (bench/history/webhooks.md, Webhooks). Here every attempt that finishes while the previous batch is
//! being written joins the next one: one transaction per tenant per batch, arrays through
//! `unnest`, and `synchronous_commit = off` for it.
//!
//! Why losing a batch is allowed: until it is recorded a delivery is still leased, and when the
//! lease runs out it is sent again with the same `webhook-id` — the at-least-once promise the
//! dispatcher already keeps for a killed process. A recorded "endpoint disabled" that is lost is
//! decided again by the next failure.

use super::{job::Job, sender::Answer};
use crate::clock::Clock;
use chrono::{DateTime, Utc};
use eventkit_domain::ids::TenantId;
use eventkit_domain::ids::WebhookEndpointId;
use eventkit_domain::{
    events::payloads::WebhookEndpointDisabled,
    webhooks::{self, AfterFailure, DISABLE_AFTER, Outcome},
};
use eventkit_platform::{
    db::{Actor, Db, TenantTx},
    outbox::{self, Event},
};
use std::{collections::BTreeMap, sync::Arc};
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

/// Most attempts written in one batch.
const BATCH: usize = 256;

/// One attempt to record: the delivery sent and what came back.
pub(super) struct Finished {
    pub job: Job,
    pub answer: Answer,
}

/// When a recorded delivery is due again: `None` when it is finished (delivered, failed for
/// good, or its endpoint was disabled).
pub(super) type NextDue = Option<DateTime<Utc>>;

struct Request {
    tenant_id: TenantId,
    finished: Finished,
    reply: oneshot::Sender<Option<NextDue>>,
}

/// A handle to the batching task; cheap to clone.
#[derive(Clone)]
pub(super) struct Recorder {
    requests: mpsc::Sender<Request>,
}

impl Recorder {
    /// Starts the batching task; it ends when every handle is dropped.
    pub fn start(db: Db, clock: Arc<dyn Clock>) -> Self {
        let (requests, mut incoming) = mpsc::channel::<Request>(4 * BATCH);
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(BATCH);
            while incoming.recv_many(&mut batch, BATCH).await > 0 {
                let mut by_tenant: BTreeMap<TenantId, Vec<Request>> = BTreeMap::new();
                for request in batch.drain(..) {
                    by_tenant
                        .entry(request.tenant_id)
                        .or_default()
                        .push(request);
                }
                for (tenant_id, requests) in by_tenant {
                    let (finished, replies): (Vec<_>, Vec<_>) =
                        requests.into_iter().map(|r| (r.finished, r.reply)).unzip();
                    match record_batch(&db, clock.as_ref(), tenant_id, &finished).await {
                        Ok(next) => {
                            for (reply, next) in replies.into_iter().zip(next) {
                                let _ = reply.send(Some(next));
                            }
                        }
                        Err(err) => {
                            tracing::warn!(%tenant_id, attempts = finished.len(), error = format!("{err:#}"),
                                "recording webhook attempts failed; their leases will bring them back");
                            for reply in replies {
                                let _ = reply.send(None);
                            }
                        }
                    }
                }
            }
        });
        Self { requests }
    }

    /// Records one attempt (in the next batch) and says when the delivery is due again;
    /// `None` when it could not be recorded (the lease brings the delivery back).
    pub async fn record(&self, tenant_id: TenantId, finished: Finished) -> Option<NextDue> {
        let (reply, answer) = oneshot::channel();
        let request = Request {
            tenant_id,
            finished,
            reply,
        };
        self.requests.send(request).await.ok()?;
        answer.await.ok().flatten()
    }
}

/// What one attempt changes on its delivery.
struct DeliveryUpdate {
    outcome: Outcome,
    attempts: i32,
    status: &'static str,
    next: NextDue,
    last_error: String,
}

fn delivery_update(finished: &Finished, now: DateTime<Utc>) -> anyhow::Result<DeliveryUpdate> {
    let answer = &finished.answer;
    let attempts = finished.job.attempts + 1;
    let outcome = answer.status.map_or(Outcome::Failed, webhooks::outcome);
    let (status, next) = match outcome {
        Outcome::Delivered => ("delivered", None),
        Outcome::Gone => ("failed", None),
        Outcome::Failed => match webhooks::after_failure(attempts as u32, answer.retry_after) {
            AfterFailure::RetryIn(delay) => {
                ("pending", Some(now + chrono::Duration::from_std(delay)?))
            }
            AfterFailure::GiveUp => ("failed", None),
        },
    };
    let last_error = match (&answer.error, answer.status) {
        (error, _) if !error.is_empty() => error.clone(),
        (_, Some(code)) => format!("HTTP {code}"),
        (_, None) => String::new(),
    };
    Ok(DeliveryUpdate {
        outcome,
        attempts,
        status,
        next,
        last_error,
    })
}

/// How a batch of one endpoint's outcomes (in the order they finished) changes its health.
#[derive(Debug, PartialEq, Eq)]
enum Health {
    /// The last answer was a success: the endpoint is not failing.
    Healthy,
    /// Failing since its earlier first failure, or since now if there was none.
    FailingSince { reset: bool },
}

/// `reset` is true when a success came before this batch's trailing failures, so the failing
/// streak starts now whatever the endpoint recorded before.
fn health(outcomes: &[Outcome]) -> Health {
    match outcomes.iter().rposition(|o| *o == Outcome::Delivered) {
        Some(last) if last + 1 == outcomes.len() => Health::Healthy,
        Some(_) => Health::FailingSince { reset: true },
        None => Health::FailingSince { reset: false },
    }
}

/// Writes one tenant's batch in one transaction; returns each delivery's next due time, in
/// the order given. The batching task calls it, and so does `Dispatcher::dispatch_due` directly.
pub(super) async fn record_batch(
    db: &Db,
    clock: &dyn Clock,
    tenant_id: TenantId,
    batch: &[Finished],
) -> anyhow::Result<Vec<NextDue>> {
    let now = clock.now();
    let updates = batch
        .iter()
        .map(|f| delivery_update(f, now))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let ids: Vec<Uuid> = batch.iter().map(|f| f.job.id).collect();
    let status_codes: Vec<Option<i32>> = batch
        .iter()
        .map(|f| f.answer.status.map(i32::from))
        .collect();
    let mut tx = db.tenant_tx(tenant_id, &Actor::system("webhooks")).await?;
    sqlx::query("set local synchronous_commit = off")
        .execute(&mut *tx)
        .await?;
    let answers = batch.iter().map(|f| &f.answer);
    sqlx::query(
        "insert into webhook_attempts (tenant_id, id, delivery_id, attempted_at, status_code, latency_ms, response_excerpt, error) \
         select $1, gen_random_uuid(), a.delivery_id, $2, a.status_code, a.latency_ms, a.excerpt, a.error \
         from unnest($3::uuid[], $4::int[], $5::int[], $6::text[], $7::text[]) \
           as a(delivery_id, status_code, latency_ms, excerpt, error)",
    )
    .bind(tenant_id)
    .bind(now)
    .bind(&ids)
    .bind(&status_codes)
    .bind(
        answers
            .clone()
            .map(|a| a.latency.as_millis().min(i32::MAX as u128) as i32)
            .collect::<Vec<_>>(),
    )
    .bind(answers.clone().map(|a| a.excerpt.as_str()).collect::<Vec<_>>())
    .bind(answers.map(|a| a.error.as_str()).collect::<Vec<_>>())
    .execute(&mut *tx)
    .await?;

    // Lock order: endpoint rows (by id) before delivery rows, as disabling touches both.
    let mut by_endpoint: BTreeMap<Uuid, Vec<Outcome>> = BTreeMap::new();
    for (finished, update) in batch.iter().zip(&updates) {
        by_endpoint
            .entry(finished.job.endpoint_id)
            .or_default()
            .push(update.outcome);
    }
    let mut disable = Vec::new();
    for (endpoint_id, outcomes) in &by_endpoint {
        if let Some(reason) = update_health(&mut tx, *endpoint_id, outcomes, now).await? {
            disable.push((*endpoint_id, reason));
        }
    }

    sqlx::query(
        "update webhook_deliveries d set attempts = u.attempts, status = u.status, lease_until = null, \
         next_attempt_at = coalesce(u.next_at, d.next_attempt_at), last_status_code = u.status_code, \
         last_error = case when u.status = 'delivered' then '' else u.last_error end, \
         finished_at = case when u.status = 'pending' then null else $2 end \
         from unnest($3::uuid[], $4::int[], $5::text[], $6::timestamptz[], $7::int[], $8::text[]) \
           as u(id, attempts, status, next_at, status_code, last_error) \
         where d.tenant_id = $1 and d.id = u.id",
    )
    .bind(tenant_id)
    .bind(now)
    .bind(&ids)
    .bind(updates.iter().map(|u| u.attempts).collect::<Vec<_>>())
    .bind(updates.iter().map(|u| u.status).collect::<Vec<_>>())
    .bind(updates.iter().map(|u| u.next).collect::<Vec<_>>())
    .bind(&status_codes)
    .bind(updates.iter().map(|u| u.last_error.as_str()).collect::<Vec<_>>())
    .execute(&mut *tx)
    .await?;
    for (endpoint_id, reason) in &disable {
        disable_endpoint(&mut tx, *endpoint_id, reason, now).await?;
    }
    tx.commit().await?;
    let disabled = |endpoint_id: Uuid| disable.iter().any(|(id, _)| *id == endpoint_id);
    Ok(batch
        .iter()
        .zip(updates)
        .map(|(f, u)| {
            u.next
                .filter(|_| u.status == "pending" && !disabled(f.job.endpoint_id))
        })
        .collect())
}

/// Updates an endpoint's failing streak from a batch of its outcomes; returns why it must be
/// disabled, if it must: a 410 Gone, or failures for [`DISABLE_AFTER`].
async fn update_health(
    tx: &mut TenantTx,
    endpoint_id: Uuid,
    outcomes: &[Outcome],
    now: DateTime<Utc>,
) -> anyhow::Result<Option<String>> {
    let tenant_id = tx.tenant_id();
    let failing_since: Option<DateTime<Utc>> = match health(outcomes) {
        Health::Healthy => {
            sqlx::query(
                "update webhook_endpoints set failing_since = null \
                 where tenant_id = $1 and id = $2 and failing_since is not null",
            )
            .bind(tenant_id)
            .bind(endpoint_id)
            .execute(&mut **tx)
            .await?;
            None
        }
        Health::FailingSince { reset } => sqlx::query_scalar(
            "update webhook_endpoints set failing_since = case when $4 then $3 else coalesce(failing_since, $3) end \
             where tenant_id = $1 and id = $2 returning failing_since",
        )
        .bind(tenant_id)
        .bind(endpoint_id)
        .bind(now)
        .bind(reset)
        .fetch_optional(&mut **tx)
        .await?
        .flatten(),
    };
    if outcomes.contains(&Outcome::Gone) {
        return Ok(Some("the endpoint answered 410 Gone".to_owned()));
    }
    let failing_for = failing_since.map(|since| now - since);
    Ok(failing_for
        .filter(|d| {
            *d >= chrono::Duration::from_std(DISABLE_AFTER).unwrap_or(chrono::Duration::MAX)
        })
        .map(|_| "every delivery failed for 5 days".to_owned()))
}

/// Disables an endpoint, fails what was still pending for it, and says so through the outbox
/// (`webhook_endpoint.disabled`, which the tenant's admins are emailed about).
async fn disable_endpoint(
    tx: &mut TenantTx,
    endpoint_id: Uuid,
    reason: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let Some(url): Option<String> = sqlx::query_scalar(
        "update webhook_endpoints set enabled = false, disabled_reason = $3, updated_at = now() \
         where tenant_id = $1 and id = $2 and enabled returning url",
    )
    .bind(tx.tenant_id())
    .bind(endpoint_id)
    .bind(reason)
    .fetch_optional(&mut **tx)
    .await?
    else {
        return Ok(()); // Already disabled (by a concurrent attempt, or a user).
    };
    sqlx::query(
        "update webhook_deliveries set status = 'failed', finished_at = $3, lease_until = null, \
         last_error = 'the endpoint was disabled' where tenant_id = $1 and endpoint_id = $2 and status = 'pending'",
    )
    .bind(tx.tenant_id())
    .bind(endpoint_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    let disabled = WebhookEndpointDisabled {
        id: WebhookEndpointId::from_uuid(endpoint_id),
        url,
        reason: reason.to_owned(),
    };
    outbox::emit(tx, endpoint_id, Event::WebhookEndpointDisabled(disabled)).await?;
    tracing::warn!(tenant_id = %tx.tenant_id(), %endpoint_id, reason, "webhook endpoint disabled");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use Outcome::*;

    #[test]
    fn the_last_answer_decides_whether_an_endpoint_is_failing() {
        assert_eq!(health(&[Delivered]), Health::Healthy);
        assert_eq!(health(&[Failed, Delivered]), Health::Healthy);
        assert_eq!(
            health(&[Failed]),
            Health::FailingSince { reset: false },
            "a failure continues an earlier streak"
        );
        assert_eq!(
            health(&[Failed, Gone]),
            Health::FailingSince { reset: false }
        );
        assert_eq!(
            health(&[Delivered, Failed]),
            Health::FailingSince { reset: true },
            "a success in the batch ends the earlier streak"
        );
    }
}
