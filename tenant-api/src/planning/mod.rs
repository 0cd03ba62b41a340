//! The planning slice: projects, events (jobs) and their status machine, pull lists, external
//! sub-rents, availability, shortages and conflicts. `api` is the thin tonic adapter; the
//! per-topic modules hold the service logic as plain async methods on [`Planning`]. The rules
//! (status machine, which statuses reserve, availability arithmetic) live in
//! `eventkit_domain::{planning, availability}`; this slice fetches rows and applies them.

mod api;
mod availability;
mod bookings;
mod events;
pub(crate) mod input;
mod lines;
mod projects;
mod rows;
mod settings;
mod sub_rents;

pub use api::PlanningApi;
pub use availability::DEMAND_SQL;

use crate::store;
use eventkit_platform::{
    ApiError,
    auth::Principal,
    db::{Db, TenantTx},
};
use sqlx::{FromRow, postgres::PgRow};
use uuid::Uuid;

#[derive(Clone)]
pub struct Planning {
    db: Db,
}

impl Planning {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    async fn tx(&self, principal: &Principal) -> Result<TenantTx, ApiError> {
        store::tenant_tx(&self.db, principal).await
    }

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
        store::read_by_id(&self.db, principal, columns, table, entity, id).await
    }
}

/// Checks that `id` names a row of the tenant in `table` (`not_found` naming `field` otherwise)
/// and, for tables with soft delete, that it is not deleted.
pub(crate) async fn require_live(
    tx: &mut TenantTx,
    field: &str,
    table: &str,
    entity: &str,
    id: Uuid,
) -> Result<(), ApiError> {
    let soft_delete = matches!(table, "products" | "events");
    let sql = if soft_delete {
        format!("select deleted_at is not null from {table} where tenant_id = $1 and id = $2")
    } else {
        format!("select false from {table} where tenant_id = $1 and id = $2")
    };
    let deleted: Option<bool> = sqlx::query_scalar(&sql)
        .bind(tx.tenant_id())
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    match deleted {
        None => Err(ApiError::NotFound(format!(
            "{field}: {entity} {id} not found"
        ))),
        Some(true) => Err(ApiError::FailedPrecondition(format!(
            "{field}: {entity} {id} is deleted"
        ))),
        Some(false) => Ok(()),
    }
}
