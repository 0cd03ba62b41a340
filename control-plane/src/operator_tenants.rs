//! The operator's tenant RPCs that are plain lifecycle moves, reads or plan changes; creation,
//! approval and erasure live with provisioning and erasure.

use crate::{
    ControlPlane,
    audit::{self, parse_reason},
    lifecycle::{By, operator_actor},
    provisioning::require_plan,
    registry::{self, TENANT_COLUMNS, TenantRow},
};
use eventkit_domain::{
    Violations,
    events::payloads::TenantPlanChanged,
    lifecycle::{TenantState, Transition},
};
use eventkit_platform::auth::Operator;
use eventkit_platform::{ApiError, outbox};
use eventkit_proto::controlplane::v1::*;
use serde_json::json;

impl ControlPlane {
    /// Checks the id and reason, then applies `transition` on the operator's behalf.
    async fn operator_move(
        &self,
        op: &Operator,
        action: &'static str,
        tenant_id: &str,
        reason: &str,
        reason_required: bool,
        transition: Transition,
    ) -> Result<Option<Tenant>, ApiError> {
        let mut v = Violations::new();
        let tenant_id = v.check(registry::parse_tenant_id(tenant_id));
        let reason = v.check(parse_reason(reason, reason_required));
        v.finish()?;
        let row: TenantRow = self
            .transition(
                tenant_id.unwrap(),
                transition,
                By::Operator {
                    operator: op,
                    action,
                    reason: &reason.unwrap(),
                },
            )
            .await?;
        Ok(Some(row.into()))
    }

    pub async fn list_tenants(
        &self,
        _: &Operator,
        req: ListTenantsRequest,
    ) -> Result<ListTenantsResponse, ApiError> {
        registry::list(self.db.pool(), req).await
    }

    pub async fn get_tenant(
        &self,
        _: &Operator,
        req: GetTenantRequest,
    ) -> Result<GetTenantResponse, ApiError> {
        let tenant_id = registry::parse_tenant_id(&req.tenant_id)?;
        let mut tx = self
            .db
            .tenant_tx(tenant_id, &eventkit_platform::db::Actor::system("operator"))
            .await?;
        let row = registry::fetch(&mut tx, tenant_id, false).await?;
        let settings = registry::settings(&mut tx, tenant_id).await?;
        tx.commit().await?;
        Ok(GetTenantResponse {
            tenant: Some(row.into()),
            settings,
        })
    }

    pub async fn suspend_tenant(
        &self,
        op: &Operator,
        req: SuspendTenantRequest,
    ) -> Result<SuspendTenantResponse, ApiError> {
        let tenant = self
            .operator_move(
                op,
                "SuspendTenant",
                &req.tenant_id,
                &req.reason,
                true,
                Transition::Suspend,
            )
            .await?;
        Ok(SuspendTenantResponse { tenant })
    }

    pub async fn resume_tenant(
        &self,
        op: &Operator,
        req: ResumeTenantRequest,
    ) -> Result<ResumeTenantResponse, ApiError> {
        let tenant = self
            .operator_move(
                op,
                "ResumeTenant",
                &req.tenant_id,
                &req.reason,
                false,
                Transition::Resume,
            )
            .await?;
        Ok(ResumeTenantResponse { tenant })
    }

    pub async fn delete_tenant(
        &self,
        op: &Operator,
        req: DeleteTenantRequest,
    ) -> Result<DeleteTenantResponse, ApiError> {
        let tenant = self
            .operator_move(
                op,
                "DeleteTenant",
                &req.tenant_id,
                &req.reason,
                true,
                Transition::RequestDeletion,
            )
            .await?;
        Ok(DeleteTenantResponse { tenant })
    }

    pub async fn cancel_tenant_deletion(
        &self,
        op: &Operator,
        req: CancelTenantDeletionRequest,
    ) -> Result<CancelTenantDeletionResponse, ApiError> {
        let tenant = self
            .operator_move(
                op,
                "CancelTenantDeletion",
                &req.tenant_id,
                &req.reason,
                false,
                Transition::CancelDeletion,
            )
            .await?;
        Ok(CancelTenantDeletionResponse { tenant })
    }

    pub async fn change_tenant_plan(
        &self,
        op: &Operator,
        req: ChangeTenantPlanRequest,
    ) -> Result<ChangeTenantPlanResponse, ApiError> {
        let mut v = Violations::new();
        let tenant_id = v.check(registry::parse_tenant_id(&req.tenant_id));
        let reason = v.check(parse_reason(&req.reason, false));
        v.finish()?;
        let (tenant_id, reason, plan) = (tenant_id.unwrap(), reason.unwrap(), req.plan.trim());
        let mut tx = self.db.tenant_tx(tenant_id, &operator_actor(op)).await?;
        let row = registry::fetch(&mut tx, tenant_id, true).await?;
        require_plan(&mut tx, "plan", plan).await?;
        if row.state()? == TenantState::Erased {
            return Err(ApiError::FailedPrecondition(
                "cannot change the plan of an erased tenant".into(),
            ));
        }
        let updated: TenantRow = sqlx::query_as(&format!(
            "update tenants set plan = $2, updated_at = now() where id = $1 returning {TENANT_COLUMNS}"
        ))
        .bind(tenant_id)
        .bind(plan)
        .fetch_one(&mut *tx)
        .await?;
        let change = json!({ "from": row.plan, "to": plan });
        let changed = TenantPlanChanged {
            tenant_id,
            from: row.plan.clone(),
            to: plan.to_owned(),
        };
        outbox::emit(
            &mut tx,
            tenant_id.uuid(),
            outbox::Event::TenantPlanChanged(changed),
        )
        .await?;
        audit::record(
            &mut tx,
            op,
            "ChangeTenantPlan",
            Some(tenant_id),
            &reason,
            change,
        )
        .await?;
        tx.commit().await?;
        Ok(ChangeTenantPlanResponse {
            tenant: Some(updated.into()),
        })
    }
}
