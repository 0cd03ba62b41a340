//! Recurring events: one request makes a series from an RRULE (rules in
//! `eventkit_domain::recurrence`); every occurrence is the first event moved in time, with the
//! same duration and the same preparation lead, and the series shares one id.

use super::{Planning, events};
use crate::period::Window;
use chrono::Duration;
use eventkit_domain::{Violations, id, recurrence::Rule};
use eventkit_platform::{ApiError, auth::Principal, outbox};
use eventkit_proto::eventkit::v1::*;

impl Planning {
    pub async fn create_recurring_events(
        &self,
        p: &Principal,
        req: CreateRecurringEventsRequest,
    ) -> Result<CreateRecurringEventsResponse, ApiError> {
        let mut v = Violations::new();
        let new = v.check_all(events::NewEvent::parse(
            &req.name,
            &req.client_name,
            &req.venue,
            &req.project_id,
            req.prep_time.as_ref(),
            req.period.as_ref(),
        ));
        let rule = v.check(Rule::parse("rrule", &req.rrule));
        if new.as_ref().is_some_and(|n| n.period.is_none()) {
            v.push(eventkit_domain::FieldViolation::new(
                "period",
                "is required",
            ));
        }
        v.finish()?;
        let (new, rule) = (new.unwrap(), rule.unwrap());
        let first = new.period.expect("checked above");
        let starts = rule
            .starts(first.start)
            .map_err(|why| ApiError::invalid("rrule", why))?;
        if starts.is_empty() {
            return Err(ApiError::invalid(
                "rrule",
                "makes no occurrence (UNTIL is before the first start)",
            ));
        }
        let lead = new.prep.map(|prep| first.start - prep);
        let length: Duration = first.end - first.start;

        let mut tx = self.tx(p).await?;
        new.check_project(&mut tx).await?;
        let series = id::new_id();
        let mut made = Vec::with_capacity(starts.len());
        for start in starts {
            let period = Window {
                start,
                end: start + length,
            };
            let prep = lead.map(|lead| start - lead);
            let row = new
                .insert(&mut tx, prep, Some(period), Some(series))
                .await?;
            made.push(events::emit(&mut tx, outbox::Event::EventCreated, row).await?);
        }
        tx.commit().await?;
        Ok(CreateRecurringEventsResponse {
            events: made,
            series_id: series.to_string(),
        })
    }
}
