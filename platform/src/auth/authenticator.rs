//! Authentication of tenant credentials, for all three protocols since Connect calls reach the
//! same gRPC router (the gate, [`crate::rpc::gate`], calls [`Authenticator::authenticate`]):
//! `Authorization: Bearer ek_…` is an API key, any other bearer token a JWT. Failures answer as gRPC statuses, which the Connect adapter turns into
//! Connect errors.

use super::{
    AuthMethod, Principal, api_key::ApiKeyVerifier, cookies, jwt::JwtVerifier,
    tenant_state::TenantStates,
};
use crate::{
    ApiError,
    identity::{memberships::MemberPermissions, sessions::Sessions},
    rpc::client_address::ClientAddress,
};
use eventkit_domain::ids::{TenantId, UserId};
use std::sync::Arc;

#[derive(Clone)]
pub struct Authenticator {
    api_keys: ApiKeyVerifier,
    jwt: Option<Arc<JwtVerifier>>,
    tenants: TenantStates,
    sessions: Option<(Sessions, MemberPermissions)>,
}

impl Authenticator {
    pub fn new(api_keys: ApiKeyVerifier, jwt: Option<JwtVerifier>, tenants: TenantStates) -> Self {
        Self {
            api_keys,
            jwt: jwt.map(Arc::new),
            tenants,
            sessions: None,
        }
    }

    /// Also accepts access tokens of our own sessions (header or cookie), with the member's
    /// permissions looked up per tenant.
    pub fn with_sessions(mut self, sessions: Sessions, members: MemberPermissions) -> Self {
        self.sessions = Some((sessions, members));
        self
    }

    /// Verifies the credential `client` presented, then that its tenant exists and is active.
    pub async fn authenticate(
        &self,
        headers: &http::HeaderMap,
        client: Option<ClientAddress>,
    ) -> Result<Principal, ApiError> {
        let principal = self.verify_credential(headers, client).await?;
        self.tenants.require_active(principal.tenant_id).await?;
        Ok(principal)
    }

    /// Verifies the credential only (the control plane's account service admits tenants in
    /// any state and checks the state per RPC).
    pub async fn verify_credential(
        &self,
        headers: &http::HeaderMap,
        client: Option<ClientAddress>,
    ) -> Result<Principal, ApiError> {
        let token = match headers.get(http::header::AUTHORIZATION) {
            Some(value) => bearer(value)?,
            None => cookies::session_token(headers)?.ok_or_else(|| {
                ApiError::Unauthenticated(
                    "no credentials: send Authorization: Bearer <API key or token>".into(),
                )
            })?,
        };
        if token.starts_with("ek_") {
            return self.api_keys.verify(token, client).await;
        }
        if let Some((sessions, members)) = &self.sessions
            && Sessions::is_ours(token)
        {
            let claims = sessions.verify_access(token).await?;
            let permissions = members
                .get(claims.tenant_id, claims.user_id)
                .await?
                .ok_or_else(|| {
                    ApiError::Unauthenticated(
                        "you are not a member of this tenant (any more)".into(),
                    )
                })?;
            return Ok(Principal {
                tenant_id: claims.tenant_id,
                subject: format!("user:{}", claims.user_id),
                permissions,
                method: AuthMethod::Session {
                    user_id: claims.user_id,
                    account: claims.account,
                },
            });
        }
        match &self.jwt {
            Some(jwt) => jwt.verify(token),
            None => Err(ApiError::Unauthenticated("invalid API key".into())),
        }
    }

    /// Forgets a member's cached permissions (after a role change or removal).
    pub async fn forget_member(&self, tenant_id: TenantId, user_id: UserId) {
        if let Some((_, members)) = &self.sessions {
            members.forget(tenant_id, user_id).await;
        }
    }
}

pub(crate) fn bearer(value: &http::HeaderValue) -> Result<&str, ApiError> {
    value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .ok_or_else(|| {
            ApiError::Unauthenticated("the Authorization header must be Bearer <credential>".into())
        })
}
