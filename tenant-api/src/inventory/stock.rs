//! Bulk stock: units of a quantity-tracked product per location. A level that falls to the
//! product's reorder level — set by hand, or used up on an event ([`consume`]) — emits
//! `stock.low` (once, when it crosses), so consumables get re-ordered.

use super::Inventory;
use crate::store::require_live;
use crate::wire::timestamp;
use chrono::{DateTime, Utc};
use eventkit_domain::ids::{LocationId, ProductId};
use eventkit_domain::{FieldViolation, Violations, events::payloads::StockLow, id};
use eventkit_platform::{ApiError, auth::Principal, db::TenantTx, outbox};
use eventkit_proto::eventkit::v1::{self as pb, *};
use uuid::Uuid;

const MAX_STOCK: i32 = 1_000_000;

const COLUMNS: &str = "id, product_id, location_id, quantity, in_repair, reorder_level, updated_at";

#[derive(sqlx::FromRow)]
struct StockLevelRow {
    id: Uuid,
    product_id: ProductId,
    location_id: LocationId,
    quantity: i32,
    in_repair: i32,
    reorder_level: i32,
    updated_at: DateTime<Utc>,
}

impl StockLevelRow {
    /// Units not in repair.
    fn usable(&self) -> i32 {
        self.quantity - self.in_repair
    }

    fn is_low(&self) -> bool {
        self.reorder_level > 0 && self.usable() <= self.reorder_level
    }
}

impl From<StockLevelRow> for pb::StockLevel {
    fn from(r: StockLevelRow) -> Self {
        pb::StockLevel {
            id: r.id.to_string(),
            product_id: r.product_id.to_string(),
            location_id: r.location_id.to_string(),
            quantity: r.quantity,
            in_repair_quantity: r.in_repair,
            reorder_level: r.reorder_level,
            update_time: Some(timestamp(r.updated_at)),
        }
    }
}

/// Emits a level's change (`stock_level.created` when `was_low` is `None`: there was no level
/// before, else `stock_level.updated`) and `stock.low` when it has just fallen to its reorder
/// level.
async fn announce(
    tx: &mut TenantTx,
    row: StockLevelRow,
    was_low: Option<bool>,
) -> Result<pb::StockLevel, ApiError> {
    let low = row.is_low() && was_low != Some(true);
    let low_stock = StockLow {
        product_id: row.product_id,
        location_id: row.location_id,
        quantity: row.usable(),
        reorder_level: row.reorder_level,
    };
    let id = row.id;
    let level = pb::StockLevel::from(row);
    let event = if was_low.is_some() {
        outbox::Event::StockLevelUpdated
    } else {
        outbox::Event::StockLevelCreated
    };
    outbox::emit(tx, id, event(level.clone())).await?;
    if low {
        let product = low_stock.product_id;
        outbox::emit(tx, product, outbox::Event::StockLow(low_stock)).await?;
    }
    Ok(level)
}

/// Takes `units` of a consumable off its stock: from the locations with the most usable units
/// first, never below what is in repair; returns how many could be taken (less when the
/// recorded stock was short — the count was wrong, and a stocktake will say so).
pub(crate) async fn consume(tx: &mut TenantTx, product: Uuid, units: i32) -> Result<i32, ApiError> {
    let levels: Vec<StockLevelRow> = sqlx::query_as(&format!(
        "select {COLUMNS} from stock_levels where tenant_id = $1 and product_id = $2 \
         and quantity > in_repair order by quantity - in_repair desc, id for update"
    ))
    .bind(tx.tenant_id())
    .bind(product)
    .fetch_all(&mut **tx)
    .await?;
    let mut left = units;
    for level in levels {
        if left == 0 {
            break;
        }
        let take = left.min(level.usable());
        left -= take;
        let was_low = level.is_low();
        let row: StockLevelRow = sqlx::query_as(&format!(
            "update stock_levels set quantity = quantity - $3, updated_at = now() \
             where tenant_id = $1 and id = $2 returning {COLUMNS}"
        ))
        .bind(tx.tenant_id())
        .bind(level.id)
        .bind(take)
        .fetch_one(&mut **tx)
        .await?;
        announce(tx, row, Some(was_low)).await?;
    }
    Ok(units - left)
}

fn count(field: &str, raw: i32, max: i32) -> Result<i32, FieldViolation> {
    if (0..=max).contains(&raw) {
        Ok(raw)
    } else {
        Err(FieldViolation::new(
            field,
            format!("must be between 0 and {max}"),
        ))
    }
}

impl Inventory {
    pub async fn set_stock_level(
        &self,
        p: &Principal,
        req: SetStockLevelRequest,
    ) -> Result<SetStockLevelResponse, ApiError> {
        let mut v = Violations::new();
        let product = v.check(ProductId::parse("product_id", &req.product_id));
        let location = v.check(LocationId::parse("location_id", &req.location_id));
        let quantity = v.check(count("quantity", req.quantity, MAX_STOCK));
        let in_repair = v.check(count(
            "in_repair_quantity",
            req.in_repair_quantity,
            quantity.unwrap_or(MAX_STOCK),
        ));
        let reorder = v.check(count("reorder_level", req.reorder_level, MAX_STOCK));
        v.finish()?;
        let (product, location) = (product.unwrap(), location.unwrap());

        let mut tx = self.tx(p).await?;
        require_live::<crate::inventory::ProductRow>(&mut tx, "product_id", product).await?;
        require_live::<crate::inventory::LocationRow>(&mut tx, "location_id", location).await?;
        let tracking: String = sqlx::query_scalar(
            "select tracking_mode from products where tenant_id = $1 and id = $2",
        )
        .bind(tx.tenant_id())
        .bind(product)
        .fetch_one(&mut *tx)
        .await?;
        if tracking != "bulk" {
            return Err(ApiError::FailedPrecondition(format!(
                "product {product} is tracked by serialised assets, not by quantity"
            )));
        }
        let was_low: Option<bool> = sqlx::query_scalar(
            "select reorder_level > 0 and quantity - in_repair <= reorder_level from stock_levels \
             where tenant_id = $1 and product_id = $2 and location_id = $3 for update",
        )
        .bind(tx.tenant_id())
        .bind(product)
        .bind(location)
        .fetch_optional(&mut *tx)
        .await?;
        let row: StockLevelRow = sqlx::query_as(&format!(
            "insert into stock_levels (tenant_id, id, product_id, location_id, quantity, in_repair, reorder_level) \
             values ($1, $2, $3, $4, $5, $6, $7) \
             on conflict (tenant_id, product_id, location_id) do update set quantity = excluded.quantity, \
               in_repair = excluded.in_repair, reorder_level = excluded.reorder_level, updated_at = now() \
             returning {COLUMNS}"
        ))
        .bind(tx.tenant_id())
        .bind(id::new_id())
        .bind(product)
        .bind(location)
        .bind(quantity.unwrap())
        .bind(in_repair.unwrap())
        .bind(reorder.unwrap())
        .fetch_one(&mut *tx)
        .await?;
        let level = announce(&mut tx, row, was_low).await?;
        tx.commit().await?;
        Ok(SetStockLevelResponse {
            stock_level: Some(level),
        })
    }

    pub async fn list_stock_levels(
        &self,
        p: &Principal,
        req: ListStockLevelsRequest,
    ) -> Result<ListStockLevelsResponse, ApiError> {
        let mut v = Violations::new();
        let page = v.check(crate::paging::Page::parse(req.page.as_ref()));
        let product = v.check(ProductId::parse_optional("product_id", &req.product_id));
        let location = v.check(LocationId::parse_optional("location_id", &req.location_id));
        v.finish()?;
        let (page, product, location) = (page.unwrap(), product.unwrap(), location.unwrap());

        let mut tx = self.tx(p).await?;
        let mut sql = page.select(COLUMNS, "stock_levels", tx.tenant_id());
        if let Some(product) = product {
            sql.push(" and product_id = ").push_bind(product);
        }
        if let Some(location) = location {
            sql.push(" and location_id = ").push_bind(location);
        }
        let (rows, page) = page.fetch(sql, &mut tx, |r: &StockLevelRow| r.id).await?;
        tx.commit().await?;
        Ok(ListStockLevelsResponse {
            stock_levels: rows.into_iter().map(Into::into).collect(),
            page,
        })
    }
}
