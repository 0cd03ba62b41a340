//! CheckAvailability, ListShortages and ListConflicts: fetch what touches a period (`supply`,
//! GiST lookups on the period bounds, led by `tenant_id`) and let `eventkit_domain::availability`
//! decide. A kit is available when every component is, for as many kits as asked.

use super::{
    Planning, input, require_live,
    rows::booking,
    supply::{Demand, Labels, demand, labels, stock, sub_rents},
};
use crate::bookings;
use eventkit_domain::ids::{LocationId, ProductId};
use eventkit_domain::{
    Violations,
    availability::{self as rules, Booking, Verdict},
    planning,
};
use eventkit_platform::{ApiError, auth::Principal};
use eventkit_proto::eventkit::v1::{self as pb, *};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// The longest period a shortages or conflicts view covers.
const MAX_VIEW_DAYS: i64 = 366;

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

/// The check of one product, or of one component of a kit (`per` units a kit).
struct PartCheck<'a> {
    product: Uuid,
    per: u32,
    verdict: Verdict,
    rows: Vec<&'a Demand>,
}

impl PartCheck<'_> {
    /// Whole units (kits) free at the tightest moment.
    fn units_free(&self) -> u64 {
        self.verdict.tightest.available() / u64::from(self.per)
    }

    /// Whole units (kits) missing.
    fn units_short(&self) -> u64 {
        self.verdict.short.div_ceil(u64::from(self.per))
    }
}

/// The answer from the checks of every part; numbers are those of the limiting part, in units
/// of what was asked for.
fn answer(checks: &[PartCheck], is_kit: bool, labels: &Labels) -> CheckAvailabilityResponse {
    let limiting = checks
        .iter()
        .min_by_key(|c| c.units_free())
        .expect("a product has at least one part");
    let m = &limiting.verdict.tightest;
    let per = u64::from(limiting.per);
    let mut bookings: Vec<pb::Booking> = Vec::new();
    for check in checks {
        for cause in &check.verdict.tightest.causes {
            let booking = check.rows[*cause].to_pb(labels);
            if !bookings.iter().any(|b| b.event_id == booking.event_id) {
                bookings.push(booking);
            }
        }
    }
    CheckAvailabilityResponse {
        available: checks.iter().all(|c| c.verdict.available()),
        available_quantity: count(limiting.units_free()),
        short_quantity: count(checks.iter().map(PartCheck::units_short).max().unwrap_or(0)),
        owned_quantity: count(u64::from(m.owned) / per),
        in_repair_quantity: count(u64::from(m.in_repair).div_ceil(per)),
        sub_rented_quantity: count(m.sub_rented / per),
        reserved_quantity: count(m.reserved.div_ceil(per)),
        tightest: Some(span_pb(m.span)),
        bookings,
        components: if is_kit {
            checks
                .iter()
                .map(|c| pb::ComponentAvailability {
                    product_id: c.product.to_string(),
                    quantity_per_kit: count(u64::from(c.per)),
                    available: c.verdict.available(),
                    available_quantity: count(c.verdict.tightest.available()),
                    short_quantity: count(c.verdict.short),
                })
                .collect()
        } else {
            Vec::new()
        },
    }
}

impl Planning {
    pub async fn check_availability(
        &self,
        p: &Principal,
        req: CheckAvailabilityRequest,
    ) -> Result<CheckAvailabilityResponse, ApiError> {
        let mut v = Violations::new();
        let product = v.check(ProductId::parse("product_id", &req.product_id));
        let location = v.check(LocationId::parse_optional("location_id", &req.location_id));
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
        require_live::<crate::inventory::ProductRow>(&mut tx, "product_id", product).await?;
        if let Some(location) = location {
            require_live::<crate::inventory::LocationRow>(&mut tx, "location_id", location).await?;
        }
        let kit: Vec<(Uuid, i32)> = sqlx::query_as(
            "select component_id, quantity from kit_components where tenant_id = $1 and kit_id = $2 order by component_id",
        )
        .bind(tx.tenant_id())
        .bind(product)
        .fetch_all(&mut *tx)
        .await?;
        let parts: Vec<(Uuid, u32)> = if kit.is_empty() {
            vec![(product.into(), 1)]
        } else {
            kit.iter().map(|(c, q)| (*c, *q as u32)).collect()
        };
        let ids: Vec<Uuid> = parts.iter().map(|(c, _)| *c).collect();
        let demand = demand(&mut tx, window, kit.is_empty().then_some(product.into())).await?;
        let stock = stock(&mut tx, &ids, location.map(Into::into)).await?;
        let subs = sub_rents(&mut tx, window, &ids).await?;

        let checks: Vec<PartCheck> = parts
            .iter()
            .map(|(part, per)| {
                let (rows, bookings): (Vec<&Demand>, Vec<Booking>) = demand
                    .iter()
                    .filter(|d| d.product_id == *part)
                    .filter_map(|d| d.booking().map(|b| (d, b)))
                    .unzip();
                let verdict = rules::check(
                    stock.get(part).copied().unwrap_or_default(),
                    &bookings,
                    subs.get(part).map(Vec::as_slice).unwrap_or_default(),
                    window.span(),
                    wanted as u32 * per,
                );
                PartCheck {
                    product: *part,
                    per: *per,
                    verdict,
                    rows,
                }
            })
            .collect();
        let causes: Vec<Uuid> = checks
            .iter()
            .flat_map(|c| {
                c.verdict
                    .tightest
                    .causes
                    .iter()
                    .map(|i| c.rows[*i].event_id)
            })
            .collect();
        let labels = labels(&mut tx, causes).await?;
        tx.commit().await?;
        Ok(answer(&checks, !kit.is_empty(), &labels))
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

        let mut found = Vec::new();
        for (product, rows) in by_product {
            let (rows, bookings): (Vec<&Demand>, Vec<Booking>) = rows
                .into_iter()
                .filter_map(|d| d.booking().map(|b| (d, b)))
                .unzip();
            let stock = stock.get(&product).copied().unwrap_or_default();
            let subs = subs.remove(&product).unwrap_or_default();
            for s in rules::shortages(stock, &bookings, &subs, window.span()) {
                let causes: Vec<&Demand> = s.causes.iter().map(|i| rows[*i]).collect();
                found.push((product, s, causes));
            }
        }
        let causes: Vec<Uuid> = found
            .iter()
            .flat_map(|(_, _, c)| c.iter().map(|d| d.event_id))
            .collect();
        let labels = labels(&mut tx, causes).await?;
        tx.commit().await?;
        let mut shortages: Vec<pb::Shortage> = found
            .into_iter()
            .map(|(product, s, causes)| pb::Shortage {
                product_id: product.to_string(),
                product_name: names.get(&product).cloned().unwrap_or_default(),
                period: Some(span_pb(s.span)),
                short_quantity: count(s.short),
                bookings: causes.iter().map(|d| d.to_pb(&labels)).collect(),
            })
            .collect();
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
        let as_pb =
            |h: &bookings::Held| booking(h.event_id, &h.event_name, &h.status, &h.period, 1);
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
                first: Some(as_pb(a)),
                second: Some(as_pb(b)),
                double_booked: a.reserves && b.reserves,
            })
            .collect();
        Ok(ListConflictsResponse { conflicts })
    }
}
