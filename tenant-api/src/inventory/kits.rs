//! Kits: a product made of other products (a "4-way moving head kit" of heads, clamps and
//! cables). Kits are one level deep — a component is never a kit — and have no stock of their
//! own: booking a kit books its components (see `planning::availability`).

use super::Inventory;
use crate::store::{self, require_live};
use eventkit_domain::ids::ProductId;
use eventkit_domain::{Violations, planning::quantity};
use eventkit_platform::{ApiError, auth::Principal, db::TenantTx, outbox};
use eventkit_proto::eventkit::v1::{self as pb, *};
use uuid::Uuid;

async fn load(tx: &mut TenantTx, kit: ProductId) -> Result<pb::Kit, ApiError> {
    let rows: Vec<(Uuid, i32)> = sqlx::query_as(
        "select component_id, quantity from kit_components where tenant_id = $1 and kit_id = $2 order by component_id",
    )
    .bind(tx.tenant_id())
    .bind(kit)
    .fetch_all(&mut **tx)
    .await?;
    Ok(pb::Kit {
        product_id: kit.to_string(),
        components: rows
            .into_iter()
            .map(|(product, quantity)| pb::KitComponent {
                product_id: product.to_string(),
                quantity,
            })
            .collect(),
    })
}

/// Whether `product` is a component of some kit (`as_component`) or a kit itself.
async fn in_kits(
    tx: &mut TenantTx,
    product: ProductId,
    as_component: bool,
) -> Result<bool, ApiError> {
    let column = if as_component {
        "component_id"
    } else {
        "kit_id"
    };
    Ok(sqlx::query_scalar(&format!(
        "select exists (select 1 from kit_components where tenant_id = $1 and {column} = $2)"
    ))
    .bind(tx.tenant_id())
    .bind(product)
    .fetch_one(&mut **tx)
    .await?)
}

impl Inventory {
    pub async fn set_kit_components(
        &self,
        p: &Principal,
        req: SetKitComponentsRequest,
    ) -> Result<SetKitComponentsResponse, ApiError> {
        let mut v = Violations::new();
        let kit = v.check(ProductId::parse("product_id", &req.product_id));
        let mut components: Vec<(ProductId, i32)> = Vec::new();
        for (i, c) in req.components.iter().enumerate() {
            let field = format!("components[{i}].product_id");
            let product = v.check(ProductId::parse(&field, &c.product_id));
            let count = v.check(quantity(
                &format!("components[{i}].quantity"),
                c.quantity,
                None,
            ));
            if let (Some(product), Some(count)) = (product, count) {
                if Some(product) == kit {
                    v.push(eventkit_domain::FieldViolation::new(
                        field,
                        "a kit cannot contain itself",
                    ));
                } else if components.iter().any(|(p, _)| *p == product) {
                    v.push(eventkit_domain::FieldViolation::new(
                        field,
                        "is listed twice",
                    ));
                } else {
                    components.push((product, count));
                }
            }
        }
        v.finish()?;
        let kit = kit.unwrap();

        let mut tx = self.tx(p).await?;
        require_live::<crate::inventory::ProductRow>(&mut tx, "product_id", kit).await?;
        if !components.is_empty() && in_kits(&mut tx, kit, true).await? {
            return Err(ApiError::FailedPrecondition(format!(
                "product {kit} is a component of a kit; kits are one level deep"
            )));
        }
        for (i, (product, _)) in components.iter().enumerate() {
            let field = format!("components[{i}].product_id");
            require_live::<crate::inventory::ProductRow>(&mut tx, &field, *product).await?;
            if in_kits(&mut tx, *product, false).await? {
                return Err(ApiError::FailedPrecondition(format!(
                    "{field}: product {product} is a kit; kits are one level deep"
                )));
            }
        }
        sqlx::query("delete from kit_components where tenant_id = $1 and kit_id = $2")
            .bind(tx.tenant_id())
            .bind(kit)
            .execute(&mut *tx)
            .await?;
        for (product, count) in &components {
            sqlx::query(
                "insert into kit_components (tenant_id, kit_id, component_id, quantity) values ($1, $2, $3, $4)",
            )
            .bind(tx.tenant_id())
            .bind(kit)
            .bind(product)
            .bind(count)
            .execute(&mut *tx)
            .await?;
        }
        let loaded = load(&mut tx, kit).await?;
        outbox::emit(&mut tx, kit, outbox::Event::KitUpdated(loaded.clone())).await?;
        tx.commit().await?;
        Ok(SetKitComponentsResponse { kit: Some(loaded) })
    }

    pub async fn get_kit(
        &self,
        p: &Principal,
        req: GetKitRequest,
    ) -> Result<GetKitResponse, ApiError> {
        let kit = ProductId::parse("product_id", &req.product_id)?;
        let mut tx = self.tx(p).await?;
        store::require_exists::<crate::inventory::ProductRow>(&mut tx, "product_id", kit).await?;
        let loaded = load(&mut tx, kit).await?;
        tx.commit().await?;
        Ok(GetKitResponse { kit: Some(loaded) })
    }
}
