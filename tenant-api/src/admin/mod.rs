//! The admin slice of the tenant API: API keys for integrators (users, roles, webhooks and
//! branding follow). `api` is the tonic adapter; `api_keys` holds the logic.

mod api;
mod api_keys;

pub use api::AdminApi;

use eventkit_platform::{
    auth::{
        api_key::ApiKeyVerifier,
        invalidation::{self, Invalidation},
    },
    db::Db,
};
use uuid::Uuid;

#[derive(Clone)]
pub struct Admin {
    db: Db,
    keys: ApiKeyVerifier,
    nats: async_nats::Client,
}

impl Admin {
    /// `keys` is the verifier the middleware uses, so a revocation reaches its cache at once;
    /// `nats` tells the other processes.
    pub fn new(db: Db, keys: ApiKeyVerifier, nats: async_nats::Client) -> Self {
        Self { db, keys, nats }
    }

    /// Stops a revoked key here at once and in every other process as soon as they hear of it.
    async fn forget_key(&self, key_id: Uuid) {
        self.keys.forget(key_id);
        invalidation::publish(&self.nats, &Invalidation::ApiKey { key_id }).await;
    }
}
