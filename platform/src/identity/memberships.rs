//! What a person may do in a tenant: their membership and the union of their roles'
//! permissions (built-in roles take theirs from the code). Looked up per request for session
//! principals and cached briefly per process; a change to a member's roles or their removal
//! publishes an invalidation so every process forgets at once.

use crate::{
    ApiError,
    auth::Permissions,
    db::{Actor, Db, TenantTx},
};
use eventkit_domain::ids::UserId;
use eventkit_domain::{ids::TenantId, permissions::BuiltinRole};
use moka::future::Cache;
use std::{sync::Arc, time::Duration};

/// A tenant the person belongs to, as the tenant switcher shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TenantOfUser {
    pub tenant_id: TenantId,
    pub tenant_name: String,
    pub state: String,
}

/// Every tenant of the person (across tenants, through `ek_user_tenants`).
pub async fn tenants_of(db: &Db, user_id: UserId) -> Result<Vec<TenantOfUser>, ApiError> {
    Ok(
        sqlx::query_as("select tenant_id, tenant_name, state from ek_user_tenants($1)")
            .bind(user_id)
            .fetch_all(db.pool())
            .await?,
    )
}

/// The member's permissions in the tenant of `tx`, or `None` when not a member.
pub async fn permissions_in(
    tx: &mut TenantTx,
    user_id: UserId,
) -> Result<Option<Permissions>, ApiError> {
    let member: bool =
        sqlx::query_scalar("select exists (select 1 from memberships where user_id = $1)")
            .bind(user_id)
            .fetch_one(&mut **tx)
            .await?;
    if !member {
        return Ok(None);
    }
    let roles: Vec<(Option<String>, Vec<String>)> = sqlx::query_as(
        "select r.builtin, r.permissions from membership_roles mr \
         join roles r on r.tenant_id = mr.tenant_id and r.id = mr.role_id where mr.user_id = $1",
    )
    .bind(user_id)
    .fetch_all(&mut **tx)
    .await?;
    let names = roles.into_iter().flat_map(|(builtin, custom)| {
        match builtin.as_deref().and_then(BuiltinRole::parse) {
            Some(role) => role.permissions().iter().map(|p| p.to_string()).collect(),
            None => custom,
        }
    });
    Ok(Some(Permissions::from_names(names)))
}

/// Per-process cache of [`permissions_in`], keyed by tenant and person.
#[derive(Clone)]
pub struct MemberPermissions {
    db: Db,
    cache: Cache<(TenantId, UserId), Option<Permissions>>,
}

impl MemberPermissions {
    pub fn new(db: Db, ttl: Duration) -> Self {
        Self {
            db,
            cache: Cache::builder()
                .max_capacity(100_000)
                .time_to_live(ttl)
                .build(),
        }
    }

    pub async fn get(
        &self,
        tenant_id: TenantId,
        user_id: UserId,
    ) -> Result<Option<Permissions>, ApiError> {
        self.cache
            .try_get_with((tenant_id, user_id), async {
                let mut tx = self.db.tenant_tx(tenant_id, &Actor::system("auth")).await?;
                let found = permissions_in(&mut tx, user_id).await?;
                tx.commit().await?;
                Ok::<_, ApiError>(found)
            })
            .await
            .map_err(|e: Arc<ApiError>| match &*e {
                ApiError::Unavailable(m) => ApiError::Unavailable(m.clone()),
                other => ApiError::Internal(anyhow::anyhow!("membership lookup: {other}")),
            })
    }

    pub async fn forget(&self, tenant_id: TenantId, user_id: UserId) {
        self.cache.invalidate(&(tenant_id, user_id)).await;
    }
}
