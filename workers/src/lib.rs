//! Background work: JetStream stream set-up (declared idempotently at start), retention sweeps,
//! health and metrics. The outbox relay and the consumers (webhooks, email, exports) build on it.

pub mod outbox_relay;
pub mod retention;

use eventkit_platform::{
    config::Config,
    db::Db,
    health::{self, Health},
    rpc::server::{AppParts, Server, app},
};
use std::time::Duration;
use tokio::net::TcpListener;

/// The stream every domain event is published to (`eventkit.events.<tenant>.<type>`).
pub const EVENTS_STREAM: &str = "EVENTKIT_EVENTS";
pub const EVENTS_SUBJECTS: &str = "eventkit.events.>";
/// Events go to `eventkit.events.<tenant id>.<event type>`.
pub const EVENTS_SUBJECT_PREFIX: &str = "eventkit.events";

/// Declares the JetStream streams the workers use; safe to run any number of times.
pub async fn declare_streams(nats: &async_nats::Client) -> anyhow::Result<()> {
    let js = async_nats::jetstream::new(nats.clone());
    js.get_or_create_stream(async_nats::jetstream::stream::Config {
        name: EVENTS_STREAM.into(),
        subjects: vec![EVENTS_SUBJECTS.into()],
        duplicate_window: Duration::from_secs(120),
        ..Default::default()
    })
    .await?;
    Ok(())
}

/// Builds the workers: the health server now; in the background, once NATS answers, the
/// streams and then the outbox relay; the retention sweep.
pub async fn build(config: &Config, listener: TcpListener) -> anyhow::Result<Server> {
    let db = Db::connect_lazy(config.database.app.expose(), 8)?;
    let (redis, nats) = health::clients(&config.redis_url, &config.nats_url).await?;
    retention::spawn(db.clone(), Duration::from_secs(600));
    let relay = outbox_relay::Relay::new(db.clone(), nats.clone(), 200);
    let (declare, database_url) = (nats.clone(), config.database.app.expose().clone());
    tokio::spawn(async move {
        let mut delay = Duration::from_millis(200);
        while let Err(err) = declare_streams(&declare).await {
            tracing::warn!(error = %err, "declaring JetStream streams failed; retrying");
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(10));
        }
        tracing::info!(stream = EVENTS_STREAM, "JetStream streams declared");
        relay.spawn(database_url, Duration::from_secs(5));
    });
    let parts = AppParts::without_services(Health::new(db.pool().clone(), redis, nats));
    Ok(Server::new(listener, app(config, parts)))
}
