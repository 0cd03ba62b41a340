//! PostgreSQL access: pools per role, the tenant-scoped transaction every tenant query runs in,
//! bootstrap of roles/database/migrations, and classification of constraint errors.

pub mod bootstrap;
pub mod constraints;
mod cross_tenant;
pub mod one_shot;
mod tenant_tx;

pub use tenant_tx::{Actor, TenantTx};

use sqlx::{
    PgPool,
    postgres::{PgConnectOptions, PgPoolOptions},
};
use std::str::FromStr;
use std::time::Duration;
use uuid::Uuid;

/// A pool of connections as one role, handing out tenant-scoped transactions.
#[derive(Clone, Debug)]
pub struct Db {
    pool: PgPool,
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
            .acquire_timeout(Duration::from_secs(5))
            // No ping round trip on every checkout: a broken connection fails its next query,
            // which maps to `unavailable`, and the pool replaces it.
            .test_before_acquire(false)
            .connect_lazy_with(options);
        Ok(Self { pool })
    }

    pub fn from_pool(pool: PgPool) -> Self {
        Self { pool }
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
