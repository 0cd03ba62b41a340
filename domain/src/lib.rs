//! Pure EventKit rules with no I/O: ids, validated input types and hierarchy rules.
//! Everything here is deterministic and unit-tested in place; the service crates turn
//! wire input into these types at the edge ("parse, don't validate").

pub mod id;
pub mod inventory;
pub mod money;
pub mod text;
pub mod violation;
pub mod webhooks;

pub use violation::{FieldViolation, Violations};
