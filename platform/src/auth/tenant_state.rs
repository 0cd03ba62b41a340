//! The tenant gate every credential passes after it is verified: the tenant must exist and be
//! active. States are cached per process for a few seconds (`EVENTKIT_TENANT_STATE_CACHE_MS`,
//! default 5 s), so a suspension locks users out within that time whatever credential they use.

use crate::{
    ApiError,
    db::{Actor, Db},
};
use eventkit_domain::ids::TenantId;
use moka::future::Cache;
use std::{sync::Arc, time::Duration};

#[derive(Clone)]
pub struct TenantStates {
    db: Db,
    cache: Cache<TenantId, Option<String>>,
}

impl TenantStates {
    pub fn new(db: Db, ttl: Duration) -> Self {
        Self {
            db,
            cache: Cache::builder()
                .max_capacity(100_000)
                .time_to_live(ttl)
                .build(),
        }
    }

    /// Drops a tenant's cached state (its state changed).
    pub async fn forget(&self, tenant_id: TenantId) {
        self.cache.invalidate(&tenant_id).await;
    }

    /// `Ok` for an active tenant; `unauthenticated` for one that does not exist,
    /// `failed_precondition` naming the state otherwise.
    pub async fn require_active(&self, tenant_id: TenantId) -> Result<(), ApiError> {
        let state = self
            .cache
            .try_get_with(tenant_id, self.lookup(tenant_id))
            .await
            .map_err(|e: Arc<ApiError>| match &*e {
                ApiError::Unavailable(m) => ApiError::Unavailable(m.clone()),
                other => ApiError::Internal(anyhow::anyhow!("tenant state lookup: {other}")),
            })?;
        match state.as_deref() {
            None => Err(ApiError::Unauthenticated(
                "the tenant of this credential does not exist".into(),
            )),
            Some("active") => Ok(()),
            Some("suspended") => Err(ApiError::FailedPrecondition(
                "the tenant is suspended; contact your administrator".into(),
            )),
            Some(other) => Err(ApiError::FailedPrecondition(format!(
                "the tenant is {}",
                other.replace('_', " ")
            ))),
        }
    }

    async fn lookup(&self, tenant_id: TenantId) -> Result<Option<String>, ApiError> {
        let mut tx = self.db.tenant_tx(tenant_id, &Actor::system("auth")).await?;
        let state = sqlx::query_scalar("select state from tenants where id = $1")
            .bind(tenant_id)
            .fetch_optional(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(state)
    }
}
