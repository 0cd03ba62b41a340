//! The outbox relay against real Postgres and JetStream: events reach the stream with
//! `Nats-Msg-Id` = outbox id and are marked published only after the stream acknowledged them;
//! two relays side by side publish every row once; a relay that cannot reach NATS loses nothing;
//! a running relay is woken by the insert's notification, not just its poll.

use eventkit_platform::db::Db;
use eventkit_tests::{Tenant, TestEnv};
use eventkit_workers::{EVENTS_STREAM, outbox_relay::Relay};
use serde_json::Value;
use std::time::Duration;

async fn nats() -> async_nats::Client {
    let client = async_nats::connect("nats://127.0.0.1:4222")
        .await
        .expect("NATS");
    eventkit_workers::declare_streams(&client)
        .await
        .expect("streams");
    client
}

async fn pending(env: &TestEnv) -> i64 {
    sqlx::query_scalar("select count(*) from outbox where published_at is null")
        .fetch_one(&env.admin_pool().await)
        .await
        .unwrap()
}

async fn create_products(env: &TestEnv, tenant: &Tenant, n: usize) {
    let t = env.as_tenant(tenant);
    for i in 0..n {
        t.product(&format!("P{i}")).await;
    }
}

#[tokio::test]
async fn events_reach_jetstream_with_their_outbox_id_and_are_marked_published() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Relay").await;
    let nats = nats().await;
    create_products(&env, &tenant, 3).await;
    let db = Db::connect_lazy(env.config.database.app.expose(), 2).unwrap();
    let relay = Relay::new(db, nats.clone(), 2); // batches of 2: the drain takes two of them

    assert_eq!(relay.drain_all().await.unwrap(), 3);
    assert_eq!(pending(&env).await, 0);
    assert_eq!(relay.drain_all().await.unwrap(), 0, "nothing twice");

    let last_id: uuid::Uuid = sqlx::query_scalar("select id from outbox where event_type = 'product.created' order by created_at desc, id desc limit 1")
        .fetch_one(&env.admin_pool().await)
        .await
        .unwrap();
    let stream = async_nats::jetstream::new(nats)
        .get_stream(EVENTS_STREAM)
        .await
        .unwrap();
    let message = stream
        .get_last_raw_message_by_subject(&format!("eventkit.events.{}.product.created", tenant.id))
        .await
        .unwrap();
    assert_eq!(
        message
            .headers
            .get(async_nats::header::NATS_MESSAGE_ID)
            .map(|v| v.as_str()),
        Some(last_id.to_string().as_str())
    );
    let body: Value = serde_json::from_slice(&message.payload).unwrap();
    assert_eq!(body["id"], last_id.to_string());
    assert_eq!(body["type"], "product.created");
    assert_eq!(body["tenantId"], tenant.id.to_string());
    assert_eq!(body["data"]["name"], "P2");
}

#[tokio::test]
async fn two_relays_side_by_side_publish_every_row_once() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Relay").await;
    let nats = nats().await;
    create_products(&env, &tenant, 30).await;
    let url = env.config.database.app.expose();
    let one = Relay::new(Db::connect_lazy(url, 2).unwrap(), nats.clone(), 5);
    let two = Relay::new(Db::connect_lazy(url, 2).unwrap(), nats.clone(), 5);
    let (a, b) = tokio::join!(one.drain_all(), two.drain_all());
    assert_eq!(
        a.unwrap() + b.unwrap(),
        30,
        "each row claimed by exactly one relay"
    );
    assert_eq!(pending(&env).await, 0);
    // Every product reached the stream exactly once (two relays side by side keep no order
    // between their batches; each row's id is its Nats-Msg-Id, so a repeat would be dropped).
    let stream = async_nats::jetstream::new(nats)
        .get_stream(EVENTS_STREAM)
        .await
        .unwrap();
    let consumer = stream
        .create_consumer(async_nats::jetstream::consumer::pull::Config {
            filter_subject: format!("eventkit.events.{}.product.created", tenant.id),
            inactive_threshold: Duration::from_secs(30),
            ..Default::default()
        })
        .await
        .unwrap();
    let mut names = Vec::new();
    let mut batch = consumer
        .fetch()
        .max_messages(100)
        .expires(Duration::from_secs(1))
        .messages()
        .await
        .unwrap();
    while let Some(message) = futures::StreamExt::next(&mut batch).await {
        let message = message.unwrap();
        let body: Value = serde_json::from_slice(&message.payload).unwrap();
        names.push(body["data"]["name"].as_str().unwrap().to_owned());
    }
    names.sort();
    let mut expected: Vec<String> = (0..30).map(|n| format!("P{n}")).collect();
    expected.sort();
    assert_eq!(names, expected, "each product published once");
}

#[tokio::test]
async fn a_relay_that_cannot_reach_nats_loses_nothing() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Relay").await;
    create_products(&env, &tenant, 2).await;
    let unreachable = async_nats::ConnectOptions::new()
        .retry_on_initial_connect()
        .connect("nats://127.0.0.1:1")
        .await
        .unwrap();
    let db = Db::connect_lazy(env.config.database.app.expose(), 2).unwrap();
    let broken =
        Relay::new(db.clone(), unreachable, 10).with_ack_timeout(Duration::from_millis(300));
    assert!(broken.drain_all().await.is_err(), "publishing fails");
    assert_eq!(pending(&env).await, 2, "and nothing was marked published");

    let working = Relay::new(db, nats().await, 10);
    assert_eq!(
        working.drain_all().await.unwrap(),
        2,
        "a working relay publishes them later"
    );
    assert_eq!(pending(&env).await, 0);
}

#[tokio::test]
async fn a_running_relay_is_woken_by_new_events() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Relay").await;
    let db = Db::connect_lazy(env.config.database.app.expose(), 2).unwrap();
    // A poll period far beyond the test: only the notification can wake it in time.
    Relay::new(db, nats().await, 10).spawn(
        env.config.database.app.expose().clone(),
        Duration::from_secs(3600),
    );
    tokio::time::sleep(Duration::from_millis(300)).await; // LISTEN is set up
    create_products(&env, &tenant, 1).await;
    let started = std::time::Instant::now();
    while pending(&env).await > 0 {
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "the relay was not woken by the insert"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
