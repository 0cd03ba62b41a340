//! The two handles service code holds instead of a [`Db`]. [`TenantDb`] is all tenant-scoped
//! code gets: it opens a [`TenantTx`] for the caller's tenant, or runs a one-shot read for it —
//! two strategies of the same handle (docs/adr/0038) — and has no pool to reach for, so a query
//! outside row-level security cannot be written there. [`GlobalDb`] is the separate, named
//! handle of code that works on global tables (accounts, sessions, the tenant registry), where
//! reaching for the pool is the point and is visible as such.

use super::{Actor, Db, TenantTx};
use eventkit_domain::ids::TenantId;
use sqlx::{FromRow, PgPool, postgres::PgRow};

/// Who a tenant-scoped statement runs for: the tenant whose rows it sees and the actor the
/// audit trail records (a request's principal, or the platform itself).
///
/// The tenant is a [`TenantId`], so no other id (nor a bare UUID) can scope a transaction:
///
/// ```compile_fail,E0277
/// use eventkit_platform::db::{Actor, Tenancy};
/// fn scoped(_who: &impl Tenancy) {}
/// scoped(&(uuid::Uuid::now_v7(), &Actor::system("test")));
/// ```
pub trait Tenancy {
    fn tenant(&self) -> TenantId;
    fn actor(&self) -> Actor;
}

/// A tenant and an actor named directly (workers, the control plane's per-tenant work).
impl Tenancy for (TenantId, &Actor) {
    fn tenant(&self) -> TenantId {
        self.0
    }

    fn actor(&self) -> Actor {
        self.1.clone()
    }
}

/// Tenant-scoped access: transactions and one-shot reads, never the pool.
#[derive(Clone, Debug)]
pub struct TenantDb(Db);

impl TenantDb {
    pub fn new(db: Db) -> Self {
        Self(db)
    }

    /// A transaction in which row-level security shows only `who`'s tenant's rows.
    pub async fn tx(&self, who: &impl Tenancy) -> Result<TenantTx, sqlx::Error> {
        self.0.tenant_tx(who.tenant(), &who.actor()).await
    }

    /// A read-only, repeatable-read transaction for `who`: every statement sees one snapshot.
    pub async fn snapshot_tx(&self, who: &impl Tenancy) -> Result<TenantTx, sqlx::Error> {
        self.0.tenant_snapshot_tx(who.tenant(), &who.actor()).await
    }

    /// One read statement for `who` in a single round trip, without a transaction of our own
    /// (the statement carries no parameters: values go in as [`super::one_shot`] literals).
    pub async fn read_once<T>(
        &self,
        who: &impl Tenancy,
        statement: &str,
    ) -> Result<Vec<T>, sqlx::Error>
    where
        T: for<'r> FromRow<'r, PgRow> + Send + Unpin,
    {
        self.0
            .tenant_read(who.tenant(), &who.actor(), statement)
            .await
    }
}

/// Access to global tables (accounts, sessions, memberships, the registry): the pool, named.
#[derive(Clone, Debug)]
pub struct GlobalDb(Db);

impl GlobalDb {
    pub fn new(db: Db) -> Self {
        Self(db)
    }

    /// The pool, for statements on global tables.
    pub fn pool(&self) -> &PgPool {
        self.0.pool()
    }

    /// The whole database handle, for the platform's identity functions that take one.
    pub fn db(&self) -> &Db {
        &self.0
    }
}
