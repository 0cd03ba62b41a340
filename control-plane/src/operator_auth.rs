//! Operator tokens. A token is `ekop_<40 random base62>`, made by the local admin command
//! `eventkit operator-token create` and shown once; only its SHA-256 is stored (see
//! [`crate::secrets`]). The one gate (`eventkit_platform::rpc::gate`) asks [`Tokens`] to verify
//! the token an operator RPC's caller presents; tokens that do not exist count against the
//! client's address, so guessing is throttled ([`PerClient::CredentialFailures`]).

use crate::secrets::{self, hash};
use chrono::{DateTime, Utc};
use eventkit_platform::{
    ApiError,
    auth::{Operator, OperatorTokens},
    rate_limit::{PerClient, Throttles},
    rpc::client_address::ClientAddress,
    secret::Secret,
};
use sqlx::PgPool;
use std::{future::Future, pin::Pin};
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

/// The control plane's operator tokens, as the gate verifies them: a client that has presented
/// too many unknown credentials is refused for a while, and each unknown token counts.
pub struct Tokens {
    pub pool: PgPool,
    pub throttles: Throttles,
}

impl OperatorTokens for Tokens {
    fn verify<'a>(
        &'a self,
        token: &'a str,
        client: Option<ClientAddress>,
    ) -> Pin<Box<dyn Future<Output = Result<Operator, ApiError>> + Send + 'a>> {
        Box::pin(async move {
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
        })
    }
}
