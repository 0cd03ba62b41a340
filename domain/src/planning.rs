//! Planning rules: the event status machine, which statuses reserve stock, and the limits of
//! event fields. Kept pure so the whole machine is tested by walking every pair of statuses.

use crate::FieldViolation;
use crate::text::TextRule;

pub const NAME: TextRule = TextRule::required(200);
pub const CLIENT_NAME: TextRule = TextRule::optional(200);
pub const VENUE: TextRule = TextRule::optional(500);
pub const SUPPLIER: TextRule = TextRule::required(200);

/// Largest quantity of one pull-list line or sub-rent.
pub const MAX_QUANTITY: i32 = 100_000;

/// Where an event (job) is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventStatus {
    Enquiry,
    Provisional,
    Confirmed,
    Prepped,
    Out,
    Returned,
    Completed,
    Cancelled,
}

use EventStatus::*;

impl EventStatus {
    pub const ALL: [EventStatus; 8] = [
        Enquiry,
        Provisional,
        Confirmed,
        Prepped,
        Out,
        Returned,
        Completed,
        Cancelled,
    ];

    /// The statuses a tenant may choose to let reserve stock (the others are fixed).
    pub const CONFIGURABLE: [EventStatus; 3] = [Enquiry, Provisional, Confirmed];

    /// The reserving statuses a new tenant has among [`Self::CONFIGURABLE`].
    pub const DEFAULT_RESERVING: [EventStatus; 2] = [Provisional, Confirmed];

    pub fn as_str(self) -> &'static str {
        match self {
            Enquiry => "enquiry",
            Provisional => "provisional",
            Confirmed => "confirmed",
            Prepped => "prepped",
            Out => "out",
            Returned => "returned",
            Completed => "completed",
            Cancelled => "cancelled",
        }
    }

    pub fn from_db(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// The statuses this one may move to.
    pub fn next(self) -> &'static [EventStatus] {
        match self {
            Enquiry => &[Provisional, Confirmed, Cancelled],
            Provisional => &[Enquiry, Confirmed, Cancelled],
            Confirmed => &[Provisional, Prepped, Cancelled],
            Prepped => &[Confirmed, Out, Cancelled],
            Out => &[Returned],
            Returned => &[Completed],
            Completed => &[],
            Cancelled => &[Enquiry],
        }
    }

    /// Whether an event in this status must have its planning period (out → back).
    pub fn needs_period(self) -> bool {
        !matches!(self, Enquiry | Cancelled)
    }

    /// Whether the pull list of an event in this status reserves stock, given the tenant's
    /// choice among [`Self::CONFIGURABLE`]. Goods that are prepped or out are away whatever the
    /// setting; returned, completed and cancelled events never hold stock.
    pub fn reserves(self, configured: &[EventStatus]) -> bool {
        match self {
            Prepped | Out => true,
            Returned | Completed | Cancelled => false,
            Enquiry | Provisional | Confirmed => configured.contains(&self),
        }
    }
}

/// Checks a status change; `has_period` says whether the event's out and back dates are set.
pub fn check_transition(
    from: EventStatus,
    to: EventStatus,
    has_period: bool,
) -> Result<(), String> {
    if !from.next().contains(&to) {
        let allowed: Vec<&str> = from.next().iter().map(|s| s.as_str()).collect();
        return Err(format!(
            "an event cannot go from {} to {} (allowed: {})",
            from.as_str(),
            to.as_str(),
            if allowed.is_empty() {
                "none".to_owned()
            } else {
                allowed.join(", ")
            }
        ));
    }
    if to.needs_period() && !has_period {
        return Err(format!(
            "an event needs its period (out and back) before it becomes {}",
            to.as_str()
        ));
    }
    Ok(())
}

/// Checks a quantity field: 1 to [`MAX_QUANTITY`]; `default` stands in for 0 when given.
pub fn quantity(field: &str, raw: i32, default: Option<i32>) -> Result<i32, FieldViolation> {
    match (raw, default) {
        (0, Some(d)) => Ok(d),
        (1..=MAX_QUANTITY, _) => Ok(raw),
        _ => Err(FieldViolation::new(
            field,
            format!("must be between 1 and {MAX_QUANTITY}"),
        )),
    }
}

/// Checks the tenant's choice of reserving statuses: only configurable ones, each once.
pub fn reserving_statuses(
    field: &str,
    chosen: &[EventStatus],
) -> Result<Vec<EventStatus>, FieldViolation> {
    let mut out: Vec<EventStatus> = Vec::new();
    for status in chosen {
        if !EventStatus::CONFIGURABLE.contains(status) {
            return Err(FieldViolation::new(
                field,
                format!(
                    "{} cannot be chosen; choose among enquiry, provisional, confirmed",
                    status.as_str()
                ),
            ));
        }
        if !out.contains(status) {
            out.push(*status);
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every allowed move, written out once more by hand: the walk below fails if `next`
    /// grows or loses a move without this table changing too.
    const ALLOWED: &[(EventStatus, EventStatus)] = &[
        (Enquiry, Provisional),
        (Enquiry, Confirmed),
        (Enquiry, Cancelled),
        (Provisional, Enquiry),
        (Provisional, Confirmed),
        (Provisional, Cancelled),
        (Confirmed, Provisional),
        (Confirmed, Prepped),
        (Confirmed, Cancelled),
        (Prepped, Confirmed),
        (Prepped, Out),
        (Prepped, Cancelled),
        (Out, Returned),
        (Returned, Completed),
        (Cancelled, Enquiry),
    ];

    #[test]
    fn every_pair_of_statuses_is_allowed_or_refused_as_specified() {
        let mut allowed = 0;
        for from in EventStatus::ALL {
            for to in EventStatus::ALL {
                let verdict = check_transition(from, to, true);
                if ALLOWED.contains(&(from, to)) {
                    assert_eq!(verdict, Ok(()), "{from:?} → {to:?}");
                    allowed += 1;
                } else {
                    let err = verdict.expect_err(&format!("{from:?} → {to:?} must be refused"));
                    assert!(err.contains(from.as_str()) && err.contains(to.as_str()));
                }
            }
        }
        assert_eq!(allowed, ALLOWED.len());
    }

    #[test]
    fn the_happy_path_walks_to_completed_and_completed_is_final() {
        let path = [
            Enquiry,
            Provisional,
            Confirmed,
            Prepped,
            Out,
            Returned,
            Completed,
        ];
        for pair in path.windows(2) {
            assert_eq!(check_transition(pair[0], pair[1], true), Ok(()));
        }
        assert!(Completed.next().is_empty());
    }

    #[test]
    fn leaving_enquiry_needs_a_period() {
        assert!(
            check_transition(Enquiry, Provisional, false)
                .unwrap_err()
                .contains("period")
        );
        assert_eq!(check_transition(Enquiry, Cancelled, false), Ok(()));
        assert_eq!(check_transition(Cancelled, Enquiry, false), Ok(()));
    }

    #[test]
    fn reserving_follows_the_setting_only_where_it_may() {
        let default = EventStatus::DEFAULT_RESERVING;
        let reserving: Vec<EventStatus> = EventStatus::ALL
            .into_iter()
            .filter(|s| s.reserves(&default))
            .collect();
        assert_eq!(reserving, [Provisional, Confirmed, Prepped, Out]);
        assert!(Enquiry.reserves(&[Enquiry]));
        assert!(!Confirmed.reserves(&[]));
        assert!(Out.reserves(&[]));
        assert!(!Cancelled.reserves(&EventStatus::ALL));
        assert!(!Returned.reserves(&EventStatus::ALL));
    }

    #[test]
    fn reserving_choices_are_checked_and_normalised() {
        assert_eq!(
            reserving_statuses("s", &[Confirmed, Enquiry, Confirmed]).unwrap(),
            [Enquiry, Confirmed]
        );
        assert_eq!(reserving_statuses("s", &[Out]).unwrap_err().field, "s");
    }

    #[test]
    fn quantities_are_bounded_with_an_optional_default() {
        assert_eq!(quantity("q", 0, Some(1)), Ok(1));
        assert!(quantity("q", 0, None).is_err());
        assert!(quantity("q", -1, Some(1)).is_err());
        assert!(quantity("q", MAX_QUANTITY + 1, None).is_err());
        assert_eq!(quantity("q", MAX_QUANTITY, None), Ok(MAX_QUANTITY));
        for s in EventStatus::ALL {
            assert_eq!(EventStatus::from_db(s.as_str()), Some(s));
        }
    }
}
