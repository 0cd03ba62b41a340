//! The tenant's security log (`security_events`): sign-ins and failures, role changes,
//! invitations, API keys, exports. Written in the same transaction as the change it records;
//! insert-only for the app role. Never holds secrets.

use crate::{ApiError, db::TenantTx};
use serde_json::Value;
use uuid::Uuid;

pub struct SecurityEvent<'a> {
    pub kind: &'a str,
    pub actor: &'a str,
    pub subject: &'a str,
    pub address: Option<&'a str>,
    pub detail: Value,
}

pub async fn record(tx: &mut TenantTx, event: SecurityEvent<'_>) -> Result<(), ApiError> {
    sqlx::query(
        "insert into security_events (tenant_id, id, kind, actor, subject, address, detail) \
         values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(tx.tenant_id())
    .bind(Uuid::now_v7())
    .bind(event.kind)
    .bind(event.actor)
    .bind(event.subject)
    .bind(event.address)
    .bind(event.detail)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
