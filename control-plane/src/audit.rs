//! The operator audit: one insert-only row per operator action — who (the token's name), what
//! (the RPC and a JSON detail of the change), why (the `reason` the operator gave) and when —
//! written in the same transaction as the change, so the record exists exactly when the
//! change does. `eventkit_control` cannot update or delete these rows (migration 0020).

use crate::ControlPlane;
use chrono::{DateTime, Utc};
use eventkit_domain::ids::TenantId;
use eventkit_domain::{FieldViolation, text::TextRule};
use eventkit_platform::ApiError;
use eventkit_platform::auth::Operator;
use eventkit_proto::controlplane::v1::*;
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

const REASON: TextRule = TextRule::optional(500);

/// A reason as given; `required` for actions that lock users out or destroy data.
pub fn parse_reason(raw: &str, required: bool) -> Result<String, FieldViolation> {
    let reason = REASON.parse("reason", raw)?;
    if required && reason.is_empty() {
        return Err(FieldViolation::new(
            "reason",
            "is required for this action: say why (it is kept in the operator audit)",
        ));
    }
    Ok(reason)
}

/// Records what `operator` did (`action`, an RPC name) to `tenant_id`, why and how.
pub async fn record(
    conn: &mut PgConnection,
    operator: &Operator,
    action: &str,
    tenant_id: Option<TenantId>,
    reason: &str,
    detail: Value,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into operator_audit (id, operator_id, operator_name, action, target_tenant_id, reason, detail) \
         values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(eventkit_domain::id::new_id())
    .bind(operator.token_id)
    .bind(&operator.name)
    .bind(action)
    .bind(tenant_id)
    .bind(reason)
    .bind(detail)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    operator_name: String,
    action: String,
    target_tenant_id: Option<TenantId>,
    reason: String,
    detail: Value,
    created_at: DateTime<Utc>,
}

impl ControlPlane {
    /// Newest first, optionally for one tenant; keyset paging on the (time-ordered) id.
    pub async fn list_audit_events(
        &self,
        _: &Operator,
        req: ListAuditEventsRequest,
    ) -> Result<ListAuditEventsResponse, ApiError> {
        let mut v = eventkit_domain::Violations::new();
        let tenant = v.check(TenantId::parse_optional("tenant_id", &req.tenant_id));
        let after = v.check(eventkit_domain::id::parse_optional_id(
            "page_token",
            &req.page_token,
        ));
        let size = v.check(crate::registry::page_size(req.page_size));
        v.finish()?;
        let size = size.unwrap();
        const LIST: &str = "select id, operator_name, action, target_tenant_id, reason, detail, created_at \
            from operator_audit where ($1::uuid is null or target_tenant_id = $1) \
            and ($2::uuid is null or id < $2) order by id desc limit $3";
        let rows: Vec<Row> = sqlx::query_as(LIST)
            .bind(tenant.flatten())
            .bind(after.flatten())
            .bind(size + 1)
            .fetch_all(self.db.pool())
            .await?;
        let (rows, next_page_token) = crate::registry::split_page(rows, size, |r| r.id);
        Ok(ListAuditEventsResponse {
            events: rows
                .into_iter()
                .map(|r| AuditEvent {
                    id: r.id.to_string(),
                    operator: r.operator_name,
                    action: r.action,
                    tenant_id: r
                        .target_tenant_id
                        .map(|t| t.to_string())
                        .unwrap_or_default(),
                    reason: r.reason,
                    detail: r.detail.to_string(),
                    create_time: Some(crate::registry::timestamp(r.created_at)),
                })
                .collect(),
            next_page_token,
        })
    }
}
