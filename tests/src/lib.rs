//! Test harness for cross-deployable tests: each [`TestEnv`] gets a fresh database cloned from a
//! migrated template (made once per migration set, under an advisory lock so parallel test
//! processes agree), a tenant API bound to port 0 in process, and helpers to call it over
//! Connect JSON, Connect binary and gRPC. Databases are dropped when the env is dropped, and
//! ones left behind by crashed test processes are swept when the template is checked.

pub mod client;
pub mod connect;
pub mod dns;
pub mod ekctl;
pub mod exports;
pub mod faults;
pub mod jwts;
pub mod mailbox;
pub mod oidc;
pub mod people;
pub mod pipeline;
pub mod pki;
pub mod postgres_tls;
pub mod smtp_sink;
pub mod webhook_receiver;

use anyhow::Context;
use eventkit_control_plane::config::ControlPlaneConfig;
use eventkit_domain::ids::TenantId;
use eventkit_platform::{
    config::{Config, with_database},
    db::{Actor, Db, bootstrap},
};
use eventkit_tenant_api::config::TenantApiConfig;
use eventkit_workers::config::WorkersConfig;
use sqlx::{Connection, Executor, PgConnection, PgPool, postgres::PgPoolOptions};
use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::atomic::{AtomicU32, Ordering},
};
use tokio::sync::oneshot;

pub use connect::{ConnectReply, Protocol};

/// The superuser URL tests use to create and drop databases.
pub fn admin_url() -> String {
    std::env::var("EVENTKIT_TEST_ADMIN_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// The metrics token of every [`TestEnv`] (`EVENTKIT_METRICS_TOKEN`): `/metrics` and the
/// detailed `/health` answer only with it ([`connect::metrics`] sends it).
pub const METRICS_TOKEN: &str = "test-metrics-token";

/// A tenant made for a test, with its admin API key.
#[derive(Clone, Debug)]
pub struct Tenant {
    pub id: TenantId,
    pub api_key: String,
}

pub struct TestEnv {
    /// The settings every deployable shares, read from [`vars`](Self::vars).
    pub config: Config,
    /// The variables every deployable of this env reads its configuration from; each one's own
    /// comes from [`tenant_api_config`](Self::tenant_api_config),
    /// [`control_plane_config`](Self::control_plane_config) and
    /// [`workers_config`](Self::workers_config).
    pub vars: HashMap<String, String>,
    pub database: String,
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
}

/// A second server on a [`TestEnv`]'s database.
pub struct OtherServer {
    pub addr: SocketAddr,
    pub stop: oneshot::Sender<()>,
    pub running: tokio::task::JoinHandle<std::io::Result<()>>,
}

static NEXT_DB: AtomicU32 = AtomicU32::new(0);

impl TestEnv {
    /// A fresh database and a running tenant API with default settings.
    pub async fn start() -> Self {
        Self::start_with(HashMap::<String, String>::new()).await
    }

    /// Like [`start`](Self::start) with extra `EVENTKIT_*` variables (e.g. a small body limit).
    /// Tests run in development mode (their roles' passwords are the role names, and the
    /// download links are signed with the development key) unless `vars` say otherwise.
    /// `vars` are `(name, value)` pairs: a `HashMap`, or an array like
    /// `[("EVENTKIT_MAX_REQUEST_BYTES", "64")]`.
    pub async fn start_with<K, V>(vars: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<String>,
        V: Into<String>,
    {
        let database = fresh_database().await.expect("fresh test database");
        let mut vars: HashMap<String, String> = vars
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        let base = Config::from_vars(&HashMap::new()).expect("default config");
        vars.insert(
            "DATABASE_URL".into(),
            with_database(base.database.app.expose(), &database),
        );
        vars.insert("EVENTKIT_DATABASE_ADMIN_URL".into(), admin_url());
        vars.entry("EVENTKIT_DB_MAX_CONNECTIONS".into())
            .or_insert_with(|| "8".into());
        vars.entry("EVENTKIT_DEV_MODE".into())
            .or_insert_with(|| "1".into());
        vars.entry("EVENTKIT_METRICS_TOKEN".into())
            .or_insert_with(|| METRICS_TOKEN.into());
        let config = Config::from_vars(&vars).expect("test config");
        eventkit_platform::telemetry::init_logging_at("json", "warn");

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind port 0");
        let tenant_api = TenantApiConfig::from_vars(&vars).expect("tenant API config");
        let server = eventkit_tenant_api::build(&tenant_api, listener)
            .await
            .expect("tenant api builds");
        let addr = server.local_addr();
        let (stop, stopped) = oneshot::channel();
        tokio::spawn(server.run(async move {
            let _ = stopped.await;
        }));
        Self {
            config,
            vars,
            database,
            addr,
            stop: Some(stop),
        }
    }

    /// The tenant API's configuration in this env (what [`start`](Self::start) served).
    pub fn tenant_api_config(&self) -> TenantApiConfig {
        TenantApiConfig::from_vars(&self.vars).expect("tenant API config")
    }

    /// The control plane's configuration in this env.
    pub fn control_plane_config(&self) -> ControlPlaneConfig {
        ControlPlaneConfig::from_vars(&self.vars).expect("control plane config")
    }

    /// The workers' configuration in this env.
    pub fn workers_config(&self) -> WorkersConfig {
        WorkersConfig::from_vars(&self.vars).expect("workers config")
    }

    /// The handle that calls the API as `tenant` and makes what lives in it.
    pub fn as_tenant<'a>(&'a self, tenant: &'a Tenant) -> client::As<'a> {
        client::As { env: self, tenant }
    }

    /// Another tenant-api process-alike on the same database (its own caches and pool), as in
    /// a pool of servers; it runs until the returned sender fires or is dropped.
    pub async fn another_server(&self) -> OtherServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind port 0");
        let server = eventkit_tenant_api::build(&self.tenant_api_config(), listener)
            .await
            .expect("tenant api builds");
        let addr = server.local_addr();
        let (stop, stopped) = oneshot::channel::<()>();
        let running = tokio::spawn(server.run(async move {
            let _ = stopped.await;
        }));
        OtherServer {
            addr,
            stop,
            running,
        }
    }

    /// A control plane on this env's database, in process on port 0 (as `eventkit serve
    /// control-plane` runs it); it runs until the returned sender fires or is dropped.
    pub async fn control_plane(&self) -> OtherServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind port 0");
        let server = eventkit_control_plane::build(&self.control_plane_config(), listener)
            .await
            .expect("control plane builds");
        let addr = server.local_addr();
        let (stop, stopped) = oneshot::channel::<()>();
        let running = tokio::spawn(server.run(async move {
            let _ = stopped.await;
        }));
        OtherServer {
            addr,
            stop,
            running,
        }
    }

    /// A pool as `eventkit_control` on this env's database.
    pub fn control_db(&self) -> Db {
        Db::connect_lazy(self.config.database.control.expose(), 2).expect("pool")
    }

    /// A new operator token, as `eventkit operator-token create --name NAME` makes it.
    pub async fn operator_token(&self, name: &str) -> String {
        let db = self.control_db();
        let issued = eventkit_control_plane::operator_auth::create_token(db.pool(), name)
            .await
            .expect("operator token");
        db.pool().close().await;
        issued.token.expose().clone()
    }

    /// A new admin API key (every permission) of an existing tenant, in whatever state.
    pub async fn admin_key(&self, tenant_id: TenantId) -> String {
        let db = self.control_db();
        let mut tx = db
            .tenant_tx(tenant_id, &Actor::system("test"))
            .await
            .expect("tx");
        let key = eventkit_platform::auth::api_key::create(&mut tx, "test admin", &["*"], None)
            .await
            .expect("key");
        tx.commit().await.expect("commit");
        db.pool().close().await;
        key.key.expose().clone()
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Creates an active tenant with an admin key, as `eventkit tenants create` does.
    pub async fn create_tenant(&self, name: &str) -> Tenant {
        let db = Db::connect_lazy(self.config.database.control.expose(), 1).expect("pool");
        let created = eventkit_control_plane::tenants::create(&db, name, &Actor::system("test"))
            .await
            .expect("tenant created");
        db.pool().close().await;
        Tenant {
            id: created.tenant_id,
            api_key: created.api_key,
        }
    }

    /// A superuser pool on this env's database (bypasses RLS: for assertions only).
    pub async fn admin_pool(&self) -> PgPool {
        PgPoolOptions::new()
            .max_connections(2)
            .connect(&with_database(&admin_url(), &self.database))
            .await
            .expect("admin pool")
    }

    /// A new product of `tenant` whose row lock the returned transaction holds: a call that
    /// updates it waits inside its own transaction until the guard commits or drops.
    pub async fn locked_product(
        &self,
        tenant: &Tenant,
    ) -> (String, sqlx::Transaction<'static, sqlx::Postgres>) {
        let created = self
            .call(
                Some(&tenant.api_key),
                "InventoryService/CreateProduct",
                serde_json::json!({"name": "Lamp"}),
            )
            .await;
        let id = created.ok()["product"]["id"]
            .as_str()
            .expect("product id")
            .to_owned();
        let mut guard = self.admin_pool().await.begin().await.expect("transaction");
        sqlx::query("select 1 from products where id = $1::uuid for update")
            .bind(&id)
            .execute(&mut *guard)
            .await
            .expect("row lock");
        (id, guard)
    }

    /// A single connection as `eventkit_app` to this env's database.
    pub async fn app_connection(&self) -> PgConnection {
        PgConnection::connect(self.config.database.app.expose())
            .await
            .expect("app connection")
    }

    /// A single connection as `eventkit_owner` to this env's database.
    pub async fn owner_connection(&self) -> PgConnection {
        PgConnection::connect(self.config.database.owner.expose())
            .await
            .expect("owner connection")
    }

    /// Connect unary call with JSON; returns status and parsed body.
    pub async fn call(
        &self,
        key: Option<&str>,
        method: &str,
        body: serde_json::Value,
    ) -> ConnectReply {
        connect::call(self.addr, Protocol::ConnectJson, key, method, body).await
    }

    /// [`call`](Self::call) with extra request headers (cookies, CSRF).
    pub async fn call_with_headers(
        &self,
        key: Option<&str>,
        method: &str,
        body: serde_json::Value,
        headers: &[(&str, &str)],
    ) -> ConnectReply {
        connect::call_with_headers(self.addr, Protocol::ConnectJson, key, method, body, headers)
            .await
    }

    /// A gRPC client for InventoryService over HTTP/2.
    pub async fn inventory_grpc(
        &self,
    ) -> eventkit_proto::eventkit::v1::inventory_service_client::InventoryServiceClient<
        tonic::transport::Channel,
    > {
        eventkit_proto::eventkit::v1::inventory_service_client::InventoryServiceClient::connect(
            self.base_url(),
        )
        .await
        .expect("gRPC channel")
    }
}

impl Drop for TestEnv {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let database = self.database.clone();
        // Drop runs inside the test's runtime; do the async cleanup on a thread of its own.
        let _ = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime")
                .block_on(async {
                    if let Ok(mut admin) = PgConnection::connect(&admin_url()).await {
                        let _ = admin
                            .execute(
                                format!("drop database if exists \"{database}\" with (force)")
                                    .as_str(),
                            )
                            .await;
                    }
                })
        })
        .join();
    }
}

/// Name of the template for the current migrations (a new set of migrations, a new template).
fn template_name() -> String {
    let mut hash: u64 = 0xcbf29ce484222325;
    for m in bootstrap::MIGRATOR.iter() {
        for b in m.checksum.iter().chain(m.version.to_le_bytes().iter()) {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x100000001b3);
        }
    }
    // Bump the suffix when the template is made differently for the same migrations.
    format!("eventkit_tpl_{hash:016x}_2")
}

/// Creates `eventkit_test_<pid>_<n>` from the template, making the template first if needed.
pub async fn fresh_database() -> anyhow::Result<String> {
    let admin = admin_url();
    let mut conn = PgConnection::connect(&admin)
        .await
        .with_context(|| format!("connecting to {admin} (EVENTKIT_TEST_ADMIN_URL)"))?;
    conn.execute("select pg_advisory_lock(727275)").await?;
    let result = async {
        let template = template_name();
        let exists = sqlx::query("select 1 from pg_database where datname = $1")
            .bind(&template)
            .fetch_optional(&mut conn)
            .await?;
        if exists.is_none() {
            let defaults = Config::from_vars(&HashMap::new())?;
            bootstrap::ensure_roles(&mut conn, &defaults.database).await?;
            let building = format!("{template}_building");
            conn.execute(format!("drop database if exists \"{building}\" with (force)").as_str())
                .await?;
            bootstrap::ensure_database(&mut conn, &building).await?;
            bootstrap::allow_indexed_search(&with_database(&admin, &building)).await;
            bootstrap::run_migrations(&with_database(defaults.database.owner.expose(), &building))
                .await?;
            conn.execute(
                format!("alter database \"{building}\" rename to \"{template}\"").as_str(),
            )
            .await?;
            // When it was made: other checkouts' templates are swept only once they are old.
            conn.execute(
                format!(
                    "comment on database \"{template}\" is '{}'",
                    chrono::Utc::now().timestamp()
                )
                .as_str(),
            )
            .await?;
            sweep_orphans(&mut conn).await?;
        }
        let name = format!(
            "eventkit_test_{}_{}",
            std::process::id(),
            NEXT_DB.fetch_add(1, Ordering::Relaxed)
        );
        conn.execute(format!("drop database if exists \"{name}\" with (force)").as_str())
            .await?;
        bootstrap::clone_database(&mut conn, &template, &name).await?;
        Ok(name)
    }
    .await;
    conn.execute("select pg_advisory_unlock(727275)").await?;
    result
}

/// Drops test databases of processes that no longer run, and templates of other migration
/// sets made over a day ago (a checkout on another branch may still be using a newer one).
async fn sweep_orphans(conn: &mut PgConnection) -> anyhow::Result<()> {
    let databases: Vec<(String, Option<String>)> = sqlx::query_as("select datname, shobj_description(oid, 'pg_database') from pg_database where datname like 'eventkit\\_test\\_%' or datname like 'eventkit\\_tpl\\_%'")
        .fetch_all(&mut *conn)
        .await?;
    let current = template_name();
    let a_day_ago = chrono::Utc::now().timestamp() - 24 * 3600;
    for (name, made) in databases {
        let stale = match name
            .strip_prefix("eventkit_test_")
            .and_then(|rest| rest.split('_').next())
        {
            Some(pid) => !std::path::Path::new(&format!("/proc/{pid}")).exists(),
            None => {
                name != current
                    && made
                        .and_then(|m| m.parse::<i64>().ok())
                        .is_none_or(|t| t < a_day_ago)
            }
        };
        if stale {
            let _ = conn
                .execute(format!("drop database if exists \"{name}\" with (force)").as_str())
                .await;
        }
    }
    Ok(())
}
