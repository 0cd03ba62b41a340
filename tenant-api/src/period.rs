//! Periods as the tenant API stores and compares them: a checked `[start, end)` [`Window`] and the
//! stored `tstzrange` ([`Range`]). Planning makes them from input, and bookings, availability and
//! scanning compare them, so they live below all of those rather than inside planning.

use chrono::{DateTime, Utc};
use eventkit_domain::availability::Span;
use sqlx::postgres::types::PgRange;
use std::ops::Bound;

/// A stored `[start, end)` period (`tstzrange`).
pub type Range = PgRange<DateTime<Utc>>;

/// A checked `[start, end)` period with `start < end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Window {
    pub fn range(self) -> PgRange<DateTime<Utc>> {
        PgRange {
            start: Bound::Included(self.start),
            end: Bound::Excluded(self.end),
        }
    }

    pub fn span(self) -> Span {
        Span::new(self.start.timestamp_micros(), self.end.timestamp_micros())
            .expect("a window is never empty")
    }

    /// The window of a stored `[start, end)` range with both bounds.
    pub fn of(range: &PgRange<DateTime<Utc>>) -> Option<Self> {
        match (range.start, range.end) {
            (Bound::Included(start), Bound::Excluded(end)) if start < end => {
                Some(Self { start, end })
            }
            _ => None,
        }
    }

    /// Appends `and <prefix>starts_at < end and <prefix>ends_at > start`: overlap with this
    /// window through the leakproof timestamp comparisons an index may use under row-level
    /// security (migration 0010 explains why not `period && range`).
    pub fn push_overlap(self, sql: &mut sqlx::QueryBuilder<'_, sqlx::Postgres>, prefix: &str) {
        sql.push(format!(" and {prefix}starts_at < "))
            .push_bind(self.end)
            .push(format!(" and {prefix}ends_at > "))
            .push_bind(self.start);
    }

    pub fn days(self) -> i64 {
        (self.end - self.start).num_days()
    }
}
