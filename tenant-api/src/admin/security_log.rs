//! The tenant's security log for admins (`admin:audit`): newest first, optionally one kind.

use super::Admin;
use crate::{paging::Page, wire::timestamp};
use chrono::{DateTime, Utc};
use eventkit_platform::{ApiError, auth::Principal};
use eventkit_proto::eventkit::v1::{self as pb, *};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct EventRow {
    id: Uuid,
    kind: String,
    actor: String,
    subject: String,
    address: Option<String>,
    occurred_at: DateTime<Utc>,
    detail: serde_json::Value,
}

impl Admin {
    pub async fn list_security_events(
        &self,
        p: &Principal,
        req: ListSecurityEventsRequest,
    ) -> Result<ListSecurityEventsResponse, ApiError> {
        let page = Page::parse(req.page.as_ref())?.newest_first();
        let kind = req.kind.trim();
        if kind.len() > 100 {
            return Err(ApiError::invalid("kind", "must be at most 100 characters"));
        }
        let mut tx = self.tx(p).await?;
        let mut sql = page.select(
            "id, kind, actor, subject, address, occurred_at, detail",
            "security_events",
            tx.tenant_id(),
        );
        if !kind.is_empty() {
            sql.push(" and kind = ").push_bind(kind.to_owned());
        }
        let (rows, page) = page.fetch(sql, &mut tx, |r: &EventRow| r.id).await?;
        tx.commit().await?;
        Ok(ListSecurityEventsResponse {
            events: rows
                .into_iter()
                .map(|r| pb::SecurityEvent {
                    id: r.id.to_string(),
                    kind: r.kind,
                    actor: r.actor,
                    subject: r.subject,
                    address: r.address.unwrap_or_default(),
                    occur_time: Some(timestamp(r.occurred_at)),
                    detail_json: r.detail.to_string(),
                })
                .collect(),
            page,
        })
    }
}
