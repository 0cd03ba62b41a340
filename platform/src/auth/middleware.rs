//! The authentication middleware in front of the tenant services (for all three protocols, since
//! Connect calls reach the same gRPC router): `Authorization: Bearer ek_…` is an API key,
//! any other bearer token a JWT. Failures answer as gRPC statuses, which the Connect adapter
//! turns into Connect errors.

use super::{Principal, api_key::ApiKeyVerifier, jwt::JwtVerifier, tenant_state::TenantStates};
use crate::ApiError;
use axum::{
    body::Body,
    extract::{Request, State},
    middleware::Next,
    response::Response,
};
use std::sync::Arc;

#[derive(Clone)]
pub struct Authenticator {
    api_keys: ApiKeyVerifier,
    jwt: Option<Arc<JwtVerifier>>,
    tenants: TenantStates,
}

impl Authenticator {
    pub fn new(api_keys: ApiKeyVerifier, jwt: Option<JwtVerifier>, tenants: TenantStates) -> Self {
        Self {
            api_keys,
            jwt: jwt.map(Arc::new),
            tenants,
        }
    }

    /// Verifies the credential, then that its tenant exists and is active.
    pub async fn authenticate(&self, headers: &http::HeaderMap) -> Result<Principal, ApiError> {
        let principal = self.verify_credential(headers).await?;
        self.tenants.require_active(principal.tenant_id).await?;
        Ok(principal)
    }

    /// Verifies the credential only (the control plane's account service admits tenants in
    /// any state and checks the state per RPC).
    pub async fn verify_credential(
        &self,
        headers: &http::HeaderMap,
    ) -> Result<Principal, ApiError> {
        let value = headers.get(http::header::AUTHORIZATION).ok_or_else(|| {
            ApiError::Unauthenticated(
                "no credentials: send Authorization: Bearer <API key or token>".into(),
            )
        })?;
        let token = value
            .to_str()
            .ok()
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .ok_or_else(|| {
                ApiError::Unauthenticated(
                    "the Authorization header must be Bearer <credential>".into(),
                )
            })?;
        if token.starts_with("ek_") {
            return self.api_keys.verify(token).await;
        }
        match &self.jwt {
            Some(jwt) => jwt.verify(token),
            None => Err(ApiError::Unauthenticated("invalid API key".into())),
        }
    }
}

/// Axum middleware: authenticates, records the tenant on the request span, attaches the principal.
/// Public paths (see [`super::is_public_path`]) need no credentials.
pub async fn require_principal(
    State(auth): State<Authenticator>,
    mut request: Request,
    next: Next,
) -> Response {
    if super::is_public_path(request.uri().path()) {
        return next.run(request).await;
    }
    match auth.authenticate(request.headers()).await {
        Ok(principal) => {
            let span = tracing::Span::current();
            span.record("tenant_id", tracing::field::display(principal.tenant_id));
            span.record("principal", principal.subject.as_str());
            request.extensions_mut().insert(principal);
            next.run(request).await
        }
        Err(err) => tonic::Status::from(err).into_http::<Body>(),
    }
}
