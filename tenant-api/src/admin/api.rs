//! AdminService over tonic: every RPC delegates to the method of the same name on [`Admin`].

use super::Admin;
use eventkit_platform::{auth::Principal, delegate};
use eventkit_proto::eventkit::v1::{admin_service_server::AdminService, *};

delegate! {
    AdminService => AdminApi(Admin) for Principal {
        invite_user(InviteUserRequest) -> InviteUserResponse;
        list_invitations(ListInvitationsRequest) -> ListInvitationsResponse;
        revoke_invitation(RevokeInvitationRequest) -> RevokeInvitationResponse;
        list_users(ListUsersRequest) -> ListUsersResponse;
        get_user(GetUserRequest) -> GetUserResponse;
        set_user_roles(SetUserRolesRequest) -> SetUserRolesResponse;
        remove_user(RemoveUserRequest) -> RemoveUserResponse;
        list_roles(ListRolesRequest) -> ListRolesResponse;
        create_role(CreateRoleRequest) -> CreateRoleResponse;
        update_role(UpdateRoleRequest) -> UpdateRoleResponse;
        delete_role(DeleteRoleRequest) -> DeleteRoleResponse;
        list_security_events(ListSecurityEventsRequest) -> ListSecurityEventsResponse;
        get_sso_settings(GetSsoSettingsRequest) -> GetSsoSettingsResponse;
        update_sso_settings(UpdateSsoSettingsRequest) -> UpdateSsoSettingsResponse;
        start_sso_domain_verification(StartSsoDomainVerificationRequest) -> StartSsoDomainVerificationResponse;
        verify_sso_domain(VerifySsoDomainRequest) -> VerifySsoDomainResponse;
        create_api_key(CreateApiKeyRequest) -> CreateApiKeyResponse;
        list_api_keys(ListApiKeysRequest) -> ListApiKeysResponse;
        revoke_api_key(RevokeApiKeyRequest) -> RevokeApiKeyResponse;
        rotate_api_key(RotateApiKeyRequest) -> RotateApiKeyResponse;
        create_webhook_endpoint(CreateWebhookEndpointRequest) -> CreateWebhookEndpointResponse;
        get_webhook_endpoint(GetWebhookEndpointRequest) -> GetWebhookEndpointResponse;
        list_webhook_endpoints(ListWebhookEndpointsRequest) -> ListWebhookEndpointsResponse;
        update_webhook_endpoint(UpdateWebhookEndpointRequest) -> UpdateWebhookEndpointResponse;
        delete_webhook_endpoint(DeleteWebhookEndpointRequest) -> DeleteWebhookEndpointResponse;
        rotate_webhook_secret(RotateWebhookSecretRequest) -> RotateWebhookSecretResponse;
        send_test_webhook(SendTestWebhookRequest) -> SendTestWebhookResponse;
        list_webhook_deliveries(ListWebhookDeliveriesRequest) -> ListWebhookDeliveriesResponse;
        replay_webhook_deliveries(ReplayWebhookDeliveriesRequest) -> ReplayWebhookDeliveriesResponse;
        get_branding(GetBrandingRequest) -> GetBrandingResponse;
        update_branding(UpdateBrandingRequest) -> UpdateBrandingResponse;
    }
}
