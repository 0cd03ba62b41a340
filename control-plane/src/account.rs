//! The tenant's own account, for its admins: state, plan and settings, quotas and usage, and
//! deletion with its grace period (requested and cancelled through the same state machine the
//! operators use), and exports ([`crate::exports`]). Callers present a tenant credential
//! holding every permission (each RPC's rule in the proto says so; the gate checks it).

use crate::{ControlPlane, lifecycle::By, registry};
use eventkit_domain::{FieldViolation, lifecycle::Transition};
use eventkit_platform::{ApiError, auth::Principal};
use eventkit_proto::controlplane::v1::*;

impl ControlPlane {
    pub async fn get_account(
        &self,
        p: &Principal,
        _: GetAccountRequest,
    ) -> Result<GetAccountResponse, ApiError> {
        let mut tx = self.db.tenant_tx(p.tenant_id, &p.actor()).await?;
        let row = registry::fetch(&mut tx, p.tenant_id, false).await?;
        let settings = registry::settings(&mut tx, p.tenant_id).await?;
        tx.commit().await?;
        Ok(GetAccountResponse {
            tenant: Some(row.into()),
            settings,
        })
    }

    pub async fn get_account_usage(
        &self,
        p: &Principal,
        _: GetAccountUsageRequest,
    ) -> Result<GetAccountUsageResponse, ApiError> {
        let usage = self.usage_of(p.tenant_id, &p.actor()).await?;
        Ok(GetAccountUsageResponse { usage: Some(usage) })
    }

    pub async fn request_account_deletion(
        &self,
        p: &Principal,
        req: RequestAccountDeletionRequest,
    ) -> Result<RequestAccountDeletionResponse, ApiError> {
        if req.confirm_tenant_id.trim() != p.tenant_id.to_string() {
            return Err(FieldViolation::new(
                "confirm_tenant_id",
                "must be your tenant's id, to confirm the deletion",
            )
            .into());
        }
        let row = self
            .transition(
                p.tenant_id,
                Transition::RequestDeletion,
                By::Admin(p.actor()),
            )
            .await?;
        Ok(RequestAccountDeletionResponse {
            tenant: Some(row.into()),
        })
    }

    pub async fn cancel_account_deletion(
        &self,
        p: &Principal,
        _: CancelAccountDeletionRequest,
    ) -> Result<CancelAccountDeletionResponse, ApiError> {
        let row = self
            .transition(
                p.tenant_id,
                Transition::CancelDeletion,
                By::Admin(p.actor()),
            )
            .await?;
        Ok(CancelAccountDeletionResponse {
            tenant: Some(row.into()),
        })
    }
}
