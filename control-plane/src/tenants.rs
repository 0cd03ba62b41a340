//! Tenant creation for bootstrap and self-hosting (`eventkit tenants create`): an active tenant
//! on the `enterprise` plan (no quotas), its default settings and roles and a first admin API key, in one
//! transaction so a failure leaves nothing half-made. Hosted tenants go through sign-up or
//! `ekctl tenants create` instead.

use eventkit_domain::ids::TenantId;
use eventkit_platform::{
    auth::api_key,
    db::{Actor, Db},
};
use serde_json::{Value, json};

/// A new tenant and its admin API key (shown once).
pub struct CreatedTenant {
    pub tenant_id: TenantId,
    pub api_key: String,
}

impl CreatedTenant {
    /// `{"tenantId": "...", "apiKey": "ek_..."}`.
    pub fn to_json(&self) -> Value {
        json!({ "tenantId": self.tenant_id.to_string(), "apiKey": self.api_key })
    }
}

/// Creates an active tenant with an admin key holding every permission.
pub async fn create(db: &Db, name: &str, actor: &Actor) -> anyhow::Result<CreatedTenant> {
    let name = eventkit_domain::inventory::NAME
        .parse("name", name)
        .map_err(|v| anyhow::anyhow!("{v}"))?;
    let tenant_id = TenantId::new();
    // One transaction: the registry row (control-plane policy) and, with the tenant context set,
    // the key (tenant isolation policy).
    let mut tx = db.tenant_tx(tenant_id, actor).await?;
    sqlx::query(
        "insert into tenants (id, name, state, plan, provisioned_at) values ($1, $2, 'active', 'enterprise', now())",
    )
    .bind(tenant_id)
    .bind(&name)
    .execute(&mut *tx)
    .await?;
    crate::provisioning::insert_defaults(&mut tx).await?;
    let key = api_key::create(&mut tx, "admin (created with the tenant)", &["*"], None).await?;
    tx.commit().await?;
    Ok(CreatedTenant {
        tenant_id,
        api_key: key.key.expose().clone(),
    })
}

/// A new admin key for an existing tenant found by exact name (used by `eventkit up` for the
/// demo tenant); `None` when no tenant has that name.
pub async fn new_admin_key_by_name(
    db: &Db,
    name: &str,
    actor: &Actor,
) -> anyhow::Result<Option<CreatedTenant>> {
    let tenant: Option<TenantId> = sqlx::query_scalar(
        "select id from tenants where name = $1 and state = 'active' order by id limit 1",
    )
    .bind(name)
    .fetch_optional(db.pool())
    .await?;
    let Some(tenant_id) = tenant else {
        return Ok(None);
    };
    let mut tx = db.tenant_tx(tenant_id, actor).await?;
    let key = api_key::create(&mut tx, "admin (eventkit up)", &["*"], None).await?;
    tx.commit().await?;
    Ok(Some(CreatedTenant {
        tenant_id,
        api_key: key.key.expose().clone(),
    }))
}
