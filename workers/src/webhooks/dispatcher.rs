//! The webhook dispatcher: sends due deliveries and records every attempt. Deliveries live in
//! Postgres (the schedule runs for over a day, and integrators list and replay them), so the
//! dispatcher claims due ones per tenant with `FOR UPDATE SKIP LOCKED` and a lease — several
//! dispatchers never send one delivery at once, and a killed one's claims come back when the
//! lease runs out (sent again with the same `webhook-id`: at least once, never lost).
//!
//! Scheduling: it keeps each tenant's next due time, woken by `LISTEN eventkit_webhooks` (new
//! deliveries and replays, with the tenant id), by finished attempts that were rescheduled, and
//! by a periodic resync of every tenant. At most `per_tenant` of one tenant's deliveries are in
//! flight, so a tenant with a slow or flooded endpoint cannot hold up the others. Suspended
//! tenants get nothing sent until they are active again.
//!
//! Time comes from a [`Clock`], so tests can walk the hours-long retry schedule.

use super::sender::{Answer, Outgoing, Sender};
use crate::clock::Clock;
use chrono::{DateTime, Utc};
use eventkit_domain::webhooks::{self, AfterFailure, DISABLE_AFTER, Outcome};
use eventkit_platform::{
    ApiError,
    auth::tenant_state::TenantStates,
    db::{Actor, Db, TenantTx},
    outbox,
};
use serde_json::json;
use sqlx::postgres::PgListener;
use std::{collections::HashMap, future::Future, sync::Arc, time::Duration};
use tokio::task::JoinSet;
use uuid::Uuid;

pub const CHANNEL: &str = "eventkit_webhooks";

#[derive(Debug, Clone)]
pub struct Settings {
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Requests of one tenant in flight at once.
    pub per_tenant: usize,
    /// How often every tenant is checked even without a notification.
    pub resync: Duration,
    /// How long a claim holds a delivery (`EVENTKIT_WEBHOOK_LEASE_MS`): longer than a
    /// request's timeout plus recording it.
    pub lease: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            concurrency: 128,
            per_tenant: 32,
            resync: Duration::from_secs(30),
            lease: Duration::from_secs(60),
        }
    }
}

/// A claimed delivery, with what sending it needs.
#[derive(sqlx::FromRow)]
struct Job {
    id: Uuid,
    endpoint_id: Uuid,
    event_id: Uuid,
    body: String,
    attempts: i32,
    url: String,
    usable: bool,
    secret: String,
    previous_secret: Option<String>,
}

pub struct Dispatcher {
    db: Db,
    sender: Sender,
    clock: Arc<dyn Clock>,
    tenant_states: TenantStates,
    settings: Settings,
}

impl Dispatcher {
    pub fn new(db: Db, sender: Sender, clock: Arc<dyn Clock>, settings: Settings) -> Self {
        Self {
            tenant_states: TenantStates::new(db.clone(), Duration::from_secs(5)),
            db,
            sender,
            clock,
            settings,
        }
    }

    fn actor() -> Actor {
        Actor::system("webhooks")
    }

    /// Sends everything due now for every tenant and waits for the answers; returns how many
    /// attempts were made. The running dispatcher does the same continuously; tests with a
    /// manual clock call this after moving the clock.
    pub async fn dispatch_due(self: &Arc<Self>) -> anyhow::Result<usize> {
        let mut running = JoinSet::new();
        for tenant_id in self.db.tenant_ids().await? {
            if !self.may_send(tenant_id).await {
                continue;
            }
            for job in self.claim(tenant_id, i64::MAX).await? {
                let this = self.clone();
                running.spawn(async move { this.attempt(tenant_id, job).await });
            }
        }
        let mut attempts = 0;
        while let Some(done) = running.join_next().await {
            done??;
            attempts += 1;
        }
        Ok(attempts)
    }

    /// Whether the tenant's webhooks may go out (not while it is suspended or being deleted).
    async fn may_send(&self, tenant_id: Uuid) -> bool {
        match self.tenant_states.require_active(tenant_id).await {
            Ok(()) => true,
            Err(ApiError::FailedPrecondition(_) | ApiError::Unauthenticated(_)) => false,
            Err(err) => {
                tracing::warn!(%tenant_id, error = %err, "tenant state unknown; trying later");
                false
            }
        }
    }

    /// Claims up to `limit` due deliveries of one tenant; deliveries whose endpoint was
    /// disabled or deleted meanwhile fail without a request.
    async fn claim(&self, tenant_id: Uuid, limit: i64) -> anyhow::Result<Vec<Job>> {
        let now = self.clock.now();
        let mut tx = self.db.tenant_tx(tenant_id, &Self::actor()).await?;
        let jobs: Vec<Job> = sqlx::query_as(
            "with due as ( \
               select id from webhook_deliveries where tenant_id = $1 and status = 'pending' \
               and next_attempt_at <= $2 and (lease_until is null or lease_until <= $2) \
               order by next_attempt_at limit $3 for update skip locked) \
             update webhook_deliveries d set lease_until = $2 + $4 * interval '1 second' \
             from due, webhook_endpoints e \
             where d.tenant_id = $1 and d.id = due.id and e.tenant_id = d.tenant_id and e.id = d.endpoint_id \
             returning d.id, d.endpoint_id, d.event_id, d.body, d.attempts, e.url, \
               (e.enabled and e.deleted_at is null) as usable, e.secret, \
               case when e.previous_secret_expires_at > $2 then e.previous_secret end as previous_secret",
        )
        .bind(tenant_id)
        .bind(now)
        .bind(limit)
        .bind(self.settings.lease.as_secs_f64())
        .fetch_all(&mut *tx)
        .await?;
        let (jobs, unusable): (Vec<Job>, Vec<Job>) = jobs.into_iter().partition(|j| j.usable);
        if !unusable.is_empty() {
            let ids: Vec<Uuid> = unusable.iter().map(|j| j.id).collect();
            sqlx::query(
                "update webhook_deliveries set status = 'failed', lease_until = null, finished_at = $3, \
                 last_error = 'the endpoint is disabled' where tenant_id = $1 and id = any($2)",
            )
            .bind(tenant_id)
            .bind(&ids)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(jobs)
    }

    /// Sends one claimed delivery and records the attempt; returns when the delivery is due
    /// again, if it still is pending.
    async fn attempt(&self, tenant_id: Uuid, job: Job) -> anyhow::Result<Option<DateTime<Utc>>> {
        let mut secrets = vec![job.secret.clone()];
        secrets.extend(job.previous_secret.clone());
        let answer = self
            .sender
            .send(&Outgoing {
                url: &job.url,
                webhook_id: &job.event_id.to_string(),
                body: &job.body,
                secrets: &secrets,
            })
            .await;
        metrics::counter!("eventkit_webhook_attempts_total",
            "outcome" => match answer.status { Some(s) if (200..300).contains(&s) => "delivered", Some(_) => "failed", None => "error" })
        .increment(1);
        metrics::histogram!("eventkit_webhook_latency_seconds")
            .record(answer.latency.as_secs_f64());
        self.record(tenant_id, &job, &answer).await
    }

    async fn record(
        &self,
        tenant_id: Uuid,
        job: &Job,
        answer: &Answer,
    ) -> anyhow::Result<Option<DateTime<Utc>>> {
        let now = self.clock.now();
        let attempts = job.attempts + 1;
        let mut tx = self.db.tenant_tx(tenant_id, &Self::actor()).await?;
        sqlx::query(
            "insert into webhook_attempts (tenant_id, id, delivery_id, attempted_at, status_code, latency_ms, response_excerpt, error) \
             values ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(tenant_id)
        .bind(eventkit_domain::id::new_id())
        .bind(job.id)
        .bind(now)
        .bind(answer.status.map(i32::from))
        .bind(answer.latency.as_millis().min(i32::MAX as u128) as i32)
        .bind(&answer.excerpt)
        .bind(&answer.error)
        .execute(&mut *tx)
        .await?;
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
        let last_error = if answer.error.is_empty() {
            answer
                .status
                .map(|s| format!("HTTP {s}"))
                .unwrap_or_default()
        } else {
            answer.error.clone()
        };
        // Lock order: the endpoint row before the delivery rows (disabling touches both).
        let disable = match outcome {
            Outcome::Delivered => {
                sqlx::query("update webhook_endpoints set failing_since = null where tenant_id = $1 and id = $2 and failing_since is not null")
                    .bind(tenant_id)
                    .bind(job.endpoint_id)
                    .execute(&mut *tx)
                    .await?;
                None
            }
            Outcome::Gone => Some("the endpoint answered 410 Gone".to_owned()),
            Outcome::Failed => {
                let failing_since: DateTime<Utc> = sqlx::query_scalar(
                    "update webhook_endpoints set failing_since = coalesce(failing_since, $3) \
                     where tenant_id = $1 and id = $2 returning failing_since",
                )
                .bind(tenant_id)
                .bind(job.endpoint_id)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                (now - failing_since >= chrono::Duration::from_std(DISABLE_AFTER)?)
                    .then(|| "every delivery failed for 5 days".to_owned())
            }
        };
        sqlx::query(
            "update webhook_deliveries set attempts = $3, status = $4, lease_until = null, \
             next_attempt_at = coalesce($5, next_attempt_at), last_status_code = $6, \
             last_error = case when $4 = 'delivered' then '' else $7 end, \
             finished_at = case when $4 = 'pending' then null else $8 end \
             where tenant_id = $1 and id = $2",
        )
        .bind(tenant_id)
        .bind(job.id)
        .bind(attempts)
        .bind(status)
        .bind(next)
        .bind(answer.status.map(i32::from))
        .bind(&last_error)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if let Some(reason) = disable {
            disable_endpoint(&mut tx, job.endpoint_id, &reason, now).await?;
        }
        tx.commit().await?;
        Ok(next.filter(|_| status == "pending"))
    }

    /// Runs until `shutdown` completes, then gives requests in flight their timeout to finish.
    pub async fn run(
        self: Arc<Self>,
        database_url: &str,
        shutdown: impl Future<Output = ()> + Send,
    ) -> anyhow::Result<()> {
        let mut listener = PgListener::connect(database_url).await?;
        listener.listen(CHANNEL).await?;
        let mut due: HashMap<Uuid, DateTime<Utc>> = HashMap::new();
        let mut in_flight: HashMap<Uuid, usize> = HashMap::new();
        let mut running: JoinSet<(Uuid, Option<DateTime<Utc>>)> = JoinSet::new();
        let mut resync = tokio::time::interval(self.settings.resync);
        tokio::pin!(shutdown);
        loop {
            let now = self.clock.now();
            let ready: Vec<Uuid> = due
                .iter()
                .filter(|(_, at)| **at <= now)
                .map(|(t, _)| *t)
                .collect();
            for tenant_id in ready {
                let busy = in_flight.get(&tenant_id).copied().unwrap_or(0);
                let room = self
                    .settings
                    .per_tenant
                    .saturating_sub(busy)
                    .min(self.settings.concurrency.saturating_sub(running.len()));
                if room == 0 {
                    continue;
                }
                if !self.may_send(tenant_id).await {
                    due.insert(tenant_id, now + chrono::Duration::seconds(30));
                    continue;
                }
                let jobs = self.claim(tenant_id, room as i64).await?;
                if jobs.len() < room {
                    match self.next_due(tenant_id).await? {
                        Some(at) if at > now => due.insert(tenant_id, at),
                        // Due but claimed by another dispatcher: look again shortly.
                        Some(_) => due.insert(tenant_id, now + chrono::Duration::seconds(1)),
                        None => due.remove(&tenant_id),
                    };
                }
                *in_flight.entry(tenant_id).or_default() += jobs.len();
                for job in jobs {
                    let this = self.clone();
                    running.spawn(async move {
                        match this.attempt(tenant_id, job).await {
                            Ok(next) => (tenant_id, next),
                            Err(err) => {
                                tracing::warn!(%tenant_id, error = format!("{err:#}"), "recording a webhook attempt failed; the lease will bring it back");
                                (tenant_id, Some(this.clock.now() + chrono::Duration::from_std(this.settings.lease).unwrap_or_default()))
                            }
                        }
                    });
                }
            }
            let wake = due
                .iter()
                .filter(|(t, _)| in_flight.get(*t).copied().unwrap_or(0) < self.settings.per_tenant)
                .map(|(_, at)| *at)
                .min()
                .map(|at| (at - self.clock.now()).to_std().unwrap_or_default())
                .unwrap_or(Duration::from_secs(1))
                .clamp(Duration::from_millis(2), Duration::from_secs(1));
            tokio::select! {
                () = &mut shutdown => break,
                notification = listener.recv() => {
                    if let Ok(tenant_id) = notification?.payload().parse::<Uuid>() {
                        due.insert(tenant_id, self.clock.now());
                    }
                }
                Some(done) = running.join_next(), if !running.is_empty() => {
                    if let Ok((tenant_id, next)) = done {
                        if let Some(n) = in_flight.get_mut(&tenant_id) {
                            *n = n.saturating_sub(1);
                        }
                        if let Some(at) = next {
                            let entry = due.entry(tenant_id).or_insert(at);
                            *entry = (*entry).min(at);
                        }
                    }
                }
                _ = resync.tick() => {
                    let now = self.clock.now();
                    for tenant_id in self.db.tenant_ids().await? {
                        due.entry(tenant_id).or_insert(now);
                    }
                }
                () = tokio::time::sleep(wake) => {}
            }
        }
        let _ = tokio::time::timeout(super::sender::TIMEOUT + Duration::from_secs(5), async {
            while running.join_next().await.is_some() {}
        })
        .await;
        Ok(())
    }

    /// When the tenant's next pending delivery is due (or its lease runs out).
    async fn next_due(&self, tenant_id: Uuid) -> anyhow::Result<Option<DateTime<Utc>>> {
        let mut tx = self.db.tenant_tx(tenant_id, &Self::actor()).await?;
        let at = sqlx::query_scalar(
            "select min(greatest(next_attempt_at, coalesce(lease_until, next_attempt_at))) \
             from webhook_deliveries where tenant_id = $1 and status = 'pending'",
        )
        .bind(tenant_id)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(at)
    }
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
    outbox::emit(
        tx,
        "webhook_endpoint.disabled",
        endpoint_id,
        json!({ "id": endpoint_id, "url": url, "reason": reason }),
    )
    .await?;
    tracing::warn!(tenant_id = %tx.tenant_id(), %endpoint_id, reason, "webhook endpoint disabled");
    Ok(())
}
