//! Pure EventKit rules with no I/O: ids, validated input types, hierarchy rules, the tenant
//! lifecycle, quota arithmetic, the event status machine, availability arithmetic and the
//! catalogue of outbox event types.
//! Everything here is deterministic and unit-tested in place; the service crates turn
//! wire input into these types at the edge ("parse, don't validate").

pub mod availability;
pub mod email;
pub mod events;
pub mod id;
pub mod ids;
pub mod inventory;
pub mod lifecycle;
pub mod money;
pub mod permissions;
pub mod planning;
pub mod quota;
pub mod rate_limit;
pub mod recurrence;
pub mod text;
pub mod violation;
pub mod webhooks;

pub use violation::{FieldViolation, Violations};
