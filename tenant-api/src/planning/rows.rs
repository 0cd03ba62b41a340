//! Database rows of the planning tables and their conversion to API messages.

use super::input::event_status_to_pb;
use crate::period::{Range, Window};
use crate::store::Entity;
use crate::wire::{opt_id, period, timestamp};
use chrono::{DateTime, Utc};
use eventkit_domain::ids::{
    AssetId, CaseId, EventId, ProductId, ProjectId, PullListLineId, SubRentId,
};
use eventkit_domain::planning::EventStatus;
use eventkit_proto::eventkit::v1 as pb;
use uuid::Uuid;

pub fn status_of(raw: &str) -> EventStatus {
    EventStatus::from_db(raw).unwrap_or(EventStatus::Enquiry)
}

/// An event's reservation as the API shows it (availability, shortages, conflicts).
pub fn booking(event: Uuid, name: &str, status: &str, range: &Range, quantity: i64) -> pb::Booking {
    pb::Booking {
        event_id: event.to_string(),
        event_name: name.to_owned(),
        event_status: event_status_to_pb(status_of(status)) as i32,
        period: Some(period(range)),
        quantity: i32::try_from(quantity).unwrap_or(i32::MAX),
    }
}

pub const PROJECT_COLUMNS: &str = "id, name, client_name, created_at, updated_at";

#[derive(sqlx::FromRow, Debug)]
pub struct ProjectRow {
    pub id: ProjectId,
    pub name: String,
    pub client_name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Entity for ProjectRow {
    type Id = ProjectId;
    const TABLE: &'static str = "projects";
    const COLUMNS: &'static str = PROJECT_COLUMNS;
    const NAME: &'static str = "project";
}

impl From<ProjectRow> for pb::Project {
    fn from(r: ProjectRow) -> Self {
        pb::Project {
            id: r.id.to_string(),
            name: r.name,
            client_name: r.client_name,
            create_time: Some(timestamp(r.created_at)),
            update_time: Some(timestamp(r.updated_at)),
        }
    }
}

/// The period as its two bounds: GetEvent reads in one round trip over the simple protocol,
/// whose text form of a `tstzrange` sqlx cannot decode.
pub const EVENT_COLUMNS: &str = "id, name, status, client_name, venue, project_id, series_id, prep_at, \
     lower(period) as period_start, upper(period) as period_end, created_at, updated_at, deleted_at";

#[derive(sqlx::FromRow, Debug)]
pub struct EventRow {
    pub id: EventId,
    pub name: String,
    pub status: String,
    pub client_name: String,
    pub venue: String,
    pub project_id: Option<ProjectId>,
    pub series_id: Option<Uuid>,
    pub prep_at: Option<DateTime<Utc>>,
    pub period_start: Option<DateTime<Utc>>,
    pub period_end: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

impl Entity for EventRow {
    type Id = EventId;
    const TABLE: &'static str = "events";
    const COLUMNS: &'static str = EVENT_COLUMNS;
    const NAME: &'static str = "event";
    const SOFT_DELETE: bool = true;
}

impl EventRow {
    /// The planning period, when set.
    pub fn window(&self) -> Option<Window> {
        let (start, end) = (self.period_start?, self.period_end?);
        (start < end).then_some(Window { start, end })
    }
}

impl From<EventRow> for pb::Event {
    fn from(r: EventRow) -> Self {
        let window = r.window();
        pb::Event {
            id: r.id.to_string(),
            name: r.name,
            status: event_status_to_pb(status_of(&r.status)) as i32,
            client_name: r.client_name,
            venue: r.venue,
            project_id: opt_id(r.project_id),
            series_id: opt_id(r.series_id),
            prep_time: r.prep_at.map(timestamp),
            period: window.map(|w| period(&w.range())),
            create_time: Some(timestamp(r.created_at)),
            update_time: Some(timestamp(r.updated_at)),
            delete_time: r.deleted_at.map(timestamp),
        }
    }
}

pub const LINE_COLUMNS: &str = "id, event_id, product_id, asset_id, case_id, quantity, created_at";

#[derive(sqlx::FromRow, Debug)]
pub struct LineRow {
    pub id: PullListLineId,
    pub event_id: EventId,
    pub product_id: Option<ProductId>,
    pub asset_id: Option<AssetId>,
    pub case_id: Option<CaseId>,
    pub quantity: i32,
    pub created_at: DateTime<Utc>,
}

impl Entity for LineRow {
    type Id = PullListLineId;
    const TABLE: &'static str = "event_lines";
    const COLUMNS: &'static str = LINE_COLUMNS;
    const NAME: &'static str = "pull list line";
}

impl From<LineRow> for pb::PullListLine {
    fn from(r: LineRow) -> Self {
        use pb::pull_list_line::Item;
        let item = match (r.product_id, r.asset_id, r.case_id) {
            (Some(p), _, _) => Item::ProductId(p.to_string()),
            (_, Some(a), _) => Item::AssetId(a.to_string()),
            (_, _, c) => Item::CaseId(opt_id(c)),
        };
        pb::PullListLine {
            id: r.id.to_string(),
            event_id: r.event_id.to_string(),
            item: Some(item),
            quantity: r.quantity,
            create_time: Some(timestamp(r.created_at)),
        }
    }
}

pub const SUB_RENT_COLUMNS: &str =
    "id, product_id, supplier, quantity, period, cost_minor, cost_currency, created_at";

#[derive(sqlx::FromRow, Debug)]
pub struct SubRentRow {
    pub id: SubRentId,
    pub product_id: ProductId,
    pub supplier: String,
    pub quantity: i32,
    pub period: Range,
    pub cost_minor: Option<i64>,
    pub cost_currency: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl Entity for SubRentRow {
    type Id = SubRentId;
    const TABLE: &'static str = "sub_rents";
    const COLUMNS: &'static str = SUB_RENT_COLUMNS;
    const NAME: &'static str = "sub-rent";
}

impl From<SubRentRow> for pb::SubRent {
    fn from(r: SubRentRow) -> Self {
        pb::SubRent {
            id: r.id.to_string(),
            product_id: r.product_id.to_string(),
            supplier: r.supplier,
            quantity: r.quantity,
            period: Some(period(&r.period)),
            cost: r
                .cost_minor
                .zip(r.cost_currency)
                .map(|(amount_minor, currency)| pb::Money {
                    amount_minor,
                    currency,
                }),
            create_time: Some(timestamp(r.created_at)),
        }
    }
}
