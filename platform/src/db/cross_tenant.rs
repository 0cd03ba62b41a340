//! Cross-tenant background work, done the only way the data rules allow: list the tenant ids
//! through `ek_tenant_ids()` (a narrow SECURITY DEFINER function; docs/adr/0004), then do the
//! work for each tenant in its own `TenantTx`, so row-level security guards every row.

use super::{Actor, Db};
use eventkit_domain::ids::TenantId;

impl Db {
    /// Every tenant that is not erased, in id order.
    pub async fn tenant_ids(&self) -> Result<Vec<TenantId>, sqlx::Error> {
        sqlx::query_scalar("select ek_tenant_ids()")
            .fetch_all(self.pool())
            .await
    }

    /// Deletes the tenant's idempotency records older than 24 hours; returns how many.
    pub async fn sweep_idempotency_keys(&self, tenant_id: TenantId) -> Result<u64, sqlx::Error> {
        let mut tx = self
            .tenant_tx(tenant_id, &Actor::system("retention"))
            .await?;
        let deleted = sqlx::query(
            "delete from idempotency_keys where tenant_id = $1 and created_at < now() - interval '24 hours'",
        )
        .bind(tenant_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(deleted)
    }
}
