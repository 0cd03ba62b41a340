//! The planning slice: projects, events (jobs) and their status machine, pull lists, external
//! sub-rents, availability, shortages and conflicts. `api` is the thin tonic adapter; the
//! per-topic modules hold the service logic as plain async methods on [`Planning`]. The rules
//! (status machine, which statuses reserve, availability arithmetic) live in
//! `eventkit_domain::{planning, availability}`; this slice fetches rows and applies them.

mod api;
mod availability;
mod consumption;
mod events;
pub(crate) mod input;
mod lines;
mod projects;
mod recurring;
mod rows;
mod settings;
mod sub_rents;
mod supply;

pub use api::PlanningApi;
pub(crate) use rows::{EVENT_COLUMNS, EventRow, status_of};
pub use supply::DEMAND_SQL;

use crate::store;
pub(crate) use crate::store::require_live;
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
