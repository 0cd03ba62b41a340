//! AdminService over tonic: every RPC delegates to the method of the same name on [`Admin`].

use super::Admin;
use crate::delegate::delegate;
use eventkit_proto::eventkit::v1::{admin_service_server::AdminService, *};

delegate! {
    AdminService => AdminApi(Admin) {
        create_api_key(CreateApiKeyRequest) -> CreateApiKeyResponse;
        list_api_keys(ListApiKeysRequest) -> ListApiKeysResponse;
        revoke_api_key(RevokeApiKeyRequest) -> RevokeApiKeyResponse;
        rotate_api_key(RotateApiKeyRequest) -> RotateApiKeyResponse;
    }
}
