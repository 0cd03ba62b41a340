//! Members of a tenant and invitations (`admin:users`): invite by email with roles, list members
//! with their roles, change roles, remove members. The last Admin can neither lose the role nor
//! be removed, so a tenant is never left without someone who can administer it. Changes reach
//! every process's permission cache at once (an invalidation on NATS).

use super::{
    Admin,
    roles::{self, RoleRow},
};
use crate::{paging::Page, wire::timestamp};
use chrono::{DateTime, Utc};
use eventkit_domain::ids::{InvitationId, RoleId, UserId};
use eventkit_domain::{
    email::parse_account_email,
    events::payloads::{UserRemoved, UserRolesChanged},
    quota::QuotaKey,
};
use eventkit_platform::{
    ApiError,
    auth::Principal,
    db::TenantTx,
    identity::{
        invitations::{self, InvitationRow},
        security_log::{self, SecurityEvent},
    },
    outbox, quota,
};
use eventkit_proto::eventkit::v1::{self as pb, *};
use std::collections::HashMap;
use uuid::Uuid;

/// Members as rows with an `id` (the user id) for paging.
const MEMBERS: &str = "(select m.tenant_id, m.user_id as id, u.email, u.display_name, \
     u.totp_enabled_at is not null as totp_enabled, m.created_at as joined_at \
     from memberships m join users u on u.id = m.user_id) members";

#[derive(sqlx::FromRow)]
struct MemberRow {
    id: Uuid,
    email: String,
    display_name: String,
    totp_enabled: bool,
    joined_at: DateTime<Utc>,
}

fn invitation_pb(row: InvitationRow) -> pb::Invitation {
    pb::Invitation {
        id: row.id.to_string(),
        email: row.email,
        role_ids: row.role_ids.iter().map(Uuid::to_string).collect(),
        invited_by: row.invited_by,
        create_time: Some(timestamp(row.created_at)),
        expire_time: Some(timestamp(row.expires_at)),
        accept_time: row.accepted_at.map(timestamp),
        revoke_time: row.revoked_at.map(timestamp),
    }
}

/// The members with their roles, in the order given.
async fn with_roles(tx: &mut TenantTx, members: Vec<MemberRow>) -> Result<Vec<pb::User>, ApiError> {
    let ids: Vec<Uuid> = members.iter().map(|m| m.id).collect();
    let rows: Vec<(Uuid, Uuid)> =
        sqlx::query_as("select user_id, role_id from membership_roles where user_id = any($1)")
            .bind(&ids)
            .fetch_all(&mut **tx)
            .await?;
    let role_ids: Vec<Uuid> = rows.iter().map(|(_, r)| *r).collect();
    let roles: HashMap<RoleId, pb::Role> = sqlx::query_as::<_, RoleRow>(&format!(
        "select {} from roles where id = any($1)",
        roles::COLUMNS
    ))
    .bind(&role_ids)
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .map(|r| (r.id, r.into_pb()))
    .collect();
    Ok(members
        .into_iter()
        .map(|m| pb::User {
            id: m.id.to_string(),
            roles: rows
                .iter()
                .filter(|(user, _)| *user == m.id)
                .filter_map(|(_, role)| roles.get(&RoleId::from_uuid(*role)).cloned())
                .collect(),
            email: m.email,
            display_name: m.display_name,
            totp_enabled: m.totp_enabled,
            join_time: Some(timestamp(m.joined_at)),
        })
        .collect())
}

async fn member(tx: &mut TenantTx, user_id: UserId) -> Result<pb::User, ApiError> {
    let row: MemberRow = sqlx::query_as(&format!(
        "select id, email, display_name, totp_enabled, joined_at from {MEMBERS} where id = $1"
    ))
    .bind(user_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| ApiError::not_found("user", user_id))?;
    Ok(with_roles(tx, vec![row]).await?.remove(0))
}

/// Refuses when `user_id` is the only member holding the Admin role.
async fn keep_an_admin(tx: &mut TenantTx, user_id: UserId, what: &str) -> Result<(), ApiError> {
    let other_admins: i64 = sqlx::query_scalar(
        "select count(distinct mr.user_id) from membership_roles mr \
         join roles r on r.id = mr.role_id and r.tenant_id = mr.tenant_id \
         where r.builtin = 'admin' and mr.user_id <> $1",
    )
    .bind(user_id)
    .fetch_one(&mut **tx)
    .await?;
    if other_admins == 0 {
        return Err(ApiError::FailedPrecondition(format!(
            "{what} would leave the tenant without an Admin: make someone else Admin first"
        )));
    }
    Ok(())
}

impl Admin {
    pub async fn invite_user(
        &self,
        p: &Principal,
        req: InviteUserRequest,
    ) -> Result<InviteUserResponse, ApiError> {
        let email = parse_account_email("email", &req.email)?;
        let mut tx = self.tx(p).await?;
        let role_ids = roles::parse_role_ids(&mut tx, p, &req.role_ids).await?;
        let member: bool = sqlx::query_scalar(
            "select exists (select 1 from memberships m join users u on u.id = m.user_id where u.email = $1)",
        )
        .bind(&email)
        .fetch_one(&mut *tx)
        .await?;
        if member {
            return Err(ApiError::AlreadyExists {
                field: "email".into(),
                message: format!("{email} is a member already"),
            });
        }
        quota::reserve(&mut tx, QuotaKey::Seats, 1).await?;
        let inviter: Option<String> = match p.user_id() {
            Some(user_id) => {
                sqlx::query_scalar("select nullif(display_name, '') from users where id = $1")
                    .bind(user_id)
                    .fetch_one(&mut *tx)
                    .await?
            }
            None => None,
        };
        let row = invitations::create(
            &mut tx,
            &email,
            &role_ids.iter().copied().map(Uuid::from).collect::<Vec<_>>(),
            inviter.as_deref(),
            &self.public_url,
        )
        .await?;
        tx.commit().await?;
        Ok(InviteUserResponse {
            invitation: Some(invitation_pb(row)),
        })
    }

    pub async fn list_invitations(
        &self,
        p: &Principal,
        req: ListInvitationsRequest,
    ) -> Result<ListInvitationsResponse, ApiError> {
        let page = Page::parse(req.page.as_ref())?.newest_first();
        let mut tx = self.tx(p).await?;
        let mut sql = page.select(invitations::COLUMNS, "invitations", tx.tenant_id());
        if !req.show_all {
            sql.push(" and accepted_at is null and revoked_at is null and expires_at > now()");
        }
        let (rows, page) = page.fetch(sql, &mut tx, |r: &InvitationRow| r.id).await?;
        tx.commit().await?;
        Ok(ListInvitationsResponse {
            invitations: rows.into_iter().map(invitation_pb).collect(),
            page,
        })
    }

    pub async fn revoke_invitation(
        &self,
        p: &Principal,
        req: RevokeInvitationRequest,
    ) -> Result<RevokeInvitationResponse, ApiError> {
        let id = InvitationId::parse("id", &req.id)?;
        let mut tx = self.tx(p).await?;
        let row: InvitationRow = sqlx::query_as(&format!(
            "select {} from invitations where id = $1 for update",
            invitations::COLUMNS
        ))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| ApiError::not_found("invitation", id))?;
        if row.accepted_at.is_some() {
            return Err(ApiError::FailedPrecondition(
                "the invitation was accepted already: remove the member instead".into(),
            ));
        }
        let row: InvitationRow = sqlx::query_as(&format!(
            "update invitations set revoked_at = coalesce(revoked_at, now()) where id = $1 returning {}",
            invitations::COLUMNS
        ))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        self.log(
            &mut tx,
            p,
            "invitation.revoked",
            &format!("invitation:{id}"),
            serde_json::json!({ "email": row.email }),
        )
        .await?;
        tx.commit().await?;
        Ok(RevokeInvitationResponse {
            invitation: Some(invitation_pb(row)),
        })
    }

    pub async fn list_users(
        &self,
        p: &Principal,
        req: ListUsersRequest,
    ) -> Result<ListUsersResponse, ApiError> {
        let page = Page::parse(req.page.as_ref())?;
        let mut tx = self.tx(p).await?;
        let sql = page.select(
            "id, email, display_name, totp_enabled, joined_at",
            MEMBERS,
            tx.tenant_id(),
        );
        let (rows, page) = page.fetch(sql, &mut tx, |r: &MemberRow| r.id).await?;
        let users = with_roles(&mut tx, rows).await?;
        tx.commit().await?;
        Ok(ListUsersResponse { users, page })
    }

    pub async fn get_user(
        &self,
        p: &Principal,
        req: GetUserRequest,
    ) -> Result<GetUserResponse, ApiError> {
        let id = UserId::parse("id", &req.id)?;
        let mut tx = self.tx(p).await?;
        let user = member(&mut tx, id).await?;
        tx.commit().await?;
        Ok(GetUserResponse { user: Some(user) })
    }

    pub async fn set_user_roles(
        &self,
        p: &Principal,
        req: SetUserRolesRequest,
    ) -> Result<SetUserRolesResponse, ApiError> {
        let user_id = UserId::parse("user_id", &req.user_id)?;
        let mut tx = self.tx(p).await?;
        let role_ids = roles::parse_role_ids(&mut tx, p, &req.role_ids).await?;
        let before = member(&mut tx, user_id).await?;
        let keeps_admin: bool = sqlx::query_scalar(
            "select exists (select 1 from roles where id = any($1) and builtin = 'admin')",
        )
        .bind(&role_ids)
        .fetch_one(&mut *tx)
        .await?;
        if !keeps_admin && before.roles.iter().any(|r| r.builtin == "admin") {
            keep_an_admin(&mut tx, user_id, "taking the Admin role away").await?;
        }
        sqlx::query("delete from membership_roles where user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "insert into membership_roles (tenant_id, user_id, role_id) select $1, $2, unnest($3::uuid[])",
        )
        .bind(tx.tenant_id())
        .bind(user_id)
        .bind(&role_ids)
        .execute(&mut *tx)
        .await?;
        let after = member(&mut tx, user_id).await?;
        let names = |u: &pb::User| u.roles.iter().map(|r| r.name.clone()).collect::<Vec<_>>();
        let detail = serde_json::json!({ "before": names(&before), "after": names(&after) });
        let changed = UserRolesChanged {
            user_id,
            role_ids: role_ids.clone(),
        };
        outbox::emit(&mut tx, user_id, outbox::Event::UserRolesChanged(changed)).await?;
        self.log(
            &mut tx,
            p,
            "user.roles_changed",
            &format!("user:{user_id}"),
            detail,
        )
        .await?;
        tx.commit().await?;
        self.forget_member(p.tenant_id, user_id).await;
        Ok(SetUserRolesResponse { user: Some(after) })
    }

    pub async fn remove_user(
        &self,
        p: &Principal,
        req: RemoveUserRequest,
    ) -> Result<RemoveUserResponse, ApiError> {
        let user_id = UserId::parse("user_id", &req.user_id)?;
        let mut tx = self.tx(p).await?;
        let user = member(&mut tx, user_id).await?;
        if user.roles.iter().any(|r| r.builtin == "admin") {
            keep_an_admin(&mut tx, user_id, "removing this member").await?;
        }
        sqlx::query("delete from memberships where user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        let removed = UserRemoved { user_id };
        outbox::emit(&mut tx, user_id, outbox::Event::UserRemoved(removed)).await?;
        self.log(
            &mut tx,
            p,
            "user.removed",
            &format!("user:{user_id}"),
            serde_json::json!({ "email": user.email }),
        )
        .await?;
        tx.commit().await?;
        self.forget_member(p.tenant_id, user_id).await;
        Ok(RemoveUserResponse {})
    }

    /// A security-log entry by the calling principal.
    pub(super) async fn log(
        &self,
        tx: &mut TenantTx,
        p: &Principal,
        kind: &str,
        subject: &str,
        detail: serde_json::Value,
    ) -> Result<(), ApiError> {
        security_log::record(
            tx,
            SecurityEvent {
                kind,
                actor: &p.subject,
                subject,
                address: None,
                detail,
            },
        )
        .await
    }
}
