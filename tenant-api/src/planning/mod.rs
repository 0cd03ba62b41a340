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
pub(crate) use rows::{EventRow, ProjectRow, status_of};
pub use supply::DEMAND_SQL;

pub(crate) use crate::store::require_live;
use crate::store::{self, Entity};
use eventkit_platform::{
    ApiError,
    auth::Principal,
    db::{TenantDb, TenantTx},
};

#[derive(Clone)]
pub struct Planning {
    db: TenantDb,
}

impl Planning {
    pub fn new(db: TenantDb) -> Self {
        Self { db }
    }

    async fn tx(&self, principal: &Principal) -> Result<TenantTx, ApiError> {
        Ok(self.db.tx(principal).await?)
    }

    /// One row by id in one round trip (no transaction of our own), or `not_found`.
    async fn read_once<E: Entity>(&self, principal: &Principal, id: E::Id) -> Result<E, ApiError> {
        store::read_once(&self.db, principal, id).await
    }
}
