//! The consumers framework against real JetStream and Postgres: a failing handler's event is
//! retried with backoff, then dead-lettered (on the dead-letter stream and in `job_failures`),
//! and a replay sends it to that consumer again; a permanent failure is dead-lettered at once;
//! events that succeed are handled exactly once per delivery and acked.

use eventkit_platform::db::Db;
use eventkit_tests::{Tenant, TestEnv, pipeline};
use eventkit_workers::{
    consumer::{Failure, Handler, dead_letters},
    event::Event,
};
use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

/// Records every event it sees; fails (retryably or not) while told to.
#[derive(Default)]
struct Flaky {
    seen: Mutex<Vec<(uuid::Uuid, String)>>,
    failing: AtomicBool,
    permanent: AtomicBool,
}

impl Handler for Flaky {
    async fn handle(&self, event: Event) -> Result<(), Failure> {
        self.seen
            .lock()
            .unwrap()
            .push((event.id, event.event_type.clone()));
        if self.permanent.load(Ordering::SeqCst) {
            return Err(Failure::Permanent(anyhow::anyhow!(
                "cannot handle {}",
                event.event_type
            )));
        }
        if self.failing.load(Ordering::SeqCst) {
            return Err(Failure::Retry(anyhow::anyhow!("receiver down")));
        }
        Ok(())
    }
}

struct Running {
    handler: Arc<Flaky>,
    name: String,
    db: Db,
    js: async_nats::jetstream::Context,
    _consuming: pipeline::Consuming,
}

async fn start(env: &TestEnv, tenant: &Tenant, handler: Arc<Flaky>) -> Running {
    let consuming = pipeline::consume(env, tenant, handler.clone(), |spec| {
        spec.max_deliver = 3;
        spec.backoff = vec![Duration::from_millis(100)];
    })
    .await;
    let nats = async_nats::connect(&env.config.nats_url).await.unwrap();
    Running {
        handler,
        name: consuming.name.clone(),
        db: Db::connect_lazy(env.config.database.app.expose(), 2).unwrap(),
        js: async_nats::jetstream::new(nats),
        _consuming: consuming,
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

#[tokio::test]
async fn a_failing_event_is_retried_then_dead_lettered_and_replayed_to_its_consumer() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Consumers").await;
    let handler = Arc::new(Flaky::default());
    handler.failing.store(true, Ordering::SeqCst);
    let running = start(&env, &tenant, handler.clone()).await;
    env.as_tenant(&tenant).product("Haze machine").await;

    let failures = eventually("a stored failure", async || {
        let failures = dead_letters::list(&running.db, tenant.id).await.unwrap();
        (!failures.is_empty()).then_some(failures)
    })
    .await;
    assert_eq!(failures.len(), 1);
    let failure = &failures[0];
    assert_eq!(failure.consumer, running.name);
    assert_eq!(failure.event_type, "product.created");
    assert_eq!(
        failure.deliveries, 3,
        "max_deliver deliveries, then it gave up"
    );
    assert!(failure.error.contains("receiver down"), "{}", failure.error);
    assert_eq!(running.handler.seen.lock().unwrap().len(), 3);

    // The dead-letter stream holds it too, with the consumer and error in headers.
    let stream = running
        .js
        .get_stream(dead_letters::DEAD_LETTERS_STREAM)
        .await
        .unwrap();
    let dead = stream
        .get_last_raw_message_by_subject(&format!(
            "eventkit.dead.{}.{}.product.created",
            running.name, tenant.id
        ))
        .await
        .expect("dead letter on the stream");
    let event: Event = serde_json::from_slice(&dead.payload).unwrap();
    assert_eq!(event.id, failure.event_id);

    // Fixed: a replay reaches this consumer once more, and it succeeds.
    handler.failing.store(false, Ordering::SeqCst);
    let replayed = dead_letters::replay(&running.db, &running.js, tenant.id, failure.id)
        .await
        .unwrap();
    assert!(replayed.replayed_at.is_some());
    eventually("the replayed event", async || {
        (running.handler.seen.lock().unwrap().len() == 4).then_some(())
    })
    .await;
    assert_eq!(running.handler.seen.lock().unwrap()[3].0, failure.event_id);
}

#[tokio::test]
async fn a_permanent_failure_is_dead_lettered_at_once_and_others_flow() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Consumers").await;
    let handler = Arc::new(Flaky::default());
    handler.permanent.store(true, Ordering::SeqCst);
    let running = start(&env, &tenant, handler.clone()).await;
    env.as_tenant(&tenant).product("Bad one").await;
    let failures = eventually("a stored failure", async || {
        let failures = dead_letters::list(&running.db, tenant.id).await.unwrap();
        (!failures.is_empty()).then_some(failures)
    })
    .await;
    assert_eq!(
        failures[0].deliveries, 1,
        "no retries for a permanent failure"
    );
    handler.permanent.store(false, Ordering::SeqCst);
    env.as_tenant(&tenant).product("Good one").await;
    eventually("the next event", async || {
        (handler.seen.lock().unwrap().len() == 2).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(handler.seen.lock().unwrap().len(), 2, "each handled once");
    assert_eq!(
        dead_letters::list(&running.db, tenant.id)
            .await
            .unwrap()
            .len(),
        1
    );
}
