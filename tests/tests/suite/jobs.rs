//! Operating background jobs through `ekctl jobs` against a real control plane, JetStream and
//! Postgres: a handler that fails permanently leaves a dead letter that `ekctl jobs failed`
//! shows; once the handler is fixed, `ekctl jobs replay` delivers it (and the operator audit
//! records it); unknown or malformed ids are refused with the documented exit code and change
//! nothing; `ekctl jobs lag` shows pending, in-flight and redelivered events; and the jobs
//! gauges carry real values, on the workers' own `/metrics` too.

use eventkit_domain::ids::TenantId;
use eventkit_ekctl::exit;
use eventkit_platform::db::Db;
use eventkit_tests::{TestEnv, ekctl::Ekctl, faults::NatsServer, pipeline};
use eventkit_workers::{
    consumer::{self, Failure, Handler, dead_letters},
    event::Event,
    jobs_metrics,
};
use serde_json::{Value, json};
use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    sync::Semaphore,
};
use uuid::Uuid;

/// Fails every event permanently while `broken`; records each event it sees.
#[derive(Default)]
struct Mailer {
    broken: AtomicBool,
    seen: Mutex<Vec<Uuid>>,
}

impl Handler for Mailer {
    async fn handle(&self, event: Event) -> Result<(), Failure> {
        self.seen.lock().unwrap().push(event.id);
        if self.broken.load(Ordering::SeqCst) {
            return Err(Failure::Permanent(anyhow::anyhow!(
                "template {} missing",
                event.event_type
            )));
        }
        Ok(())
    }
}

async fn eventually<T>(what: &str, mut probe: impl AsyncFnMut() -> Option<T>) -> T {
    for _ in 0..300 {
        if let Some(v) = probe().await {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

/// A proto3 JSON int64 (a string; absent when zero).
fn int(v: &Value) -> i64 {
    v.as_str().map_or(0, |s| s.parse().unwrap())
}

async fn replayed_at(admin: &sqlx::PgPool, id: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    sqlx::query_scalar("select replayed_at from job_failures where id = $1::uuid")
        .bind(id)
        .fetch_one(admin)
        .await
        .unwrap()
}

async fn audit_rows(admin: &sqlx::PgPool) -> i64 {
    sqlx::query_scalar("select count(*) from operator_audit")
        .fetch_one(admin)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_dead_letter_shows_in_ekctl_jobs_failed_and_replay_delivers_it() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Jobs").await;
    let cp = env.control_plane().await;
    let ekctl = Ekctl::new(cp.addr, &env.operator_token("erin").await);
    let handler = Arc::new(Mailer::default());
    handler.broken.store(true, Ordering::SeqCst);
    let consuming = pipeline::consume(&env, &tenant, handler.clone(), |_| {}).await;
    env.call(
        Some(&tenant.api_key),
        "InventoryService/CreateProduct",
        json!({"name": "Fog machine"}),
    )
    .await
    .ok();

    let tenant_id = tenant.id.to_string();
    let failed = eventually("a dead letter in ekctl jobs failed", async || {
        let answer = ekctl
            .json(&["jobs", "failed", "--tenant", &tenant_id])
            .await;
        let list = answer["deadLetters"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        (!list.is_empty()).then_some(list)
    })
    .await;
    assert_eq!(failed.len(), 1, "{failed:?}");
    let dead = &failed[0];
    let id = dead["id"].as_str().unwrap().to_owned();
    assert_eq!(dead["tenantId"], tenant_id);
    assert_eq!(dead["consumer"], consuming.name.as_str());
    assert_eq!(dead["eventType"], "product.created");
    assert_eq!(dead["deliveries"], 1, "a permanent failure is not retried");
    assert!(
        dead["error"]
            .as_str()
            .unwrap()
            .contains("template product.created missing"),
        "{dead}"
    );
    assert!(dead.get("replayTime").is_none());
    let event_id: Uuid = dead["eventId"].as_str().unwrap().parse().unwrap();
    assert_eq!(*handler.seen.lock().unwrap(), [event_id]);

    // Every tenant's, as a table for people.
    let table = ekctl.run(&["jobs", "failed"]).await;
    assert_eq!(table.code, exit::OK, "{}", table.stderr);
    assert!(table.stdout.starts_with("ID "), "{}", table.stdout);
    let row = table.stdout.lines().find(|l| l.starts_with(&id)).unwrap();
    assert!(
        row.contains(&consuming.name) && row.contains("product.created"),
        "{row}"
    );

    // Unhappy paths: each refused with its exit code; nothing replayed, nothing audited.
    let admin = env.admin_pool().await;
    let audits = audit_rows(&admin).await;
    let unknown = Uuid::now_v7().to_string();
    let cases: Vec<(Vec<&str>, i32, &str)> = vec![
        (vec!["jobs", "replay", &unknown], exit::NOT_FOUND, &unknown),
        (
            vec!["jobs", "replay", &id, &unknown],
            exit::NOT_FOUND,
            &unknown,
        ),
        (
            vec!["jobs", "replay", "not-a-uuid"],
            exit::INVALID,
            "ids[0]",
        ),
        (vec!["jobs", "replay", &id, "x"], exit::INVALID, "ids[1]"),
        (vec!["jobs", "replay"], exit::USAGE, "ID"),
        (
            vec!["jobs", "failed", "--tenant", "acme"],
            exit::INVALID,
            "tenant_id",
        ),
        (
            vec!["jobs", "failed", "--tenant", &unknown],
            exit::NOT_FOUND,
            &unknown,
        ),
        (vec!["jobs", "failed", "--limit", "0"], exit::OK, ""),
        (
            vec!["jobs", "failed", "--limit", "501"],
            exit::INVALID,
            "page_size",
        ),
    ];
    for (args, code, says) in cases {
        let out = ekctl.run(&args).await;
        assert_eq!(out.code, code, "{args:?}: {} {}", out.stdout, out.stderr);
        assert!(out.stderr.contains(says), "{args:?}: {}", out.stderr);
    }
    let refused = ekctl.run(&["--json", "jobs", "replay", &unknown]).await;
    let error: Value = serde_json::from_str(&refused.stderr).unwrap();
    assert_eq!(error["code"], "not_found");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(replayed_at(&admin, &id).await, None);
    assert_eq!(audit_rows(&admin).await, audits);
    assert_eq!(handler.seen.lock().unwrap().len(), 1, "nothing was sent");

    // Fixed: the replay reaches the consumer, which now succeeds.
    handler.broken.store(false, Ordering::SeqCst);
    let replayed = ekctl
        .json(&["jobs", "replay", &id, "--reason", "template fixed"])
        .await;
    let replayed = &replayed["deadLetters"][0];
    assert_eq!(replayed["id"], id.as_str());
    assert!(replayed["replayTime"].is_string(), "{replayed}");
    eventually("the replayed event", async || {
        (handler.seen.lock().unwrap().len() == 2).then_some(())
    })
    .await;
    assert_eq!(handler.seen.lock().unwrap()[1], event_id);
    assert!(replayed_at(&admin, &id).await.is_some());
    let audit = ekctl.json(&["audit", "--tenant", &tenant_id]).await;
    let entry = audit["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "ReplayDeadLetter")
        .cloned()
        .expect("the replay is audited");
    assert_eq!(entry["operator"], "erin");
    assert_eq!(entry["reason"], "template fixed");
    let detail: Value = serde_json::from_str(entry["detail"].as_str().unwrap()).unwrap();
    assert_eq!(detail["deadLetterId"], id.as_str());
    assert_eq!(detail["eventId"], event_id.to_string());

    // The human answer says what was replayed.
    let again = ekctl.run(&["jobs", "replay", &id]).await;
    assert_eq!(again.code, exit::OK, "{}", again.stderr);
    assert!(
        again.stdout.starts_with("replayed 1 dead letter(s)\nID "),
        "{}",
        again.stdout
    );
}

/// Fails each event's first delivery (retry soon), then holds the next until let through.
struct Gate {
    deliveries: Mutex<HashMap<Uuid, u32>>,
    open: Semaphore,
}

impl Handler for Gate {
    async fn handle(&self, event: Event) -> Result<(), Failure> {
        let n = {
            let mut seen = self.deliveries.lock().unwrap();
            let n = seen.entry(event.id).or_default();
            *n += 1;
            *n
        };
        if n == 1 {
            return Err(Failure::Retry(anyhow::anyhow!("first try fails")));
        }
        self.open.acquire().await.unwrap().forget();
        Ok(())
    }
}

/// Publishes `n` events of a made-up tenant straight to the events stream.
async fn publish(js: &async_nats::jetstream::Context, tenant: TenantId, n: usize) {
    for i in 0..n {
        let event = Event {
            id: Uuid::now_v7(),
            event_type: "thing.happened".into(),
            tenant_id: tenant,
            subject_id: None,
            actor: "test".into(),
            occurred_at: chrono::Utc::now(),
            data: json!({"i": i}),
        };
        js.publish(event.subject(), serde_json::to_vec(&event).unwrap().into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
}

fn spec_for(tenant: TenantId) -> consumer::Spec {
    consumer::Spec {
        name: format!("test-lag-{}", Uuid::now_v7().simple()),
        filter: format!("{}.{tenant}.>", eventkit_workers::EVENTS_SUBJECT_PREFIX),
        backoff: vec![Duration::from_millis(50)],
        inactive_threshold: Some(Duration::from_secs(30)),
        ..consumer::Spec::new("unused")
    }
}

#[tokio::test]
async fn ekctl_jobs_lag_shows_pending_in_flight_and_redelivered_events() {
    let env = TestEnv::start().await;
    let cp = env.control_plane().await;
    let ekctl = Ekctl::new(cp.addr, &env.operator_token("frank").await);
    let nats = async_nats::connect(&env.config.nats_url).await.unwrap();
    eventkit_workers::declare_streams(&nats).await.unwrap();
    let js = async_nats::jetstream::new(nats);
    let tenant = TenantId::new();
    let spec = spec_for(tenant);
    consumer::declare(&js, &spec).await.unwrap();
    publish(&js, tenant, 3).await;

    let row_of = async |name: &str| -> Value {
        let answer = ekctl.json(&["jobs", "lag"]).await;
        answer["consumers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["consumer"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} not in {answer}"))
    };
    // Nobody consumes yet: all three wait.
    let row = row_of(&spec.name).await;
    assert_eq!(row["stream"], "EVENTKIT_EVENTS");
    assert_eq!(int(&row["pending"]), 3, "{row}");
    assert_eq!(int(&row["ackPending"]), 0, "{row}");
    assert!(row["oldestUnackedTime"].is_string(), "{row}");
    assert!(
        row["oldestUnackedAgeSeconds"].as_f64().unwrap() >= 0.0,
        "{row}"
    );
    let table = ekctl.run(&["jobs", "lag"]).await;
    assert_eq!(table.code, exit::OK);
    assert!(table.stdout.starts_with("STREAM "), "{}", table.stdout);
    let line = table
        .stdout
        .lines()
        .find(|l| l.contains(&spec.name))
        .unwrap();
    let cells: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(
        cells[..5],
        ["EVENTKIT_EVENTS", spec.name.as_str(), "3", "0", "0"]
    );

    // Consumed: each fails once, comes back, and is held in flight.
    let gate = Arc::new(Gate {
        deliveries: Mutex::new(HashMap::new()),
        open: Semaphore::new(0),
    });
    let db = Db::connect_lazy(env.config.database.app.expose(), 2).unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(consumer::run(
        js.clone(),
        db,
        spec.clone(),
        gate.clone(),
        async move {
            let _ = stopped.await;
        },
    ));
    let row = eventually("three redelivered events in flight", async || {
        let row = row_of(&spec.name).await;
        (int(&row["redelivered"]) == 3 && int(&row["ackPending"]) == 3).then_some(row)
    })
    .await;
    assert_eq!(int(&row["pending"]), 0, "{row}");
    assert!(row["oldestUnackedTime"].is_string(), "{row}");

    // Let through: caught up, nothing unacked.
    gate.open.add_permits(3);
    let row = eventually("caught up", async || {
        let row = row_of(&spec.name).await;
        (int(&row["ackPending"]) == 0).then_some(row)
    })
    .await;
    assert_eq!(int(&row["pending"]), 0, "{row}");
    assert!(row.get("oldestUnackedTime").is_none(), "{row}");
    drop(stop);
}

/// The value of the first sample of `name` whose labels contain `label` (`""`: any).
fn sample(text: &str, name: &str, label: &str) -> Option<f64> {
    text.lines()
        .filter(|l| l.starts_with(&format!("{name} ")) || l.starts_with(&format!("{name}{{")))
        .find(|l| l.contains(label))
        .and_then(|l| l.rsplit(' ').next())
        .map(|v| v.parse().unwrap())
}

async fn get_metrics(addr: std::net::SocketAddr) -> String {
    let mut socket = tokio::net::TcpStream::connect(addr).await.unwrap();
    socket
        .write_all(
            format!(
                "GET /metrics HTTP/1.1\r\nhost: workers\r\nauthorization: Bearer {}\r\nconnection: close\r\n\r\n",
                eventkit_tests::METRICS_TOKEN
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    let mut text = String::new();
    socket.read_to_string(&mut text).await.unwrap();
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    text
}

#[tokio::test]
async fn jobs_gauges_carry_real_values_on_the_workers_metrics() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Metrics").await;
    for name in ["Truss", "Hoist"] {
        env.call(
            Some(&tenant.api_key),
            "InventoryService/CreateProduct",
            json!({"name": name}),
        )
        .await
        .ok();
    }
    let admin = env.admin_pool().await;
    let unpublished: i64 =
        sqlx::query_scalar("select count(*) from outbox where published_at is null")
            .fetch_one(&admin)
            .await
            .unwrap();
    assert!(unpublished >= 2);
    let nats = async_nats::connect(&env.config.nats_url).await.unwrap();
    eventkit_workers::declare_streams(&nats).await.unwrap();
    let js = async_nats::jetstream::new(nats);
    let lagging = spec_for(TenantId::new());
    consumer::declare(&js, &lagging).await.unwrap();
    publish(
        &js,
        TenantId::parse("filter", lagging.filter.split('.').nth(2).unwrap()).unwrap(),
        2,
    )
    .await;
    let db = Db::connect_lazy(env.config.database.app.expose(), 2).unwrap();

    // No relay yet: the outbox backlog is what the business calls wrote.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    jobs_metrics::refresh(&db, &js).await.unwrap();
    let text = eventkit_platform::telemetry::metrics_handle().render();
    let consumer_label = format!("consumer=\"{}\"", lagging.name);
    assert_eq!(
        sample(&text, "eventkit_outbox_unpublished_events", ""),
        Some(unpublished as f64),
        "{text}"
    );
    assert!(sample(&text, "eventkit_outbox_oldest_unpublished_seconds", "").unwrap() >= 1.0);
    assert_eq!(
        sample(&text, "eventkit_jobs_consumer_pending", &consumer_label),
        Some(2.0)
    );
    assert_eq!(
        sample(&text, "eventkit_jobs_consumer_ack_pending", &consumer_label),
        Some(0.0)
    );
    assert_eq!(
        sample(&text, "eventkit_jobs_consumer_redelivered", &consumer_label),
        Some(0.0)
    );
    assert!(
        sample(
            &text,
            "eventkit_jobs_consumer_oldest_unacked_seconds",
            &consumer_label
        )
        .unwrap()
            >= 1.0,
        "{text}"
    );

    // A dead letter (the relay now runs, so the backlog drains too).
    let handler = Arc::new(Mailer::default());
    handler.broken.store(true, Ordering::SeqCst);
    let failing = pipeline::consume(&env, &tenant, handler.clone(), |_| {}).await;
    let failing_label = format!("consumer=\"{}\"", failing.name);
    let text = eventually(
        "a dead letter and an empty outbox in the gauges",
        async || {
            jobs_metrics::refresh(&db, &js).await.unwrap();
            let text = eventkit_platform::telemetry::metrics_handle().render();
            let dead = sample(&text, "eventkit_jobs_dead_letters", &failing_label);
            let backlog = sample(&text, "eventkit_outbox_unpublished_events", "");
            (dead == Some(unpublished as f64) && backlog == Some(0.0)).then_some(text)
        },
    )
    .await;
    assert!(sample(&text, "eventkit_jobs_dead_letter_stream_messages", "").unwrap() >= 1.0);
    // Replayed (to a fixed handler), they no longer count.
    handler.broken.store(false, Ordering::SeqCst);
    for failure in dead_letters::list(&db, tenant.id).await.unwrap() {
        dead_letters::replay(&db, &js, tenant.id, failure.id)
            .await
            .unwrap();
    }
    jobs_metrics::refresh(&db, &js).await.unwrap();
    let text = eventkit_platform::telemetry::metrics_handle().render();
    assert_eq!(
        sample(&text, "eventkit_jobs_dead_letters", &failing_label),
        Some(0.0)
    );

    // The workers themselves, on a NATS of their own (their consumers' durable names must not
    // take other tests' events), refresh the gauges and serve them on /metrics.
    let private = NatsServer::start().await;
    let mut config = env.workers_config();
    config.shared.nats_url = private.url();
    config.jobs_metrics_every = Duration::from_millis(200);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let workers = eventkit_workers::build(&config, listener).await.unwrap();
    let addr = workers.local_addr();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(workers.run(async move {
        let _ = stopped.await;
    }));
    env.call(
        Some(&tenant.api_key),
        "InventoryService/CreateProduct",
        json!({"name": "Chain"}),
    )
    .await
    .ok();
    let text = eventually("the workers' own consumers in their /metrics", async || {
        let text = get_metrics(addr).await;
        let fanout = "consumer=\"webhooks-fanout\"";
        let seen = sample(&text, "eventkit_jobs_consumer_pending", fanout).is_some()
            && sample(
                &text,
                "eventkit_jobs_consumer_ack_pending",
                "consumer=\"email\"",
            )
            .is_some();
        let drained = sample(&text, "eventkit_outbox_unpublished_events", "") == Some(0.0);
        (seen && drained).then_some(text)
    })
    .await;
    assert_eq!(
        sample(&text, "eventkit_jobs_dead_letters", "consumer=\"email\""),
        Some(0.0),
        "every consumer of the streams has a dead-letter gauge"
    );
    for gauge in [
        "eventkit_jobs_consumer_redelivered",
        "eventkit_jobs_consumer_oldest_unacked_seconds",
        "eventkit_outbox_oldest_unpublished_seconds",
    ] {
        assert!(
            sample(&text, gauge, "").is_some(),
            "{gauge} missing:\n{text}"
        );
    }
    drop(stop);
}
