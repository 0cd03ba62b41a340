//! The store side of availability: the reserving demand, owned stock and sub-rents that touch
//! a period, each one indexed query. Demand reaches a product directly, through a specific
//! asset, through the assets inside a booked case, or through a kit's components (a kit line
//! reserves its components, never the kit product itself). Stock is serialised assets (not lost
//! or retired) plus bulk stock levels, optionally at a location and the locations below it.

use super::rows::booking;
use crate::period::{Range, Window};
use eventkit_domain::availability::{Booking, Stock, SubRent};
use eventkit_platform::{ApiError, db::TenantTx};
use eventkit_proto::eventkit::v1 as pb;
use sqlx::{Postgres, QueryBuilder};
use std::collections::HashMap;
use uuid::Uuid;

/// Units of one product reserved by one event.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct Demand {
    pub event_id: Uuid,
    period: Range,
    pub product_id: Uuid,
    quantity: i64,
}

impl Demand {
    pub fn booking(&self) -> Option<Booking> {
        Some(Booking {
            span: Window::of(&self.period)?.span(),
            quantity: u32::try_from(self.quantity).unwrap_or(u32::MAX),
            reserves: true,
        })
    }

    /// The booking as the API shows it, with the event's name and status from `labels`.
    pub fn to_pb(&self, labels: &Labels) -> pb::Booking {
        let (name, status) = labels.get(&self.event_id).cloned().unwrap_or_default();
        booking(self.event_id, &name, &status, &self.period, self.quantity)
    }
}

/// Reserving demand per event and product in a period (`$2` to `$3`), of one product (`$4`) or
/// all (`$4` null). The period test is a lookup on `event_lines_reserving_idx`, a GiST index on
/// `(tenant_id, starts_at, ends_at)` of reserving lines (tests/tests/suite/availability.rs checks
/// the plan as the app role, under row-level security). The lines are a materialized CTE so the
/// planner picks their index on its own: joined straight to the per-line lookup below, it
/// preferred reading every line of the tenant in `event_id` order to save a sort (50–700 ms at
/// seed scale instead of 1–15; bench/history/planning.md, planning runs).
pub const DEMAND_SQL: &str = "with l as materialized ( \
         select tenant_id, event_id, period, product_id, asset_id, case_id, quantity from event_lines \
         where tenant_id = $1 and reserves and starts_at < $3 and ends_at > $2) \
     select l.event_id, l.period, x.product_id, sum(x.quantity)::bigint as quantity \
     from l \
     cross join lateral ( \
         select l.product_id as product_id, l.quantity::bigint as quantity where l.product_id is not null \
             and not exists (select 1 from kit_components k where k.tenant_id = l.tenant_id and k.kit_id = l.product_id) \
         union all select k.component_id, l.quantity::bigint * k.quantity from kit_components k \
             where l.product_id is not null and k.tenant_id = l.tenant_id and k.kit_id = l.product_id \
         union all select a.product_id, 1 from assets a \
             where l.asset_id is not null and a.tenant_id = l.tenant_id and a.id = l.asset_id \
         union all select a.product_id, 1 from assets a \
             where l.case_id is not null and a.tenant_id = l.tenant_id \
               and a.case_id in (select ek_case_tree(l.tenant_id, l.case_id)) \
     ) x \
     where ($4::uuid is null or x.product_id = $4) \
     group by l.event_id, l.period, x.product_id \
     order by x.product_id, lower(l.period), l.event_id";

pub(crate) async fn demand(
    tx: &mut TenantTx,
    window: Window,
    product: Option<Uuid>,
) -> Result<Vec<Demand>, ApiError> {
    Ok(sqlx::query_as(DEMAND_SQL)
        .bind(tx.tenant_id())
        .bind(window.start)
        .bind(window.end)
        .bind(product)
        .fetch_all(&mut **tx)
        .await?)
}

/// Event id → (name, stored status), for the bookings an answer shows.
pub(crate) type Labels = HashMap<Uuid, (String, String)>;

/// The names and statuses of `events` (only those an answer shows, so the demand lookup itself
/// never joins the events table).
pub(crate) async fn labels(tx: &mut TenantTx, mut ids: Vec<Uuid>) -> Result<Labels, ApiError> {
    ids.sort_unstable();
    ids.dedup();
    let rows: Vec<(Uuid, String, String)> =
        sqlx::query_as("select id, name, status from events where tenant_id = $1 and id = any($2)")
            .bind(tx.tenant_id())
            .bind(&ids)
            .fetch_all(&mut **tx)
            .await?;
    Ok(rows.into_iter().map(|(id, n, s)| (id, (n, s))).collect())
}

#[derive(sqlx::FromRow)]
struct StockRow {
    product_id: Uuid,
    owned: i64,
    in_repair: i64,
}

/// Owned and in-repair units per product, at `location` and below it when given.
pub(crate) async fn stock(
    tx: &mut TenantTx,
    products: &[Uuid],
    location: Option<Uuid>,
) -> Result<HashMap<Uuid, Stock>, ApiError> {
    let tenant = tx.tenant_id();
    let mut sql = QueryBuilder::<Postgres>::new(
        "select product_id, sum(owned)::bigint as owned, sum(in_repair)::bigint as in_repair from ( \
           select product_id, count(*) filter (where status not in ('lost', 'retired')) as owned, \
                  count(*) filter (where status = 'in_repair') as in_repair \
           from assets where tenant_id = ",
    );
    for (i, table) in ["assets", "stock_levels"].into_iter().enumerate() {
        if i == 1 {
            sql.push(
                " union all select product_id, quantity as owned, in_repair from stock_levels where tenant_id = ",
            );
        }
        sql.push_bind(tenant);
        sql.push(" and product_id = any(")
            .push_bind(products.to_vec())
            .push(")");
        if let Some(location) = location {
            sql.push(" and location_id in ");
            crate::store::push_location_subtree(&mut sql, tenant, location);
        }
        if table == "assets" {
            sql.push(" group by product_id");
        }
    }
    sql.push(") s group by product_id");
    let rows: Vec<StockRow> = sql.build_query_as().fetch_all(&mut **tx).await?;
    let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
    Ok(rows
        .into_iter()
        .map(|r| {
            let stock = Stock {
                owned: count(r.owned),
                in_repair: count(r.in_repair),
            };
            (r.product_id, stock)
        })
        .collect())
}

/// Sub-rented units per product in `window`.
pub(crate) async fn sub_rents(
    tx: &mut TenantTx,
    window: Window,
    products: &[Uuid],
) -> Result<HashMap<Uuid, Vec<SubRent>>, ApiError> {
    let rows: Vec<(Uuid, i32, Range)> = sqlx::query_as(
        "select product_id, quantity, period from sub_rents \
         where tenant_id = $1 and product_id = any($4) and starts_at < $3 and ends_at > $2",
    )
    .bind(tx.tenant_id())
    .bind(window.start)
    .bind(window.end)
    .bind(products)
    .fetch_all(&mut **tx)
    .await?;
    let mut out: HashMap<Uuid, Vec<SubRent>> = HashMap::new();
    for (product, quantity, period) in rows {
        if let Some(w) = Window::of(&period) {
            out.entry(product).or_default().push(SubRent {
                span: w.span(),
                quantity: u32::try_from(quantity).unwrap_or(0),
            });
        }
    }
    Ok(out)
}
