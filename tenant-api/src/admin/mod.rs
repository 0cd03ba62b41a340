//! The admin slice of the tenant API: API keys for integrators (users, roles, webhooks and
//! branding follow). `api` is the tonic adapter; `api_keys` holds the logic.

mod api;
mod api_keys;

pub use api::AdminApi;

use eventkit_platform::{auth::api_key::ApiKeyVerifier, db::Db};

#[derive(Clone)]
pub struct Admin {
    db: Db,
    keys: ApiKeyVerifier,
}

impl Admin {
    /// `keys` is the verifier the middleware uses, so a revocation reaches its cache at once.
    pub fn new(db: Db, keys: ApiKeyVerifier) -> Self {
        Self { db, keys }
    }
}
