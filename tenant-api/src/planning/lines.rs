//! Pull lists: what an event takes out — products with quantities, specific serialised assets,
//! or cases. A line copies its event's period and reserving verdict on insert, so it counts in
//! availability at once; an asset or case line is checked against double bookings.

use super::{
    Planning, events, require_live,
    rows::{LINE_COLUMNS, LineRow, status_of},
};
use crate::{
    bookings,
    store::{self, Lock, fetch},
};
use eventkit_domain::ids::{AssetId, CaseId, EventId, ProductId, PullListLineId};
use eventkit_domain::{FieldViolation, Violations, id, planning as rules};
use eventkit_platform::{ApiError, auth::Principal, db::TenantTx, outbox};
use eventkit_proto::eventkit::v1::{self as pb, add_pull_list_line_request::Item, *};

/// What a line asks for, checked.
enum Wanted {
    Product(ProductId, i32),
    Asset(AssetId),
    Case(CaseId),
}

fn parse_item(item: Option<&Item>, quantity: i32) -> Result<Wanted, Vec<FieldViolation>> {
    let single = |field: &str| match quantity {
        0 | 1 => Ok(()),
        _ => Err(FieldViolation::new(
            "quantity",
            format!("must be 0 or 1 for a line of one {field}"),
        )),
    };
    let mut v = Violations::new();
    let wanted = match item {
        None => {
            v.push(FieldViolation::new(
                "item",
                "one of product_id, asset_id or case_id is required",
            ));
            None
        }
        Some(Item::ProductId(raw)) => {
            let product = v.check(ProductId::parse("product_id", raw));
            let quantity = v.check(rules::quantity("quantity", quantity, Some(1)));
            product.zip(quantity).map(|(p, q)| Wanted::Product(p, q))
        }
        Some(Item::AssetId(raw)) => {
            let asset = v.check(AssetId::parse("asset_id", raw));
            v.check(single("asset"));
            asset.map(Wanted::Asset)
        }
        Some(Item::CaseId(raw)) => {
            let case = v.check(CaseId::parse("case_id", raw));
            v.check(single("case"));
            case.map(Wanted::Case)
        }
    };
    v.finish()?;
    Ok(wanted.expect("no violations means a value"))
}

/// Refuses changes to the pull list of a returned, completed, cancelled or deleted event.
fn ensure_open(event: &super::rows::EventRow) -> Result<(), ApiError> {
    let status = status_of(&event.status);
    let closed = matches!(
        status,
        rules::EventStatus::Returned
            | rules::EventStatus::Completed
            | rules::EventStatus::Cancelled
    );
    if event.deleted_at.is_some() || closed {
        return Err(ApiError::FailedPrecondition(format!(
            "event {} is {}; its pull list is closed",
            event.id,
            if event.deleted_at.is_some() {
                "deleted"
            } else {
                status.as_str()
            }
        )));
    }
    Ok(())
}

async fn emit(
    tx: &mut TenantTx,
    event: fn(pb::PullListLine) -> outbox::Event,
    row: LineRow,
) -> Result<pb::PullListLine, ApiError> {
    let id = row.id;
    let line = pb::PullListLine::from(row);
    outbox::emit(tx, id, event(line.clone())).await?;
    Ok(line)
}

impl Planning {
    pub async fn add_pull_list_line(
        &self,
        p: &Principal,
        req: AddPullListLineRequest,
    ) -> Result<AddPullListLineResponse, ApiError> {
        let mut v = Violations::new();
        let event_id = v.check(EventId::parse("event_id", &req.event_id));
        let wanted = v.check_all(parse_item(req.item.as_ref(), req.quantity));
        v.finish()?;
        let (event_id, wanted) = (event_id.unwrap(), wanted.unwrap());

        let mut tx = self.tx(p).await?;
        let event = events::fetch(&mut tx, event_id, Lock::ForUpdate)
            .await
            .map_err(store::in_field("event_id"))?;
        let (product, asset, case, quantity) = match wanted {
            Wanted::Product(id, q) => {
                require_live::<crate::inventory::ProductRow>(&mut tx, "product_id", id).await?;
                (Some(id), None, None, q)
            }
            Wanted::Asset(id) => {
                require_live::<crate::inventory::AssetRow>(&mut tx, "asset_id", id).await?;
                (None, Some(id), None, 1)
            }
            Wanted::Case(id) => {
                require_live::<crate::inventory::CaseRow>(&mut tx, "case_id", id).await?;
                (None, None, Some(id), 1)
            }
        };
        ensure_open(&event)?;
        let row: LineRow = sqlx::query_as(&format!(
            "insert into event_lines (tenant_id, id, event_id, product_id, asset_id, case_id, quantity) \
             values ($1, $2, $3, $4, $5, $6, $7) returning {LINE_COLUMNS}"
        ))
        .bind(tx.tenant_id())
        .bind(id::new_id())
        .bind(event_id)
        .bind(product)
        .bind(asset)
        .bind(case)
        .bind(quantity)
        .fetch_one(&mut *tx)
        .await?;
        bookings::sync_lines(&mut tx, Some(event_id.into())).await?;
        if product.is_none() {
            bookings::ensure_no_double_booking(&mut tx, Some(event_id.into())).await?;
        }
        let line = emit(&mut tx, outbox::Event::PullListLineCreated, row).await?;
        tx.commit().await?;
        Ok(AddPullListLineResponse { line: Some(line) })
    }

    pub async fn update_pull_list_line(
        &self,
        p: &Principal,
        req: UpdatePullListLineRequest,
    ) -> Result<UpdatePullListLineResponse, ApiError> {
        let line = req
            .line
            .ok_or_else(|| ApiError::invalid("line", "is required"))?;
        let id = PullListLineId::parse("line.id", &line.id)?;
        crate::fields::update_mask(req.update_mask.as_ref(), &["quantity"])?;
        let quantity = rules::quantity("line.quantity", line.quantity, None)?;

        let mut tx = self.tx(p).await?;
        let current: LineRow = fetch(&mut tx, id, Lock::ForUpdate).await?;
        if current.product_id.is_none() {
            return Err(ApiError::invalid(
                "line.quantity",
                "a line of one asset or case always has quantity 1",
            ));
        }
        let event = events::fetch(&mut tx, current.event_id, Lock::ForUpdate).await?;
        ensure_open(&event)?;
        let out: i64 = sqlx::query_scalar(
            "select l.out_quantity - l.returned_quantity - l.consumed_quantity + (select count(*) from event_assets ea \
                 where ea.tenant_id = l.tenant_id and ea.line_id = l.id and ea.returned_at is null) \
             from event_lines l where l.tenant_id = $1 and l.id = $2",
        )
        .bind(tx.tenant_id())
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        if i64::from(quantity) < out {
            return Err(ApiError::FailedPrecondition(format!(
                "{out} units of this line are still out; the quantity cannot go below that"
            )));
        }
        let row: LineRow = sqlx::query_as(&format!(
            "update event_lines set quantity = $3 where tenant_id = $1 and id = $2 returning {LINE_COLUMNS}"
        ))
        .bind(tx.tenant_id())
        .bind(id)
        .bind(quantity)
        .fetch_one(&mut *tx)
        .await?;
        let line = emit(&mut tx, outbox::Event::PullListLineUpdated, row).await?;
        tx.commit().await?;
        Ok(UpdatePullListLineResponse { line: Some(line) })
    }

    pub async fn remove_pull_list_line(
        &self,
        p: &Principal,
        req: RemovePullListLineRequest,
    ) -> Result<RemovePullListLineResponse, ApiError> {
        let id = PullListLineId::parse("id", &req.id)?;
        let mut tx = self.tx(p).await?;
        let row: LineRow = fetch(&mut tx, id, Lock::ForUpdate).await?;
        sqlx::query("delete from event_lines where tenant_id = $1 and id = $2")
            .bind(tx.tenant_id())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let line = emit(&mut tx, outbox::Event::PullListLineDeleted, row).await?;
        tx.commit().await?;
        Ok(RemovePullListLineResponse { line: Some(line) })
    }

    pub async fn list_pull_list_lines(
        &self,
        p: &Principal,
        req: ListPullListLinesRequest,
    ) -> Result<ListPullListLinesResponse, ApiError> {
        let mut v = Violations::new();
        let page = v.check(crate::paging::Page::parse(req.page.as_ref()));
        let event = v.check(EventId::parse_optional("event_id", &req.event_id));
        v.finish()?;
        let (page, event) = (page.unwrap(), event.unwrap());

        let mut tx = self.tx(p).await?;
        let mut sql = page.select(LINE_COLUMNS, "event_lines", tx.tenant_id());
        if let Some(event) = event {
            sql.push(" and event_id = ").push_bind(event);
        }
        let (rows, page) = page.fetch(sql, &mut tx, |r: &LineRow| r.id).await?;
        tx.commit().await?;
        Ok(ListPullListLinesResponse {
            lines: rows.into_iter().map(Into::into).collect(),
            page,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_need_one_kind_and_a_fitting_quantity() {
        let id = uuid::Uuid::now_v7().to_string();
        assert!(matches!(
            parse_item(Some(&Item::ProductId(id.clone())), 0),
            Ok(Wanted::Product(_, 1))
        ));
        assert_eq!(parse_item(None, 1).err().unwrap()[0].field, "item");
        assert_eq!(
            parse_item(Some(&Item::AssetId(id.clone())), 2)
                .err()
                .unwrap()[0]
                .field,
            "quantity"
        );
        let both = parse_item(Some(&Item::CaseId("x".into())), 5)
            .err()
            .unwrap();
        assert_eq!(both.len(), 2);
    }
}
