//! Wire input of the planning API → checked values: timestamps, periods and event statuses.

use crate::{fields::unknown_enum, period::Window};
use chrono::{DateTime, Utc};
use eventkit_domain::{FieldViolation, planning::EventStatus};
use eventkit_proto::eventkit::v1 as pb;

/// An optional timestamp (microsecond precision is what is stored).
pub fn time(
    field: &str,
    raw: Option<&prost_types::Timestamp>,
) -> Result<Option<DateTime<Utc>>, FieldViolation> {
    raw.map(|t| {
        let nanos = u32::try_from(t.nanos).ok().filter(|n| *n < 1_000_000_000);
        nanos
            .and_then(|n| DateTime::from_timestamp(t.seconds, n))
            .filter(|d| (1970..=9999).contains(&chrono::Datelike::year(d)))
            .ok_or_else(|| FieldViolation::new(field, "must be a time between 1970 and 9999"))
    })
    .transpose()
}

/// An optional period; when given, both ends are required and `start < end`.
pub fn period(field: &str, raw: Option<&pb::Period>) -> Result<Option<Window>, FieldViolation> {
    let Some(raw) = raw else { return Ok(None) };
    let start = time(&format!("{field}.start"), raw.start.as_ref())?
        .ok_or_else(|| FieldViolation::new(format!("{field}.start"), "is required"))?;
    let end = time(&format!("{field}.end"), raw.end.as_ref())?
        .ok_or_else(|| FieldViolation::new(format!("{field}.end"), "is required"))?;
    if start >= end {
        return Err(FieldViolation::new(
            format!("{field}.end"),
            "must be after the start",
        ));
    }
    Ok(Some(Window { start, end }))
}

/// A required period.
pub fn required_period(field: &str, raw: Option<&pb::Period>) -> Result<Window, FieldViolation> {
    period(field, raw)?.ok_or_else(|| FieldViolation::new(field, "is required"))
}

/// A required period of at most `max_days` days.
pub fn bounded_period(
    field: &str,
    raw: Option<&pb::Period>,
    max_days: i64,
) -> Result<Window, FieldViolation> {
    let window = required_period(field, raw)?;
    if window.days() > max_days {
        return Err(FieldViolation::new(
            field,
            format!("must be at most {max_days} days long"),
        ));
    }
    Ok(window)
}

pub fn event_status(field: &str, raw: i32) -> Result<EventStatus, FieldViolation> {
    use pb::EventStatus as P;
    Ok(
        match P::try_from(raw).map_err(|_| unknown_enum(field, raw))? {
            P::Unspecified => return Err(FieldViolation::new(field, "is required")),
            P::Enquiry => EventStatus::Enquiry,
            P::Provisional => EventStatus::Provisional,
            P::Confirmed => EventStatus::Confirmed,
            P::Prepped => EventStatus::Prepped,
            P::Out => EventStatus::Out,
            P::Returned => EventStatus::Returned,
            P::Completed => EventStatus::Completed,
            P::Cancelled => EventStatus::Cancelled,
        },
    )
}

pub fn event_status_to_pb(status: EventStatus) -> pb::EventStatus {
    use pb::EventStatus as P;
    match status {
        EventStatus::Enquiry => P::Enquiry,
        EventStatus::Provisional => P::Provisional,
        EventStatus::Confirmed => P::Confirmed,
        EventStatus::Prepped => P::Prepped,
        EventStatus::Out => P::Out,
        EventStatus::Returned => P::Returned,
        EventStatus::Completed => P::Completed,
        EventStatus::Cancelled => P::Cancelled,
    }
}

/// A list of statuses, each named as `field[i]` when bad.
pub fn event_statuses(field: &str, raw: &[i32]) -> Result<Vec<EventStatus>, FieldViolation> {
    raw.iter()
        .enumerate()
        .map(|(i, s)| event_status(&format!("{field}[{i}]"), *s))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(seconds: i64) -> Option<prost_types::Timestamp> {
        Some(prost_types::Timestamp { seconds, nanos: 0 })
    }

    #[test]
    fn periods_need_both_ends_in_order() {
        let p = |start, end| pb::Period { start, end };
        assert_eq!(period("period", None), Ok(None));
        assert_eq!(
            period("period", Some(&p(None, ts(10)))).unwrap_err().field,
            "period.start"
        );
        assert_eq!(
            period("period", Some(&p(ts(10), ts(10))))
                .unwrap_err()
                .field,
            "period.end"
        );
        let w = period("period", Some(&p(ts(10), ts(20)))).unwrap().unwrap();
        assert_eq!(w.span().end() - w.span().start(), 10_000_000);
        assert_eq!(Window::of(&w.range()), Some(w));
        assert!(bounded_period("period", Some(&p(ts(0), ts(400 * 86_400))), 366).is_err());
        assert!(bounded_period("period", None, 366).is_err());
    }

    #[test]
    fn times_are_checked() {
        let bad = prost_types::Timestamp {
            seconds: 0,
            nanos: -1,
        };
        assert!(time("t", Some(&bad)).is_err());
        assert!(time("t", ts(-1).as_ref()).is_err());
        assert!(time("t", ts(0).as_ref()).unwrap().is_some());
    }

    #[test]
    fn statuses_round_trip_and_unspecified_is_refused() {
        for s in EventStatus::ALL {
            assert_eq!(event_status("s", event_status_to_pb(s) as i32), Ok(s));
        }
        assert_eq!(event_status("s", 0).unwrap_err().description, "is required");
        assert_eq!(event_statuses("s", &[1, 99]).unwrap_err().field, "s[1]");
    }
}
