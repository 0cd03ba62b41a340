//! Lifecycle changes on the registry: the domain state machine decides, then one transaction
//! writes the new state, the `tenant.*` outbox event and (for operators) the audit record.
//! After commit every tenant-api process is told on NATS to forget the tenant's cached state,
//! so a suspension locks users out at once (the 5 s cache bounds it if the message is lost).

use crate::{
    ControlPlane, audit,
    registry::{self, TENANT_COLUMNS, TenantRow},
};
use eventkit_domain::lifecycle::{TenantState, Transition};
use eventkit_platform::auth::Operator;
use eventkit_platform::{
    ApiError,
    auth::invalidation::{self, Invalidation},
    db::{Actor, TenantTx},
    outbox,
};
use serde_json::json;
use uuid::Uuid;

/// Who asks for a change: an operator (audited, with a reason) or the tenant's own admin.
pub enum By<'a> {
    Operator {
        operator: &'a Operator,
        action: &'static str,
        reason: &'a str,
    },
    Admin(Actor),
}

impl By<'_> {
    pub fn actor(&self) -> Actor {
        match self {
            By::Operator { operator, .. } => operator_actor(operator),
            By::Admin(actor) => actor.clone(),
        }
    }
}

pub fn operator_actor(operator: &Operator) -> Actor {
    Actor(format!("operator:{}", operator.name))
}

fn event_type(transition: Transition) -> &'static str {
    match transition {
        Transition::Approve => "tenant.approved",
        Transition::Provisioned => "tenant.provisioned",
        Transition::Suspend => "tenant.suspended",
        Transition::Resume => "tenant.resumed",
        Transition::RequestDeletion => "tenant.deletion_requested",
        Transition::CancelDeletion => "tenant.deletion_cancelled",
        Transition::Erase => "tenant.erased",
    }
}

/// Moves the locked `row` to `to` inside `tx` (deletion due date set or cleared with it).
pub async fn set_state(
    tx: &mut TenantTx,
    row: &TenantRow,
    to: TenantState,
) -> Result<TenantRow, ApiError> {
    Ok(sqlx::query_as(&format!(
        "update tenants set state = $2, updated_at = now(), \
             deletion_due_at = case when $2 = 'pending_deletion' then now() + make_interval(days => \
                 (select p.deletion_grace_days from plans p where p.key = tenants.plan)) end, \
             provisioned_at = case when $2 = 'active' then coalesce(provisioned_at, now()) else provisioned_at end \
         where id = $1 returning {TENANT_COLUMNS}"
    ))
    .bind(row.id)
    .bind(to.as_str())
    .fetch_one(&mut **tx)
    .await?)
}

impl ControlPlane {
    /// Applies `transition` to the tenant; `failed_precondition` naming both ends when the
    /// state machine forbids it, `not_found` for an unknown tenant.
    pub async fn transition(
        &self,
        tenant_id: Uuid,
        transition: Transition,
        by: By<'_>,
    ) -> Result<TenantRow, ApiError> {
        let mut tx = self.db.tenant_tx(tenant_id, &by.actor()).await?;
        let row = registry::fetch(&mut tx, tenant_id, true).await?;
        let from = row.state()?;
        let to = from
            .apply(transition)
            .map_err(|e| ApiError::FailedPrecondition(e.to_string()))?;
        let updated = set_state(&mut tx, &row, to).await?;
        let detail = json!({ "from": from.as_str(), "to": to.as_str() });
        let mut payload =
            json!({ "tenantId": tenant_id.to_string(), "from": from.as_str(), "to": to.as_str() });
        if let Some(due) = updated.deletion_due_at {
            payload["deletionDueTime"] = json!(due.to_rfc3339());
        }
        outbox::emit(&mut tx, event_type(transition), tenant_id, payload).await?;
        if let By::Operator {
            operator,
            action,
            reason,
        } = by
        {
            audit::record(&mut tx, operator, action, Some(tenant_id), reason, detail).await?;
        }
        tx.commit().await?;
        self.announce(tenant_id).await;
        Ok(updated)
    }

    /// Tells every tenant-api process that the tenant's state changed.
    pub async fn announce(&self, tenant_id: Uuid) {
        invalidation::publish(&self.nats, &Invalidation::Tenant { tenant_id }).await;
    }
}
