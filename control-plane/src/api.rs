//! The tonic adapters: each generated service trait delegates every RPC to the method of the
//! same name on [`ControlPlane`], with the caller the gate established (who that may be is each
//! RPC's rule in the proto).

use crate::ControlPlane;
use eventkit_platform::{
    auth::{Operator, Principal},
    delegate,
    rpc::delegate::Anyone,
};
use eventkit_proto::controlplane::v1::{
    account_service_server::AccountService, operator_audit_service_server::OperatorAuditService,
    operator_job_service_server::OperatorJobService,
    operator_plan_service_server::OperatorPlanService,
    operator_quota_service_server::OperatorQuotaService,
    operator_tenant_service_server::OperatorTenantService,
    operator_usage_service_server::OperatorUsageService, signup_service_server::SignupService, *,
};

delegate! {
    OperatorTenantService => TenantsApi(ControlPlane) for Operator {
        list_tenants(ListTenantsRequest) -> ListTenantsResponse;
        get_tenant(GetTenantRequest) -> GetTenantResponse;
        create_tenant(CreateTenantRequest) -> CreateTenantResponse;
        approve_tenant(ApproveTenantRequest) -> ApproveTenantResponse;
        suspend_tenant(SuspendTenantRequest) -> SuspendTenantResponse;
        resume_tenant(ResumeTenantRequest) -> ResumeTenantResponse;
        delete_tenant(DeleteTenantRequest) -> DeleteTenantResponse;
        cancel_tenant_deletion(CancelTenantDeletionRequest) -> CancelTenantDeletionResponse;
        change_tenant_plan(ChangeTenantPlanRequest) -> ChangeTenantPlanResponse;
        erase_tenant(EraseTenantRequest) -> EraseTenantResponse;
        get_erasure_progress(GetErasureProgressRequest) -> GetErasureProgressResponse;
        export_tenant(ExportTenantRequest) -> ExportTenantResponse;
        get_tenant_export(GetTenantExportRequest) -> GetTenantExportResponse;
    }
}

delegate! {
    OperatorPlanService => PlansApi(ControlPlane) for Operator {
        list_plans(ListPlansRequest) -> ListPlansResponse;
        get_plan(GetPlanRequest) -> GetPlanResponse;
        update_plan(UpdatePlanRequest) -> UpdatePlanResponse;
    }
}

delegate! {
    OperatorQuotaService => QuotasApi(ControlPlane) for Operator {
        set_quota_override(SetQuotaOverrideRequest) -> SetQuotaOverrideResponse;
    }
}

delegate! {
    OperatorUsageService => UsageApi(ControlPlane) for Operator {
        get_tenant_usage(GetTenantUsageRequest) -> GetTenantUsageResponse;
    }
}

delegate! {
    OperatorAuditService => AuditApi(ControlPlane) for Operator {
        list_audit_events(ListAuditEventsRequest) -> ListAuditEventsResponse;
    }
}

delegate! {
    OperatorJobService => JobsApi(ControlPlane) for Operator {
        list_consumer_lag(ListConsumerLagRequest) -> ListConsumerLagResponse;
        list_dead_letters(ListDeadLettersRequest) -> ListDeadLettersResponse;
        replay_dead_letters(ReplayDeadLettersRequest) -> ReplayDeadLettersResponse;
    }
}

delegate! {
    SignupService => SignupApi(ControlPlane) for Anyone {
        sign_up(SignUpRequest) -> SignUpResponse;
        verify_signup_email(VerifySignupEmailRequest) -> VerifySignupEmailResponse;
    }
}

delegate! {
    AccountService => AccountApi(ControlPlane) for Principal {
        get_account(GetAccountRequest) -> GetAccountResponse;
        get_account_usage(GetAccountUsageRequest) -> GetAccountUsageResponse;
        request_account_deletion(RequestAccountDeletionRequest) -> RequestAccountDeletionResponse;
        cancel_account_deletion(CancelAccountDeletionRequest) -> CancelAccountDeletionResponse;
        request_export(RequestExportRequest) -> RequestExportResponse;
        list_exports(ListExportsRequest) -> ListExportsResponse;
        get_export(GetExportRequest) -> GetExportResponse;
    }
}
