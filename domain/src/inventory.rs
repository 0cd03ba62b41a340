//! Inventory rules: field limits and the warehouse → zone → bin hierarchy.

use crate::FieldViolation;
use crate::text::TextRule;

pub const NAME: TextRule = TextRule::required(200);
pub const DESCRIPTION: TextRule = TextRule::multiline(4000);
pub const CATEGORY: TextRule = TextRule::optional(100);
pub const SKU: TextRule = TextRule::optional(64);
pub const SERIAL_NUMBER: TextRule = TextRule::optional(100);

/// The level of a location.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocationKind {
    Warehouse,
    Zone,
    Bin,
}

impl LocationKind {
    /// The kind a parent must have, or `None` when the location must be top-level.
    pub fn required_parent(self) -> Option<LocationKind> {
        match self {
            LocationKind::Warehouse => None,
            LocationKind::Zone => Some(LocationKind::Warehouse),
            LocationKind::Bin => Some(LocationKind::Zone),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LocationKind::Warehouse => "warehouse",
            LocationKind::Zone => "zone",
            LocationKind::Bin => "bin",
        }
    }

    pub fn from_db(raw: &str) -> Option<Self> {
        match raw {
            "warehouse" => Some(Self::Warehouse),
            "zone" => Some(Self::Zone),
            "bin" => Some(Self::Bin),
            _ => None,
        }
    }
}

/// Checks that a location of `kind` may sit under a parent of `parent_kind`.
pub fn check_parent(
    kind: LocationKind,
    parent_kind: Option<LocationKind>,
) -> Result<(), FieldViolation> {
    match (kind.required_parent(), parent_kind) {
        (None, None) => Ok(()),
        (None, Some(_)) => Err(FieldViolation::new(
            "parent_id",
            "a warehouse has no parent",
        )),
        (Some(need), None) => Err(FieldViolation::new(
            "parent_id",
            format!("a {} needs a parent {}", kind.as_str(), need.as_str()),
        )),
        (Some(need), Some(got)) if need == got => Ok(()),
        (Some(need), Some(got)) => Err(FieldViolation::new(
            "parent_id",
            format!(
                "a {} must be inside a {}, not a {}",
                kind.as_str(),
                need.as_str(),
                got.as_str()
            ),
        )),
    }
}

/// Where an asset is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssetStatus {
    Available,
    CheckedOut,
    InRepair,
    Lost,
    Retired,
}

impl AssetStatus {
    pub const ALL: [AssetStatus; 5] = [
        Self::Available,
        Self::CheckedOut,
        Self::InRepair,
        Self::Lost,
        Self::Retired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Available => "available",
            Self::CheckedOut => "checked_out",
            Self::InRepair => "in_repair",
            Self::Lost => "lost",
            Self::Retired => "retired",
        }
    }

    pub fn from_db(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

/// How stock of a product is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackingMode {
    Serialised,
    Bulk,
}

impl TrackingMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Serialised => "serialised",
            Self::Bulk => "bulk",
        }
    }

    pub fn from_db(raw: &str) -> Option<Self> {
        match raw {
            "serialised" => Some(Self::Serialised),
            "bulk" => Some(Self::Bulk),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use LocationKind::*;

    #[test]
    fn hierarchy_is_warehouse_zone_bin() {
        assert!(check_parent(Warehouse, None).is_ok());
        assert!(check_parent(Zone, Some(Warehouse)).is_ok());
        assert!(check_parent(Bin, Some(Zone)).is_ok());
        assert!(check_parent(Warehouse, Some(Zone)).is_err());
        assert!(check_parent(Zone, None).is_err());
        assert!(
            check_parent(Bin, Some(Warehouse))
                .unwrap_err()
                .description
                .contains("inside a zone")
        );
    }

    #[test]
    fn db_names_round_trip() {
        for s in AssetStatus::ALL {
            assert_eq!(AssetStatus::from_db(s.as_str()), Some(s));
        }
        for k in [Warehouse, Zone, Bin] {
            assert_eq!(LocationKind::from_db(k.as_str()), Some(k));
        }
        for t in [TrackingMode::Serialised, TrackingMode::Bulk] {
            assert_eq!(TrackingMode::from_db(t.as_str()), Some(t));
        }
    }
}
