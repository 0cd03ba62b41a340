//! Database rows of the inventory tables and their conversion to API messages.

use crate::store::Entity;
use crate::wire::{opt_id, timestamp};
use chrono::{DateTime, Utc};
use eventkit_domain::ids::{AssetId, CaseId, LocationId, ProductId};
use eventkit_domain::inventory::{
    AssetStatus as DomainAssetStatus, LocationKind as DomainLocationKind,
    TrackingMode as DomainTracking,
};
use eventkit_proto::eventkit::v1 as pb;
use uuid::Uuid;

pub const PRODUCT_COLUMNS: &str = "id, name, description, category, sku, tracking_mode, daily_rate_minor, \
     daily_rate_currency, consumable, created_at, updated_at, deleted_at";

#[derive(sqlx::FromRow, Debug)]
pub struct ProductRow {
    pub id: ProductId,
    pub name: String,
    pub description: String,
    pub category: String,
    pub sku: String,
    pub tracking_mode: String,
    pub daily_rate_minor: Option<i64>,
    pub daily_rate_currency: Option<String>,
    pub consumable: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

impl Entity for ProductRow {
    type Id = ProductId;
    const TABLE: &'static str = "products";
    const COLUMNS: &'static str = PRODUCT_COLUMNS;
    const NAME: &'static str = "product";
    const SOFT_DELETE: bool = true;
}

impl From<ProductRow> for pb::Product {
    fn from(r: ProductRow) -> Self {
        let tracking = match DomainTracking::from_db(&r.tracking_mode) {
            Some(DomainTracking::Serialised) => pb::TrackingMode::Serialised,
            Some(DomainTracking::Bulk) => pb::TrackingMode::Bulk,
            None => pb::TrackingMode::Unspecified,
        };
        pb::Product {
            id: r.id.to_string(),
            name: r.name,
            description: r.description,
            category: r.category,
            sku: r.sku,
            tracking_mode: tracking as i32,
            daily_rate: r.daily_rate_minor.zip(r.daily_rate_currency).map(
                |(amount_minor, currency)| pb::Money {
                    amount_minor,
                    currency,
                },
            ),
            create_time: Some(timestamp(r.created_at)),
            update_time: Some(timestamp(r.updated_at)),
            delete_time: r.deleted_at.map(timestamp),
            consumable: r.consumable,
        }
    }
}

pub const LOCATION_COLUMNS: &str = "id, name, kind, parent_id, created_at, updated_at";

#[derive(sqlx::FromRow, Debug)]
pub struct LocationRow {
    pub id: LocationId,
    pub name: String,
    pub kind: String,
    pub parent_id: Option<LocationId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Entity for LocationRow {
    type Id = LocationId;
    const TABLE: &'static str = "locations";
    const COLUMNS: &'static str = LOCATION_COLUMNS;
    const NAME: &'static str = "location";
}

impl From<LocationRow> for pb::Location {
    fn from(r: LocationRow) -> Self {
        let kind = match DomainLocationKind::from_db(&r.kind) {
            Some(DomainLocationKind::Warehouse) => pb::LocationKind::Warehouse,
            Some(DomainLocationKind::Zone) => pb::LocationKind::Zone,
            Some(DomainLocationKind::Bin) => pb::LocationKind::Bin,
            None => pb::LocationKind::Unspecified,
        };
        pb::Location {
            id: r.id.to_string(),
            name: r.name,
            kind: kind as i32,
            parent_id: opt_id(r.parent_id),
            create_time: Some(timestamp(r.created_at)),
            update_time: Some(timestamp(r.updated_at)),
        }
    }
}

/// The columns GetAsset reads (also the bench's pgbench script).
pub const ASSET_COLUMNS: &str =
    "id, product_id, code, serial_number, status, location_id, case_id, created_at, updated_at";

#[derive(sqlx::FromRow, Debug)]
pub struct AssetRow {
    pub id: AssetId,
    pub product_id: ProductId,
    pub code: String,
    pub serial_number: String,
    pub status: String,
    pub location_id: Option<LocationId>,
    pub case_id: Option<CaseId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Entity for AssetRow {
    type Id = AssetId;
    const TABLE: &'static str = "assets";
    const COLUMNS: &'static str = ASSET_COLUMNS;
    const NAME: &'static str = "asset";
}

pub(crate) fn asset_status_to_pb(status: DomainAssetStatus) -> pb::AssetStatus {
    match status {
        DomainAssetStatus::Available => pb::AssetStatus::Available,
        DomainAssetStatus::CheckedOut => pb::AssetStatus::CheckedOut,
        DomainAssetStatus::InRepair => pb::AssetStatus::InRepair,
        DomainAssetStatus::Lost => pb::AssetStatus::Lost,
        DomainAssetStatus::Retired => pb::AssetStatus::Retired,
    }
}

impl From<AssetRow> for pb::Asset {
    fn from(r: AssetRow) -> Self {
        let status = DomainAssetStatus::from_db(&r.status)
            .map_or(pb::AssetStatus::Unspecified, asset_status_to_pb);
        pb::Asset {
            id: r.id.to_string(),
            product_id: r.product_id.to_string(),
            code: r.code,
            serial_number: r.serial_number,
            status: status as i32,
            location_id: opt_id(r.location_id),
            case_id: opt_id(r.case_id),
            create_time: Some(timestamp(r.created_at)),
            update_time: Some(timestamp(r.updated_at)),
        }
    }
}

pub const CASE_COLUMNS: &str =
    "id, code, name, location_id, kind, parent_case_id, created_at, updated_at";

#[derive(sqlx::FromRow, Debug)]
pub struct CaseRow {
    pub id: CaseId,
    pub code: String,
    pub name: String,
    pub location_id: Option<LocationId>,
    pub kind: String,
    pub parent_case_id: Option<CaseId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Entity for CaseRow {
    type Id = CaseId;
    const TABLE: &'static str = "cases";
    const COLUMNS: &'static str = CASE_COLUMNS;
    const NAME: &'static str = "case";
}

impl CaseRow {
    /// The case with its direct contents (assets and cases; both empty in lists).
    pub fn into_pb(self, asset_ids: Vec<Uuid>, case_ids: Vec<Uuid>) -> pb::Case {
        pb::Case {
            id: self.id.to_string(),
            code: self.code,
            name: self.name,
            location_id: opt_id(self.location_id),
            asset_ids: asset_ids.iter().map(Uuid::to_string).collect(),
            kind: if self.kind == "temporary" {
                pb::CaseKind::Temporary
            } else {
                pb::CaseKind::Permanent
            } as i32,
            parent_case_id: opt_id(self.parent_case_id),
            case_ids: case_ids.iter().map(Uuid::to_string).collect(),
            create_time: Some(timestamp(self.created_at)),
            update_time: Some(timestamp(self.updated_at)),
        }
    }
}
