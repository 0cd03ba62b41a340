//! Conversions from database values to wire types that every service of the tenant API shares.

use chrono::{DateTime, Utc};

/// A database time as a protobuf `Timestamp`.
pub fn timestamp(t: DateTime<Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: t.timestamp(),
        nanos: t.timestamp_subsec_nanos() as i32,
    }
}
