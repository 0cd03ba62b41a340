//! The Ed25519 keys that sign access tokens, kept in Postgres so every tenant-api process signs
//! and verifies with the same set. The first process that finds none makes one. Public halves
//! are served as the JWKS (`/.well-known/jwks.json`) for anyone who verifies our tokens.

use crate::{ApiError, db::Db};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use ed25519_dalek::{SigningKey, pkcs8::EncodePrivateKey};
use jsonwebtoken::{DecodingKey, EncodingKey};
use rand::RngCore;
use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};
use tokio::sync::RwLock;

/// How often an unknown `kid` may trigger a reload (another process may have rotated).
const RELOAD_AT_MOST_EVERY: Duration = Duration::from_secs(5);

pub struct KeyPair {
    pub kid: String,
    pub encoding: EncodingKey,
    pub public: [u8; 32],
}

struct Loaded {
    current: Arc<KeyPair>,
    verifying: HashMap<String, (DecodingKey, [u8; 32])>,
    at: Instant,
}

#[derive(Clone)]
pub struct SigningKeys {
    db: Db,
    loaded: Arc<RwLock<Option<Loaded>>>,
}

#[derive(sqlx::FromRow)]
struct Row {
    kid: String,
    private_pkcs8: Vec<u8>,
    public_key: Vec<u8>,
}

impl SigningKeys {
    pub fn new(db: Db) -> Self {
        Self {
            db,
            loaded: Arc::new(RwLock::new(None)),
        }
    }

    /// The key new tokens are signed with.
    pub async fn current(&self) -> Result<Arc<KeyPair>, ApiError> {
        if let Some(loaded) = &*self.loaded.read().await {
            return Ok(loaded.current.clone());
        }
        self.reload(true).await
    }

    /// The verifying key for `kid`, reloading once if it is unknown (rotated elsewhere).
    pub async fn verifying(&self, kid: &str) -> Result<Option<DecodingKey>, ApiError> {
        let stale = {
            let guard = self.loaded.read().await;
            match &*guard {
                Some(loaded) => match loaded.verifying.get(kid) {
                    Some((key, _)) => return Ok(Some(key.clone())),
                    None => loaded.at.elapsed() > RELOAD_AT_MOST_EVERY,
                },
                None => true,
            }
        };
        if stale {
            self.reload(false).await?;
        }
        Ok(self
            .loaded
            .read()
            .await
            .as_ref()
            .and_then(|l| l.verifying.get(kid).map(|(k, _)| k.clone())))
    }

    /// The JSON Web Key Set of every key that is not retired.
    pub async fn jwks(&self) -> Result<serde_json::Value, ApiError> {
        self.current().await?;
        let guard = self.loaded.read().await;
        let loaded = guard.as_ref().expect("loaded above");
        let mut keys: Vec<_> = loaded
            .verifying
            .iter()
            .map(|(kid, (_, public))| {
                serde_json::json!({
                    "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig",
                    "kid": kid, "x": URL_SAFE_NO_PAD.encode(public),
                })
            })
            .collect();
        keys.sort_by_key(|k| k["kid"].as_str().map(str::to_owned));
        Ok(serde_json::json!({ "keys": keys }))
    }

    async fn reload(&self, create_if_none: bool) -> Result<Arc<KeyPair>, ApiError> {
        let mut rows = self.read_rows().await?;
        if rows.is_empty() && create_if_none {
            self.create().await?;
            rows = self.read_rows().await?;
        }
        let Some(newest) = rows.first() else {
            return Err(ApiError::Unavailable("no signing key yet".into()));
        };
        let current = Arc::new(KeyPair {
            kid: newest.kid.clone(),
            encoding: EncodingKey::from_ed_der(&newest.private_pkcs8),
            public: public_bytes(&newest.public_key)?,
        });
        let mut verifying = HashMap::new();
        for row in &rows {
            let public = public_bytes(&row.public_key)?;
            verifying.insert(row.kid.clone(), (DecodingKey::from_ed_der(&public), public));
        }
        *self.loaded.write().await = Some(Loaded {
            current: current.clone(),
            verifying,
            at: Instant::now(),
        });
        Ok(current)
    }

    async fn read_rows(&self) -> Result<Vec<Row>, ApiError> {
        Ok(sqlx::query_as(
            "select kid, private_pkcs8, public_key from signing_keys where retired_at is null \
             order by created_at desc, kid desc",
        )
        .fetch_all(self.db.pool())
        .await?)
    }

    /// Makes a key; concurrent first starts may both make one, and both are then valid.
    async fn create(&self) -> Result<(), ApiError> {
        let mut seed = [0u8; 32];
        rand::rng().fill_bytes(&mut seed);
        let key = SigningKey::from_bytes(&seed);
        let pkcs8 = key
            .to_pkcs8_der()
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("encoding a signing key: {e}")))?;
        let kid = format!("ek-{}", uuid::Uuid::now_v7().simple());
        sqlx::query(
            "insert into signing_keys (kid, private_pkcs8, public_key) values ($1, $2, $3)",
        )
        .bind(&kid)
        .bind(pkcs8.as_bytes())
        .bind(key.verifying_key().as_bytes().as_slice())
        .execute(self.db.pool())
        .await?;
        tracing::info!(kid, "made a new access-token signing key");
        Ok(())
    }
}

fn public_bytes(raw: &[u8]) -> Result<[u8; 32], ApiError> {
    raw.try_into()
        .map_err(|_| ApiError::Internal(anyhow::anyhow!("stored public key is not 32 bytes")))
}
