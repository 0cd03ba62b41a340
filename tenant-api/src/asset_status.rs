//! Asset status changes, written together wherever they happen (an update, a scan): the status
//! column, an insert-only row in `asset_status_log` (who, when, why, for which event) and the
//! `asset.status_changed` outbox event, in the caller's transaction.

use eventkit_domain::ids::{AssetId, EventId};
use eventkit_domain::{events::payloads::AssetStatusChanged, id, inventory::AssetStatus};
use eventkit_platform::{ApiError, db::TenantTx, outbox};
use uuid::Uuid;

/// Why and for which event a status changed.
pub struct Change<'a> {
    pub asset: Uuid,
    pub from: &'a str,
    pub to: AssetStatus,
    pub event: Option<Uuid>,
    pub reason: &'a str,
    pub note: &'a str,
}

/// Records a change whose status column the caller already wrote; nothing when unchanged.
pub async fn record(tx: &mut TenantTx, change: &Change<'_>) -> Result<(), ApiError> {
    if change.from == change.to.as_str() {
        return Ok(());
    }
    let actor = tx.actor().0.clone();
    sqlx::query(
        "insert into asset_status_log (tenant_id, id, asset_id, from_status, to_status, event_id, reason, note, actor) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(tx.tenant_id())
    .bind(id::new_id())
    .bind(change.asset)
    .bind(change.from)
    .bind(change.to.as_str())
    .bind(change.event)
    .bind(change.reason)
    .bind(change.note)
    .bind(actor)
    .execute(&mut **tx)
    .await?;
    let changed = AssetStatusChanged {
        asset_id: AssetId::from_uuid(change.asset),
        from: change.from.to_owned(),
        to: change.to,
        event_id: change.event.map(EventId::from_uuid),
        reason: change.reason.to_owned(),
    };
    outbox::emit(tx, change.asset, outbox::Event::AssetStatusChanged(changed)).await?;
    Ok(())
}

/// Sets the status column and records the change.
pub async fn set(tx: &mut TenantTx, change: &Change<'_>) -> Result<(), ApiError> {
    sqlx::query(
        "update assets set status = $3, updated_at = now() where tenant_id = $1 and id = $2",
    )
    .bind(tx.tenant_id())
    .bind(change.asset)
    .bind(change.to.as_str())
    .execute(&mut **tx)
    .await?;
    record(tx, change).await
}
