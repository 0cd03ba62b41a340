//! Wire input checks that every service shares: update masks (and the text columns they set),
//! prices and enum numbers.

use eventkit_domain::{FieldViolation, Violations, money::Money};
use eventkit_proto::eventkit::v1 as pb;
use sqlx::{Postgres, QueryBuilder};

pub fn price(field: &str, money: Option<&pb::Money>) -> Result<Option<Money>, FieldViolation> {
    money
        .map(|m| Money::parse_price(field, m.amount_minor, &m.currency))
        .transpose()
}

pub fn unknown_enum(field: &str, raw: i32) -> FieldViolation {
    FieldViolation::new(field, format!("unknown value {raw}"))
}

/// Adds `, <column> = <value>` to an update when the value is good, records the violation
/// otherwise.
pub fn push_text(
    set: &mut QueryBuilder<'_, Postgres>,
    v: &mut Violations,
    column: &str,
    value: Result<String, FieldViolation>,
) {
    if let Some(value) = v.check(value) {
        set.push(format!(", {column} = ")).push_bind(value);
    }
}

/// The paths of an update mask, each checked against the updatable fields.
pub fn update_mask<'a>(
    mask: Option<&'a prost_types::FieldMask>,
    allowed: &[&str],
) -> Result<Vec<&'a str>, Vec<FieldViolation>> {
    let paths: Vec<&str> = mask
        .map(|m| m.paths.iter().map(String::as_str).collect())
        .unwrap_or_default();
    if paths.is_empty() {
        return Err(vec![FieldViolation::new(
            "update_mask",
            "name at least one field to update",
        )]);
    }
    let unknown: Vec<FieldViolation> = paths
        .iter()
        .filter(|p| !allowed.contains(p))
        .map(|p| {
            FieldViolation::new(
                "update_mask",
                format!("{p:?} cannot be updated; updatable: {}", allowed.join(", ")),
            )
        })
        .collect();
    if unknown.is_empty() {
        Ok(paths)
    } else {
        Err(unknown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_must_name_updatable_fields() {
        let mask = prost_types::FieldMask {
            paths: vec!["name".into(), "id".into()],
        };
        let errs = update_mask(Some(&mask), &["name"]).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert!(errs[0].description.contains("\"id\""));
        assert!(update_mask(None, &["name"]).is_err());
    }
}
