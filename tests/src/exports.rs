//! Harness for the export tests: an S3 server in this process (`s3s` + `s3s-fs`, checking SigV4
//! signatures and presigned URLs for real, with switches that refuse deletes or hold uploads
//! back, as an outage or a slow upload would), a control plane whose download links point at its
//! own port, the export and email consumers for one tenant, and [`verify_zip`], which checks an
//! export ZIP row by row against the database.

use crate::{OtherServer, Tenant, TestEnv, pipeline};
use eventkit_control_plane::config::ControlPlaneConfig;
use eventkit_domain::ids::TenantId;
use eventkit_platform::{db::Db, storage::Storage};
use eventkit_workers::config::WorkersConfig;
use eventkit_workers::{
    email::{Mailer, transport::Transport},
    export::{
        Exporter,
        tables::{LEFT_OUT, redacted},
    },
};
use serde_json::Value;
use sqlx::{PgPool, Row};
use std::{
    collections::{BTreeMap, HashMap},
    io::Read,
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::Duration,
};
use tokio::sync::oneshot;

pub const S3_ACCESS_KEY: &str = "EKTESTACCESSKEY";
pub const S3_SECRET_KEY: &str = "ek-test-secret-key-for-sigv4";
pub const S3_BUCKET: &str = "eventkit-exports";

/// An S3-compatible server on a free loopback port, storing into a temporary folder.
pub struct S3Server {
    pub addr: SocketAddr,
    pub root: tempfile::TempDir,
    faults: Arc<Faults>,
}

/// What the server does wrong on purpose.
#[derive(Default)]
struct Faults {
    /// DeleteObject(s) answer 403 AccessDenied.
    refuse_deletes: AtomicBool,
    /// CompleteMultipartUpload waits while this is true.
    hold_uploads: tokio::sync::watch::Sender<bool>,
    /// Uploads waiting now.
    held: AtomicUsize,
}

impl Faults {
    /// The answer to give instead of serving `req`, after holding it back if asked to.
    async fn intercept<B>(&self, req: &hyper::Request<B>) -> Option<hyper::Response<s3s::Body>> {
        let query = req.uri().query().unwrap_or_default();
        let method = req.method();
        // DeleteObject (not AbortMultipartUpload), or DeleteObjects.
        let delete_object = method == hyper::Method::DELETE && !query.contains("uploadId");
        let delete_objects = method == hyper::Method::POST
            && query.split('&').any(|p| p == "delete" || p == "delete=");
        let deleting = delete_object || delete_objects;
        if deleting && self.refuse_deletes.load(Ordering::SeqCst) {
            let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code>\
                        <Message>deletes are refused (test fault)</Message></Error>";
            let response = hyper::Response::builder()
                .status(403)
                .header("content-type", "application/xml")
                .body(s3s::Body::from(body.to_owned()))
                .expect("response");
            return Some(response);
        }
        if method == hyper::Method::POST && query.contains("uploadId") {
            let mut held = self.hold_uploads.subscribe();
            if *held.borrow() {
                self.held.fetch_add(1, Ordering::SeqCst);
                let _ = held.wait_for(|hold| !hold).await;
                self.held.fetch_sub(1, Ordering::SeqCst);
            }
        }
        None
    }
}

impl S3Server {
    pub async fn start() -> Self {
        let root = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(root.path().join(S3_BUCKET)).expect("bucket folder");
        let fs = s3s_fs::FileSystem::new(root.path()).expect("s3s-fs");
        let mut builder = s3s::service::S3ServiceBuilder::new(fs);
        builder.set_auth(s3s::auth::SimpleAuth::from_single(
            S3_ACCESS_KEY,
            S3_SECRET_KEY,
        ));
        let service = builder.build().into_shared();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind S3");
        let addr = listener.local_addr().unwrap();
        let faults = Arc::new(Faults::default());
        let serving = faults.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let (service, faults) = (service.clone(), serving.clone());
                let faulty = hyper::service::service_fn(move |req| {
                    let (service, faults) = (service.clone(), faults.clone());
                    async move {
                        match faults.intercept(&req).await {
                            Some(refusal) => Ok(refusal),
                            None => hyper::service::Service::call(&service, req).await,
                        }
                    }
                });
                tokio::spawn(async move {
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(socket), faulty)
                        .await;
                });
            }
        });
        Self { addr, root, faults }
    }

    /// Refuses (`true`) or serves again (`false`) every delete, as a bucket policy would.
    pub fn refuse_deletes(&self, refuse: bool) {
        self.faults.refuse_deletes.store(refuse, Ordering::SeqCst);
    }

    /// Holds every upload's completion back (`true`) until released (`false`): the object
    /// appears only when released.
    pub fn hold_uploads(&self, hold: bool) {
        self.faults.hold_uploads.send_replace(hold);
    }

    /// How many uploads are held back right now.
    pub fn held_uploads(&self) -> usize {
        self.faults.held.load(Ordering::SeqCst)
    }

    /// The objects stored under `prefix` (a key prefix inside the bucket), read from the folder.
    pub fn objects_under(&self, prefix: &str) -> Vec<String> {
        let bucket = self.root.path().join(S3_BUCKET);
        let mut found = Vec::new();
        let mut folders = vec![bucket.clone()];
        while let Some(folder) = folders.pop() {
            let Ok(entries) = std::fs::read_dir(&folder) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    folders.push(path);
                } else if let Ok(key) = path.strip_prefix(&bucket) {
                    let key = key.to_string_lossy().into_owned();
                    if key.starts_with(prefix) {
                        found.push(key);
                    }
                }
            }
        }
        found.sort();
        found
    }

    /// The `EVENTKIT_*`/`AWS_*` variables that point the storage at this server.
    pub fn vars(&self) -> HashMap<String, String> {
        HashMap::from([
            (
                "EVENTKIT_STORAGE_URL".into(),
                format!("s3://{S3_BUCKET}/tenant-data"),
            ),
            (
                "EVENTKIT_S3_ENDPOINT".into(),
                format!("http://{}", self.addr),
            ),
            ("EVENTKIT_S3_REGION".into(), "eu-central-1".into()),
            ("AWS_ACCESS_KEY_ID".into(), S3_ACCESS_KEY.into()),
            ("AWS_SECRET_ACCESS_KEY".into(), S3_SECRET_KEY.into()),
        ])
    }
}

/// A control plane on `env`'s database whose filesystem download links name its own address;
/// returns it with the workers' configuration that goes with it (their links name it too).
pub async fn control_plane(env: &TestEnv) -> (OtherServer, WorkersConfig) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind port 0");
    let addr = listener.local_addr().unwrap();
    let mut vars = env.vars.clone();
    vars.insert("EVENTKIT_DOWNLOAD_URL".into(), format!("http://{addr}"));
    let config = ControlPlaneConfig::from_vars(&vars).expect("control plane config");
    let server = eventkit_control_plane::build(&config, listener)
        .await
        .expect("control plane builds");
    let (stop, stopped) = oneshot::channel::<()>();
    let running = tokio::spawn(server.run(async move {
        let _ = stopped.await;
    }));
    (
        OtherServer {
            addr,
            stop,
            running,
        },
        WorkersConfig::from_vars(&vars).expect("workers config"),
    )
}

/// The export consumer for `tenant`, with `config`'s storage; runs until dropped.
pub async fn exporter(
    env: &TestEnv,
    config: &WorkersConfig,
    tenant: &Tenant,
) -> pipeline::Consuming {
    let db = Db::connect_lazy(config.shared.database.app.expose(), 4).expect("pool");
    let storage = Storage::from_config(&config.storage).expect("storage");
    let exporter = Arc::new(Exporter::new(
        db,
        storage,
        config.export_work_dir.clone(),
        config.export_lease,
    ));
    pipeline::consume(env, tenant, exporter, |_| {}).await
}

/// The export and email consumers for `tenant`, with `config`'s storage; run until dropped.
pub async fn workers(
    env: &TestEnv,
    config: &WorkersConfig,
    tenant: &Tenant,
) -> (pipeline::Consuming, pipeline::Consuming) {
    let db = Db::connect_lazy(config.shared.database.app.expose(), 4).expect("pool");
    let mailer = Arc::new(
        Mailer::new(
            db,
            Transport::from_config(&config.mail).expect("mail transport"),
            &config.mail.mail_from,
        )
        .expect("mailer"),
    );
    let exports = exporter(env, config, tenant).await;
    let mails = pipeline::consume(env, tenant, mailer, |_| {}).await;
    (exports, mails)
}

/// Polls `get` (an export as JSON) until its status is ready or failed, for at most `limit`.
pub async fn until_finished<F, Fut>(limit: Duration, mut get: F) -> Value
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Value>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let export = get().await;
        let status = export["status"].as_str().unwrap_or_default().to_owned();
        if status == "EXPORT_STATUS_READY" || status == "EXPORT_STATUS_FAILED" {
            return export;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the export did not finish in {limit:?}: {export}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// What [`verify_zip`] found.
#[derive(Debug, Default)]
pub struct Checked {
    pub tables: usize,
    pub rows: usize,
    /// Rows per table.
    pub per_table: BTreeMap<String, usize>,
    /// Rows with a non-null `deleted_at`.
    pub soft_deleted: usize,
}

fn entry(zip: &mut zip::ZipArchive<std::io::Cursor<Vec<u8>>>, name: &str) -> String {
    let mut text = String::new();
    zip.by_name(name)
        .unwrap_or_else(|e| panic!("{name} in the ZIP: {e}"))
        .read_to_string(&mut text)
        .expect("utf-8 entry");
    text
}

/// Checks an export ZIP of `tenant` against the database (read as a superuser, so RLS cannot
/// hide a missing row): every table with a `tenant_id` column but the left-out plumbing is in
/// it; its NDJSON rows are the tenant's rows in primary-key order, equal field by field but for
/// the redacted columns, which are nowhere (for `live` tables, which change after the snapshot,
/// each exported row must still exist); the CSV has the table's exported columns and the same
/// rows; the manifest's counts match; and no id of `others` appears anywhere.
pub async fn verify_zip(
    bytes: Vec<u8>,
    admin: &PgPool,
    tenant: TenantId,
    others: &[TenantId],
    live: &[&str],
) -> Checked {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a valid ZIP");
    let manifest: Value = serde_json::from_str(&entry(&mut zip, "manifest.json")).unwrap();
    assert_eq!(manifest["format"], "eventkit-export");
    assert_eq!(manifest["tenantId"], tenant.to_string());
    assert!(
        manifest["schemaVersion"].as_i64().unwrap() >= 32,
        "{manifest}"
    );
    let tables = sqlx::query(
        "select c.relname::text as name, \
            array(select a.attname::text from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped order by a.attnum) as columns, \
            array(select a.attname::text from pg_index i cross join unnest(i.indkey) with ordinality k(attnum, n) \
                  join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum where i.indrelid = c.oid and i.indisprimary order by k.n) as key \
         from pg_class c join pg_namespace n on n.oid = c.relnamespace \
         where n.nspname = 'public' and c.relkind in ('r', 'p') \
           and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id') order by 1",
    )
    .fetch_all(admin)
    .await
    .expect("catalog");
    // The delivery plumbing is left out, and the manifest says so.
    let (tables, left_out): (Vec<_>, Vec<_>) = tables
        .into_iter()
        .partition(|t| !LEFT_OUT.contains(&t.get::<String, _>("name").as_str()));
    assert_eq!(
        left_out.len(),
        LEFT_OUT.len(),
        "every left-out table exists"
    );
    assert_eq!(manifest["leftOut"], serde_json::json!(LEFT_OUT));
    for table in LEFT_OUT {
        assert!(
            zip.by_name(&format!("tables/{table}.ndjson")).is_err(),
            "{table} is not exported"
        );
    }
    let listed: Vec<&str> = manifest["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    let names: Vec<String> = tables.iter().map(|t| t.get("name")).collect();
    assert_eq!(listed, names, "the manifest lists every tenant table");
    let mut checked = Checked {
        tables: tables.len(),
        ..Default::default()
    };
    let mut all_text = entry(&mut zip, "manifest.json");
    for (table, listed) in tables.iter().zip(manifest["tables"].as_array().unwrap()) {
        let name: String = table.get("name");
        let hidden = redacted(&name);
        let columns: Vec<String> = table.get("columns");
        let columns: Vec<String> = columns
            .into_iter()
            .filter(|c| !hidden.contains(&c.as_str()))
            .collect();
        let key: Vec<String> = table.get("key");
        let ndjson = entry(&mut zip, &format!("tables/{name}.ndjson"));
        let csv_text = entry(&mut zip, &format!("tables/{name}.csv"));
        let rows: Vec<Value> = ndjson
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{name}: {e}: {l}")))
            .collect();
        assert_eq!(
            listed["rows"].as_u64().unwrap() as usize,
            rows.len(),
            "{name}: manifest count"
        );
        let order: Vec<String> = key.iter().map(|k| format!("\"{k}\"")).collect();
        let in_db: Vec<Value> = sqlx::query_scalar::<_, Value>(&format!(
            "select row_to_json(t)::jsonb from \"{name}\" t where tenant_id = $1 order by {}",
            order.join(", ")
        ))
        .bind(tenant)
        .fetch_all(admin)
        .await
        .unwrap();
        let in_db: Vec<Value> = in_db
            .into_iter()
            .map(|mut row| {
                for column in hidden {
                    row.as_object_mut().unwrap().remove(*column);
                }
                row
            })
            .collect();
        for row in &rows {
            for column in hidden {
                assert!(row.get(*column).is_none(), "{name}.{column} is redacted");
            }
            assert_eq!(
                row["tenant_id"],
                tenant.to_string(),
                "{name}: a row of another tenant"
            );
            if !row["deleted_at"].is_null() && row.get("deleted_at").is_some() {
                checked.soft_deleted += 1;
            }
        }
        if live.contains(&name.as_str()) {
            let key_of = |r: &Value| key.iter().map(|k| r[k].to_string()).collect::<Vec<_>>();
            let now: Vec<Vec<String>> = in_db.iter().map(key_of).collect();
            for row in &rows {
                assert!(
                    now.contains(&key_of(row)),
                    "{name}: exported row {row} is not in the database"
                );
            }
        } else {
            // jsonb normalises numbers and key order the same way on both sides.
            let exported: Vec<Value> = rows.clone();
            assert_eq!(exported.len(), in_db.len(), "{name}: row count");
            for (e, d) in exported.iter().zip(&in_db) {
                assert_eq!(normalise(e), normalise(d), "{name}: row differs");
            }
        }
        let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(header, columns, "{name}: CSV header");
        let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        assert_eq!(
            records.len(),
            rows.len(),
            "{name}: CSV and NDJSON row counts"
        );
        for (record, row) in records.iter().zip(&rows) {
            let cells: Vec<String> = columns
                .iter()
                .map(|c| match &row[c] {
                    Value::Null => String::new(),
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect();
            assert_eq!(
                record.iter().collect::<Vec<_>>(),
                cells,
                "{name}: CSV row differs from NDJSON"
            );
        }
        checked.rows += rows.len();
        checked.per_table.insert(name.clone(), rows.len());
        all_text.push_str(&ndjson);
        all_text.push_str(&csv_text);
    }
    for other in others {
        assert!(
            !all_text.contains(&other.to_string()),
            "the export mentions another tenant ({other})"
        );
    }
    checked
}

/// Numbers as f64-free JSON: PostgreSQL's `row_to_json` and `jsonb` print the same values in
/// different ways (e.g. `1.50` and `1.5`), so both sides are compared as parsed numbers.
fn normalise(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            Value::Object(m.iter().map(|(k, v)| (k.clone(), normalise(v))).collect())
        }
        Value::Array(a) => Value::Array(a.iter().map(normalise).collect()),
        Value::Number(n) => Value::String(
            n.as_i64()
                .map(|i| i.to_string())
                .or_else(|| n.as_f64().map(|f| f.to_string()))
                .unwrap_or_else(|| n.to_string()),
        ),
        other => other.clone(),
    }
}
