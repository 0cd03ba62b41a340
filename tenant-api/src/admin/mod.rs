//! The admin slice of the tenant API: API keys and webhook endpoints for integrators, and the
//! branding of the tenant's emails (users and roles follow). `api` is the tonic adapter; the other modules hold the logic.

mod api;
mod api_keys;
mod branding;
mod webhooks;

pub use api::AdminApi;

use eventkit_domain::webhooks::destination::Guard;
use eventkit_platform::{
    ApiError,
    auth::Principal,
    auth::{
        api_key::ApiKeyVerifier,
        invalidation::{self, Invalidation},
    },
    db::{Db, TenantTx},
};
use uuid::Uuid;

#[derive(Clone)]
pub struct Admin {
    db: Db,
    keys: ApiKeyVerifier,
    nats: async_nats::Client,
    webhook_guard: Guard,
}

impl Admin {
    /// `keys` is the verifier the middleware uses, so a revocation reaches its cache at once;
    /// `nats` tells the other processes; `webhook_guard` checks endpoint URLs.
    pub fn new(
        db: Db,
        keys: ApiKeyVerifier,
        nats: async_nats::Client,
        webhook_guard: Guard,
    ) -> Self {
        Self {
            db,
            keys,
            nats,
            webhook_guard,
        }
    }

    async fn tx(&self, principal: &Principal) -> Result<TenantTx, ApiError> {
        Ok(self
            .db
            .tenant_tx(principal.tenant_id, &principal.actor())
            .await?)
    }

    /// Stops a revoked key here at once and in every other process as soon as they hear of it.
    async fn forget_key(&self, key_id: Uuid) {
        self.keys.forget(key_id);
        invalidation::publish(&self.nats, &Invalidation::ApiKey { key_id }).await;
    }
}
