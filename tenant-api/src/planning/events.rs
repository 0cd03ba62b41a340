//! Events (jobs): create, get, update by mask, soft delete and restore, list with filters, and
//! status transitions through the machine in `eventkit_domain::planning`. Every change that can
//! move a reservation (period, status, deletion) re-marks the pull list and re-checks for double
//! bookings in the same transaction.

use super::{
    Planning, consumption, input, require_live,
    rows::{EVENT_COLUMNS, EventRow, status_of},
};
use crate::store::{self, Lock};
use crate::{bookings, fields::push_text, period::Window};
use chrono::{DateTime, Utc};
use eventkit_domain::ids::{EventId, ProjectId};
use eventkit_domain::{
    FieldViolation, Violations,
    events::payloads::EventStatusChanged,
    id,
    planning::{self as rules, EventStatus},
};
use eventkit_platform::{ApiError, auth::Principal, db::TenantTx, outbox};
use eventkit_proto::eventkit::v1::{self as pb, *};
use sqlx::{Postgres, QueryBuilder};
use uuid::Uuid;

const UPDATABLE: &[&str] = &[
    "name",
    "client_name",
    "venue",
    "project_id",
    "prep_time",
    "period",
];

pub(crate) async fn fetch(
    tx: &mut TenantTx,
    id: EventId,
    lock: Lock,
) -> Result<EventRow, ApiError> {
    store::fetch(tx, id, lock).await
}

/// Records `event` (e.g. `outbox::Event::EventCreated`) about the event `row`; returns it.
pub(crate) async fn emit(
    tx: &mut TenantTx,
    event: fn(pb::Event) -> outbox::Event,
    row: EventRow,
) -> Result<pb::Event, ApiError> {
    let id = row.id;
    let message = pb::Event::from(row);
    outbox::emit(tx, id, event(message.clone())).await?;
    Ok(message)
}

/// A deleted event can take no scans, so one with goods still out cannot be deleted.
async fn ensure_nothing_out(tx: &mut TenantTx, event: EventId) -> Result<(), ApiError> {
    let out: i64 = sqlx::query_scalar(
        "select (select count(*) from event_assets where tenant_id = $1 and event_id = $2 and returned_at is null) \
              + (select coalesce(sum(out_quantity - returned_quantity - consumed_quantity), 0) from event_lines where tenant_id = $1 and event_id = $2)",
    )
    .bind(tx.tenant_id())
    .bind(event)
    .fetch_one(&mut **tx)
    .await?;
    if out > 0 {
        return Err(ApiError::FailedPrecondition(format!(
            "{out} units of event {event} are still out; check them in first"
        )));
    }
    Ok(())
}

/// Preparation starts at or before the event goes out.
fn check_prep(
    field: &str,
    prep: Option<DateTime<Utc>>,
    period: Option<Window>,
) -> Result<(), FieldViolation> {
    match (prep, period) {
        (Some(prep), Some(period)) if prep > period.start => Err(FieldViolation::new(
            field,
            "must be at or before the start of the period",
        )),
        _ => Ok(()),
    }
}

/// A checked new event.
pub(crate) struct NewEvent {
    name: String,
    client: String,
    venue: String,
    project: Option<ProjectId>,
    pub prep: Option<DateTime<Utc>>,
    pub period: Option<Window>,
}

impl NewEvent {
    pub fn parse(
        name: &str,
        client: &str,
        venue: &str,
        project: &str,
        prep: Option<&prost_types::Timestamp>,
        period: Option<&pb::Period>,
    ) -> Result<Self, Vec<FieldViolation>> {
        let mut v = Violations::new();
        let name = v.check(rules::NAME.parse("name", name));
        let client = v.check(rules::CLIENT_NAME.parse("client_name", client));
        let venue = v.check(rules::VENUE.parse("venue", venue));
        let project = v.check(ProjectId::parse_optional("project_id", project));
        let prep = v.check(input::time("prep_time", prep));
        let period = v.check(input::period("period", period));
        if let (Some(prep), Some(period)) = (prep, period) {
            v.check(check_prep("prep_time", prep, period));
        }
        v.finish()?;
        Ok(Self {
            name: name.unwrap(),
            client: client.unwrap(),
            venue: venue.unwrap(),
            project: project.unwrap(),
            prep: prep.unwrap(),
            period: period.unwrap(),
        })
    }

    pub async fn check_project(&self, tx: &mut TenantTx) -> Result<(), ApiError> {
        match self.project {
            Some(project) => {
                require_live::<crate::planning::ProjectRow>(tx, "project_id", project).await
            }
            None => Ok(()),
        }
    }

    /// Inserts the event with the given dates (an occurrence of a series has its own).
    pub async fn insert(
        &self,
        tx: &mut TenantTx,
        prep: Option<DateTime<Utc>>,
        period: Option<Window>,
        series: Option<Uuid>,
    ) -> Result<EventRow, ApiError> {
        Ok(sqlx::query_as(&format!(
            "insert into events (tenant_id, id, name, client_name, venue, project_id, prep_at, period, series_id) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning {EVENT_COLUMNS}"
        ))
        .bind(tx.tenant_id())
        .bind(id::new_id())
        .bind(&self.name)
        .bind(&self.client)
        .bind(&self.venue)
        .bind(self.project)
        .bind(prep)
        .bind(period.map(Window::range))
        .bind(series)
        .fetch_one(&mut **tx)
        .await?)
    }
}

impl Planning {
    pub async fn create_event(
        &self,
        p: &Principal,
        req: CreateEventRequest,
    ) -> Result<CreateEventResponse, ApiError> {
        let new = NewEvent::parse(
            &req.name,
            &req.client_name,
            &req.venue,
            &req.project_id,
            req.prep_time.as_ref(),
            req.period.as_ref(),
        )?;
        let mut tx = self.tx(p).await?;
        new.check_project(&mut tx).await?;
        let row = new.insert(&mut tx, new.prep, new.period, None).await?;
        let event = emit(&mut tx, outbox::Event::EventCreated, row).await?;
        tx.commit().await?;
        Ok(CreateEventResponse { event: Some(event) })
    }

    pub async fn get_event(
        &self,
        p: &Principal,
        req: GetEventRequest,
    ) -> Result<GetEventResponse, ApiError> {
        let id = EventId::parse("id", &req.id)?;
        let row: EventRow = self.read_once::<EventRow>(p, id).await?;
        Ok(GetEventResponse {
            event: Some(row.into()),
        })
    }

    pub async fn update_event(
        &self,
        p: &Principal,
        req: UpdateEventRequest,
    ) -> Result<UpdateEventResponse, ApiError> {
        let event = req
            .event
            .ok_or_else(|| ApiError::invalid("event", "is required"))?;
        let id = EventId::parse("event.id", &event.id)?;
        let paths = crate::fields::update_mask(req.update_mask.as_ref(), UPDATABLE)?;

        let mut v = Violations::new();
        let mut set = QueryBuilder::<Postgres>::new("update events set updated_at = now()");
        let (mut new_prep, mut new_period, mut new_project) = (None, None, None);
        for path in &paths {
            let field = format!("event.{path}");
            let text = |rule: eventkit_domain::text::TextRule, raw: &str| rule.parse(&field, raw);
            match *path {
                "name" => push_text(&mut set, &mut v, "name", text(rules::NAME, &event.name)),
                "client_name" => push_text(
                    &mut set,
                    &mut v,
                    "client_name",
                    text(rules::CLIENT_NAME, &event.client_name),
                ),
                "venue" => push_text(&mut set, &mut v, "venue", text(rules::VENUE, &event.venue)),
                "project_id" => {
                    if let Some(project) =
                        v.check(ProjectId::parse_optional(&field, &event.project_id))
                    {
                        set.push(", project_id = ").push_bind(project);
                        new_project = project;
                    }
                }
                "prep_time" => {
                    if let Some(prep) = v.check(input::time(&field, event.prep_time.as_ref())) {
                        set.push(", prep_at = ").push_bind(prep);
                        new_prep = Some(prep);
                    }
                }
                "period" => {
                    if let Some(period) = v.check(input::period(&field, event.period.as_ref())) {
                        set.push(", period = ").push_bind(period.map(Window::range));
                        new_period = Some(period);
                    }
                }
                _ => unreachable!("update_mask checked the paths"),
            }
        }
        v.finish()?;

        let mut tx = self.tx(p).await?;
        let current = fetch(&mut tx, id, Lock::ForUpdate).await?;
        if current.deleted_at.is_some() {
            return Err(ApiError::FailedPrecondition(format!(
                "event {id} is deleted; restore it first"
            )));
        }
        let period = new_period.unwrap_or(current.window());
        let prep = new_prep.unwrap_or(current.prep_at);
        let field = if new_prep.is_some() {
            "event.prep_time"
        } else {
            "event.period"
        };
        check_prep(field, prep, period)?;
        if period.is_none() && status_of(&current.status).needs_period() {
            return Err(ApiError::FailedPrecondition(format!(
                "an event that is {} keeps its period",
                current.status
            )));
        }
        if let Some(project) = new_project {
            require_live::<crate::planning::ProjectRow>(&mut tx, "event.project_id", project)
                .await?;
        }
        set.push(" where tenant_id = ").push_bind(tx.tenant_id());
        set.push(" and id = ").push_bind(id);
        set.push(format!(" returning {EVENT_COLUMNS}"));
        let row: EventRow = set.build_query_as().fetch_one(&mut *tx).await?;
        if new_period.is_some() {
            bookings::sync_lines(&mut tx, Some(id.into())).await?;
            bookings::ensure_no_double_booking(&mut tx, Some(id.into())).await?;
        }
        let updated = emit(&mut tx, outbox::Event::EventUpdated, row).await?;
        tx.commit().await?;
        Ok(UpdateEventResponse {
            event: Some(updated),
        })
    }

    pub async fn delete_event(
        &self,
        p: &Principal,
        req: DeleteEventRequest,
    ) -> Result<DeleteEventResponse, ApiError> {
        let event = self.set_deleted(p, &req.id, true).await?;
        Ok(DeleteEventResponse { event: Some(event) })
    }

    pub async fn restore_event(
        &self,
        p: &Principal,
        req: RestoreEventRequest,
    ) -> Result<RestoreEventResponse, ApiError> {
        let event = self.set_deleted(p, &req.id, false).await?;
        Ok(RestoreEventResponse { event: Some(event) })
    }

    async fn set_deleted(
        &self,
        p: &Principal,
        raw_id: &str,
        deleted: bool,
    ) -> Result<pb::Event, ApiError> {
        let id = EventId::parse("id", raw_id)?;
        let mut tx = self.tx(p).await?;
        let row: EventRow = store::set_deleted::<EventRow>(&mut tx, id, deleted).await?;
        if deleted {
            ensure_nothing_out(&mut tx, id).await?;
        }
        bookings::sync_lines(&mut tx, Some(id.into())).await?;
        if !deleted {
            bookings::ensure_no_double_booking(&mut tx, Some(id.into())).await?;
        }
        let what = if deleted {
            outbox::Event::EventDeleted
        } else {
            outbox::Event::EventRestored
        };
        let event = emit(&mut tx, what, row).await?;
        tx.commit().await?;
        Ok(event)
    }

    pub async fn list_events(
        &self,
        p: &Principal,
        req: ListEventsRequest,
    ) -> Result<ListEventsResponse, ApiError> {
        let mut v = Violations::new();
        let page = v.check(crate::paging::Page::parse(req.page.as_ref()));
        let statuses = v.check(input::event_statuses("statuses", &req.statuses));
        let project = v.check(ProjectId::parse_optional("project_id", &req.project_id));
        let period = v.check(input::period("period", req.period.as_ref()));
        let series = v.check(id::parse_optional_id("series_id", &req.series_id));
        v.finish()?;
        let (page, statuses, project, period, series) = (
            page.unwrap(),
            statuses.unwrap(),
            project.unwrap(),
            period.unwrap(),
            series.unwrap(),
        );

        let mut tx = self.tx(p).await?;
        let mut sql = page.select(EVENT_COLUMNS, "events", tx.tenant_id());
        if !statuses.is_empty() {
            let names: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
            sql.push(" and status = any(").push_bind(names).push(")");
        }
        if let Some(project) = project {
            sql.push(" and project_id = ").push_bind(project);
        }
        if let Some(series) = series {
            sql.push(" and series_id = ").push_bind(series);
        }
        if let Some(period) = period {
            period.push_overlap(&mut sql, "");
        }
        if !req.show_deleted {
            sql.push(" and deleted_at is null");
        }
        let (rows, page) = page.fetch(sql, &mut tx, |r: &EventRow| r.id).await?;
        tx.commit().await?;
        Ok(ListEventsResponse {
            events: rows.into_iter().map(Into::into).collect(),
            page,
        })
    }

    pub async fn transition_event(
        &self,
        p: &Principal,
        req: TransitionEventRequest,
    ) -> Result<TransitionEventResponse, ApiError> {
        let mut v = Violations::new();
        let id = v.check(EventId::parse("id", &req.id));
        let to = v.check(input::event_status("status", req.status));
        v.finish()?;
        let (id, to) = (id.unwrap(), to.unwrap());

        let mut tx = self.tx(p).await?;
        let current = fetch(&mut tx, id, Lock::ForUpdate).await?;
        if current.deleted_at.is_some() {
            return Err(ApiError::FailedPrecondition(format!(
                "event {id} is deleted; restore it first"
            )));
        }
        let from = status_of(&current.status);
        rules::check_transition(from, to, current.window().is_some())
            .map_err(ApiError::FailedPrecondition)?;
        let row: EventRow = sqlx::query_as(&format!(
            "update events set status = $3, updated_at = now() where tenant_id = $1 and id = $2 returning {EVENT_COLUMNS}"
        ))
        .bind(tx.tenant_id())
        .bind(id)
        .bind(to.as_str())
        .fetch_one(&mut *tx)
        .await?;
        bookings::sync_lines(&mut tx, Some(id.into())).await?;
        bookings::ensure_no_double_booking(&mut tx, Some(id.into())).await?;
        let consumed = if to == EventStatus::Returned {
            consumption::consume_unreturned(&mut tx, id.into()).await?
        } else {
            Vec::new()
        };
        let changed = EventStatusChanged {
            event_id: id,
            from,
            to,
            consumed,
        };
        outbox::emit(&mut tx, id, outbox::Event::EventStatusChanged(changed)).await?;
        let event = emit(&mut tx, outbox::Event::EventUpdated, row).await?;
        tx.commit().await?;
        Ok(TransitionEventResponse { event: Some(event) })
    }
}
