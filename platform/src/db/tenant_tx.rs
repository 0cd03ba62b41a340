//! `TenantTx`: a transaction with `app.tenant_id` (and `app.actor`) set *transaction-locally*,
//! so row-level security scopes every statement to one tenant and nothing leaks to the next
//! user of a pooled connection (safe behind PgBouncer in transaction mode). Tenant code takes a
//! `&mut TenantTx`, never a bare pool.

use eventkit_domain::ids::TenantId;
use sqlx::{PgConnection, PgPool, Postgres, Transaction};
use std::ops::{Deref, DerefMut};

/// Who is acting, recorded as `app.actor` for audit rows and outbox events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor(pub String);

impl Actor {
    pub fn system(what: &str) -> Self {
        Self(format!("system:{what}"))
    }
}

pub struct TenantTx {
    tx: Transaction<'static, Postgres>,
    tenant_id: TenantId,
    actor: Actor,
}

/// The statement that scopes a transaction; the bench's pgbench script runs the same text.
pub const SET_TENANT_SQL: &str =
    "select set_config('app.tenant_id', $1, true), set_config('app.actor', $2, true)";

impl TenantTx {
    pub(crate) async fn begin(
        pool: &PgPool,
        tenant_id: TenantId,
        actor: &Actor,
    ) -> Result<Self, sqlx::Error> {
        Self::scope(pool.begin().await?, tenant_id, actor).await
    }

    /// Like [`begin`](Self::begin), but one consistent read-only snapshot of the whole
    /// database for the transaction's life (`repeatable read`): long reads that must agree
    /// with themselves, such as an export reading every table twice over.
    pub(crate) async fn begin_snapshot(
        pool: &PgPool,
        tenant_id: TenantId,
        actor: &Actor,
    ) -> Result<Self, sqlx::Error> {
        let mut tx = pool.begin().await?;
        sqlx::query("set transaction isolation level repeatable read, read only")
            .execute(&mut *tx)
            .await?;
        Self::scope(tx, tenant_id, actor).await
    }

    /// Sets the tenant and actor on an open transaction.
    async fn scope(
        mut tx: Transaction<'static, Postgres>,
        tenant_id: TenantId,
        actor: &Actor,
    ) -> Result<Self, sqlx::Error> {
        sqlx::query(SET_TENANT_SQL)
            .bind(tenant_id.to_string())
            .bind(&actor.0)
            .execute(&mut *tx)
            .await?;
        Ok(Self {
            tx,
            tenant_id,
            actor: actor.clone(),
        })
    }

    pub fn tenant_id(&self) -> TenantId {
        self.tenant_id
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}

impl Deref for TenantTx {
    type Target = PgConnection;
    fn deref(&self) -> &PgConnection {
        &self.tx
    }
}

impl DerefMut for TenantTx {
    fn deref_mut(&mut self) -> &mut PgConnection {
        &mut self.tx
    }
}
