//! Webhook rules with no I/O: the retry schedule, when an endpoint gets disabled, which event
//! types of the catalogue ([`crate::events`]) an endpoint may subscribe to and receives, and
//! which destinations are allowed (see [`destination`]).
//! The workers' dispatcher and the Admin API both decide by these functions, so the documented
//! behaviour lives in one place.

pub mod destination;

use crate::{FieldViolation, events::EventType};
use std::time::Duration;

/// Delay before each attempt: the first at once, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
pub const SCHEDULE: [Duration; 8] = [
    Duration::ZERO,
    Duration::from_secs(5),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(5 * 3600),
    Duration::from_secs(10 * 3600),
    Duration::from_secs(10 * 3600),
];

/// An endpoint that has failed without a single success for this long is disabled.
pub const DISABLE_AFTER: Duration = Duration::from_secs(5 * 24 * 3600);

/// A `Retry-After` longer than this is treated as this (a receiver cannot park us for a week).
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

/// Payloads larger than this are not sent whole (see the API guide).
pub const MAX_PAYLOAD_BYTES: usize = 256 * 1024;

/// How long a rotated-out secret keeps signing next to the new one.
pub const ROTATION_OVERLAP: Duration = Duration::from_secs(24 * 3600);

/// What to do after attempt number `attempts_made` (1-based) failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// Try again after this delay.
    RetryIn(Duration),
    /// The schedule is used up: the delivery has failed for good.
    GiveUp,
}

/// The next step after a failed attempt; `retry_after` is the receiver's `Retry-After`, which
/// can only lengthen the wait, never shorten it.
pub fn after_failure(attempts_made: u32, retry_after: Option<Duration>) -> AfterFailure {
    match SCHEDULE.get(attempts_made as usize) {
        None => AfterFailure::GiveUp,
        Some(delay) => AfterFailure::RetryIn(
            retry_after
                .map(|asked| asked.min(MAX_RETRY_AFTER))
                .map_or(*delay, |asked| asked.max(*delay)),
        ),
    }
}

/// How a receiver's answer counts. Only 2xx is a success; 3xx is a failure (redirects are
/// never followed); 410 Gone disables the endpoint at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    Failed,
    Gone,
}

pub fn outcome(status: u16) -> Outcome {
    match status {
        200..=299 => Outcome::Delivered,
        410 => Outcome::Gone,
        _ => Outcome::Failed,
    }
}

/// Parses `Retry-After` as delay-seconds or an HTTP date (given as seconds from now by the
/// caller's `seconds_until`), ignoring anything else.
pub fn parse_retry_after(
    value: &str,
    seconds_until: impl Fn(&str) -> Option<i64>,
) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    seconds_until(value).map(|s| Duration::from_secs(s.max(0) as u64))
}

/// Most event types an endpoint may list.
pub const MAX_EVENT_TYPES: usize = 100;

/// Checks an endpoint's event type filters against the catalogue: `*` (everything),
/// `<entity>.*` for an entity with public events, or a public event type such as
/// `product.created` ([`EventType::public`]). Sorted, unique.
pub fn parse_event_types(field: &str, raw: &[String]) -> Result<Vec<String>, FieldViolation> {
    if raw.is_empty() {
        return Err(FieldViolation::new(
            field,
            "name at least one event type, e.g. product.created, product.* or *",
        ));
    }
    if raw.len() > MAX_EVENT_TYPES {
        return Err(FieldViolation::new(
            field,
            format!("at most {MAX_EVENT_TYPES} event types"),
        ));
    }
    let mut types = Vec::with_capacity(raw.len());
    for (i, t) in raw.iter().enumerate() {
        let t = t.trim();
        check_filter(t).map_err(|why| FieldViolation::new(format!("{field}[{i}]"), why))?;
        types.push(t.to_owned());
    }
    types.sort();
    types.dedup();
    Ok(types)
}

fn check_filter(t: &str) -> Result<(), String> {
    if t == "*" {
        return Ok(());
    }
    if let Some(entity) = t.strip_suffix(".*") {
        if EventType::public().any(|e| e.entity() == entity) {
            return Ok(());
        }
        return Err(format!(
            "{t:?} names no entity with events a webhook receives (see the API guide's event table)"
        ));
    }
    match EventType::parse(t) {
        Some(event) if event.is_public() => Ok(()),
        Some(event) => Err(format!(
            "{event} is for EventKit's own workers and never reaches a webhook"
        )),
        None => Err(format!(
            "{t:?} is not an event type: use one of the API guide's event table (product.created), entity.* or *"
        )),
    }
}

/// Whether an endpoint subscribed to `filters` wants `event`; never an event for our own
/// workers ([`Audience::Workers`](crate::events::Audience::Workers)), whatever it subscribed to.
pub fn wants(filters: &[String], event: EventType) -> bool {
    event.is_public()
        && filters.iter().any(|f| {
            f == "*" || f == event.as_str() || f.strip_suffix(".*") == Some(event.entity())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_events_reach_no_endpoint() {
        let all = [
            "*".to_owned(),
            "email.*".to_owned(),
            "email.requested".to_owned(),
            "export.*".to_owned(),
            "tenant.*".to_owned(),
        ];
        for event in EventType::ALL.iter().filter(|t| !t.is_public()) {
            assert!(!wants(&all, *event), "{event} reached a webhook");
        }
        assert!(wants(&all, EventType::TenantSuspended));
    }

    #[test]
    fn the_schedule_runs_eight_attempts_then_gives_up() {
        let delays: Vec<_> = (1..=8).map(|n| after_failure(n, None)).collect();
        assert_eq!(
            delays,
            [5, 300, 1800, 7200, 18000, 36000, 36000]
                .iter()
                .map(|s| AfterFailure::RetryIn(Duration::from_secs(*s)))
                .chain([AfterFailure::GiveUp])
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn retry_after_lengthens_but_never_shortens_and_is_capped() {
        let long = Some(Duration::from_secs(600));
        assert_eq!(
            after_failure(1, long),
            AfterFailure::RetryIn(Duration::from_secs(600))
        );
        assert_eq!(
            after_failure(2, Some(Duration::from_secs(1))),
            AfterFailure::RetryIn(Duration::from_secs(300))
        );
        assert_eq!(
            after_failure(1, Some(Duration::from_secs(9_999_999))),
            AfterFailure::RetryIn(MAX_RETRY_AFTER)
        );
        assert_eq!(after_failure(8, long), AfterFailure::GiveUp);
    }

    #[test]
    fn only_2xx_delivers_and_410_is_gone() {
        assert_eq!(outcome(200), Outcome::Delivered);
        assert_eq!(outcome(204), Outcome::Delivered);
        assert_eq!(outcome(301), Outcome::Failed);
        assert_eq!(outcome(410), Outcome::Gone);
        assert_eq!(outcome(500), Outcome::Failed);
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(
            parse_retry_after(" 120 ", |_| None),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", |_| Some(30)),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("yesterday", |_| Some(-5)),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", |_| None), None);
    }

    #[test]
    fn event_type_filters() {
        let ok = parse_event_types(
            "event_types",
            &[
                "product.created".into(),
                "asset.*".into(),
                "*".into(),
                " asset.* ".into(),
                "webhook.test".into(),
            ],
        )
        .unwrap();
        assert_eq!(ok, ["*", "asset.*", "product.created", "webhook.test"]);
        for bad in [
            "",
            "product",
            "Product.created",
            "product.",
            ".created",
            "a.b.c",
            "*.created",
            "x.y",
            "product.creatd",
            "nope.*",
            "email.requested",
            "email.*",
            "export.ready",
        ] {
            let err = parse_event_types("event_types", &["asset.created".into(), bad.into()])
                .unwrap_err();
            assert_eq!(err.field, "event_types[1]", "{bad:?}");
        }
        assert_eq!(
            parse_event_types("event_types", &[]).unwrap_err().field,
            "event_types"
        );
    }

    #[test]
    fn matching() {
        let f = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(wants(&f(&["*"]), EventType::AssetCreated));
        assert!(wants(&f(&["asset.*"]), EventType::AssetStatusChanged));
        assert!(!wants(&f(&["assets.*"]), EventType::AssetCreated));
        assert!(!wants(&f(&["asset.*"]), EventType::StockLow));
        assert!(!wants(&f(&["stock.*"]), EventType::StockLevelCreated));
        assert!(wants(&f(&["product.created"]), EventType::ProductCreated));
        assert!(!wants(&f(&["product.created"]), EventType::ProductUpdated));
    }
}
