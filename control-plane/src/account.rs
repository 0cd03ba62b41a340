//! The tenant's own account, for its admins: state, plan and settings, quotas and usage, and
//! deletion with its grace period (requested and cancelled through the same state machine the
//! operators use), and exports ([`crate::exports`]). Callers present a tenant credential
//! holding every permission.

use crate::{ControlPlane, lifecycle::By, registry};
use eventkit_domain::{FieldViolation, lifecycle::Transition};
use eventkit_platform::{
    ApiError,
    auth::{Permissions, Principal},
};
use eventkit_proto::controlplane::v1::*;

pub(crate) fn require_admin(p: &Principal) -> Result<(), ApiError> {
    if p.permissions == Permissions::All {
        Ok(())
    } else {
        Err(ApiError::PermissionDenied(
            "the account services need an admin credential (every permission)".into(),
        ))
    }
}

impl ControlPlane {
    pub async fn get_account(
        &self,
        p: &Principal,
        _: GetAccountRequest,
    ) -> Result<GetAccountResponse, ApiError> {
        require_admin(p)?;
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
        require_admin(p)?;
        let usage = self.usage_of(p.tenant_id, &p.actor()).await?;
        Ok(GetAccountUsageResponse { usage: Some(usage) })
    }

    pub async fn request_account_deletion(
        &self,
        p: &Principal,
        req: RequestAccountDeletionRequest,
    ) -> Result<RequestAccountDeletionResponse, ApiError> {
        require_admin(p)?;
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
        require_admin(p)?;
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
