//! Sessions of signed-in people: short-lived access tokens (EdDSA JWTs, 15 minutes, `kid` in the
//! header, verified against [`SigningKeys`]) and rotating refresh tokens (30 days). A refresh
//! token works once; presenting a used one again means it was stolen or replayed, and the whole
//! family (every token descended from that sign-in) is revoked. A family started through a
//! tenant's own identity provider stays in that tenant, and reaches the person's account
//! settings only when the identity was linked by proof ([`AccountAccess`]).

use super::{signing_keys::SigningKeys, tokens::hash};
use crate::{ApiError, db::Db};
use chrono::{DateTime, Duration as ChronoDuration, Utc};
use eventkit_domain::ids::{TenantId, UserId};
use jsonwebtoken::{Algorithm, Header, Validation, decode, decode_header, encode};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const ACCESS_TTL: ChronoDuration = ChronoDuration::minutes(15);
pub const REFRESH_TTL: ChronoDuration = ChronoDuration::days(30);
/// Refresh tokens: this prefix and 40 random base62 characters.
const REFRESH_PREFIX: &str = "ekr_";

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    iss: String,
    sub: UserId,
    /// The tenant the token is for.
    tid: TenantId,
    /// The session family, for the audit trail.
    sid: Uuid,
    /// Whether the session may manage the person's account ([`AccountAccess`]); tokens
    /// without the claim may not.
    #[serde(default)]
    acct: bool,
    iat: i64,
    exp: i64,
}

/// What a verified access token says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessClaims {
    pub user_id: UserId,
    pub tenant_id: TenantId,
    pub family_id: Uuid,
    pub account: AccountAccess,
}

/// Whether a session may manage the person's account as a whole — the second factor, the list
/// of their tenants — rather than only work in its tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountAccess {
    /// Signed in with the account's own credentials (or a provider the person linked by proof).
    Allowed,
    /// Signed in through a tenant's own identity provider that the person never linked by
    /// proof: that tenant's admins run it, so it must not reach beyond the tenant.
    Withheld,
}

impl AccountAccess {
    fn allowed(self) -> bool {
        self == Self::Allowed
    }

    fn from_allowed(allowed: bool) -> Self {
        if allowed {
            Self::Allowed
        } else {
            Self::Withheld
        }
    }
}

/// A new session: the two tokens and when they stop working.
pub struct IssuedSession {
    pub user_id: UserId,
    pub tenant_id: TenantId,
    pub access_token: String,
    pub access_expires_at: DateTime<Utc>,
    pub refresh_token: String,
    pub refresh_expires_at: DateTime<Utc>,
}

/// Why a refresh was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum RefreshRefused {
    Unknown,
    Expired,
    Revoked,
    /// A used token came back: the family is now revoked.
    Reused {
        user_id: UserId,
    },
}

#[derive(Clone)]
pub struct Sessions {
    db: Db,
    keys: SigningKeys,
    issuer: String,
}

impl Sessions {
    pub fn new(db: Db, issuer: String) -> Self {
        Self {
            keys: SigningKeys::new(db.clone()),
            db,
            issuer,
        }
    }

    pub fn keys(&self) -> &SigningKeys {
        &self.keys
    }

    /// Whether `token` looks like one of ours (a JWT whose `kid` we made), without verifying.
    pub fn is_ours(token: &str) -> bool {
        decode_header(token).is_ok_and(|h| h.kid.is_some_and(|k| k.starts_with("ek-")))
    }

    /// Starts a new session family for the person in the tenant (membership checked by callers).
    pub async fn start(
        &self,
        user_id: UserId,
        tenant_id: TenantId,
    ) -> Result<IssuedSession, ApiError> {
        self.issue(
            user_id,
            tenant_id,
            Uuid::now_v7(),
            None,
            AccountAccess::Allowed,
        )
        .await
    }

    /// Starts a session family that can never switch away from `tenant_id` (a sign-in through
    /// that tenant's own identity provider), with `account` access to the person's account.
    pub async fn start_limited_to(
        &self,
        user_id: UserId,
        tenant_id: TenantId,
        account: AccountAccess,
    ) -> Result<IssuedSession, ApiError> {
        self.issue(user_id, tenant_id, Uuid::now_v7(), Some(tenant_id), account)
            .await
    }

    async fn issue(
        &self,
        user_id: UserId,
        tenant_id: TenantId,
        family_id: Uuid,
        only_tenant: Option<TenantId>,
        account: AccountAccess,
    ) -> Result<IssuedSession, ApiError> {
        let now = Utc::now();
        let key = self.keys.current().await?;
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(key.kid.clone());
        let access_expires_at = now + ACCESS_TTL;
        let claims = Claims {
            iss: self.issuer.clone(),
            sub: user_id,
            tid: tenant_id,
            sid: family_id,
            acct: account.allowed(),
            iat: now.timestamp(),
            exp: access_expires_at.timestamp(),
        };
        let access_token = encode(&header, &claims, &key.encoding)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("signing an access token: {e}")))?;
        let refresh_token = super::tokens::generate(REFRESH_PREFIX);
        let refresh_expires_at = now + REFRESH_TTL;
        sqlx::query(
            "insert into refresh_tokens (id, family_id, user_id, token_hash, expires_at, only_tenant, account_access) \
             values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(Uuid::now_v7())
        .bind(family_id)
        .bind(user_id)
        .bind(hash(&refresh_token))
        .bind(refresh_expires_at)
        .bind(only_tenant)
        .bind(account.allowed())
        .execute(self.db.pool())
        .await?;
        Ok(IssuedSession {
            user_id,
            tenant_id,
            access_token,
            access_expires_at,
            refresh_token,
            refresh_expires_at,
        })
    }

    /// Verifies an access token of ours: signature, issuer, expiry.
    pub async fn verify_access(&self, token: &str) -> Result<AccessClaims, ApiError> {
        let invalid = |why: &str| ApiError::Unauthenticated(format!("invalid token: {why}"));
        let header = decode_header(token).map_err(|_| invalid("malformed"))?;
        if header.alg != Algorithm::EdDSA {
            return Err(invalid("algorithm does not match the key"));
        }
        let kid = header.kid.ok_or_else(|| invalid("no key id"))?;
        let key = self
            .keys
            .verifying(&kid)
            .await?
            .ok_or_else(|| invalid("unknown key id"))?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_required_spec_claims(&["exp", "sub", "iss"]);
        validation.set_issuer(&[&self.issuer]);
        validation.validate_aud = false;
        validation.leeway = 5;
        let claims = decode::<Claims>(token, &key, &validation)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => ApiError::Unauthenticated(
                    "the access token expired: refresh the session".into(),
                ),
                _ => invalid(&e.to_string()),
            })?
            .claims;
        Ok(AccessClaims {
            user_id: claims.sub,
            tenant_id: claims.tid,
            family_id: claims.sid,
            account: AccountAccess::from_allowed(claims.acct),
        })
    }

    /// Uses up `refresh_token` and issues the next session of its family, for the tenant
    /// `tenant_for(person, the family's only tenant if limited)` picks (callers check the person is
    /// a member there). On reuse the family is revoked.
    pub async fn rotate(
        &self,
        refresh_token: &str,
        tenant_for: impl AsyncFnOnce(UserId, Option<TenantId>) -> Result<TenantId, ApiError>,
    ) -> Result<Result<IssuedSession, RefreshRefused>, ApiError> {
        let digest = hash(refresh_token);
        let valid: Option<(Uuid, UserId, Option<TenantId>, bool)> = sqlx::query_as(
            "select family_id, user_id, only_tenant, account_access from refresh_tokens \
             where token_hash = $1 and used_at is null and revoked_at is null and expires_at > now()",
        )
        .bind(&digest)
        .fetch_optional(self.db.pool())
        .await?;
        let Some((family_id, user_id, only_tenant, account)) = valid else {
            return Ok(Err(self.why_refused(&digest).await?));
        };
        // Before the token is used up: a refused tenant switch leaves the session as it was.
        let tenant_id = tenant_for(user_id, only_tenant).await?;
        let used = sqlx::query(
            "update refresh_tokens set used_at = now() \
             where token_hash = $1 and used_at is null and revoked_at is null",
        )
        .bind(&digest)
        .execute(self.db.pool())
        .await?
        .rows_affected();
        if used == 0 {
            // Used by a racing request in the meantime: that is reuse too.
            return Ok(Err(self.why_refused(&digest).await?));
        }
        Ok(Ok(self
            .issue(
                user_id,
                tenant_id,
                family_id,
                only_tenant,
                AccountAccess::from_allowed(account),
            )
            .await?))
    }

    async fn why_refused(&self, digest: &[u8]) -> Result<RefreshRefused, ApiError> {
        type Found = (
            Uuid,
            UserId,
            Option<DateTime<Utc>>,
            Option<DateTime<Utc>>,
            DateTime<Utc>,
        );
        let found: Option<Found> = sqlx::query_as(
            "select family_id, user_id, used_at, revoked_at, expires_at from refresh_tokens \
             where token_hash = $1",
        )
        .bind(digest)
        .fetch_optional(self.db.pool())
        .await?;
        Ok(match found {
            None => RefreshRefused::Unknown,
            Some((_, _, _, Some(_), _)) => RefreshRefused::Revoked,
            Some((family_id, user_id, Some(_), None, _)) => {
                self.revoke_family(family_id).await?;
                RefreshRefused::Reused { user_id }
            }
            Some(_) => RefreshRefused::Expired,
        })
    }

    /// Ends the family `refresh_token` belongs to (sign-out); unknown tokens are ignored.
    pub async fn sign_out(&self, refresh_token: &str) -> Result<Option<Uuid>, ApiError> {
        let family: Option<(Uuid, Uuid)> =
            sqlx::query_as("select family_id, user_id from refresh_tokens where token_hash = $1")
                .bind(hash(refresh_token))
                .fetch_optional(self.db.pool())
                .await?;
        if let Some((family_id, _)) = family {
            self.revoke_family(family_id).await?;
        }
        Ok(family.map(|(_, user)| user))
    }

    async fn revoke_family(&self, family_id: Uuid) -> Result<(), ApiError> {
        sqlx::query(
            "update refresh_tokens set revoked_at = now() where family_id = $1 and revoked_at is null",
        )
        .bind(family_id)
        .execute(self.db.pool())
        .await?;
        Ok(())
    }

    /// Ends every session of the person (password reset).
    pub async fn revoke_all(&self, user_id: UserId) -> Result<(), ApiError> {
        sqlx::query(
            "update refresh_tokens set revoked_at = now() where user_id = $1 and revoked_at is null",
        )
        .bind(user_id)
        .execute(self.db.pool())
        .await?;
        Ok(())
    }
}
