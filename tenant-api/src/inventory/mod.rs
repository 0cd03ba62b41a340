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
