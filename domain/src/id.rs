//! Ids are UUIDv7 made in the application: time-ordered (good for btree locality and a
//! stable list order) and never guessable across tenants.

use crate::FieldViolation;
use uuid::Uuid;

/// A new time-ordered id.
pub fn new_id() -> Uuid {
    Uuid::now_v7()
}

/// Parses a required id field.
pub fn parse_id(field: &str, raw: &str) -> Result<Uuid, FieldViolation> {
    if raw.is_empty() {
        return Err(FieldViolation::new(field, "is required"));
    }
    Uuid::try_parse(raw).map_err(|_| FieldViolation::new(field, "must be a UUID"))
}

/// Parses an optional id field: empty means none.
pub fn parse_optional_id(field: &str, raw: &str) -> Result<Option<Uuid>, FieldViolation> {
    if raw.is_empty() {
        Ok(None)
    } else {
        parse_id(field, raw).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_v7_and_ordered() {
        let a = new_id();
        let b = new_id();
        assert_eq!(a.get_version_num(), 7);
        assert!(a < b);
    }

    #[test]
    fn parse_rejects_empty_and_garbage() {
        assert_eq!(parse_id("id", "").unwrap_err().description, "is required");
        assert_eq!(parse_id("id", "nope").unwrap_err().field, "id");
        assert!(parse_id("id", &new_id().to_string()).is_ok());
        assert_eq!(parse_optional_id("x", "").unwrap(), None);
    }
}
