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
//! Throughput: the database work per delivery, not HTTP, is what costs (bench/history/webhooks.md,
//! Webhooks). So claims are made in batches — a busy tenant is refilled once a quarter of its
//! slots are free, not slot by slot — and attempts are recorded in batches by the [`Recorder`].
//!
//! Time comes from a [`Clock`], so tests can walk the hours-long retry schedule.

use super::{
    job::Job,
    recorder::{self, Finished, NextDue, Recorder},
    sender::{Answer, Outgoing, Sender},
};
use crate::clock::Clock;
use chrono::{DateTime, Utc};
use eventkit_domain::ids::TenantId;
use eventkit_platform::{
    ApiError,
    auth::tenant_state::TenantStates,
    db::{Actor, Db},
};
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

pub struct Dispatcher {
    db: Db,
    sender: Sender,
    clock: Arc<dyn Clock>,
    tenant_states: TenantStates,
    recorder: Recorder,
    settings: Settings,
}

impl Dispatcher {
    pub fn new(db: Db, sender: Sender, clock: Arc<dyn Clock>, settings: Settings) -> Self {
        Self {
            tenant_states: TenantStates::new(db.clone(), Duration::from_secs(5)),
            recorder: Recorder::start(db.clone(), clock.clone()),
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
        let mut attempts = 0;
        for tenant_id in self.db.tenant_ids().await? {
            if !self.may_send(tenant_id).await {
                continue;
            }
            let mut running = JoinSet::new();
            for job in self.claim(tenant_id, i64::MAX).await? {
                let this = self.clone();
                running.spawn(async move {
                    let answer = this.send(&job).await;
                    Finished { job, answer }
                });
            }
            let finished = running.join_all().await;
            attempts += finished.len();
            recorder::record_batch(&self.db, self.clock.as_ref(), tenant_id, &finished).await?;
        }
        Ok(attempts)
    }

    /// Whether the tenant's webhooks may go out (not while it is suspended or being deleted).
    async fn may_send(&self, tenant_id: TenantId) -> bool {
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
    async fn claim(&self, tenant_id: TenantId, limit: i64) -> anyhow::Result<Vec<Job>> {
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

    /// Sends one claimed delivery and records the attempt (in the recorder's next batch);
    /// returns when the delivery is due again, if it still is pending, or when its lease runs
    /// out if the attempt could not be recorded.
    async fn attempt(&self, tenant_id: TenantId, job: Job) -> NextDue {
        let answer = self.send(&job).await;
        match self
            .recorder
            .record(tenant_id, Finished { job, answer })
            .await
        {
            Some(next) => next,
            None => Some(
                self.clock.now()
                    + chrono::Duration::from_std(self.settings.lease).unwrap_or_default(),
            ),
        }
    }

    /// Sends one claimed delivery.
    async fn send(&self, job: &Job) -> Answer {
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
        answer
    }

    /// Runs until `shutdown` completes, then gives requests in flight their timeout to finish.
    pub async fn run(
        self: Arc<Self>,
        database_url: &str,
        shutdown: impl Future<Output = ()> + Send,
    ) -> anyhow::Result<()> {
        let mut listener = PgListener::connect(database_url).await?;
        listener.listen(CHANNEL).await?;
        let mut due: HashMap<TenantId, DateTime<Utc>> = HashMap::new();
        let mut in_flight: HashMap<TenantId, usize> = HashMap::new();
        let mut running: JoinSet<(TenantId, Option<DateTime<Utc>>)> = JoinSet::new();
        let mut resync = tokio::time::interval(self.settings.resync);
        tokio::pin!(shutdown);
        loop {
            let now = self.clock.now();
            let ready: Vec<TenantId> = due
                .iter()
                .filter(|(_, at)| **at <= now)
                .map(|(t, _)| *t)
                .collect();
            for tenant_id in ready {
                let busy = in_flight.get(&tenant_id).copied().unwrap_or(0);
                if !self.may_claim(busy) {
                    continue;
                }
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
                    running.spawn(async move { (tenant_id, this.attempt(tenant_id, job).await) });
                }
            }
            let wake = due
                .iter()
                .filter(|(t, _)| self.may_claim(in_flight.get(*t).copied().unwrap_or(0)))
                .map(|(_, at)| *at)
                .min()
                .map(|at| (at - self.clock.now()).to_std().unwrap_or_default())
                .unwrap_or(Duration::from_secs(1))
                .clamp(Duration::from_millis(2), Duration::from_secs(1));
            tokio::select! {
                () = &mut shutdown => break,
                notification = listener.recv() => {
                    if let Ok(tenant_id) = notification?.payload().parse::<Uuid>().map(TenantId::from_uuid) {
                        due.insert(tenant_id, self.clock.now());
                    }
                }
                Some(done) = running.join_next(), if !running.is_empty() => {
                    // Take every attempt that has finished, so the next claims are batches.
                    let mut done = Some(done);
                    while let Some(result) = done.take().or_else(|| running.try_join_next()) {
                        let Ok((tenant_id, next)) = result else { continue };
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

    /// Whether a tenant with `busy` requests in flight gets more now: when it has none, or
    /// when at least a quarter of its slots are free (one claim for many, not one per slot).
    fn may_claim(&self, busy: usize) -> bool {
        let free = self.settings.per_tenant.saturating_sub(busy);
        busy == 0 || free >= (self.settings.per_tenant / 4).max(1)
    }

    /// When the tenant's next pending delivery is due (or its lease runs out).
    async fn next_due(&self, tenant_id: TenantId) -> anyhow::Result<Option<DateTime<Utc>>> {
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
