//! The demo warehouse: zones and bins, serialised products with their assets, bulk stock
//! (cables, tape), a DJ booth kit, two packed flight cases and one moving head in repair.

use eventkit_platform::{ApiError, auth::Principal};
use eventkit_proto::eventkit::v1::*;
use eventkit_tenant_api::inventory::Inventory;
use std::collections::HashMap;

/// What the planning demo books: product ids by SKU.
pub struct DemoStock {
    pub products: HashMap<&'static str, String>,
}

impl DemoStock {
    pub fn product(&self, sku: &str) -> String {
        self.products.get(sku).cloned().unwrap_or_default()
    }
}

/// (name, category, SKU, day rate in cents, code prefix, units, zone).
const SERIALISED: [(&str, &str, &str, i64, &str, u32, &str); 10] = [
    (
        "Moving head spot 350W",
        "Lighting",
        "MH-350",
        4500,
        "MH",
        8,
        "Lighting",
    ),
    (
        "LED par 18x10W RGBW",
        "Lighting",
        "PAR-18",
        1200,
        "PAR",
        16,
        "Lighting",
    ),
    (
        "Hazer 1500W",
        "Lighting",
        "HZ-1500",
        3500,
        "HZ",
        2,
        "Lighting",
    ),
    (
        "Lighting console 4 universes",
        "Lighting",
        "LC-4U",
        9500,
        "LC",
        2,
        "Lighting",
    ),
    (
        "Line array top 2x10\"",
        "Audio",
        "LA-210",
        9000,
        "LA",
        6,
        "Audio",
    ),
    (
        "Subwoofer 2x18\"",
        "Audio",
        "SUB-218",
        7500,
        "SUB",
        4,
        "Audio",
    ),
    (
        "Digital mixer 32 ch",
        "Audio",
        "MX-32",
        15000,
        "MX",
        2,
        "Audio",
    ),
    (
        "Wireless handheld microphone",
        "Audio",
        "WM-HH",
        2500,
        "WM",
        8,
        "Audio",
    ),
    (
        "LED wall panel 500x500 P2.9",
        "Video",
        "LED-29",
        6000,
        "LED",
        24,
        "Video",
    ),
    (
        "Projector 12k lumen",
        "Video",
        "PJ-12K",
        18000,
        "PJ",
        2,
        "Video",
    ),
];

/// (name, category, SKU, day rate in cents, units in stock, consumable).
const BULK: [(&str, &str, &str, i64, i32, bool); 4] = [
    ("XLR cable 10 m", "Audio", "XLR-10", 150, 120, false),
    ("Schuko extension 5 m", "Power", "SCH-5", 100, 80, false),
    (
        "Truss 3 m, 29 cm square",
        "Rigging",
        "TR-29-3",
        1800,
        24,
        false,
    ),
    (
        "Gaffer tape black 50 mm",
        "Consumables",
        "GAF-50",
        900,
        14,
        true,
    ),
];

pub async fn seed(inventory: &Inventory, p: &Principal) -> Result<DemoStock, ApiError> {
    let warehouse = location(inventory, p, "Main warehouse", LocationKind::Warehouse, "").await?;
    let mut zones = HashMap::new();
    for zone in ["Lighting", "Audio", "Video", "Rigging & power"] {
        let id = location(inventory, p, zone, LocationKind::Zone, &warehouse).await?;
        zones.insert(zone, id);
    }
    location(
        inventory,
        p,
        "Shelf L-01",
        LocationKind::Bin,
        &zones["Lighting"],
    )
    .await?;
    location(
        inventory,
        p,
        "Shelf A-01",
        LocationKind::Bin,
        &zones["Audio"],
    )
    .await?;
    let mut stock = DemoStock {
        products: HashMap::new(),
    };
    let mut asset_ids: HashMap<String, String> = HashMap::new();
    for (name, category, sku, rate, prefix, units, zone) in SERIALISED {
        let request = CreateProductRequest {
            tracking_mode: TrackingMode::Serialised as i32,
            ..new_product(name, category, sku, rate)
        };
        let product_id = product(inventory, p, request).await?;
        for n in 1..=units {
            let code = format!("{prefix}-{n:04}");
            let made = inventory
                .create_asset(
                    p,
                    CreateAssetRequest {
                        product_id: product_id.clone(),
                        code: code.clone(),
                        serial_number: format!("SN{prefix}{n:06}"),
                        location_id: zones[zone].clone(),
                        ..Default::default()
                    },
                )
                .await?;
            asset_ids.insert(code.clone(), made.asset.map(|a| a.id).unwrap_or_default());
        }
        stock.products.insert(sku, product_id);
    }
    for (name, category, sku, rate, units, consumable) in BULK {
        let request = CreateProductRequest {
            tracking_mode: TrackingMode::Bulk as i32,
            consumable,
            ..new_product(name, category, sku, rate)
        };
        let product_id = product(inventory, p, request).await?;
        inventory
            .set_stock_level(
                p,
                SetStockLevelRequest {
                    product_id: product_id.clone(),
                    location_id: zones["Rigging & power"].clone(),
                    quantity: units,
                    in_repair_quantity: if sku == "XLR-10" { 4 } else { 0 },
                    // The tape is below its reorder level: the dashboard shows low stock.
                    reorder_level: if sku == "GAF-50" { 20 } else { units / 4 },
                },
            )
            .await?;
        stock.products.insert(sku, product_id);
    }
    let kit_request = CreateProductRequest {
        tracking_mode: TrackingMode::Bulk as i32,
        ..new_product("DJ booth kit", "Audio", "KIT-DJ", 25000)
    };
    let kit = product(inventory, p, kit_request).await?;
    inventory
        .set_kit_components(
            p,
            SetKitComponentsRequest {
                product_id: kit.clone(),
                components: [("MX-32", 1), ("SUB-218", 2), ("WM-HH", 2), ("XLR-10", 8)]
                    .map(|(sku, quantity)| KitComponent {
                        product_id: stock.product(sku),
                        quantity,
                    })
                    .to_vec(),
            },
        )
        .await?;
    stock.products.insert("KIT-DJ", kit);

    for (code, name, contents) in [
        (
            "CASE-0001",
            "Flight case moving heads 1",
            ["MH-0001", "MH-0002"],
        ),
        (
            "CASE-0002",
            "Flight case microphones",
            ["WM-0001", "WM-0002"],
        ),
    ] {
        let case = inventory
            .create_case(
                p,
                CreateCaseRequest {
                    code: code.into(),
                    name: name.into(),
                    location_id: warehouse.clone(),
                    kind: CaseKind::Permanent as i32,
                },
            )
            .await?;
        let case_id = case.case.map(|c| c.id).unwrap_or_default();
        for asset in contents {
            inventory
                .add_asset_to_case(
                    p,
                    AddAssetToCaseRequest {
                        case_id: case_id.clone(),
                        asset_id: asset_ids[asset].clone(),
                    },
                )
                .await?;
        }
    }
    inventory
        .open_maintenance_record(
            p,
            OpenMaintenanceRecordRequest {
                asset_id: asset_ids["MH-0008"].clone(),
                note: "Pan motor grinds at full speed; sent for service".into(),
            },
        )
        .await?;
    Ok(stock)
}

async fn location(
    inventory: &Inventory,
    p: &Principal,
    name: &str,
    kind: LocationKind,
    parent_id: &str,
) -> Result<String, ApiError> {
    let made = inventory
        .create_location(
            p,
            CreateLocationRequest {
                name: name.into(),
                kind: kind as i32,
                parent_id: parent_id.into(),
            },
        )
        .await?;
    Ok(made.location.map(|l| l.id).unwrap_or_default())
}

/// A product with a day rate in euros; callers set the tracking mode and `consumable`.
fn new_product(name: &str, category: &str, sku: &str, rate: i64) -> CreateProductRequest {
    CreateProductRequest {
        name: name.into(),
        category: category.into(),
        sku: sku.into(),
        daily_rate: Some(Money {
            amount_minor: rate,
            currency: "EUR".into(),
        }),
        ..Default::default()
    }
}

async fn product(
    inventory: &Inventory,
    p: &Principal,
    request: CreateProductRequest,
) -> Result<String, ApiError> {
    let made = inventory.create_product(p, request).await?;
    Ok(made.product.map(|p| p.id).unwrap_or_default())
}
