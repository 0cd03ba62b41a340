//! The inventory slice: products, locations, serialised assets, cases, bulk stock, kits and
//! maintenance records. `api` is the thin tonic
//! adapter; the per-entity modules hold the service logic (validate, one `TenantTx`, rows and
//! outbox events together, commit) as plain async methods on [`Inventory`].

mod api;
mod assets;
mod cases;
pub(crate) mod input;
mod kits;
mod locations;
pub(crate) mod maintenance;
mod products;
mod rows;
pub(crate) mod stock;

pub use api::InventoryApi;
pub(crate) use rows::{AssetRow, CaseRow, LocationRow, ProductRow, asset_status_to_pb};

use crate::store::{self, Entity, by_id_statement};
use eventkit_platform::db::one_shot::one_shot_sql;
use eventkit_platform::{
    ApiError,
    auth::Principal,
    db::{TenantDb, TenantTx},
};

pub(crate) use crate::store::Lock;

#[derive(Clone)]
pub struct Inventory {
    db: TenantDb,
}

impl Inventory {
    pub fn new(db: TenantDb) -> Self {
        Self { db }
    }

    /// One row by id in one round trip (no transaction of our own), or `not_found`.
    async fn read_once<E: Entity>(&self, principal: &Principal, id: E::Id) -> Result<E, ApiError> {
        store::read_once(&self.db, principal, id).await
    }

    async fn tx(&self, principal: &Principal) -> Result<TenantTx, ApiError> {
        Ok(self.db.tx(principal).await?)
    }
}

/// The query text GetAsset sends, with the tenant, actor and id as the given literals;
/// bench/get_asset.sql is this text with pgbench variables, and a test keeps the two equal.
pub fn get_asset_sql(tenant: &str, actor: &str, id: &str) -> String {
    one_shot_sql(
        tenant,
        actor,
        &by_id_statement::<rows::AssetRow>(tenant, id),
    )
}
