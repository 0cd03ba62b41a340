//! PostgreSQL access: pools per role, the tenant-scoped transaction every tenant query runs in,
//! bootstrap of roles/database/migrations, the services' check of their own role, and
//! classification of constraint errors.

pub mod bootstrap;
pub mod constraints;
mod cross_tenant;
mod handles;
pub mod one_shot;
mod read_pool;
pub mod role_check;
mod tenant_tx;

pub use handles::{GlobalDb, Tenancy, TenantDb};
pub use read_pool::ReadPool;
pub use tenant_tx::{Actor, TenantTx};

use eventkit_domain::ids::TenantId;
use sqlx::{
    Connection, PgConnection, PgPool,
    postgres::{PgConnectOptions, PgPoolOptions},
};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// How long a query waits for a connection before it fails (`unavailable`).
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a deployable waits at start-up for the database to answer its role check.
const ROLE_CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// A pool of connections as one role, handing out tenant-scoped transactions, plus a quarter
/// as many (at least one) more for one-shot reads ([`ReadPool`]).
#[derive(Clone, Debug)]
pub struct Db {
    pool: PgPool,
    reads: Arc<ReadPool>,
}

impl Db {
    /// A pool that connects on first use, so a process starts (and reports not-ready) while
    /// Postgres is down.
    pub fn connect_lazy(url: &str, max_connections: u32) -> Result<Self, sqlx::Error> {
        Self::connect(url, max_connections, false)
    }

    /// [`connect_lazy`](Self::connect_lazy) for a service, which must not run as a role that
    /// can bypass row-level security ([`role_check`]): fails when the database answers at once
    /// that it could; and every connection the pool opens later (its own and its one-shot
    /// reads') runs the same check first and fails on such a role.
    pub async fn connect_service(url: &str, max_connections: u32) -> anyhow::Result<Self> {
        let db = Self::connect(url, max_connections, true)?;
        db.check_role().await?;
        Ok(db)
    }

    fn connect(url: &str, max_connections: u32, check_role: bool) -> Result<Self, sqlx::Error> {
        // No JIT: our statements are short, and PostgreSQL compiles whenever a plan's cost
        // estimate passes `jit_above_cost` — for the availability lookup at seed scale that added
        // 50–650 ms to a query that runs in 2–25 ms (bench/history/planning.md, planning runs).
        let options = PgConnectOptions::from_str(url)?.options([("jit", "off")]);
        let mut pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .min_connections(0)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            // No ping round trip on every checkout: a broken connection fails its next query,
            // which maps to `unavailable`, and the pool replaces it.
            .test_before_acquire(false);
        if check_role {
            pool = pool.after_connect(|conn, _| Box::pin(role_check::refuse_climbing(conn)));
        }
        Ok(Self::over(pool.connect_lazy_with(options), check_role))
    }

    /// Tenant-scoped access over `pool`; one-shot reads connect with the pool's options.
    pub fn from_pool(pool: PgPool) -> Self {
        Self::over(pool, false)
    }

    fn over(pool: PgPool, check_role: bool) -> Self {
        let reads = ReadPool::new(
            (*pool.connect_options()).clone(),
            pool.options().get_max_connections().div_ceil(4),
            ACQUIRE_TIMEOUT,
        );
        let reads = if check_role {
            reads.checking_role()
        } else {
            reads
        };
        Self {
            pool,
            reads: Arc::new(reads),
        }
    }

    /// The start-up half of the role check, on a connection of its own. When the database
    /// does not answer (in time) the process starts anyway and reports not ready; the pool's
    /// connections check the role when they are made.
    async fn check_role(&self) -> Result<(), role_check::RoleRefused> {
        let options = (*self.pool.connect_options()).clone();
        let checked = async {
            let mut conn = PgConnection::connect_with(&options).await?;
            let found = role_check::climbs(&mut conn).await;
            let _ = conn.close().await;
            found
        };
        match tokio::time::timeout(ROLE_CHECK_TIMEOUT, checked).await {
            Ok(Ok(None)) => Ok(()),
            Ok(Ok(Some(refused))) => Err(refused),
            Ok(Err(err)) => {
                tracing::warn!(error = %err, "the database did not answer the start-up role check; each new connection checks the role");
                Ok(())
            }
            Err(_) => {
                tracing::warn!(
                    "the database did not answer the start-up role check in time; each new connection checks the role"
                );
                Ok(())
            }
        }
    }

    /// The connections of one-shot reads.
    pub fn reads(&self) -> &ReadPool {
        &self.reads
    }

    /// The pool, for work that is not tenant-scoped (health checks, the control plane).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Begins a transaction in which row-level security shows only `tenant_id`'s rows.
    pub async fn tenant_tx(
        &self,
        tenant_id: TenantId,
        actor: &Actor,
    ) -> Result<TenantTx, sqlx::Error> {
        TenantTx::begin(&self.pool, tenant_id, actor).await
    }

    /// A read-only, repeatable-read [`TenantTx`]: every statement sees the same snapshot.
    pub async fn tenant_snapshot_tx(
        &self,
        tenant_id: TenantId,
        actor: &Actor,
    ) -> Result<TenantTx, sqlx::Error> {
        TenantTx::begin_snapshot(&self.pool, tenant_id, actor).await
    }
}
