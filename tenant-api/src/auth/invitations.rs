//! Accepting an invitation: a new person creates their account with it (the emailed link proves
//! the address), an existing one proves it is them with their password. Either way they become
//! a member with the invited roles and get a session in the tenant.

use super::{Answer, Auth, Caller, Cookies};
use crate::wire::timestamp;
use chrono::Utc;
use eventkit_domain::ids::UserId;
use eventkit_platform::{
    ApiError,
    db::{Actor, TenantTx},
    identity::{
        invitations::{self, InvitationRow},
        password::{self, NewPassword},
        security_log::{self, SecurityEvent},
    },
};
use eventkit_proto::eventkit::v1::*;

fn invalid_token() -> ApiError {
    ApiError::invalid(
        "token",
        "the invitation link is not valid (used, revoked or mistyped)",
    )
}

impl Auth {
    /// The tenant's transaction and the open invitation `token` stands for.
    async fn open_invitation(&self, token: &str) -> Result<(TenantTx, InvitationRow), ApiError> {
        let (tenant_id, _) = invitations::parse(token).ok_or_else(invalid_token)?;
        let mut tx = self
            .tenants
            .tx(&(tenant_id, &Actor::system("invitation")))
            .await?;
        let invitation = invitations::find_open(&mut tx, token)
            .await?
            .ok_or_else(invalid_token)?;
        if invitation.expires_at <= Utc::now() {
            return Err(ApiError::FailedPrecondition(
                "the invitation expired: ask an admin of the tenant for a new one".into(),
            ));
        }
        Ok((tx, invitation))
    }

    pub async fn get_invitation(
        &self,
        _caller: &Caller,
        request: GetInvitationRequest,
    ) -> Result<Answer<GetInvitationResponse>, ApiError> {
        let (mut tx, invitation) = self.open_invitation(&request.token).await?;
        let tenant_name: String = sqlx::query_scalar("select name from tenants")
            .fetch_one(&mut *tx)
            .await?;
        let account_exists: bool =
            sqlx::query_scalar("select exists (select 1 from users where email = $1)")
                .bind(&invitation.email)
                .fetch_one(&mut *tx)
                .await?;
        Ok(Answer {
            body: GetInvitationResponse {
                tenant_name,
                email: invitation.email,
                account_exists,
                expire_time: Some(timestamp(invitation.expires_at)),
            },
            cookies: Cookies::Keep,
        })
    }

    pub async fn accept_invitation(
        &self,
        caller: &Caller,
        request: AcceptInvitationRequest,
    ) -> Result<Answer<AcceptInvitationResponse>, ApiError> {
        let (mut tx, invitation) = self.open_invitation(&request.token).await?;
        let existing: Option<(UserId, Option<String>)> =
            sqlx::query_as("select id, password_hash from users where email = $1")
                .bind(&invitation.email)
                .fetch_optional(&mut *tx)
                .await?;
        let user_id = match existing {
            Some((id, stored)) => {
                if !self
                    .check_password(caller, &invitation.email, stored, request.password)
                    .await?
                {
                    return Err(ApiError::Unauthenticated(
                        "an account with this email exists: send its password to join".into(),
                    ));
                }
                id
            }
            None => {
                let name = request.display_name.trim();
                if name.chars().count() > 200 {
                    return Err(ApiError::invalid(
                        "display_name",
                        "must be at most 200 characters",
                    ));
                }
                let new = NewPassword::parse("password", &request.password, &invitation.email)?;
                let hash = password::hash_blocking(new).await;
                let id = UserId::new();
                sqlx::query(
                    "insert into users (id, email, display_name, password_hash, email_verified_at) \
                     values ($1, $2, $3, $4, now())",
                )
                .bind(id)
                .bind(&invitation.email)
                .bind(name)
                .bind(hash)
                .execute(&mut *tx)
                .await?;
                id
            }
        };
        sqlx::query(
            "insert into memberships (tenant_id, user_id) values ($1, $2) on conflict do nothing",
        )
        .bind(tx.tenant_id())
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        // Roles deleted since the invitation are skipped.
        sqlx::query(
            "insert into membership_roles (tenant_id, user_id, role_id) \
             select $1, $2, r.id from roles r where r.id = any($3) on conflict do nothing",
        )
        .bind(tx.tenant_id())
        .bind(user_id)
        .bind(&invitation.role_ids)
        .execute(&mut *tx)
        .await?;
        sqlx::query("update invitations set accepted_at = now(), accepted_by = $2 where id = $1")
            .bind(invitation.id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        security_log::record(
            &mut tx,
            SecurityEvent {
                kind: "invitation.accepted",
                actor: &format!("user:{user_id}"),
                subject: &format!("invitation:{}", invitation.id),
                address: caller.address.as_deref(),
                detail: serde_json::json!({ "email": invitation.email }),
            },
        )
        .await?;
        let tenant_id = tx.tenant_id();
        tx.commit().await?;
        let session = self.sessions.start(user_id, tenant_id).await?;
        Ok(Answer {
            body: AcceptInvitationResponse {
                session: Some(Self::session_pb(&session, caller.cookies)),
            },
            cookies: Cookies::Set(session),
        })
    }
}
