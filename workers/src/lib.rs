//! Background work: JetStream streams (declared idempotently at start), the outbox relay, the
//! consumers (webhook fan-out, email, tenant exports), the account mailer (emails of no tenant),
//! the webhook dispatcher, retention sweeps, health and metrics (including the jobs gauges:
//! stream lag, dead letters, outbox backlog).

pub mod clock;
pub mod config;
pub mod consumer;
pub mod email;
pub mod export;
pub mod identity_sweep;
pub mod jobs_metrics;
pub mod outbox_relay;
pub mod retention;
pub mod webhooks;

use config::WorkersConfig;
use eventkit_platform::{
    db::Db,
    development::{self, Uses},
    health::{self, Health},
    rpc::server::{AppParts, Server, app},
};
use std::{sync::Arc, time::Duration};
use tokio::net::TcpListener;

pub use event::EVENTS_SUBJECT_PREFIX;
pub use eventkit_platform::jobs::{EVENTS_STREAM, EVENTS_SUBJECTS, declare_streams, event};

/// Builds the workers: the health server now; in the background, once NATS answers, the
/// streams and then the outbox relay and the consumers; the account mailer; the webhook
/// dispatcher; the retention sweeps. Refuses development defaults outside development mode and a
/// database role that could bypass row-level security.
pub async fn build(config: &WorkersConfig, listener: TcpListener) -> anyhow::Result<Server> {
    development::refuse_defaults(
        &config.shared,
        &[Uses::AppDatabase, Uses::DownloadLinks(&config.storage)],
    )?;
    let db = Db::connect_service(config.shared.database.app.expose(), 16).await?;
    let (redis, nats) = health::clients(&config.shared.redis_url, &config.shared.nats_url).await?;
    let relay = outbox_relay::Relay::new(db.clone(), nats.clone(), 200);
    let database_url = config.shared.database.app.expose().clone();
    let dispatcher = Arc::new(webhooks::dispatcher::Dispatcher::new(
        db.clone(),
        webhooks::sender::Sender::new(config.webhook_guard.clone()),
        Arc::new(clock::SystemClock),
        webhooks::dispatcher::Settings {
            lease: config.webhook_lease,
            concurrency: config.webhook_concurrency,
            per_tenant: config.webhook_per_tenant,
            ..Default::default()
        },
    ));
    spawn_forever("webhook dispatcher", {
        let url = database_url.clone();
        move || {
            let (dispatcher, url) = (dispatcher.clone(), url.clone());
            async move { dispatcher.run(&url, std::future::pending()).await }
        }
    });
    let (declare, consumer_db, ack_wait) = (nats.clone(), db.clone(), config.job_ack_wait);
    let metrics_every = config.jobs_metrics_every;
    let transport = email::transport::Transport::from_config(&config.mail)?;
    tracing::info!(to = %transport.describe(), "email transport");
    let mailer = Arc::new(email::Mailer::new(
        db.clone(),
        transport,
        &config.mail.mail_from,
    )?);
    let account_mailer = Arc::new(email::account::AccountMailer::new(
        db.clone(),
        email::transport::Transport::from_config(&config.mail)?,
        &config.mail.mail_from,
    )?);
    account_mailer.spawn(database_url.clone(), Duration::from_secs(5));
    let storage = eventkit_platform::storage::Storage::from_config(&config.storage)?;
    tracing::info!(to = %storage.store.describe(), "object storage");
    retention::spawn(
        db.clone(),
        storage.clone(),
        retention::Periods {
            every: Duration::from_secs(600),
            published_events: config.outbox_retention,
        },
    );
    let exporter = Arc::new(export::Exporter::new(
        db.clone(),
        storage,
        config.export_work_dir.clone(),
        config.export_lease,
    ));
    tokio::spawn(async move {
        let mut delay = Duration::from_millis(200);
        while let Err(err) = declare_streams(&declare).await {
            tracing::warn!(error = %err, "declaring JetStream streams failed; retrying");
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(10));
        }
        tracing::info!(stream = EVENTS_STREAM, "JetStream streams declared");
        relay.spawn(database_url, Duration::from_secs(5));
        let js = async_nats::jetstream::new(declare);
        jobs_metrics::spawn(consumer_db.clone(), js.clone(), metrics_every);
        let fanout = Arc::new(webhooks::fanout::Fanout::new(consumer_db.clone()));
        spawn_consumer(
            &js,
            &consumer_db,
            webhooks::fanout::CONSUMER,
            ack_wait,
            fanout,
        );
        spawn_consumer(&js, &consumer_db, email::CONSUMER, ack_wait, mailer);
        // Exports are long and heavy: two at a time, one per tenant, and patient redelivery
        // while another worker holds an export's lease.
        let export_spec = consumer::Spec {
            filter: format!("{}.*.export.requested", EVENTS_SUBJECT_PREFIX),
            ack_wait,
            max_deliver: 50,
            concurrency: 2,
            per_tenant: 1,
            ..consumer::Spec::new(export::CONSUMER)
        };
        spawn_consumer_with(&js, &consumer_db, export::CONSUMER, export_spec, exporter);
    });
    let parts = AppParts::without_services(Health::new(db.pool().clone(), redis, nats));
    Ok(Server::new(listener, app(&config.shared, parts)))
}

/// Runs one consumer for good (restarted if its connection fails).
fn spawn_consumer<H: consumer::Handler>(
    js: &async_nats::jetstream::Context,
    db: &Db,
    name: &'static str,
    ack_wait: Duration,
    handler: Arc<H>,
) {
    let spec = consumer::Spec {
        ack_wait,
        ..consumer::Spec::new(name)
    };
    spawn_consumer_with(js, db, name, spec, handler);
}

/// Runs one consumer with its own settings for good (restarted if its connection fails).
fn spawn_consumer_with<H: consumer::Handler>(
    js: &async_nats::jetstream::Context,
    db: &Db,
    name: &'static str,
    spec: consumer::Spec,
    handler: Arc<H>,
) {
    let (js, db) = (js.clone(), db.clone());
    spawn_forever(name, move || {
        let (js, db, handler, spec) = (js.clone(), db.clone(), handler.clone(), spec.clone());
        async move { consumer::run(js, db, spec, handler, std::future::pending()).await }
    });
}

/// Runs a long-lived task, restarting it with a growing pause whenever it fails.
pub fn spawn_forever<F, Fut>(what: &'static str, task: F)
where
    F: Fn() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = anyhow::Result<()>> + Send,
{
    tokio::spawn(async move {
        let mut backoff = Duration::from_millis(200);
        loop {
            match task().await {
                Ok(()) => return,
                Err(err) => tracing::warn!(error = format!("{err:#}"), "{what} failed; restarting"),
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(10));
        }
    });
}
