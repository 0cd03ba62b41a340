//! CheckAvailability, ListShortages and ListConflicts: fetch the reserving lines, stock and
//! sub-rents that touch a period (GiST lookups on `tstzrange`s led by `tenant_id`) and let
//! `eventkit_domain::availability` decide. A line reserves units of a product directly, through
//! a specific asset, or through the assets inside a booked case.

use super::{
    Planning, bookings, input,
    input::Window,
    require_live,
    rows::{Range, status_of},
};
use crate::wire::period as period_pb;
use eventkit_domain::{
    Violations,
    availability::{self as rules, Booking, Stock, SubRent},
    id, planning,
};
use eventkit_platform::{ApiError, auth::Principal, db::TenantTx};
use eventkit_proto::eventkit::v1::{self as pb, *};
use sqlx::{Postgres, QueryBuilder};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// The longest period a shortages or conflicts view covers.
const MAX_VIEW_DAYS: i64 = 366;

/// Units of one product reserved by one event.
#[derive(Debug, sqlx::FromRow)]
struct Demand {
    event_id: Uuid,
    event_name: String,
    status: String,
    period: Range,
    product_id: Uuid,
    quantity: i64,
}

impl Demand {
    fn booking(&self) -> Option<Booking> {
        Some(Booking {
            span: Window::of(&self.period)?.span(),
            quantity: u32::try_from(self.quantity).unwrap_or(u32::MAX),
            reserves: true,
        })
    }

    fn to_pb(&self) -> pb::Booking {
        pb::Booking {
            event_id: self.event_id.to_string(),
            event_name: self.event_name.clone(),
            event_status: input::event_status_to_pb(status_of(&self.status)) as i32,
            period: Some(period_pb(&self.period)),
            quantity: i32::try_from(self.quantity).unwrap_or(i32::MAX),
        }
    }
}

/// Reserving demand per event and product in a period (`$2`), of one product (`$3`) or all
/// (`$3` null). The period test is a lookup on `event_lines_reserving_idx`, a GiST index on
/// `(tenant_id, period)` of reserving lines (tests/tests/suite/availability.rs checks the plan).
pub const DEMAND_SQL: &str = "select l.event_id, e.name as event_name, e.status, l.period, x.product_id, \
        sum(x.quantity)::bigint as quantity \
     from event_lines l \
     join events e on e.tenant_id = l.tenant_id and e.id = l.event_id \
     cross join lateral ( \
         select l.product_id as product_id, l.quantity::bigint as quantity where l.product_id is not null \
         union all select a.product_id, 1 from assets a \
             where l.asset_id is not null and a.tenant_id = l.tenant_id and a.id = l.asset_id \
         union all select a.product_id, 1 from assets a \
             where l.case_id is not null and a.tenant_id = l.tenant_id and a.case_id = l.case_id \
     ) x \
     where l.tenant_id = $1 and l.reserves and l.period && $2 and ($3::uuid is null or x.product_id = $3) \
     group by l.event_id, e.name, e.status, l.period, x.product_id \
     order by x.product_id, lower(l.period), l.event_id";

async fn demand(
    tx: &mut TenantTx,
    window: Window,
    product: Option<Uuid>,
) -> Result<Vec<Demand>, ApiError> {
    Ok(sqlx::query_as(DEMAND_SQL)
        .bind(tx.tenant_id())
        .bind(window.range())
        .bind(product)
        .fetch_all(&mut **tx)
        .await?)
}

#[derive(sqlx::FromRow)]
struct StockRow {
    product_id: Uuid,
    owned: i64,
    in_repair: i64,
}

/// Owned and in-repair units per product, at `location` and below it when given.
async fn stock(
    tx: &mut TenantTx,
    products: &[Uuid],
    location: Option<Uuid>,
) -> Result<HashMap<Uuid, Stock>, ApiError> {
    let mut sql = QueryBuilder::<Postgres>::new(
        "select product_id, count(*) filter (where status not in ('lost', 'retired')) as owned, \
                count(*) filter (where status = 'in_repair') as in_repair \
         from assets where tenant_id = ",
    );
    sql.push_bind(tx.tenant_id());
    sql.push(" and product_id = any(")
        .push_bind(products.to_vec())
        .push(")");
    if let Some(location) = location {
        sql.push(" and location_id in ");
        crate::store::push_location_subtree(&mut sql, tx.tenant_id(), location);
    }
    sql.push(" group by product_id");
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
async fn sub_rents(
    tx: &mut TenantTx,
    window: Window,
    products: &[Uuid],
) -> Result<HashMap<Uuid, Vec<SubRent>>, ApiError> {
    let rows: Vec<(Uuid, i32, Range)> = sqlx::query_as(
        "select product_id, quantity, period from sub_rents \
         where tenant_id = $1 and period && $2 and product_id = any($3)",
    )
    .bind(tx.tenant_id())
    .bind(window.range())
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

fn count(n: u64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn span_pb(span: rules::Span) -> pb::Period {
    let at = |micros: i64| {
        crate::wire::timestamp(chrono::DateTime::from_timestamp_micros(micros).unwrap_or_default())
    };
    pb::Period {
        start: Some(at(span.start())),
        end: Some(at(span.end())),
    }
}

impl Planning {
    pub async fn check_availability(
        &self,
        p: &Principal,
        req: CheckAvailabilityRequest,
    ) -> Result<CheckAvailabilityResponse, ApiError> {
        let mut v = Violations::new();
        let product = v.check(id::parse_id("product_id", &req.product_id));
        let location = v.check(id::parse_optional_id("location_id", &req.location_id));
        let window = v.check(input::bounded_period(
            "period",
            req.period.as_ref(),
            MAX_VIEW_DAYS,
        ));
        let wanted = v.check(planning::quantity("quantity", req.quantity, None));
        v.finish()?;
        let (product, location, window, wanted) = (
            product.unwrap(),
            location.unwrap(),
            window.unwrap(),
            wanted.unwrap(),
        );

        let mut tx = self.tx(p).await?;
        require_live(&mut tx, "product_id", "products", "product", product).await?;
        if let Some(location) = location {
            require_live(&mut tx, "location_id", "locations", "location", location).await?;
        }
        let demand = demand(&mut tx, window, Some(product)).await?;
        let stock = stock(&mut tx, &[product], location)
            .await?
            .remove(&product)
            .unwrap_or_default();
        let subs = sub_rents(&mut tx, window, &[product])
            .await?
            .remove(&product)
            .unwrap_or_default();
        tx.commit().await?;

        let (rows, bookings): (Vec<&Demand>, Vec<Booking>) = demand
            .iter()
            .filter_map(|d| d.booking().map(|b| (d, b)))
            .unzip();
        let verdict = rules::check(stock, &bookings, &subs, window.span(), wanted as u32);
        let m = &verdict.tightest;
        Ok(CheckAvailabilityResponse {
            available: verdict.available(),
            available_quantity: count(m.available()),
            short_quantity: count(verdict.short),
            owned_quantity: count(u64::from(m.owned)),
            in_repair_quantity: count(u64::from(m.in_repair)),
            sub_rented_quantity: count(m.sub_rented),
            reserved_quantity: count(m.reserved),
            tightest: Some(span_pb(m.span)),
            bookings: m.causes.iter().map(|i| rows[*i].to_pb()).collect(),
        })
    }

    pub async fn list_shortages(
        &self,
        p: &Principal,
        req: ListShortagesRequest,
    ) -> Result<ListShortagesResponse, ApiError> {
        let window = input::bounded_period("period", req.period.as_ref(), MAX_VIEW_DAYS)?;
        let mut tx = self.tx(p).await?;
        let demand = demand(&mut tx, window, None).await?;
        let mut by_product: BTreeMap<Uuid, Vec<&Demand>> = BTreeMap::new();
        for d in &demand {
            by_product.entry(d.product_id).or_default().push(d);
        }
        let products: Vec<Uuid> = by_product.keys().copied().collect();
        let stock = stock(&mut tx, &products, None).await?;
        let mut subs = sub_rents(&mut tx, window, &products).await?;
        let names: HashMap<Uuid, String> = sqlx::query_as::<_, (Uuid, String)>(
            "select id, name from products where tenant_id = $1 and id = any($2)",
        )
        .bind(tx.tenant_id())
        .bind(&products)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .collect();
        tx.commit().await?;

        let mut shortages = Vec::new();
        for (product, rows) in by_product {
            let (rows, bookings): (Vec<&Demand>, Vec<Booking>) = rows
                .into_iter()
                .filter_map(|d| d.booking().map(|b| (d, b)))
                .unzip();
            let stock = stock.get(&product).copied().unwrap_or_default();
            let subs = subs.remove(&product).unwrap_or_default();
            for s in rules::shortages(stock, &bookings, &subs, window.span()) {
                shortages.push(pb::Shortage {
                    product_id: product.to_string(),
                    product_name: names.get(&product).cloned().unwrap_or_default(),
                    period: Some(span_pb(s.span)),
                    short_quantity: count(s.short),
                    bookings: s.causes.iter().map(|i| rows[*i].to_pb()).collect(),
                });
            }
        }
        shortages.sort_by(|a, b| {
            let start = |s: &pb::Shortage| {
                s.period
                    .as_ref()
                    .and_then(|p| p.start)
                    .map(|t| (t.seconds, t.nanos))
            };
            start(a)
                .cmp(&start(b))
                .then(a.product_id.cmp(&b.product_id))
        });
        Ok(ListShortagesResponse { shortages })
    }

    pub async fn list_conflicts(
        &self,
        p: &Principal,
        req: ListConflictsRequest,
    ) -> Result<ListConflictsResponse, ApiError> {
        let window = input::bounded_period("period", req.period.as_ref(), MAX_VIEW_DAYS)?;
        let mut tx = self.tx(p).await?;
        let held = bookings::with_bookings(bookings::held(&mut tx, Some(window), false).await?);
        tx.commit().await?;
        let pairs: Vec<rules::AssetBooking> = held.iter().map(|(_, b)| *b).collect();
        let booking = |h: &bookings::Held| pb::Booking {
            event_id: h.event_id.to_string(),
            event_name: h.event_name.clone(),
            event_status: input::event_status_to_pb(status_of(&h.status)) as i32,
            period: Some(period_pb(&h.period)),
            quantity: 1,
        };
        let conflicts = rules::overlapping_pairs(&pairs)
            .into_iter()
            .map(|(i, j)| (&held[i].0, &held[j].0))
            // Two bookings of one case clash once, as the case, not again for each asset in it.
            .filter(|(a, b)| {
                !(a.asset_id.is_some() && a.case_id.is_some() && a.case_id == b.case_id)
            })
            .map(|(a, b)| pb::Conflict {
                asset_id: crate::wire::opt_id(a.asset_id),
                case_id: crate::wire::opt_id(a.case_id.or(b.case_id)),
                first: Some(booking(a)),
                second: Some(booking(b)),
                double_booked: a.reserves && b.reserves,
            })
            .collect();
        Ok(ListConflictsResponse { conflicts })
    }
}
