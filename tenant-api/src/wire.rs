//! Conversions from database values to wire types that every service of the tenant API shares.

use chrono::{DateTime, Utc};
use eventkit_proto::eventkit::v1 as pb;
use sqlx::postgres::types::PgRange;
use std::ops::Bound;

/// A database time as a protobuf `Timestamp`.
pub fn timestamp(t: DateTime<Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: t.timestamp(),
        nanos: t.timestamp_subsec_nanos() as i32,
    }
}

/// An optional id as the API's string (empty for none).
pub fn opt_id(id: Option<impl std::fmt::Display>) -> String {
    id.map(|i| i.to_string()).unwrap_or_default()
}

/// A stored `[start, end)` `tstzrange` as an API `Period`.
pub fn period(range: &PgRange<DateTime<Utc>>) -> pb::Period {
    let bound = |b: &Bound<DateTime<Utc>>| match b {
        Bound::Included(t) | Bound::Excluded(t) => Some(timestamp(*t)),
        Bound::Unbounded => None,
    };
    pb::Period {
        start: bound(&range.start),
        end: bound(&range.end),
    }
}
