//! The operator's tenant RPCs that are plain lifecycle moves or reads; creation, approval and
//! erasure live with provisioning and erasure.

use crate::{
    ControlPlane,
    audit::parse_reason,
    caller::Operator,
    lifecycle::By,
    registry::{self, TenantRow},
};
use eventkit_domain::{Violations, lifecycle::Transition};
use eventkit_platform::ApiError;
use eventkit_proto::controlplane::v1::*;

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
}
