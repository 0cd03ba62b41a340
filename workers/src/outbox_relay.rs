//! The outbox relay: publishes the events that business transactions wrote to `outbox` onto
//! JetStream, then marks them published. Per tenant (ADR 0004), in batches claimed with
//! `FOR UPDATE SKIP LOCKED`, so any number of relays run side by side without publishing a row
//! twice; each message carries `Nats-Msg-Id` = the outbox id, so a batch republished after a crash
//! (published, not yet marked) is dropped by the stream's duplicate window. Woken by
//! `LISTEN eventkit_outbox` (the tenant id is the payload), with a periodic poll of every tenant
//! as the fallback. Nothing is marked published before JetStream acknowledged it.

use crate::event::Event;
use async_nats::jetstream;
use chrono::{DateTime, Utc};
use eventkit_domain::ids::TenantId;
use eventkit_platform::db::{Actor, Db};
use serde_json::Value;
use sqlx::postgres::PgListener;
use std::time::Duration;
use uuid::Uuid;

pub const CHANNEL: &str = "eventkit_outbox";

#[derive(sqlx::FromRow)]
struct PendingEvent {
    id: Uuid,
    event_type: String,
    subject_id: Option<Uuid>,
    payload: Value,
    actor: String,
    created_at: DateTime<Utc>,
}

#[derive(Clone)]
pub struct Relay {
    db: Db,
    jetstream: jetstream::Context,
    batch_size: i64,
}

impl Relay {
    pub fn new(db: Db, nats: async_nats::Client, batch_size: i64) -> Self {
        Self {
            db,
            jetstream: jetstream::new(nats),
            batch_size,
        }
    }

    /// How long to wait for JetStream to acknowledge a message (async-nats default: 5 s).
    pub fn with_ack_timeout(mut self, timeout: Duration) -> Self {
        self.jetstream.set_timeout(timeout);
        self
    }

    /// Publishes one batch of `tenant_id`'s pending events; returns how many.
    pub async fn relay_batch(&self, tenant_id: TenantId) -> anyhow::Result<usize> {
        let mut tx = self
            .db
            .tenant_tx(tenant_id, &Actor::system("outbox-relay"))
            .await?;
        let events: Vec<PendingEvent> = sqlx::query_as(
            "select id, event_type, subject_id, payload, actor, created_at from outbox \
             where tenant_id = $1 and published_at is null order by created_at, id limit $2 for update skip locked",
        )
        .bind(tenant_id)
        .bind(self.batch_size)
        .fetch_all(&mut *tx)
        .await?;
        if events.is_empty() {
            return Ok(0);
        }
        let mut acks = Vec::with_capacity(events.len());
        for event in &events {
            let mut headers = async_nats::HeaderMap::new();
            headers.insert(
                async_nats::header::NATS_MESSAGE_ID,
                event.id.to_string().as_str(),
            );
            let event = event.to_event(tenant_id);
            let body = serde_json::to_vec(&event)?;
            acks.push(
                self.jetstream
                    .publish_with_headers(event.subject(), headers, body.into())
                    .await?,
            );
        }
        for ack in acks {
            ack.await?;
        }
        let ids: Vec<Uuid> = events.iter().map(|e| e.id).collect();
        sqlx::query("update outbox set published_at = now() where tenant_id = $1 and id = any($2)")
            .bind(tenant_id)
            .bind(&ids)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(events.len())
    }

    /// Publishes everything pending for one tenant.
    pub async fn drain(&self, tenant_id: TenantId) -> anyhow::Result<usize> {
        let mut total = 0;
        loop {
            let n = self.relay_batch(tenant_id).await?;
            total += n;
            if (n as i64) < self.batch_size {
                return Ok(total);
            }
        }
    }

    /// Publishes everything pending for every tenant (the fallback poll).
    pub async fn drain_all(&self) -> anyhow::Result<usize> {
        let mut total = 0;
        for tenant_id in self.db.tenant_ids().await? {
            total += self.drain(tenant_id).await?;
        }
        Ok(total)
    }

    /// Runs until the process ends: drains a tenant when notified, everyone every `poll`.
    pub fn spawn(self, database_url: String, poll: Duration) {
        tokio::spawn(async move {
            let mut backoff = Duration::from_millis(200);
            loop {
                match self.run(&database_url, poll).await {
                    Ok(()) => return,
                    Err(err) => tracing::warn!(
                        error = format!("{err:#}"),
                        "outbox relay failed; restarting"
                    ),
                }
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(10));
            }
        });
    }

    async fn run(&self, database_url: &str, poll: Duration) -> anyhow::Result<()> {
        let mut listener = PgListener::connect(database_url).await?;
        listener.listen(CHANNEL).await?;
        // Whatever was written while no relay listened.
        self.drain_all().await?;
        let mut ticks = tokio::time::interval(poll);
        loop {
            tokio::select! {
                notification = listener.recv() => {
                    let notification = notification?;
                    match notification.payload().parse::<Uuid>().map(TenantId::from_uuid) {
                        Ok(tenant_id) => { self.drain(tenant_id).await?; }
                        Err(_) => tracing::warn!(payload = notification.payload(), "ignoring a malformed outbox notification"),
                    }
                }
                _ = ticks.tick() => { self.drain_all().await?; }
            }
        }
    }
}

impl PendingEvent {
    /// The message body: the row with its metadata; `data` is what the business code wrote.
    fn to_event(&self, tenant_id: TenantId) -> Event {
        Event {
            id: self.id,
            event_type: self.event_type.clone(),
            tenant_id,
            subject_id: self.subject_id,
            actor: self.actor.clone(),
            occurred_at: self.created_at,
            data: self.payload.clone(),
        }
    }
}
