//! Pure EventKit rules with no I/O: ids, validated input types, hierarchy rules,
//! the tenant lifecycle and quota arithmetic.
//! Everything here is deterministic and unit-tested in place; the service crates turn
//! wire input into these types at the edge ("parse, don't validate").

pub mod id;
pub mod inventory;
pub mod lifecycle;
pub mod money;
pub mod quota;
pub mod text;
pub mod violation;
pub mod webhooks;

pub use violation::{FieldViolation, Violations};
