//! The inventory slice: products, locations, serialised assets and cases. `api` is the thin tonic
//! adapter; the per-entity modules hold the service logic (validate, one `TenantTx`, rows and
//! outbox events together, commit) as plain async methods on [`Inventory`].

mod api;
mod assets;
mod cases;
pub(crate) mod input;
mod locations;
mod products;
mod rows;

pub use api::InventoryApi;

use eventkit_platform::db::one_shot::{one_shot_sql, uuid_literal};
use eventkit_platform::{
    ApiError,
    auth::Principal,
    db::{Db, TenantTx},
};
use sqlx::{FromRow, postgres::PgRow};
use uuid::Uuid;

#[derive(Clone)]
pub struct Inventory {
    db: Db,
}

impl Inventory {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// One row by id in one round trip (no transaction of our own), or `not_found`.
    async fn read_by_id<T>(
        &self,
        principal: &Principal,
        columns: &str,
        table: &str,
        entity: &str,
        id: Uuid,
    ) -> Result<T, ApiError>
    where
        T: for<'r> FromRow<'r, PgRow> + Send + Unpin,
    {
        let statement = by_id_statement(
            columns,
            table,
            &uuid_literal(principal.tenant_id),
            &uuid_literal(id),
        );
        let rows = self
            .db
            .tenant_read(principal.tenant_id, &principal.actor(), &statement)
            .await?;
        rows.into_iter()
            .next()
            .ok_or_else(|| ApiError::not_found(entity, id))
    }

    async fn tx(&self, principal: &Principal) -> Result<TenantTx, ApiError> {
        Ok(self
            .db
            .tenant_tx(principal.tenant_id, &principal.actor())
            .await?)
    }
}

/// Whether a read takes the row lock for the rest of the transaction.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lock {
    No,
    ForUpdate,
}

/// A read by id as one statement with literal values, for [`Db::tenant_read`].
fn by_id_statement(columns: &str, table: &str, tenant_literal: &str, id_literal: &str) -> String {
    format!(
        "select {columns} from {table} where tenant_id = {tenant_literal} and id = {id_literal}"
    )
}

/// The query text GetAsset sends, with the tenant, actor and id as the given literals;
/// bench/get_asset.sql is this text with pgbench variables, and a test keeps the two equal.
pub fn get_asset_sql(tenant: &str, actor: &str, id: &str) -> String {
    one_shot_sql(
        tenant,
        actor,
        &by_id_statement(rows::ASSET_COLUMNS, "assets", tenant, id),
    )
}

/// `select <columns> from <table>` for one id of the transaction's tenant, or `not_found`
/// naming the entity (another tenant's ids are not found either).
async fn fetch_by_id<T>(
    tx: &mut TenantTx,
    columns: &str,
    table: &str,
    entity: &str,
    id: Uuid,
    lock: Lock,
) -> Result<T, ApiError>
where
    T: for<'r> FromRow<'r, PgRow> + Send + Unpin,
{
    let lock = if lock == Lock::ForUpdate {
        " for update"
    } else {
        ""
    };
    let sql = format!("select {columns} from {table} where tenant_id = $1 and id = $2{lock}");
    sqlx::query_as(&sql)
        .bind(tx.tenant_id())
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| ApiError::not_found(entity, id))
}
