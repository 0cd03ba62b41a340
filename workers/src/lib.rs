//! Background work: JetStream stream set-up (declared idempotently at start), retention sweeps,
//! health and metrics. The outbox relay and the consumers (webhooks, email, exports) build on it.

pub mod retention;

use eventkit_platform::{
    config::Config,
    db::Db,
    health::{self, Health},
    rpc::server::{AppParts, Server, app},
};
use tokio::net::TcpListener;

/// The stream every domain event is published to (`eventkit.events.<tenant>.<type>`).
pub const EVENTS_STREAM: &str = "EVENTKIT_EVENTS";
pub const EVENTS_SUBJECTS: &str = "eventkit.events.>";

/// Declares the JetStream streams the workers use; safe to run any number of times.
pub async fn declare_streams(nats: &async_nats::Client) -> anyhow::Result<()> {
    let js = async_nats::jetstream::new(nats.clone());
    js.get_or_create_stream(async_nats::jetstream::stream::Config {
        name: EVENTS_STREAM.into(),
        subjects: vec![EVENTS_SUBJECTS.into()],
        duplicate_window: std::time::Duration::from_secs(120),
        ..Default::default()
    })
    .await?;
    Ok(())
}

/// Builds the workers' health server and declares streams in the background once NATS answers.
pub async fn build(config: &Config, listener: TcpListener) -> anyhow::Result<Server> {
    let db = Db::connect_lazy(config.database.app.expose(), 8)?;
    retention::spawn(db.clone(), std::time::Duration::from_secs(600));
    let (redis, nats) = health::clients(&config.redis_url, &config.nats_url).await?;
    let declare = nats.clone();
    tokio::spawn(async move {
        let mut delay = std::time::Duration::from_millis(200);
        loop {
            match declare_streams(&declare).await {
                Ok(()) => {
                    break tracing::info!(stream = EVENTS_STREAM, "JetStream streams declared");
                }
                Err(err) => {
                    tracing::warn!(error = %err, "declaring JetStream streams failed; retrying")
                }
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(std::time::Duration::from_secs(10));
        }
    });
    let parts = AppParts::without_services(Health::new(db.pool().clone(), redis, nats));
    Ok(Server::new(listener, app(config, parts)))
}
