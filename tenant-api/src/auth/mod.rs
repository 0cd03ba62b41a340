//! The `AuthService`: signing in with email and password (plus TOTP) or single sign-on
//! (OpenID Connect), sessions with rotating
//! refresh tokens, invitations, password reset and the second factor. Most of its RPCs are
//! called without credentials, so each takes a [`Caller`] (the principal if any, the client
//! address, whether the browser wants cookies) and answers with what to do with the session
//! cookies. `api` is the tonic adapter; the other modules hold the logic.

mod api;
mod invitations;
mod me;
mod password_check;
mod reset;
mod sign_in;
pub mod sso;
mod totp;

pub use api::AuthApi;

use crate::wire::timestamp;
use eventkit_domain::ids::{TenantId, UserId};
use eventkit_platform::{
    ApiError,
    auth::{Principal, cookies::RefreshCookie},
    db::{Actor, Db, GlobalDb, TenantDb},
    identity::{
        memberships::{self, TenantOfUser},
        security_log::{self, SecurityEvent},
        sessions::{IssuedSession, Sessions},
    },
    rate_limit::Throttles,
    rpc::client_address::ClientAddress,
};
use eventkit_proto::eventkit::v1 as pb;
use uuid::Uuid;

#[derive(Clone)]
pub struct Auth {
    /// Accounts, sessions, memberships, lockouts: global tables.
    accounts: GlobalDb,
    /// The security log and SSO settings of each tenant.
    tenants: TenantDb,
    sessions: Sessions,
    public_url: String,
    sso: sso::Sso,
    throttles: Throttles,
}

/// Who is calling an `AuthService` RPC.
pub struct Caller {
    pub principal: Option<Principal>,
    /// The client's address ([`ClientAddress`], behind trusted proxies the one they forward):
    /// what lockout and throttles count by.
    pub client: Option<ClientAddress>,
    /// The same, as the security log records it.
    pub address: Option<String>,
    /// The browser asked for cookie sessions (`EventKit-Session: cookie`), or the call leaves
    /// its refresh token to the cookie ([`Caller::leaves_refresh_token_to_cookie`]).
    pub cookies: bool,
    /// The `ek_refresh` cookie, for cookie sessions.
    pub refresh_cookie: Option<RefreshCookie>,
    /// The `ek_sso` cookie: the browser of a single sign-on flow.
    pub sso_flow: Option<String>,
}

impl Caller {
    /// A refresh or sign-out with no token in its body but the `ek_refresh` cookie is a cookie
    /// session's call whatever its mode header says: its new tokens go back into the cookies
    /// and never into the body, where a script could read them.
    fn leaves_refresh_token_to_cookie(&mut self, body_token: &str) {
        if body_token.trim().is_empty() && self.refresh_cookie.is_some() {
            self.cookies = true;
        }
    }

    /// The signed-in person (session principals only).
    fn user(&self) -> Result<(UserId, &Principal), ApiError> {
        self.principal
            .as_ref()
            .and_then(|p| p.user_id().map(|u| (u, p)))
            .ok_or_else(|| ApiError::Unauthenticated("sign in first".into()))
    }
}

/// What to do with the browser's session cookies after an RPC.
pub enum Cookies {
    Keep,
    Set(IssuedSession),
    Clear,
    /// Binds a new single sign-on flow to the browser (set for every caller, not only cookie
    /// sessions: finishing the flow needs it).
    SsoFlow(String),
}

pub struct Answer<T> {
    pub body: T,
    pub cookies: Cookies,
}

impl Auth {
    pub fn new(
        db: &Db,
        sessions: Sessions,
        public_url: String,
        sso: sso::Sso,
        throttles: Throttles,
    ) -> Self {
        Self {
            accounts: GlobalDb::new(db.clone()),
            tenants: TenantDb::new(db.clone()),
            sessions,
            public_url,
            sso,
            throttles,
        }
    }

    /// The session on the wire; with cookies the tokens stay out of the body (scripts never see
    /// them).
    fn session_pb(session: &IssuedSession, cookies: bool) -> pb::Session {
        let token = |t: &str| if cookies { String::new() } else { t.to_owned() };
        pb::Session {
            access_token: token(&session.access_token),
            access_expire_time: Some(timestamp(session.access_expires_at)),
            refresh_token: token(&session.refresh_token),
            refresh_expire_time: Some(timestamp(session.refresh_expires_at)),
            user_id: session.user_id.to_string(),
            tenant_id: session.tenant_id.to_string(),
        }
    }

    fn tenants_pb(tenants: &[TenantOfUser]) -> Vec<pb::TenantMembership> {
        tenants
            .iter()
            .map(|t| pb::TenantMembership {
                tenant_id: t.tenant_id.to_string(),
                name: t.tenant_name.clone(),
                state: t.state.clone(),
            })
            .collect()
    }

    /// The tenant a session is for: the one asked for (`field`, must be one of the person's)
    /// or the first active one.
    async fn pick_tenant(
        &self,
        user_id: UserId,
        field: &str,
        wanted: &str,
    ) -> Result<(TenantId, Vec<TenantOfUser>), ApiError> {
        let tenants = memberships::tenants_of(self.accounts.db(), user_id).await?;
        let chosen = if wanted.trim().is_empty() {
            tenants
                .iter()
                .find(|t| t.state == "active")
                .or(tenants.first())
                .map(|t| t.tenant_id)
                .ok_or_else(|| {
                    ApiError::FailedPrecondition(
                        "this account belongs to no tenant (any more): accept an invitation first"
                            .into(),
                    )
                })?
        } else {
            let id = Uuid::try_parse(wanted.trim())
                .map(TenantId::from_uuid)
                .map_err(|_| ApiError::invalid(field, "must be a tenant id (UUID)"))?;
            tenants
                .iter()
                .find(|t| t.tenant_id == id)
                .map(|t| t.tenant_id)
                .ok_or_else(|| ApiError::not_found("tenant", id))?
        };
        Ok((chosen, tenants))
    }

    /// Records a security event in one tenant, in its own transaction.
    async fn log(&self, tenant_id: TenantId, event: SecurityEvent<'_>) -> Result<(), ApiError> {
        let actor = Actor(event.actor.to_owned());
        let mut tx = self.tenants.tx(&(tenant_id, &actor)).await?;
        security_log::record(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records something the signed-in person did to their own account, in their tenant.
    async fn log_own(
        &self,
        principal: &Principal,
        kind: &str,
        caller: &Caller,
    ) -> Result<(), ApiError> {
        self.log(
            principal.tenant_id,
            SecurityEvent {
                kind,
                actor: &principal.subject,
                subject: &principal.subject,
                address: caller.address.as_deref(),
                detail: serde_json::json!({}),
            },
        )
        .await
    }

    /// Records a security event in every tenant of the person (sign-in failures, resets).
    async fn log_everywhere(
        &self,
        user_id: UserId,
        kind: &str,
        address: Option<&str>,
    ) -> Result<(), ApiError> {
        for tenant in memberships::tenants_of(self.accounts.db(), user_id).await? {
            self.log(
                tenant.tenant_id,
                SecurityEvent {
                    kind,
                    actor: &format!("user:{user_id}"),
                    subject: &format!("user:{user_id}"),
                    address,
                    detail: serde_json::json!({}),
                },
            )
            .await?;
        }
        Ok(())
    }
}
