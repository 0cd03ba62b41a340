//! Roles of a tenant: the seven built-in ones (their permissions come from the code and cannot
//! be edited) and custom ones made of permissions the creating admin holds. A role is given (to
//! a member, an invitation, or as the SSO default role) only by someone who holds all it grants.
//! A role still held by a member cannot be deleted.

use super::Admin;
use crate::{fields::update_mask, paging::Page, permissions, wire::timestamp};
use chrono::{DateTime, Utc};
use eventkit_domain::ids::{RoleId, UserId};
use eventkit_domain::{
    events::payloads::RoleChanged, id, permissions::BuiltinRole, text::TextRule,
};
use eventkit_platform::{ApiError, auth::Principal, db::TenantTx, outbox};
use eventkit_proto::eventkit::v1::{self as pb, *};
use uuid::Uuid;

const ROLE_NAME: TextRule = TextRule::required(100);
const ROLE_DESCRIPTION: TextRule = TextRule::optional(500);
pub(super) const COLUMNS: &str = "id, builtin, name, description, permissions, created_at";

#[derive(sqlx::FromRow)]
pub(super) struct RoleRow {
    pub id: RoleId,
    pub builtin: Option<String>,
    pub name: String,
    pub description: String,
    pub permissions: Vec<String>,
    pub created_at: DateTime<Utc>,
}

impl RoleRow {
    /// What the role grants: a built-in role's permissions come from the code, a custom
    /// role's from its row.
    pub fn grants(&self) -> Vec<&str> {
        match self.builtin.as_deref().and_then(BuiltinRole::parse) {
            Some(role) => role.permissions().to_vec(),
            None => self.permissions.iter().map(String::as_str).collect(),
        }
    }

    pub fn into_pb(self) -> pb::Role {
        let permissions = self.grants().into_iter().map(str::to_owned).collect();
        pb::Role {
            id: self.id.to_string(),
            name: self.name,
            description: self.description,
            permissions,
            builtin: self.builtin.unwrap_or_default(),
            create_time: Some(timestamp(self.created_at)),
        }
    }
}

async fn fetch(tx: &mut TenantTx, id: RoleId) -> Result<RoleRow, ApiError> {
    sqlx::query_as(&format!("select {COLUMNS} from roles where id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| ApiError::not_found("role", id))
}

/// Parses `role_ids` (at least one) and checks each is a role of the tenant that `p` may
/// give to someone ([`require_grantable`]).
pub(super) async fn parse_role_ids(
    tx: &mut TenantTx,
    p: &Principal,
    raw: &[String],
) -> Result<Vec<RoleId>, ApiError> {
    if raw.is_empty() {
        return Err(ApiError::invalid("role_ids", "name at least one role"));
    }
    let mut ids = Vec::with_capacity(raw.len());
    for (i, r) in raw.iter().enumerate() {
        ids.push(RoleId::parse(&format!("role_ids[{i}]"), r)?);
    }
    ids.sort();
    ids.dedup();
    require_grantable(tx, p, &ids).await?;
    Ok(ids)
}

/// Checks that each of `ids` is a role of the tenant and that `p` holds every permission it
/// grants (built-in roles included: only who holds `*` may give the Admin role), so nobody
/// hands out more than they hold by giving a role.
pub(super) async fn require_grantable(
    tx: &mut TenantTx,
    p: &Principal,
    ids: &[RoleId],
) -> Result<(), ApiError> {
    let uuids: Vec<Uuid> = ids.iter().copied().map(Uuid::from).collect();
    let rows: Vec<RoleRow> =
        sqlx::query_as(&format!("select {COLUMNS} from roles where id = any($1)"))
            .bind(uuids)
            .fetch_all(&mut **tx)
            .await?;
    for id in ids {
        let row = rows
            .iter()
            .find(|r| r.id == *id)
            .ok_or_else(|| ApiError::not_found("role", id))?;
        permissions::require_held(p, &format!("the role {}", row.name), row.grants())?;
    }
    Ok(())
}

impl Admin {
    pub async fn list_roles(
        &self,
        p: &Principal,
        req: ListRolesRequest,
    ) -> Result<ListRolesResponse, ApiError> {
        let page = Page::parse(req.page.as_ref())?;
        let mut tx = self.tx(p).await?;
        let sql = page.select(COLUMNS, "roles", tx.tenant_id());
        let (rows, page) = page.fetch(sql, &mut tx, |r: &RoleRow| r.id).await?;
        tx.commit().await?;
        Ok(ListRolesResponse {
            roles: rows.into_iter().map(RoleRow::into_pb).collect(),
            page,
        })
    }

    pub async fn create_role(
        &self,
        p: &Principal,
        req: CreateRoleRequest,
    ) -> Result<CreateRoleResponse, ApiError> {
        let name = ROLE_NAME.parse("name", &req.name)?;
        let description = ROLE_DESCRIPTION.parse("description", &req.description)?;
        let granted =
            permissions::grantable(p, "permissions", "a role's permissions", &req.permissions)?;
        let mut tx = self.tx(p).await?;
        let row: RoleRow = sqlx::query_as(&format!(
            "insert into roles (tenant_id, id, name, description, permissions) \
             values ($1, $2, $3, $4, $5) returning {COLUMNS}"
        ))
        .bind(tx.tenant_id())
        .bind(id::new_id())
        .bind(&name)
        .bind(&description)
        .bind(&granted)
        .fetch_one(&mut *tx)
        .await?;
        self.role_changed(&mut tx, p, outbox::Event::RoleCreated, &row)
            .await?;
        tx.commit().await?;
        Ok(CreateRoleResponse {
            role: Some(row.into_pb()),
        })
    }

    pub async fn update_role(
        &self,
        p: &Principal,
        req: UpdateRoleRequest,
    ) -> Result<UpdateRoleResponse, ApiError> {
        let role = req.role.unwrap_or_default();
        let id = RoleId::parse("role.id", &role.id)?;
        let paths = update_mask(
            req.update_mask.as_ref(),
            &["name", "description", "permissions"],
        )?;
        let mut tx = self.tx(p).await?;
        let mut row = fetch(&mut tx, id).await?;
        if row.builtin.is_some() {
            return Err(ApiError::FailedPrecondition(
                "built-in roles cannot be changed; make a custom role instead".into(),
            ));
        }
        for path in &paths {
            match *path {
                "name" => row.name = ROLE_NAME.parse("role.name", &role.name)?,
                "description" => {
                    row.description =
                        ROLE_DESCRIPTION.parse("role.description", &role.description)?
                }
                _ => {
                    row.permissions = permissions::grantable(
                        p,
                        "role.permissions",
                        "a role's permissions",
                        &role.permissions,
                    )?
                }
            }
        }
        let row: RoleRow = sqlx::query_as(&format!(
            "update roles set name = $2, description = $3, permissions = $4, updated_at = now() \
             where id = $1 returning {COLUMNS}"
        ))
        .bind(id)
        .bind(&row.name)
        .bind(&row.description)
        .bind(&row.permissions)
        .fetch_one(&mut *tx)
        .await?;
        self.role_changed(&mut tx, p, outbox::Event::RoleUpdated, &row)
            .await?;
        let holders: Vec<UserId> =
            sqlx::query_scalar("select user_id from membership_roles where role_id = $1")
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
        tx.commit().await?;
        for user_id in holders {
            self.forget_member(p.tenant_id, user_id).await;
        }
        Ok(UpdateRoleResponse {
            role: Some(row.into_pb()),
        })
    }

    pub async fn delete_role(
        &self,
        p: &Principal,
        req: DeleteRoleRequest,
    ) -> Result<DeleteRoleResponse, ApiError> {
        let id = RoleId::parse("id", &req.id)?;
        let mut tx = self.tx(p).await?;
        let row = fetch(&mut tx, id).await?;
        if row.builtin.is_some() {
            return Err(ApiError::FailedPrecondition(
                "built-in roles cannot be deleted".into(),
            ));
        }
        let held: i64 =
            sqlx::query_scalar("select count(*) from membership_roles where role_id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
        if held > 0 {
            return Err(ApiError::FailedPrecondition(format!(
                "{held} member(s) hold this role: give them other roles first"
            )));
        }
        sqlx::query("delete from roles where id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        self.role_changed(&mut tx, p, outbox::Event::RoleDeleted, &row)
            .await?;
        tx.commit().await?;
        Ok(DeleteRoleResponse {})
    }

    /// The outbox event (webhooks) and the security-log entry (of the same name and detail) of
    /// a role change.
    async fn role_changed(
        &self,
        tx: &mut TenantTx,
        p: &Principal,
        event: fn(RoleChanged) -> outbox::Event,
        row: &RoleRow,
    ) -> Result<(), ApiError> {
        let event = event(RoleChanged {
            id: row.id,
            name: row.name.clone(),
            permissions: row.permissions.clone(),
        });
        let (kind, detail) = (event.event_type().as_str(), event.data());
        outbox::emit(tx, row.id, event).await?;
        self.log(tx, p, kind, &format!("role:{}", row.id), detail)
            .await
    }
}
