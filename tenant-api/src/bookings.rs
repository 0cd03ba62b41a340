//! Keeping pull-list lines in step with their events, and the guard against double bookings.
//! Each line carries its event's period and whether the event's status reserves (under the
//! tenant's setting); every change to an event's period, status, deletion, or to the setting,
//! re-marks the lines in the same transaction. A serialised asset or case may then never be
//! reserved by two events whose periods overlap: exclusion constraints refuse direct repeats,
//! and [`ensure_no_double_booking`] also catches assets reserved inside a booked case.
//!
//! Shared by planning (events, pull lists, the setting, availability) and inventory (packing a
//! case that events reserve), so it sits beside both rather than inside planning, which in turn
//! uses inventory's stock.

use crate::period::{Range, Window};
use eventkit_domain::ids::CaseId;
use eventkit_domain::{
    availability::{self, AssetBooking},
    planning::EventStatus,
};
use eventkit_platform::{ApiError, db::TenantTx};
use sqlx::{Postgres, QueryBuilder};
use uuid::Uuid;

/// The tenant's chosen reserving statuses (among the configurable ones).
pub(crate) async fn configured(tx: &mut TenantTx) -> Result<Vec<EventStatus>, ApiError> {
    let stored: Option<Vec<String>> =
        sqlx::query_scalar("select reserving_statuses from planning_settings where tenant_id = $1")
            .bind(tx.tenant_id())
            .fetch_optional(&mut **tx)
            .await?;
    Ok(match stored {
        None => EventStatus::DEFAULT_RESERVING.to_vec(),
        Some(names) => names
            .iter()
            .filter_map(|n| EventStatus::from_db(n))
            .collect(),
    })
}

/// Every status whose pull lists reserve stock under the tenant's setting, as stored names.
pub(crate) async fn reserving_names(tx: &mut TenantTx) -> Result<Vec<&'static str>, ApiError> {
    let configured = configured(tx).await?;
    Ok(EventStatus::ALL
        .into_iter()
        .filter(|s| s.reserves(&configured))
        .map(EventStatus::as_str)
        .collect())
}

/// Copies the period and the "reserves" verdict of events to their lines: one event, or all.
/// Only lines that change are written (and so only they get history rows).
pub(crate) async fn sync_lines(tx: &mut TenantTx, event: Option<Uuid>) -> Result<(), ApiError> {
    let reserving = reserving_names(tx).await?;
    let verdict = "(e.deleted_at is null and e.period is not null and e.status = any(";
    let mut sql =
        QueryBuilder::<Postgres>::new("update event_lines l set period = e.period, reserves = ");
    sql.push(verdict).push_bind(reserving.clone()).push(")) ");
    sql.push(
        "from events e where e.tenant_id = l.tenant_id and e.id = l.event_id and l.tenant_id = ",
    );
    sql.push_bind(tx.tenant_id());
    // A separate statement per shape: a nullable "all events" parameter would make a generic
    // plan that cannot use the (tenant_id, event_id) index.
    if let Some(event) = event {
        sql.push(" and l.event_id = ").push_bind(event);
    }
    sql.push(" and (l.period is distinct from e.period or l.reserves <> ");
    sql.push(verdict).push_bind(reserving).push(")))");
    sql.build().execute(&mut **tx).await?;
    Ok(())
}

/// One serialised asset, or a case as a unit, on a live event's pull list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct Held {
    pub event_id: Uuid,
    pub event_name: String,
    pub status: String,
    pub period: Range,
    pub reserves: bool,
    /// The asset; empty when the row is a case as a unit.
    pub asset_id: Option<Uuid>,
    /// The case booked (as a unit, or holding the asset).
    pub case_id: Option<Uuid>,
}

impl Held {
    pub fn booking(&self) -> Option<AssetBooking> {
        Some(AssetBooking {
            asset: self.asset_id.or(self.case_id)?,
            event: self.event_id,
            span: Window::of(&self.period)?.span(),
            reserves: self.reserves,
        })
    }
}

/// Assets and cases held by live events (not returned, completed, cancelled or deleted) whose
/// periods overlap `window` (all when `None`); a booked case holds itself, the cases inside it
/// (as units) and every asset at any depth.
pub(crate) async fn held(
    tx: &mut TenantTx,
    window: Option<Window>,
    only_reserving: bool,
) -> Result<Vec<Held>, ApiError> {
    let mut sql = QueryBuilder::<Postgres>::new(
        "select l.event_id, e.name as event_name, e.status, l.period, l.reserves, k.asset_id, k.case_id \
         from event_lines l \
         join events e on e.tenant_id = l.tenant_id and e.id = l.event_id \
         cross join lateral ( \
             select l.asset_id as asset_id, null::uuid as case_id where l.asset_id is not null \
             union all select null::uuid, t.id from ek_case_tree(l.tenant_id, l.case_id) as t (id) \
                 where l.case_id is not null \
             union all select a.id, l.case_id from assets a \
                 where l.case_id is not null and a.tenant_id = l.tenant_id \
                   and a.case_id in (select ek_case_tree(l.tenant_id, l.case_id)) \
         ) k \
         where l.tenant_id = ",
    );
    sql.push_bind(tx.tenant_id());
    sql.push(
        " and l.period is not null and (l.asset_id is not null or l.case_id is not null) \
          and e.deleted_at is null and e.status not in ('returned', 'completed', 'cancelled')",
    );
    if let Some(window) = window {
        window.push_overlap(&mut sql, "l.");
    }
    if only_reserving {
        sql.push(" and l.reserves");
    }
    sql.push(" order by l.event_id, k.asset_id, k.case_id");
    Ok(sql.build_query_as().fetch_all(&mut **tx).await?)
}

/// Each held row with its booking, for the domain's pair functions (indices line up).
pub(crate) fn with_bookings(held: Vec<Held>) -> Vec<(Held, AssetBooking)> {
    held.into_iter()
        .filter_map(|h| h.booking().map(|b| (h, b)))
        .collect()
}

/// Refuses (`failed_precondition`) when an asset or case reserved by `event` (or, for `None`,
/// by any event) is also reserved by another event for an overlapping period. Serialised per
/// tenant with a transaction-scoped advisory lock, so two concurrent bookings cannot both pass.
pub(crate) async fn ensure_no_double_booking(
    tx: &mut TenantTx,
    event: Option<Uuid>,
) -> Result<(), ApiError> {
    sqlx::query(
        "select pg_advisory_xact_lock(hashtextextended('eventkit.bookings:' || $1::text, 0))",
    )
    .bind(tx.tenant_id())
    .execute(&mut **tx)
    .await?;
    let window = match event {
        None => None,
        Some(event) => {
            let period: Option<Option<Range>> =
                sqlx::query_scalar("select period from events where tenant_id = $1 and id = $2")
                    .bind(tx.tenant_id())
                    .bind(event)
                    .fetch_optional(&mut **tx)
                    .await?;
            match period.flatten().as_ref().and_then(Window::of) {
                Some(window) => Some(window),
                None => return Ok(()),
            }
        }
    };
    let held = with_bookings(held(tx, window, true).await?);
    let bookings: Vec<AssetBooking> = held.iter().map(|(_, b)| *b).collect();
    let clash = availability::double_bookings(&bookings)
        .into_iter()
        .map(|(i, j)| (&held[i].0, &held[j].0))
        .find(|(a, b)| event.is_none_or(|e| a.event_id == e || b.event_id == e));
    match clash {
        None => Ok(()),
        Some((a, b)) => {
            let (mine, other) = if event == Some(b.event_id) {
                (b, a)
            } else {
                (a, b)
            };
            let what = match (mine.asset_id, mine.case_id) {
                (Some(asset), _) => format!("asset {asset}"),
                (None, case) => format!("case {}", crate::wire::opt_id(case)),
            };
            Err(ApiError::FailedPrecondition(format!(
                "{what} is already reserved by event {:?} ({}) for an overlapping period",
                other.event_name, other.event_id
            )))
        }
    }
}

/// Re-marks every pull-list line of the tenant (after a bulk load such as `eventkit seed`).
pub async fn sync_all_lines(tx: &mut TenantTx) -> Result<(), ApiError> {
    sync_lines(tx, None).await
}

/// After an asset is packed into `case`: every event that reserves the case now reserves the
/// asset too, so each is checked for a double booking.
pub(crate) async fn ensure_case_bookable(tx: &mut TenantTx, case: CaseId) -> Result<(), ApiError> {
    let case: Uuid = case.into();
    let events: Vec<Uuid> = sqlx::query_scalar(
        "select distinct event_id from event_lines where tenant_id = $1 and case_id = $2 and reserves",
    )
    .bind(tx.tenant_id())
    .bind(case)
    .fetch_all(&mut **tx)
    .await?;
    for event in events {
        ensure_no_double_booking(tx, Some(event)).await?;
    }
    Ok(())
}
