//! PostgreSQL access: pools per role, the tenant-scoped transaction every tenant query runs in,
//! bootstrap of roles/database/migrations, and classification of constraint errors.

pub mod bootstrap;
pub mod constraints;
mod cross_tenant;
pub mod one_shot;
mod read_pool;
mod tenant_tx;

pub use read_pool::ReadPool;
pub use tenant_tx::{Actor, TenantTx};

use sqlx::{
    PgPool,
    postgres::{PgConnectOptions, PgPoolOptions},
};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// How long a query waits for a connection before it fails (`unavailable`).
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

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
        // No JIT: our statements are short, and PostgreSQL compiles whenever a plan's cost
        // estimate passes `jit_above_cost` — for the availability lookup at seed scale that added
        // 50–650 ms to a query that runs in 2–25 ms (bench/RESULTS.md, planning runs).
        let options = PgConnectOptions::from_str(url)?.options([("jit", "off")]);
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .min_connections(0)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            // No ping round trip on every checkout: a broken connection fails its next query,
            // which maps to `unavailable`, and the pool replaces it.
            .test_before_acquire(false)
            .connect_lazy_with(options);
        Ok(Self::from_pool(pool))
    }

    /// Tenant-scoped access over `pool`; one-shot reads connect with the pool's options.
    pub fn from_pool(pool: PgPool) -> Self {
        let reads = ReadPool::new(
            (*pool.connect_options()).clone(),
            pool.options().get_max_connections().div_ceil(4),
            ACQUIRE_TIMEOUT,
        );
        Self {
            pool,
            reads: Arc::new(reads),
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
    pub async fn tenant_tx(&self, tenant_id: Uuid, actor: &Actor) -> Result<TenantTx, sqlx::Error> {
        TenantTx::begin(&self.pool, tenant_id, actor).await
    }

    /// A read-only, repeatable-read [`TenantTx`]: every statement sees the same snapshot.
    pub async fn tenant_snapshot_tx(
        &self,
        tenant_id: Uuid,
        actor: &Actor,
    ) -> Result<TenantTx, sqlx::Error> {
        TenantTx::begin_snapshot(&self.pool, tenant_id, actor).await
    }
}
