//! The inventory slice: products, locations, serialised assets and cases. `api` is the thin tonic
//! adapter; the per-entity modules hold the service logic (validate, one `TenantTx`, rows and
//! outbox events together, commit) as plain async methods on [`Inventory`].

mod api;
mod assets;
mod cases;
mod input;
mod locations;
mod products;
mod rows;

pub use api::InventoryApi;

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

fn by_id_sql(columns: &str, table: &str, lock: Lock) -> String {
    let lock = if lock == Lock::ForUpdate {
        " for update"
    } else {
        ""
    };
    format!("select {columns} from {table} where tenant_id = $1 and id = $2{lock}")
}

/// The statement GetAsset runs after `TenantTx::begin` (`SET_TENANT_SQL`); bench/get_asset.sql
/// replays exactly these statements, and a test keeps the two equal.
pub fn get_asset_sql() -> String {
    by_id_sql(rows::ASSET_COLUMNS, "assets", Lock::No)
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
