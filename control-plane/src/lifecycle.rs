//! Lifecycle changes on the registry: the domain state machine decides, then one transaction
//! writes the new state, the `tenant.*` outbox event and (for operators) the audit record.
//! After commit every tenant-api process is told on NATS to forget the tenant's cached state,
//! so a suspension locks users out at once (the 5 s cache bounds it if the message is lost).

use crate::{
    ControlPlane, audit,
    registry::{self, TENANT_COLUMNS, TenantRow},
};
use eventkit_domain::ids::TenantId;
use eventkit_domain::{
    events::payloads::TenantStateChanged,
    lifecycle::{TenantState, Transition},
};
use eventkit_platform::auth::Operator;
use eventkit_platform::{
    ApiError,
    auth::invalidation::{self, Invalidation},
    db::{Actor, TenantTx},
    outbox::{self, Event},
};
use serde_json::json;

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

/// The event [`ControlPlane::transition`] writes for `transition`. Provisioning and erasure go
/// their own ways (`provision` writes `tenant.provisioned` with the tenant's settings; an erasure
/// leaves no outbox to write to), so they have none.
fn state_event(transition: Transition) -> Option<fn(TenantStateChanged) -> Event> {
    Some(match transition {
        Transition::Approve => Event::TenantApproved,
        Transition::Suspend => Event::TenantSuspended,
        Transition::Resume => Event::TenantResumed,
        Transition::RequestDeletion => Event::TenantDeletionRequested,
        Transition::CancelDeletion => Event::TenantDeletionCancelled,
        Transition::Provisioned | Transition::Erase => return None,
    })
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
        tenant_id: TenantId,
        transition: Transition,
        by: By<'_>,
    ) -> Result<TenantRow, ApiError> {
        let Some(event) = state_event(transition) else {
            return Err(ApiError::Internal(anyhow::anyhow!(
                "{transition:?} is not made by transition(): provisioning and erasure have their own"
            )));
        };
        let mut tx = self.db.tenant_tx(tenant_id, &by.actor()).await?;
        let row = registry::fetch(&mut tx, tenant_id, true).await?;
        let from = row.state()?;
        let to = from
            .apply(transition)
            .map_err(|e| ApiError::FailedPrecondition(e.to_string()))?;
        let updated = set_state(&mut tx, &row, to).await?;
        let detail = json!({ "from": from.as_str(), "to": to.as_str() });
        let change = TenantStateChanged {
            tenant_id,
            from,
            to,
            deletion_due_time: updated.deletion_due_at,
        };
        outbox::emit(&mut tx, tenant_id.uuid(), event(change)).await?;
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
    pub async fn announce(&self, tenant_id: TenantId) {
        invalidation::publish(&self.nats, &Invalidation::Tenant { tenant_id }).await;
    }
}
