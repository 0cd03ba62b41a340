//! Operator tokens and the control plane's gate. A token is `ekop_<40 random base62>`, made by
//! the local admin command `eventkit operator-token create` and shown once; only its SHA-256 is
//! stored (see [`crate::secrets`]). The gate sends each path to the credential it needs:
//! operator services an operator token, the account service a tenant credential, sign-up and
//! reflection none; anything else is refused. Account-service calls are charged to the
//! tenant's and the principal's budgets like tenant-API calls, and tokens or keys that do not
//! exist count against the client's address, so guessing is throttled
//! ([`PerClient::CredentialFailures`]).

use crate::{
    caller::Operator,
    secrets::{self, hash},
};
use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};
use chrono::{DateTime, Utc};
use eventkit_platform::{
    ApiError,
    auth::{Authenticator, is_public_path},
    rate_limit::{self, Budget, PerClient, RateLimiter, Throttles},
    rpc::client_address::ClientAddress,
    secret::Secret,
};
use sqlx::PgPool;
use uuid::Uuid;

pub const TOKEN_PREFIX: &str = "ekop_";

/// A new token; `token` is printed once and never stored.
pub struct IssuedToken {
    pub id: Uuid,
    pub name: String,
    pub token: Secret<String>,
}

/// Creates a named operator token (names are unique).
pub async fn create_token(pool: &PgPool, name: &str) -> Result<IssuedToken, ApiError> {
    let name = eventkit_domain::text::TextRule::required(100).parse("name", name)?;
    let token = secrets::generate(TOKEN_PREFIX);
    let id = eventkit_domain::id::new_id();
    sqlx::query("insert into operator_tokens (id, name, token_hash) values ($1, $2, $3)")
        .bind(id)
        .bind(&name)
        .bind(hash(&token))
        .execute(pool)
        .await
        .map_err(|e| match ApiError::from(e) {
            ApiError::AlreadyExists { .. } => ApiError::AlreadyExists {
                field: "name".into(),
                message: format!("an operator token named {name:?} already exists"),
            },
            other => other,
        })?;
    Ok(IssuedToken {
        id,
        name,
        token: Secret::new(token),
    })
}

/// Revokes the named token at once (the gate looks every token up on each call); `not_found`
/// when no live token has that name.
pub async fn revoke_token(pool: &PgPool, name: &str) -> Result<(), ApiError> {
    let revoked = sqlx::query(
        "update operator_tokens set revoked_at = now() where name = $1 and revoked_at is null",
    )
    .bind(name.trim())
    .execute(pool)
    .await?
    .rows_affected();
    if revoked == 0 {
        return Err(ApiError::NotFound(format!(
            "no live operator token named {name:?}"
        )));
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: Uuid,
    name: String,
    created_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
}

/// Every token's name and times (never the token), oldest first.
pub async fn list_tokens(pool: &PgPool) -> Result<Vec<serde_json::Value>, ApiError> {
    let rows: Vec<TokenRow> = sqlx::query_as(
        "select id, name, created_at, revoked_at from operator_tokens order by created_at, id",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            serde_json::json!({"id": r.id, "name": r.name, "createdAt": r.created_at, "revokedAt": r.revoked_at})
        })
        .collect())
}

/// The operator a presented token belongs to.
pub async fn verify(pool: &PgPool, token: &str) -> Result<Operator, ApiError> {
    let invalid = || ApiError::Unauthenticated("invalid operator token".into());
    if !token.starts_with(TOKEN_PREFIX) {
        return Err(invalid());
    }
    let row: Option<(Uuid, String)> = sqlx::query_as(
        "select id, name from operator_tokens where token_hash = $1 and revoked_at is null",
    )
    .bind(hash(token))
    .fetch_optional(pool)
    .await?;
    let (token_id, name) = row.ok_or_else(invalid)?;
    Ok(Operator { token_id, name })
}

#[derive(Clone)]
pub struct Gate {
    pub pool: PgPool,
    pub tenants: Authenticator,
    pub limiter: RateLimiter,
    pub throttles: Throttles,
}

impl Gate {
    /// [`verify`], refused while the client has presented too many unknown credentials.
    async fn operator(
        &self,
        token: &str,
        client: Option<ClientAddress>,
    ) -> Result<Operator, ApiError> {
        self.throttles
            .refuse_while_failing(PerClient::CredentialFailures, client)
            .await?;
        let verified = verify(&self.pool, token).await;
        if let Err(ApiError::Unauthenticated(_)) = verified {
            self.throttles
                .count_failure(PerClient::CredentialFailures, client)
                .await;
        }
        verified
    }
}

fn service_of(path: &str) -> &str {
    path.trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default()
}

fn bearer(request: &Request) -> Option<&str> {
    let value = request
        .headers()
        .get(http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
}

/// Axum middleware in front of the control plane's gRPC router.
pub async fn guard(State(gate): State<Gate>, mut request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let service = service_of(path);
    let client = ClientAddress::of(request.extensions());
    let verdict = if is_public_path(path)
        || eventkit_proto::PUBLIC_CONTROL_SERVICES.contains(&service)
    {
        Ok(Budget::default())
    } else if eventkit_proto::OPERATOR_SERVICES.contains(&service) {
        match bearer(&request) {
            Some(token) => gate.operator(token, client).await.map(|operator| {
                tracing::Span::current().record("principal", format!("operator:{}", operator.name));
                request.extensions_mut().insert(operator);
                Budget::default()
            }),
            None => Err(ApiError::Unauthenticated(
                "no credentials: send Authorization: Bearer <operator token>".into(),
            )),
        }
    } else if eventkit_proto::ACCOUNT_SERVICES.contains(&service) {
        match gate
            .tenants
            .verify_credential(request.headers(), client)
            .await
        {
            Ok(principal) => {
                let span = tracing::Span::current();
                span.record("tenant_id", tracing::field::display(principal.tenant_id));
                span.record("principal", principal.subject.as_str());
                let budget = rate_limit::admit(&gate.limiter, Some(&principal)).await;
                request.extensions_mut().insert(principal);
                match budget {
                    Ok(budget) => Ok(budget),
                    Err(refusal) => return refusal,
                }
            }
            Err(err) => Err(err),
        }
    } else {
        Err(ApiError::NotFound(format!(
            "{path} is not a control-plane RPC"
        )))
    };
    match verdict {
        Ok(budget) => {
            let mut response = next.run(request).await;
            budget.annotate(&mut response);
            response
        }
        Err(err) => err.into_http_response(),
    }
}
