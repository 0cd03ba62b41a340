//! Wire input → validated domain values, collecting every bad field with its request path.

use crate::fields::unknown_enum;
pub use crate::fields::{price, update_mask};
use eventkit_domain::{
    FieldViolation,
    inventory::{AssetStatus, LocationKind, TrackingMode},
};
use eventkit_proto::eventkit::v1 as pb;

pub fn tracking_mode(field: &str, raw: i32) -> Result<TrackingMode, FieldViolation> {
    match pb::TrackingMode::try_from(raw) {
        Ok(pb::TrackingMode::Unspecified | pb::TrackingMode::Serialised) => {
            Ok(TrackingMode::Serialised)
        }
        Ok(pb::TrackingMode::Bulk) => Ok(TrackingMode::Bulk),
        Err(_) => Err(unknown_enum(field, raw)),
    }
}

/// A case kind as stored; UNSPECIFIED is permanent.
pub fn case_kind(field: &str, raw: i32) -> Result<&'static str, FieldViolation> {
    match pb::CaseKind::try_from(raw) {
        Ok(pb::CaseKind::Unspecified | pb::CaseKind::Permanent) => Ok("permanent"),
        Ok(pb::CaseKind::Temporary) => Ok("temporary"),
        Err(_) => Err(unknown_enum(field, raw)),
    }
}

pub fn location_kind(field: &str, raw: i32) -> Result<LocationKind, FieldViolation> {
    match pb::LocationKind::try_from(raw) {
        Ok(pb::LocationKind::Warehouse) => Ok(LocationKind::Warehouse),
        Ok(pb::LocationKind::Zone) => Ok(LocationKind::Zone),
        Ok(pb::LocationKind::Bin) => Ok(LocationKind::Bin),
        Ok(pb::LocationKind::Unspecified) => Err(FieldViolation::new(field, "is required")),
        Err(_) => Err(unknown_enum(field, raw)),
    }
}

/// An asset status; `default` stands in for UNSPECIFIED (None: required).
pub fn asset_status(
    field: &str,
    raw: i32,
    default: Option<AssetStatus>,
) -> Result<AssetStatus, FieldViolation> {
    match pb::AssetStatus::try_from(raw) {
        Ok(pb::AssetStatus::Unspecified) => {
            default.ok_or_else(|| FieldViolation::new(field, "is required"))
        }
        Ok(pb::AssetStatus::Available) => Ok(AssetStatus::Available),
        Ok(pb::AssetStatus::CheckedOut) => Ok(AssetStatus::CheckedOut),
        Ok(pb::AssetStatus::InRepair) => Ok(AssetStatus::InRepair),
        Ok(pb::AssetStatus::Lost) => Ok(AssetStatus::Lost),
        Ok(pb::AssetStatus::Retired) => Ok(AssetStatus::Retired),
        Err(_) => Err(unknown_enum(field, raw)),
    }
}

/// A full-text query as a prefix-matching `tsquery` literal (bound as `$n::tsquery`, so user
/// input is never parsed as query syntax). Each word matches as a whole (codes like `SP-200`,
/// indexed whole) or by its letter/digit parts: `"mov SP-200"` →
/// `'mov':* & ('sp-200':* | 'sp':* & '200':*)`.
pub fn search_query(raw: &str) -> Result<Option<String>, FieldViolation> {
    if raw.chars().count() > 200 {
        return Err(FieldViolation::new(
            "query",
            "must be at most 200 characters",
        ));
    }
    let lexeme = |w: &str| format!("'{}':*", w.replace('\\', "\\\\").replace('\'', "''"));
    let terms: Vec<String> = raw
        .split_whitespace()
        .filter_map(|word| {
            let word = word.to_lowercase();
            let parts: Vec<&str> = word
                .split(|c: char| !c.is_alphanumeric())
                .filter(|p| !p.is_empty())
                .collect();
            match parts.as_slice() {
                [] => None,
                [only] if *only == word => Some(lexeme(only)),
                _ => {
                    let split = parts
                        .iter()
                        .map(|p| lexeme(p))
                        .collect::<Vec<_>>()
                        .join(" & ");
                    Some(format!("({} | {split})", lexeme(&word)))
                }
            }
        })
        .collect();
    Ok((!terms.is_empty()).then(|| terms.join(" & ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_reject_unknown_numbers() {
        assert_eq!(
            tracking_mode("t", 99).unwrap_err().description,
            "unknown value 99"
        );
        assert_eq!(tracking_mode("t", 0).unwrap(), TrackingMode::Serialised);
        assert_eq!(
            location_kind("kind", 0).unwrap_err().description,
            "is required"
        );
        assert_eq!(
            asset_status("s", 0, Some(AssetStatus::Available)).unwrap(),
            AssetStatus::Available
        );
        assert!(asset_status("s", 0, None).is_err());
    }

    #[test]
    fn search_terms_are_quoted_prefixes() {
        assert_eq!(
            search_query("Mov  Hea").unwrap().unwrap(),
            "'mov':* & 'hea':*"
        );
        assert_eq!(
            search_query("SP-200").unwrap().unwrap(),
            "('sp-200':* | 'sp':* & '200':*)"
        );
        assert_eq!(
            search_query("it's").unwrap().unwrap(),
            "('it''s':* | 'it':* & 's':*)"
        );
        assert_eq!(search_query("& |!").unwrap(), None);
        assert_eq!(search_query("  ").unwrap(), None);
        assert!(search_query(&"a".repeat(201)).is_err());
    }
}
