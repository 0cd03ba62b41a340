//! The workers' pipelines in this test process: the outbox relay and consumers of their own (a
//! durable name and a subject filter for one tenant, so parallel tests on the shared NATS never
//! take each other's events), and the webhook dispatcher, on a [`TestEnv`]'s database.

use crate::{Tenant, TestEnv};
use eventkit_platform::db::Db;
use eventkit_workers::{
    clock::Clock,
    consumer,
    outbox_relay::Relay,
    webhooks::{
        dispatcher::{Dispatcher, Settings},
        fanout::Fanout,
        sender::Sender,
    },
};
use std::{sync::Arc, time::Duration};
use tokio::sync::oneshot;

/// A dispatcher on the env's database with its allow-list, driven by `clock`.
pub fn dispatcher(env: &TestEnv, clock: Arc<dyn Clock>) -> Arc<Dispatcher> {
    let db = Db::connect_lazy(env.config.database.app.expose(), 8).expect("pool");
    Arc::new(Dispatcher::new(
        db,
        Sender::new(env.workers_config().webhook_guard),
        clock,
        Settings {
            lease: Duration::from_secs(5),
            ..Settings::default()
        },
    ))
}

/// Relay, fan-out and dispatcher running until the returned guard drops.
pub struct Pipeline {
    _fanout: Consuming,
    _stop: oneshot::Sender<()>,
}

pub async fn start(env: &TestEnv, tenant: &Tenant, clock: Arc<dyn Clock>) -> Pipeline {
    let db = Db::connect_lazy(env.config.database.app.expose(), 8).expect("pool");
    let fanout = consume(env, tenant, Arc::new(Fanout::new(db)), |_| {}).await;
    let (stop, stopped) = oneshot::channel::<()>();
    let dispatcher = dispatcher(env, clock);
    let url = env.config.database.app.expose().clone();
    tokio::spawn(async move {
        dispatcher
            .run(&url, async move {
                let _ = stopped.await;
            })
            .await
    });
    Pipeline {
        _fanout: fanout,
        _stop: stop,
    }
}

/// A consumer started by [`consume`]: it runs until this drops.
pub struct Consuming {
    pub name: String,
    _stop: oneshot::Sender<()>,
}

/// The outbox relay plus a consumer of `tenant`'s events under a name of its own, running
/// `handler`; `tweak` adjusts its settings (e.g. fewer deliveries).
pub async fn consume<H: consumer::Handler>(
    env: &TestEnv,
    tenant: &Tenant,
    handler: Arc<H>,
    tweak: impl FnOnce(&mut consumer::Spec),
) -> Consuming {
    let nats = async_nats::connect(&env.config.nats_url)
        .await
        .expect("NATS");
    eventkit_workers::declare_streams(&nats)
        .await
        .expect("streams");
    let db = Db::connect_lazy(env.config.database.app.expose(), 8).expect("pool");
    Relay::new(db.clone(), nats.clone(), 100).spawn(
        env.config.database.app.expose().clone(),
        Duration::from_millis(500),
    );
    let mut spec = consumer::Spec {
        name: format!("test-consumer-{}", uuid::Uuid::now_v7().simple()),
        filter: format!(
            "{}.{}.>",
            eventkit_workers::EVENTS_SUBJECT_PREFIX,
            tenant.id
        ),
        inactive_threshold: Some(Duration::from_secs(30)),
        ..consumer::Spec::new("unused")
    };
    tweak(&mut spec);
    let name = spec.name.clone();
    let js = async_nats::jetstream::new(nats);
    consumer::declare(&js, &spec).await.expect("consumer");
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(consumer::run(js, db, spec, handler, async move {
        let _ = stopped.await;
    }));
    Consuming { name, _stop: stop }
}
