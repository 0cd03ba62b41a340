//! API keys: `ek_<tenant id, 32 hex>_<40 random base62>`. Only the SHA-256 of the whole key is
//! stored (keys carry ~238 random bits, so a slow hash adds nothing); the lookup is by tenant and
//! the first 8 random characters (the prefix), inside the tenant's RLS context, and the hash is
//! compared in constant time. Verified keys are cached briefly per process (keyed by the hash),
//! and so are keys found not to exist (a bounded cache, so a client repeating a bad key costs no
//! database transaction); lookups that find nothing count against the client's address
//! ([`PerClient::CredentialFailures`]), so a flood of made-up keys is refused before it reaches
//! the database and cannot exhaust the pool for everyone.

use super::{AuthMethod, Permissions, Principal};
use crate::{
    ApiError,
    db::{Actor, Db, TenantTx},
    rate_limit::{PerClient, Throttles},
    rpc::client_address::ClientAddress,
    secret::Secret,
};
use chrono::{DateTime, Utc};
use eventkit_domain::ids::TenantId;
use moka::future::Cache;
use rand::{Rng, distr::Alphanumeric};
use sha2::{Digest, Sha256};
use std::{sync::Arc, time::Duration};
use subtle::ConstantTimeEq;
use uuid::Uuid;

const PREFIX_LEN: usize = 8;
const RANDOM_LEN: usize = 40;

/// A freshly made key; `key` is shown to the user once and never stored.
pub struct IssuedApiKey {
    pub id: Uuid,
    pub key: Secret<String>,
}

/// The tenant and lookup prefix of a well-formed key.
pub fn parse(key: &str) -> Option<(TenantId, &str)> {
    let rest = key.strip_prefix("ek_")?;
    let (tenant, random) = rest.split_once('_')?;
    if tenant.len() != 32
        || random.len() != RANDOM_LEN
        || !random.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return None;
    }
    let tenant_id = TenantId::from_uuid(Uuid::try_parse(tenant).ok()?);
    Some((tenant_id, &random[..PREFIX_LEN]))
}

pub fn hash(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

/// Creates a key for the tenant of `tx` with the given permission names (`*` for all).
pub async fn create(
    tx: &mut TenantTx,
    name: &str,
    permissions: &[&str],
    expires_at: Option<DateTime<Utc>>,
) -> Result<IssuedApiKey, ApiError> {
    let random: String = rand::rng()
        .sample_iter(&Alphanumeric)
        .take(RANDOM_LEN)
        .map(char::from)
        .collect();
    let key = format!("ek_{}_{random}", tx.tenant_id().uuid().simple());
    let id = eventkit_domain::id::new_id();
    sqlx::query(
        "insert into api_keys (tenant_id, id, name, prefix, secret_hash, permissions, expires_at) \
         values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(tx.tenant_id())
    .bind(id)
    .bind(name)
    .bind(&random[..PREFIX_LEN])
    .bind(&hash(&key)[..])
    .bind(permissions)
    .bind(expires_at)
    .execute(&mut **tx)
    .await?;
    Ok(IssuedApiKey {
        id,
        key: Secret::new(key),
    })
}

#[derive(sqlx::FromRow)]
struct KeyRow {
    key_id: Uuid,
    stored: Vec<u8>,
    permissions: Vec<String>,
    expires_at: Option<DateTime<Utc>>,
}

/// A key as found in the database (the tenant's state is checked by the `Authenticator`).
#[derive(Clone, Debug)]
struct VerifiedKey {
    principal: Principal,
    expires_at: Option<DateTime<Utc>>,
}

/// Verifies presented keys against the database, caching successes and unknown keys for a
/// short TTL.
#[derive(Clone)]
pub struct ApiKeyVerifier {
    db: Db,
    cache: Cache<[u8; 32], VerifiedKey>,
    unknown: Cache<[u8; 32], ()>,
    throttles: Throttles,
}

/// Unknown keys remembered per process (made-up keys are all different, so this only spares
/// the database a client that repeats one; the throttle handles the rest).
const UNKNOWN_KEYS: u64 = 10_000;

impl ApiKeyVerifier {
    pub fn new(db: Db, ttl: Duration, throttles: Throttles) -> Self {
        let cache = Cache::builder()
            .max_capacity(100_000)
            .time_to_live(ttl)
            .support_invalidation_closures()
            .build();
        let unknown = Cache::builder()
            .max_capacity(UNKNOWN_KEYS)
            .time_to_live(ttl)
            .build();
        Self {
            db,
            cache,
            unknown,
            throttles,
        }
    }

    /// Drops a revoked key from this process's cache at once (other processes stop accepting
    /// it when their cache entry expires).
    pub fn forget(&self, key_id: Uuid) {
        let _ = self.cache.invalidate_entries_if(move |_, cached| {
            cached.principal.method == AuthMethod::ApiKey { key_id }
        });
    }

    /// The principal of `key`, presented by `client`.
    pub async fn verify(
        &self,
        key: &str,
        client: Option<ClientAddress>,
    ) -> Result<Principal, ApiError> {
        let invalid = || ApiError::Unauthenticated("invalid API key".into());
        let (tenant_id, prefix) = parse(key).ok_or_else(invalid)?;
        let digest = hash(key);
        if self.unknown.contains_key(&digest) {
            return Err(invalid());
        }
        let found = match self.cache.get(&digest).await {
            Some(found) => found,
            None => {
                self.throttles
                    .refuse_while_failing(PerClient::CredentialFailures, client)
                    .await?;
                let looked_up = self
                    .cache
                    .try_get_with(digest, self.lookup(tenant_id, prefix, digest))
                    .await;
                match looked_up {
                    Ok(found) => found,
                    Err(e) => {
                        if let ApiError::Unauthenticated(_) = &*e {
                            self.unknown.insert(digest, ()).await;
                            self.throttles
                                .count_failure(PerClient::CredentialFailures, client)
                                .await;
                        }
                        return Err(shared_error(&e));
                    }
                }
            }
        };
        if found.expires_at.is_some_and(|t| t <= Utc::now()) {
            return Err(ApiError::Unauthenticated("API key expired".into()));
        }
        Ok(found.principal)
    }

    async fn lookup(
        &self,
        tenant_id: TenantId,
        prefix: &str,
        digest: [u8; 32],
    ) -> Result<VerifiedKey, ApiError> {
        let mut tx = self.db.tenant_tx(tenant_id, &Actor::system("auth")).await?;
        let row: Option<KeyRow> = sqlx::query_as(
            "select id as key_id, secret_hash as stored, permissions, expires_at from api_keys \
                 where tenant_id = $1 and prefix = $2 and revoked_at is null",
        )
        .bind(tenant_id)
        .bind(prefix)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(KeyRow {
            key_id,
            stored,
            permissions,
            expires_at,
        }) = row
        else {
            return Err(ApiError::Unauthenticated("invalid API key".into()));
        };
        if !bool::from(stored.as_slice().ct_eq(&digest)) {
            return Err(ApiError::Unauthenticated("invalid API key".into()));
        }
        sqlx::query("update api_keys set last_used_at = now() where tenant_id = $1 and id = $2")
            .bind(tenant_id)
            .bind(key_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(VerifiedKey {
            principal: Principal {
                tenant_id,
                subject: format!("api_key:{key_id}"),
                permissions: Permissions::from_names(permissions),
                method: AuthMethod::ApiKey { key_id },
            },
            expires_at,
        })
    }
}

/// The error of a lookup shared by the callers that waited for it.
fn shared_error(e: &Arc<ApiError>) -> ApiError {
    match &**e {
        ApiError::Unauthenticated(m) => ApiError::Unauthenticated(m.clone()),
        ApiError::Unavailable(m) => ApiError::Unavailable(m.clone()),
        other => ApiError::Internal(anyhow::anyhow!("API key lookup: {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_only_well_formed_keys() {
        let tenant = TenantId::new();
        let key = format!("ek_{}_{}", tenant.uuid().simple(), "a".repeat(RANDOM_LEN));
        assert_eq!(parse(&key), Some((tenant, "aaaaaaaa")));
        assert!(parse("ek_nope").is_none());
        assert!(parse(&key.replace("ek_", "sk_")).is_none());
        assert!(parse(&format!("{key}!")).is_none());
        assert!(
            parse(&format!(
                "ek_{}_{}",
                tenant.uuid().simple(),
                "a".repeat(RANDOM_LEN - 1)
            ))
            .is_none()
        );
    }
}
