//! `GetMe`: the signed-in person as the session's tenant sees them. The web app builds its
//! navigation (and hides what the person may not do) from the permissions answered here; the
//! gate still checks every call on its own.

use super::{Answer, Auth, Caller, Cookies};
use eventkit_platform::{ApiError, identity::memberships};
use eventkit_proto::eventkit::v1::*;

impl Auth {
    pub async fn get_me(
        &self,
        caller: &Caller,
        _request: GetMeRequest,
    ) -> Result<Answer<GetMeResponse>, ApiError> {
        let (user_id, principal) = caller.user()?;
        let (email, display_name, totp_enabled): (String, String, bool) = sqlx::query_as(
            "select email, display_name, totp_enabled_at is not null \
             from users where id = $1",
        )
        .bind(user_id)
        .fetch_optional(self.accounts.pool())
        .await?
        .ok_or_else(|| ApiError::Unauthenticated("the account no longer exists".into()))?;
        let tenants =
            Self::tenants_pb(&memberships::tenants_of(self.accounts.db(), user_id).await?);
        let tenant = tenants
            .iter()
            .find(|t| t.tenant_id == principal.tenant_id.to_string())
            .cloned()
            .ok_or_else(|| ApiError::Unauthenticated("no longer a member of this tenant".into()))?;
        Ok(Answer {
            body: GetMeResponse {
                user_id: user_id.to_string(),
                email,
                display_name,
                totp_enabled,
                tenant: Some(tenant),
                permissions: principal.permissions.names(),
                tenants,
            },
            cookies: Cookies::Keep,
        })
    }
}
