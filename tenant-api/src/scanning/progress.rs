//! What an event's pull list asks for against what went out and came back ("what is missing"),
//! and the status log of an asset.

use super::Scanning;
use crate::{inventory::asset_status_to_pb, store, wire::timestamp};
use chrono::{DateTime, Utc};
use eventkit_domain::ids::{AssetId, EventId};
use eventkit_domain::inventory::AssetStatus;
use eventkit_platform::{ApiError, auth::Principal};
use eventkit_proto::eventkit::v1::{self as pb, line_progress::Item, *};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct ProgressRow {
    id: Uuid,
    product_id: Option<Uuid>,
    asset_id: Option<Uuid>,
    case_id: Option<Uuid>,
    quantity: i64,
    out_quantity: i64,
    returned_quantity: i64,
    consumed_quantity: i64,
}

#[derive(sqlx::FromRow)]
struct ChangeRow {
    id: Uuid,
    asset_id: Uuid,
    from_status: String,
    to_status: String,
    event_id: Option<Uuid>,
    reason: String,
    actor: String,
    created_at: DateTime<Utc>,
}

fn status_pb(raw: &str) -> i32 {
    AssetStatus::from_db(raw).map_or(pb::AssetStatus::Unspecified, asset_status_to_pb) as i32
}

impl From<ChangeRow> for pb::AssetStatusChange {
    fn from(r: ChangeRow) -> Self {
        pb::AssetStatusChange {
            id: r.id.to_string(),
            asset_id: r.asset_id.to_string(),
            from_status: status_pb(&r.from_status),
            to_status: status_pb(&r.to_status),
            event_id: crate::wire::opt_id(r.event_id),
            reason: r.reason,
            actor: r.actor,
            create_time: Some(timestamp(r.created_at)),
        }
    }
}

fn count(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

impl Scanning {
    pub async fn get_event_progress(
        &self,
        p: &Principal,
        req: GetEventProgressRequest,
    ) -> Result<GetEventProgressResponse, ApiError> {
        let event = EventId::parse("event_id", &req.event_id)?;
        let mut tx = self.db.tx(p).await?;
        store::require_exists::<crate::planning::EventRow>(&mut tx, "event_id", event).await?;
        // Bulk lines count on the line; serialised units are the assets out against it.
        let rows: Vec<ProgressRow> = sqlx::query_as(
            "select l.id, l.product_id, l.asset_id, l.case_id, \
               case when l.case_id is not null \
                    then (select count(*) from assets a where a.tenant_id = l.tenant_id \
                          and a.case_id in (select ek_case_tree(l.tenant_id, l.case_id))) \
                    else l.quantity end::bigint as quantity, \
               (l.out_quantity + count(ea.asset_id))::bigint as out_quantity, \
               (l.returned_quantity + count(ea.returned_at))::bigint as returned_quantity, \
               l.consumed_quantity::bigint as consumed_quantity \
             from event_lines l \
             left join event_assets ea on ea.tenant_id = l.tenant_id and ea.line_id = l.id \
             where l.tenant_id = $1 and l.event_id = $2 group by l.tenant_id, l.id order by l.id",
        )
        .bind(tx.tenant_id())
        .bind(event)
        .fetch_all(&mut *tx)
        .await?;
        let missing: Vec<Uuid> = sqlx::query_scalar(
            "select asset_id from event_assets where tenant_id = $1 and event_id = $2 and returned_at is null order by asset_id",
        )
        .bind(tx.tenant_id())
        .bind(event)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let lines = rows
            .into_iter()
            .map(|r| {
                let item = match (r.product_id, r.asset_id, r.case_id) {
                    (Some(p), _, _) => Item::ProductId(p.to_string()),
                    (_, Some(a), _) => Item::AssetId(a.to_string()),
                    (_, _, c) => Item::CaseId(crate::wire::opt_id(c)),
                };
                LineProgress {
                    line_id: r.id.to_string(),
                    item: Some(item),
                    quantity: count(r.quantity),
                    out_quantity: count(r.out_quantity),
                    returned_quantity: count(r.returned_quantity),
                    missing_quantity: count(
                        r.out_quantity - r.returned_quantity - r.consumed_quantity,
                    ),
                    consumed_quantity: count(r.consumed_quantity),
                }
            })
            .collect();
        Ok(GetEventProgressResponse {
            lines,
            missing_asset_ids: missing.iter().map(Uuid::to_string).collect(),
        })
    }

    pub async fn list_asset_status_log(
        &self,
        p: &Principal,
        req: ListAssetStatusLogRequest,
    ) -> Result<ListAssetStatusLogResponse, ApiError> {
        let mut v = eventkit_domain::Violations::new();
        let page = v.check(crate::paging::Page::parse(req.page.as_ref()));
        let asset = v.check(AssetId::parse_optional("asset_id", &req.asset_id));
        v.finish()?;
        let (page, asset) = (page.unwrap(), asset.unwrap());
        let mut tx = self.db.tx(p).await?;
        let mut sql = page.select(
            "id, asset_id, from_status, to_status, event_id, reason, actor, created_at",
            "asset_status_log",
            tx.tenant_id(),
        );
        if let Some(asset) = asset {
            sql.push(" and asset_id = ").push_bind(asset);
        }
        let (rows, page) = page.fetch(sql, &mut tx, |r: &ChangeRow| r.id).await?;
        tx.commit().await?;
        Ok(ListAssetStatusLogResponse {
            changes: rows.into_iter().map(Into::into).collect(),
            page,
        })
    }
}
