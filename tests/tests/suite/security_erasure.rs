//! M5 of the 2026-12 security review, run as the review describes it: a tenant whose events
//! were relayed to JetStream (and dead-lettered by a consumer that refuses them), with one
//! export in S3 and a second one uploading when the erasure starts, is erased while the object
//! store refuses deletes. The erasure waits for the upload in flight instead of letting it land
//! afterwards, purges the tenant's messages from both streams, and leaves the object deletes as
//! pending work that `ekctl tenants erasure-progress` shows; once the store works again the
//! sweep finishes them. Then no stream message, object or row mentions the tenant — but for its
//! erasure record and the operator audit — while another tenant's messages stay.

use eventkit_domain::ids::TenantId;
use eventkit_tests::{
    TestEnv,
    ekctl::Ekctl,
    exports::{S3Server, control_plane, exporter},
    pipeline,
};
use eventkit_workers::{
    consumer::{Failure, Handler},
    event::Event,
};
use futures::TryStreamExt;
use serde_json::Value;
use std::{
    sync::Arc,
    time::{Duration, Instant},
};

/// Dead-letters every event at once.
struct Refusing;

impl Handler for Refusing {
    async fn handle(&self, event: Event) -> Result<(), Failure> {
        Err(Failure::Permanent(anyhow::anyhow!(
            "{} refused by the test",
            event.event_type
        )))
    }
}

/// Messages of `stream` on subjects matching `filter`.
async fn messages(js: &async_nats::jetstream::Context, stream: &str, filter: &str) -> usize {
    let stream = js.get_stream(stream).await.expect("stream");
    let mut subjects = stream
        .info_with_subjects(filter)
        .await
        .expect("stream info");
    let mut total = 0;
    while let Some((_, count)) = subjects.try_next().await.expect("subject counts") {
        total += count;
    }
    total
}

/// The tenant's messages in the events stream and in the dead-letter stream.
async fn tenant_messages(js: &async_nats::jetstream::Context, tenant: TenantId) -> (usize, usize) {
    (
        messages(
            js,
            "EVENTKIT_EVENTS",
            &format!("eventkit.events.{tenant}.>"),
        )
        .await,
        messages(
            js,
            "EVENTKIT_DEAD_LETTERS",
            &format!("eventkit.dead.*.{tenant}.>"),
        )
        .await,
    )
}

async fn until(what: &str, mut probe: impl AsyncFnMut() -> bool) {
    let started = Instant::now();
    while !probe().await {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Tables with a row that mentions `tenant` anywhere (any column, as JSON text), but for the
/// tenant's registry row (the erasure record) and the operator audit (who erased it, and why).
async fn rows_mentioning(admin: &sqlx::PgPool, tenant: TenantId) -> Vec<(String, i64)> {
    let tables: Vec<String> = sqlx::query_scalar(
        "select c.relname::text from pg_class c join pg_namespace n on n.oid = c.relnamespace \
         where n.nspname = 'public' and c.relkind in ('r', 'p') order by 1",
    )
    .fetch_all(admin)
    .await
    .unwrap();
    let mut found = Vec::new();
    for table in tables {
        let exempt = match table.as_str() {
            "tenants" => "and x.id <> $1::uuid",
            "operator_audit" => continue,
            _ => "",
        };
        let n: i64 = sqlx::query_scalar(&format!(
            "select count(*) from \"{table}\" x where strpos(row_to_json(x)::text, $1) > 0 {exempt}"
        ))
        .bind(tenant.to_string())
        .fetch_one(admin)
        .await
        .unwrap();
        if n > 0 {
            found.push((table, n));
        }
    }
    found
}

async fn progress(ekctl: &Ekctl, id: &str) -> Value {
    ekctl.json(&["tenants", "erasure-progress", id]).await["progress"].clone()
}

#[tokio::test]
async fn an_erased_tenant_leaves_no_stream_message_object_or_row() {
    let s3 = S3Server::start().await;
    let env = TestEnv::start_with(s3.vars()).await;
    let tenant = env.create_tenant("Leaving").await;
    let other = env.create_tenant("Staying").await;
    let tid = tenant.id.to_string();
    let (cp, config) = control_plane(&env).await;
    let ekctl = Ekctl::new(cp.addr, &env.operator_token("olga").await);
    let admin = env.admin_pool().await;
    let nats = async_nats::connect(&env.config.nats_url).await.unwrap();
    let js = async_nats::jetstream::new(nats);

    // Events relayed to JetStream, each dead-lettered by a consumer that refuses it.
    let _refusing = pipeline::consume(&env, &tenant, Arc::new(Refusing), |_| {}).await;
    let _refusing_other = pipeline::consume(&env, &other, Arc::new(Refusing), |_| {}).await;
    for t in [&tenant, &other] {
        env.as_tenant(t).product("Hazer").await;
        env.as_tenant(t).product("Truss 3m").await;
    }
    until("both tenants' dead letters", async || {
        let (events, dead) = tenant_messages(&js, tenant.id).await;
        let (other_events, other_dead) = tenant_messages(&js, other.id).await;
        events >= 2 && dead >= 2 && other_events >= 2 && other_dead >= 2
    })
    .await;
    let failures: i64 =
        sqlx::query_scalar("select count(*) from job_failures where tenant_id = $1")
            .bind(tenant.id)
            .fetch_one(&admin)
            .await
            .unwrap();
    assert!(failures >= 2, "dead letters are stored too");

    // One export in S3, and a second one whose upload is held back when the erasure starts.
    let _exporting = exporter(&env, &config, &tenant).await;
    let first = ekctl
        .json(&[
            "tenants",
            "export",
            &tid,
            "--wait",
            "--reason",
            "before leaving",
        ])
        .await;
    assert_eq!(first["export"]["status"], "EXPORT_STATUS_READY", "{first}");
    s3.hold_uploads(true);
    ekctl
        .json(&["tenants", "export", &tid, "--reason", "one more"])
        .await;
    until("the second export's upload", async || {
        s3.held_uploads() == 1
    })
    .await;
    let prefix = format!("tenant-data/exports/{tid}/");
    assert_eq!(s3.objects_under(&prefix).len(), 1, "the first export only");

    ekctl
        .json(&["tenants", "delete", &tid, "--reason", "contract ended"])
        .await;
    s3.refuse_deletes(true);
    let erase_args = [
        "tenants",
        "erase",
        &tid,
        "--confirm",
        &tid,
        "--reason",
        "customer asked",
    ];
    let erase = ekctl.run(&erase_args);
    let upload_finishes = async {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let state: String = sqlx::query_scalar("select state from tenants where id = $1")
            .bind(tenant.id)
            .fetch_one(&admin)
            .await
            .unwrap();
        s3.hold_uploads(false);
        state
    };
    let (erased, state_during_upload) = tokio::join!(erase, upload_finishes);
    assert_eq!(
        state_during_upload, "pending_deletion",
        "the erasure waits for the upload in flight"
    );
    assert_eq!(erased.code, 0, "{}", erased.stderr);
    assert!(
        erased.stderr.contains("1 pending")
            && erased
                .stderr
                .contains(&format!("ekctl tenants erasure-progress {tid}")),
        "ekctl says what is left: {}",
        erased.stderr
    );
    assert_eq!(
        ekctl.json(&["tenants", "show", &tid]).await["tenant"]["state"],
        "TENANT_STATE_ERASED"
    );

    // The streams are purged of the tenant at once; the other tenant's messages stay.
    assert_eq!(tenant_messages(&js, tenant.id).await, (0, 0));
    let (other_events, other_dead) = tenant_messages(&js, other.id).await;
    assert!(other_events >= 2 && other_dead >= 2);

    // Both ZIPs are still there (the store refuses deletes), and the progress says so.
    assert_eq!(
        s3.objects_under(&prefix).len(),
        2,
        "the upload landed first"
    );
    let pending = progress(&ekctl, &tid).await;
    assert_eq!(pending["phase"], "ERASURE_PHASE_CLEANING_UP", "{pending}");
    assert_eq!(
        pending["cleanupPending"], 1,
        "the objects prefix: {pending}"
    );
    assert!(
        pending["cleanupError"]
            .as_str()
            .unwrap_or_default()
            .contains("AccessDenied"),
        "{pending}"
    );
    let shown = ekctl.run(&["tenants", "erasure-progress", &tid]).await;
    assert!(
        shown.stdout.contains("cleaning_up") && shown.stdout.contains("AccessDenied"),
        "{}",
        shown.stdout
    );

    // A sweep while the store still refuses changes nothing; once it works, it finishes.
    let control = eventkit_control_plane::ControlPlane::connect(&env.control_plane_config())
        .await
        .unwrap();
    assert_eq!(control.clean_up_erasures().await.unwrap(), 0);
    assert_eq!(s3.objects_under(&prefix).len(), 2);
    s3.refuse_deletes(false);
    assert_eq!(control.clean_up_erasures().await.unwrap(), 1);
    assert_eq!(s3.objects_under(&prefix), Vec::<String>::new());
    let done = progress(&ekctl, &tid).await;
    assert_eq!(done["phase"], "ERASURE_PHASE_FINISHED", "{done}");
    assert!(done.get("cleanupPending").is_none(), "{done}");

    assert_eq!(tenant_messages(&js, tenant.id).await, (0, 0));
    assert_eq!(rows_mentioning(&admin, tenant.id).await, []);
    let record: (String, Option<String>) =
        sqlx::query_as("select name, admin_email from tenants where id = $1")
            .bind(tenant.id)
            .fetch_one(&admin)
            .await
            .unwrap();
    assert_eq!(record, ("erased".to_owned(), None));
}
