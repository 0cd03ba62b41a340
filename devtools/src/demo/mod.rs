//! The demo tenant `eventkit up` creates, so that the printed URL opens on a believable company:
//! a person to sign in as (Admin), a warehouse with products, serialised assets, bulk stock, a
//! kit and packed cases, and events over the coming weeks — one under way with items checked
//! out, two pairs that compete for the same gear (shortages), one asset in repair. Everything is
//! made through the services themselves, so it is exactly what the API would have made.

mod inventory;
mod person;
mod planning;

pub use person::{DEMO_EMAIL, ensure_person};

use eventkit_domain::ids::TenantId;
use eventkit_platform::{
    ApiError,
    auth::{AuthMethod, Permissions, Principal},
    db::{Db, TenantDb},
};
use eventkit_tenant_api::{inventory::Inventory, planning::Planning, scanning::Scanning};

/// Seeds a new demo tenant's inventory and plans.
pub async fn seed(db: &Db, tenant_id: TenantId) -> Result<(), ApiError> {
    let p = Principal {
        tenant_id,
        subject: "system:demo-seed".into(),
        permissions: Permissions::All,
        method: AuthMethod::System,
    };
    let tenant_db = TenantDb::new(db.clone());
    let stock = inventory::seed(&Inventory::new(tenant_db.clone()), &p).await?;
    planning::seed(
        &Planning::new(tenant_db.clone()),
        &Scanning::new(tenant_db),
        &p,
        &stock,
    )
    .await
}
