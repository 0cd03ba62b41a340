//! The admin slice of the tenant API: members, invitations, roles and the security log; API keys
//! and webhook endpoints for integrators; the branding of the tenant's emails. `api` is the tonic adapter; the other modules hold the logic.

mod api;
mod api_keys;
mod branding;
mod roles;
mod security_log;
mod sso;
mod sso_domains;
mod users;
mod webhooks;

pub use api::AdminApi;

use crate::auth::sso::Sso;
use eventkit_domain::ids::{ApiKeyId, TenantId, UserId};
use eventkit_domain::webhooks::destination::Guard;
use eventkit_platform::{
    ApiError,
    auth::Principal,
    auth::{
        api_key::ApiKeyVerifier,
        invalidation::{self, Invalidation},
    },
    db::{TenantDb, TenantTx},
    dns::SharedTxtLookup,
    identity::memberships::MemberPermissions,
};

#[derive(Clone)]
pub struct Admin {
    db: TenantDb,
    keys: ApiKeyVerifier,
    nats: async_nats::Client,
    webhook_guard: Guard,
    members: MemberPermissions,
    public_url: String,
    sso: Sso,
    dns: SharedTxtLookup,
}

/// What the admin service is built from.
pub struct AdminParts {
    pub db: TenantDb,
    /// The verifier the middleware uses, so a revocation reaches its cache at once.
    pub keys: ApiKeyVerifier,
    /// The member-permission cache the middleware uses, for the same reason.
    pub members: MemberPermissions,
    /// Tells the other processes.
    pub nats: async_nats::Client,
    /// Checks webhook endpoint URLs.
    pub webhook_guard: Guard,
    /// Where invitation links point.
    pub public_url: String,
    /// Checks a tenant's identity provider before it is saved.
    pub sso: Sso,
    /// Looks up the TXT records that prove a tenant owns its SSO domains.
    pub dns: SharedTxtLookup,
}

impl Admin {
    pub fn new(parts: AdminParts) -> Self {
        Self {
            db: parts.db,
            keys: parts.keys,
            nats: parts.nats,
            webhook_guard: parts.webhook_guard,
            members: parts.members,
            public_url: parts.public_url,
            sso: parts.sso,
            dns: parts.dns,
        }
    }

    async fn tx(&self, principal: &Principal) -> Result<TenantTx, ApiError> {
        Ok(self.db.tx(principal).await?)
    }

    /// Applies a member's changed roles (or removal) here at once and in every other process as
    /// soon as they hear of it.
    async fn forget_member(&self, tenant_id: TenantId, user_id: UserId) {
        self.members.forget(tenant_id, user_id).await;
        invalidation::publish(&self.nats, &Invalidation::Member { tenant_id, user_id }).await;
    }

    /// Stops a revoked key here at once and in every other process as soon as they hear of it.
    async fn forget_key(&self, key_id: ApiKeyId) {
        let key_id = key_id.into();
        self.keys.forget(key_id);
        invalidation::publish(&self.nats, &Invalidation::ApiKey { key_id }).await;
    }
}
