//! Webhook bench (issue 4): deliveries per second to a local receiver, and event-to-delivery
//! latency, through the real pipeline (outbox relay → JetStream → fan-out consumer →
//! dispatcher → HTTP) on the machine's Postgres and NATS. Run it with `bench/webhooks`
//! (release build); it prints one JSON line of results.
//!
//! - throughput: N deliveries queued in one transaction, timed from commit to the last answer;
//! - latency: products created through the API at a steady rate, each event's `occurred_at`
//!   (the outbox row's time) to the receiver's arrival time; p50/p95/p99.

use eventkit_tests::{TestEnv, pipeline, webhook_receiver::Receiver};
use eventkit_workers::clock::SystemClock;
use serde_json::json;
use std::{sync::Arc, time::Duration};

fn arg(name: &str, default: u64) -> u64 {
    std::env::args()
        .skip_while(|a| a != name)
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let deliveries = arg("--deliveries", 10_000);
    let events = arg("--events", 500);
    let rate = arg("--rate", 50);
    let env = TestEnv::start_with([("EVENTKIT_WEBHOOK_ALLOWLIST", "127.0.0.1")]).await;
    let tenant = env.create_tenant("Bench").await;
    let receiver = Receiver::start().await;
    let created = env
        .call(
            Some(&tenant.api_key),
            "AdminService/CreateWebhookEndpoint",
            json!({"url": receiver.url("/in"), "eventTypes": ["*"]}),
        )
        .await;
    let endpoint_id: uuid::Uuid = created.ok()["endpoint"]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let _pipeline = pipeline::start(&env, &tenant, Arc::new(SystemClock)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Throughput: N deliveries at once.
    let db = eventkit_platform::db::Db::connect_lazy(env.config.database.app.expose(), 2).unwrap();
    let mut tx = db
        .tenant_tx(tenant.id, &eventkit_platform::db::Actor::system("bench"))
        .await
        .unwrap();
    sqlx::query(
        "insert into webhook_deliveries (tenant_id, id, endpoint_id, event_id, event_type, body) \
         select $1, gen_random_uuid(), $2, gen_random_uuid(), 'bench.tick', '{\"type\":\"bench.tick\",\"data\":{}}' \
         from generate_series(1, $3)",
    )
    .bind(tenant.id)
    .bind(endpoint_id)
    .bind(deliveries as i64)
    .execute(&mut *tx)
    .await
    .unwrap();
    let started = std::time::Instant::now();
    tx.commit().await.unwrap();
    receiver
        .wait_for(deliveries as usize, Duration::from_secs(600))
        .await;
    let elapsed = started.elapsed();
    let per_second = deliveries as f64 / elapsed.as_secs_f64();

    // Latency: events at a steady rate through the whole pipeline.
    let before = receiver.count();
    let gap = Duration::from_secs_f64(1.0 / rate as f64);
    let mut ticker = tokio::time::interval(gap);
    for i in 0..events {
        ticker.tick().await;
        env.call(
            Some(&tenant.api_key),
            "InventoryService/CreateProduct",
            json!({"name": format!("Bench {i}")}),
        )
        .await
        .ok();
    }
    let got = receiver
        .wait_for(before + events as usize, Duration::from_secs(120))
        .await;
    let mut latencies: Vec<f64> = got[before..]
        .iter()
        .filter(|r| r.json()["type"] == "product.created")
        .map(|r| {
            let occurred: chrono::DateTime<chrono::Utc> =
                r.json()["timestamp"].as_str().unwrap().parse().unwrap();
            (r.at - occurred).num_microseconds().unwrap() as f64 / 1000.0
        })
        .collect();
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| latencies[((latencies.len() as f64 * p).ceil() as usize).saturating_sub(1)];
    println!(
        "{}",
        json!({
            "deliveries": deliveries,
            "seconds": (elapsed.as_secs_f64() * 100.0).round() / 100.0,
            "deliveriesPerSecond": per_second.round(),
            "latencyEvents": latencies.len(),
            "rate": rate,
            "latencyMsP50": (pct(0.50) * 10.0).round() / 10.0,
            "latencyMsP95": (pct(0.95) * 10.0).round() / 10.0,
            "latencyMsP99": (pct(0.99) * 10.0).round() / 10.0,
        })
    );
}
