//! Reading the tenant registry (the control plane's policy shows it every row) and turning
//! rows into the wire `Tenant`; plus the paging and time helpers the list RPCs share.

use chrono::{DateTime, Utc};
use eventkit_domain::ids::TenantId;
use eventkit_domain::{FieldViolation, lifecycle::TenantState};
use eventkit_platform::ApiError;
use eventkit_proto::controlplane::v1::{self as pb};
use sqlx::PgConnection;
use uuid::Uuid;

pub const TENANT_COLUMNS: &str = "id, name, state, plan, admin_email, admin_email_verified_at, created_at, updated_at, deletion_due_at, erased_at";

#[derive(sqlx::FromRow, Debug, Clone)]
pub struct TenantRow {
    pub id: TenantId,
    pub name: String,
    pub state: String,
    pub plan: String,
    pub admin_email: Option<String>,
    pub admin_email_verified_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deletion_due_at: Option<DateTime<Utc>>,
    pub erased_at: Option<DateTime<Utc>>,
}

impl TenantRow {
    pub fn state(&self) -> Result<TenantState, ApiError> {
        TenantState::from_db(&self.state).ok_or_else(|| {
            ApiError::Internal(anyhow::anyhow!(
                "tenant {} has unknown state {:?}",
                self.id,
                self.state
            ))
        })
    }
}

pub fn state_to_pb(state: TenantState) -> pb::TenantState {
    match state {
        TenantState::PendingApproval => pb::TenantState::PendingApproval,
        TenantState::Provisioning => pb::TenantState::Provisioning,
        TenantState::Active => pb::TenantState::Active,
        TenantState::Suspended => pb::TenantState::Suspended,
        TenantState::PendingDeletion => pb::TenantState::PendingDeletion,
        TenantState::Erased => pb::TenantState::Erased,
    }
}

/// A state filter from the wire; unspecified is none.
pub fn state_from_pb(field: &str, raw: i32) -> Result<Option<TenantState>, FieldViolation> {
    match pb::TenantState::try_from(raw) {
        Ok(pb::TenantState::Unspecified) => Ok(None),
        Ok(s) => Ok(TenantState::ALL.into_iter().find(|t| state_to_pb(*t) == s)),
        Err(_) => Err(FieldViolation::new(field, format!("unknown state {raw}"))),
    }
}

impl From<TenantRow> for pb::Tenant {
    fn from(r: TenantRow) -> Self {
        let state =
            TenantState::from_db(&r.state).map_or(pb::TenantState::Unspecified, state_to_pb);
        pb::Tenant {
            id: r.id.to_string(),
            name: r.name,
            state: state as i32,
            plan: r.plan,
            admin_email: r.admin_email.unwrap_or_default(),
            create_time: Some(timestamp(r.created_at)),
            update_time: Some(timestamp(r.updated_at)),
            deletion_due_time: r.deletion_due_at.map(timestamp),
            erase_time: r.erased_at.map(timestamp),
            admin_email_verify_time: r.admin_email_verified_at.map(timestamp),
        }
    }
}

/// The tenant's row (locked for the rest of the transaction with `for_update`), or `not_found`.
pub async fn fetch(
    conn: &mut PgConnection,
    id: TenantId,
    for_update: bool,
) -> Result<TenantRow, ApiError> {
    let lock = if for_update { " for update" } else { "" };
    sqlx::query_as(&format!(
        "select {TENANT_COLUMNS} from tenants where id = $1{lock}"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| ApiError::not_found("tenant", id))
}

/// A tenant id from the wire: a UUID that names an existing tenant.
pub fn parse_tenant_id(raw: &str) -> Result<TenantId, FieldViolation> {
    TenantId::parse("tenant_id", raw)
}

pub async fn settings(
    conn: &mut PgConnection,
    tenant_id: TenantId,
) -> Result<Option<pb::TenantSettings>, sqlx::Error> {
    let row: Option<(String, String, String, i32)> = sqlx::query_as(
        "select currency, locale, time_zone, tax_rate_bp from tenant_settings where tenant_id = $1",
    )
    .bind(tenant_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(
        |(currency, locale, time_zone, tax_rate_bp)| pb::TenantSettings {
            currency,
            locale,
            time_zone,
            tax_rate_bp,
        },
    ))
}

/// Tenants in creation (id) order after `page_token`, optionally in one state.
pub async fn list(
    pool: &sqlx::PgPool,
    req: pb::ListTenantsRequest,
) -> Result<pb::ListTenantsResponse, ApiError> {
    let mut v = eventkit_domain::Violations::new();
    let after = v.check(eventkit_domain::id::parse_optional_id(
        "page_token",
        &req.page_token,
    ));
    let size = v.check(page_size(req.page_size));
    let state = v.check(state_from_pb("state", req.state));
    v.finish()?;
    let size = size.unwrap();
    let rows: Vec<TenantRow> = sqlx::query_as(&format!(
        "select {TENANT_COLUMNS} from tenants where ($1::uuid is null or id > $1) \
         and ($2::text is null or state = $2) order by id limit $3"
    ))
    .bind(after.flatten())
    .bind(state.flatten().map(TenantState::as_str))
    .bind(size + 1)
    .fetch_all(pool)
    .await?;
    let (rows, next_page_token) = split_page(rows, size, |r| r.id);
    Ok(pb::ListTenantsResponse {
        tenants: rows.into_iter().map(Into::into).collect(),
        next_page_token,
    })
}

/// `page_size`: default 50, at most 500.
pub fn page_size(raw: i32) -> Result<i64, FieldViolation> {
    match raw {
        0 => Ok(50),
        1..=500 => Ok(i64::from(raw)),
        _ => Err(FieldViolation::new(
            "page_size",
            "must be between 1 and 500",
        )),
    }
}

/// Rows fetched with one extra: the page, and the token for the next one (the last id, a
/// UUID or a typed id).
pub fn split_page<T, I: Into<Uuid>>(
    mut rows: Vec<T>,
    size: i64,
    id: impl Fn(&T) -> I,
) -> (Vec<T>, String) {
    if rows.len() as i64 > size {
        rows.truncate(size as usize);
        let token = rows
            .last()
            .map(|r| id(r).into().to_string())
            .unwrap_or_default();
        (rows, token)
    } else {
        (rows, String::new())
    }
}

/// A database time as a protobuf `Timestamp`.
pub fn timestamp(t: DateTime<Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: t.timestamp(),
        nanos: t.timestamp_subsec_nanos() as i32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_default_to_50_and_carry_the_last_id() {
        assert_eq!(page_size(0).unwrap(), 50);
        assert_eq!(page_size(500).unwrap(), 500);
        assert!(page_size(501).is_err() && page_size(-1).is_err());
        let ids: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
        let (page, token) = split_page(ids.clone(), 2, |id| *id);
        assert_eq!((page.len(), token), (2, ids[1].to_string()));
        let (page, token) = split_page(ids.clone(), 3, |id| *id);
        assert_eq!((page.len(), token.as_str()), (3, ""));
    }

    #[test]
    fn states_map_both_ways() {
        for state in TenantState::ALL {
            let wire = state_to_pb(state) as i32;
            assert_eq!(state_from_pb("state", wire).unwrap(), Some(state));
        }
        assert_eq!(state_from_pb("state", 0).unwrap(), None);
        assert_eq!(state_from_pb("state", 99).unwrap_err().field, "state");
    }
}
