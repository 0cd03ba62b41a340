//! Demo inventory for the tenant `eventkit up` creates: a warehouse with a zone and a bin, a few
//! products with day rates, serialised assets and a packed case — made through the inventory
//! service itself, so it is exactly what the API would have made.

use eventkit_domain::ids::TenantId;
use eventkit_platform::{
    ApiError,
    auth::{AuthMethod, Permissions, Principal},
};
use eventkit_proto::eventkit::v1::*;
use eventkit_tenant_api::inventory::Inventory;

pub async fn seed(inventory: &Inventory, tenant_id: TenantId) -> Result<(), ApiError> {
    let p = Principal {
        tenant_id,
        subject: "system:demo-seed".into(),
        permissions: Permissions::All,
        method: AuthMethod::System,
    };
    let location = |name: &str, kind: LocationKind, parent: &str| CreateLocationRequest {
        name: name.into(),
        kind: kind as i32,
        parent_id: parent.into(),
    };
    let warehouse = inventory
        .create_location(&p, location("Main warehouse", LocationKind::Warehouse, ""))
        .await?;
    let warehouse_id = warehouse.location.map(|l| l.id).unwrap_or_default();
    let zone = inventory
        .create_location(&p, location("Lighting", LocationKind::Zone, &warehouse_id))
        .await?;
    let zone_id = zone.location.map(|l| l.id).unwrap_or_default();
    inventory
        .create_location(&p, location("Shelf L-01", LocationKind::Bin, &zone_id))
        .await?;

    let products = [
        ("Moving head spot 350W", "Lighting", "MH-350", 4500, "MH"),
        ("LED par 18x10W", "Lighting", "PAR-18", 1200, "PAR"),
        ("Line array top 2x10\"", "Audio", "LA-210", 9000, "LA"),
    ];
    let mut first_assets = Vec::new();
    for (name, category, sku, rate, code) in products {
        let product = inventory
            .create_product(
                &p,
                CreateProductRequest {
                    name: name.into(),
                    category: category.into(),
                    sku: sku.into(),
                    daily_rate: Some(Money {
                        amount_minor: rate,
                        currency: "EUR".into(),
                    }),
                    ..Default::default()
                },
            )
            .await?;
        let product_id = product.product.map(|p| p.id).unwrap_or_default();
        for n in 1..=4 {
            let asset = inventory
                .create_asset(
                    &p,
                    CreateAssetRequest {
                        product_id: product_id.clone(),
                        code: format!("{code}-{n:04}"),
                        serial_number: format!("SN{code}{n:06}"),
                        location_id: zone_id.clone(),
                        ..Default::default()
                    },
                )
                .await?;
            if n == 1 {
                first_assets.push(asset.asset.map(|a| a.id).unwrap_or_default());
            }
        }
    }
    let case = inventory
        .create_case(
            &p,
            CreateCaseRequest {
                code: "CASE-0001".into(),
                name: "Flight case 1".into(),
                location_id: zone_id,
                kind: CaseKind::Permanent as i32,
            },
        )
        .await?;
    let case_id = case.case.map(|c| c.id).unwrap_or_default();
    for asset_id in first_assets.into_iter().take(2) {
        inventory
            .add_asset_to_case(
                &p,
                AddAssetToCaseRequest {
                    case_id: case_id.clone(),
                    asset_id,
                },
            )
            .await?;
    }
    Ok(())
}
