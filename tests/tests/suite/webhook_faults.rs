//! Nothing is lost: with the real workers in a child process, private NATS and a cuttable path
//! to Postgres, every event is answered by the webhook receiver at least once — duplicates
//! carry the same `webhook-id` and body — after the worker is SIGKILLed mid-batch (requests in
//! flight are cut off and count only if sent again), after NATS restarts, and after Postgres is
//! unreachable for a few seconds.

use eventkit_platform::config::with_database;
use eventkit_tests::{
    Tenant, TestEnv,
    faults::{AnsweringReceiver, CuttableProxy, NatsServer, WorkerProcess, run_worker_process},
};
use serde_json::json;
use std::{
    collections::{HashMap, HashSet},
    time::Duration,
};

/// The child process's entry (see `eventkit_tests::faults`); a no-op in a normal run.
#[tokio::test]
#[ignore = "the worker child process of the fault tests, run by them"]
async fn worker_process() {
    run_worker_process().await;
}

struct Rig {
    env: TestEnv,
    tenant: Tenant,
    receiver: AnsweringReceiver,
    nats: NatsServer,
    proxy: CuttableProxy,
}

impl Rig {
    async fn start() -> Self {
        let env = TestEnv::start_with([("EVENTKIT_WEBHOOK_ALLOWLIST", "127.0.0.1")]).await;
        let tenant = env.create_tenant("Faults").await;
        let receiver = AnsweringReceiver::start(Duration::from_millis(300)).await;
        env.call(
            Some(&tenant.api_key),
            "AdminService/CreateWebhookEndpoint",
            json!({"url": receiver.url("/in"), "eventTypes": ["product.created"]}),
        )
        .await
        .ok();
        let nats = NatsServer::start().await;
        let proxy = CuttableProxy::start("127.0.0.1:5432".parse().unwrap()).await;
        Self {
            env,
            tenant,
            receiver,
            nats,
            proxy,
        }
    }

    /// The workers, talking to Postgres through the proxy and to the private NATS.
    fn worker(&self) -> WorkerProcess {
        let app = self.env.config.database.app.expose();
        let through_proxy = app.replace("127.0.0.1:5432", &self.proxy.addr.to_string());
        assert_ne!(&through_proxy, app, "the app URL points at 127.0.0.1:5432");
        WorkerProcess::spawn(
            "webhook_faults::worker_process",
            &[
                (
                    "DATABASE_URL".into(),
                    with_database(&through_proxy, &self.env.database),
                ),
                ("NATS_URL".into(), self.nats.url()),
                ("EVENTKIT_WEBHOOK_ALLOWLIST".into(), "127.0.0.1".into()),
                ("EVENTKIT_WEBHOOK_LEASE_MS".into(), "2000".into()),
                ("EVENTKIT_JOB_ACK_WAIT_MS".into(), "2000".into()),
                ("EVENTKIT_WORKERS_ADDR".into(), "127.0.0.1:0".into()),
            ],
        )
    }

    async fn create_products(&self, n: usize, tag: &str) {
        for i in 0..n {
            self.env
                .call(
                    Some(&self.tenant.api_key),
                    "InventoryService/CreateProduct",
                    json!({"name": format!("{tag} {i}")}),
                )
                .await
                .ok();
        }
    }

    async fn wait_for_answers(&self, n: usize) {
        for _ in 0..400 {
            if self.receiver.answered().len() >= n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the receiver never answered {n} requests");
    }

    /// Waits until every product.created event reached the receiver; checks duplicates.
    async fn assert_all_delivered(&self, within: Duration) {
        let expected: HashSet<String> = sqlx::query_scalar::<_, uuid::Uuid>(
            "select id from outbox where event_type = 'product.created'",
        )
        .fetch_all(&self.env.admin_pool().await)
        .await
        .unwrap()
        .into_iter()
        .map(|id| id.to_string())
        .collect();
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let received = self.receiver.answered();
            let mut bodies: HashMap<String, String> = HashMap::new();
            for r in &received {
                let id = r.header("webhook-id").unwrap().to_owned();
                if let Some(earlier) = bodies.insert(id.clone(), r.body.clone()) {
                    assert_eq!(earlier, r.body, "a duplicate of {id} carries the same body");
                }
            }
            let got: HashSet<String> = bodies.into_keys().collect();
            let missing: Vec<_> = expected.difference(&got).collect();
            if missing.is_empty() {
                assert!(got.is_subset(&expected), "only real events arrive");
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{} of {} events never arrived: {missing:?}",
                missing.len(),
                expected.len()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

#[tokio::test]
async fn a_worker_killed_mid_batch_loses_nothing() {
    let rig = Rig::start().await;
    let mut worker = rig.worker();
    rig.create_products(40, "Before").await;
    rig.wait_for_answers(3).await;
    worker.kill(); // requests in flight, events unacked, outbox rows unpublished
    rig.create_products(10, "While down").await;
    let _worker = rig.worker();
    rig.assert_all_delivered(Duration::from_secs(60)).await;
}

#[tokio::test]
async fn a_nats_restart_loses_nothing() {
    let mut rig = Rig::start().await;
    let _worker = rig.worker();
    rig.create_products(10, "Before").await;
    rig.wait_for_answers(1).await;
    rig.nats.stop();
    rig.create_products(10, "While NATS is down").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    rig.nats.resume().await;
    rig.create_products(5, "After").await;
    rig.assert_all_delivered(Duration::from_secs(60)).await;
}

#[tokio::test]
async fn a_postgres_outage_loses_nothing() {
    let rig = Rig::start().await;
    let _worker = rig.worker();
    rig.create_products(10, "Before").await;
    rig.wait_for_answers(1).await;
    rig.proxy.cut();
    // The API still writes (its own path to Postgres); the workers cannot read for a while.
    rig.create_products(10, "During the outage").await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    rig.proxy.restore();
    rig.create_products(5, "After").await;
    rig.assert_all_delivered(Duration::from_secs(60)).await;
}
