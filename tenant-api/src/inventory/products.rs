//! Products: create, get, update by mask, soft delete, restore, list with filters and search.

use super::{
    Inventory, Lock, input,
    rows::{PRODUCT_COLUMNS, ProductRow},
};
use crate::{fields::push_text, store};
use eventkit_domain::ids::ProductId;
use eventkit_domain::{
    FieldViolation, Violations, id,
    inventory::{self as rules, TrackingMode},
};
use eventkit_platform::{ApiError, auth::Principal, db::TenantTx, outbox};
use eventkit_proto::eventkit::v1::{self as pb, *};
use sqlx::{Postgres, QueryBuilder};

const UPDATABLE: &[&str] = &[
    "name",
    "description",
    "category",
    "sku",
    "tracking_mode",
    "daily_rate",
    "consumable",
];

/// Only what is counted by quantity can be used up.
fn check_consumable(
    field: &str,
    consumable: bool,
    tracking: TrackingMode,
) -> Result<(), FieldViolation> {
    if consumable && tracking != TrackingMode::Bulk {
        return Err(FieldViolation::new(
            field,
            "only a bulk (quantity-tracked) product can be a consumable",
        ));
    }
    Ok(())
}

async fn fetch(tx: &mut TenantTx, id: ProductId, lock: Lock) -> Result<ProductRow, ApiError> {
    store::fetch(tx, id, lock).await
}

impl Inventory {
    pub async fn create_product(
        &self,
        p: &Principal,
        req: CreateProductRequest,
    ) -> Result<CreateProductResponse, ApiError> {
        let mut v = Violations::new();
        let name = v.check(rules::NAME.parse("name", &req.name));
        let description = v.check(rules::DESCRIPTION.parse("description", &req.description));
        let category = v.check(rules::CATEGORY.parse("category", &req.category));
        let sku = v.check(rules::SKU.parse("sku", &req.sku));
        let tracking = v.check(input::tracking_mode("tracking_mode", req.tracking_mode));
        let rate = v.check(input::price("daily_rate", req.daily_rate.as_ref()));
        if let Some(tracking) = tracking {
            v.check(check_consumable("consumable", req.consumable, tracking));
        }
        v.finish()?;
        let (name, description, category, sku, tracking, rate) = (
            name.unwrap(),
            description.unwrap(),
            category.unwrap(),
            sku.unwrap(),
            tracking.unwrap(),
            rate.unwrap(),
        );

        let mut tx = self.tx(p).await?;
        let row: ProductRow = sqlx::query_as(&format!(
            "insert into products (tenant_id, id, name, description, category, sku, tracking_mode, daily_rate_minor, daily_rate_currency, consumable) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning {PRODUCT_COLUMNS}"
        ))
        .bind(tx.tenant_id())
        .bind(id::new_id())
        .bind(name)
        .bind(description)
        .bind(category)
        .bind(sku)
        .bind(tracking.as_str())
        .bind(rate.as_ref().map(|m| m.amount_minor))
        .bind(rate.as_ref().map(|m| m.currency.as_str().to_owned()))
        .bind(req.consumable)
        .fetch_one(&mut *tx)
        .await?;
        let id = row.id;
        let product = pb::Product::from(row);
        outbox::emit(&mut tx, id, outbox::Event::ProductCreated(product.clone())).await?;
        tx.commit().await?;
        Ok(CreateProductResponse {
            product: Some(product),
        })
    }

    pub async fn get_product(
        &self,
        p: &Principal,
        req: GetProductRequest,
    ) -> Result<GetProductResponse, ApiError> {
        let id = ProductId::parse("id", &req.id)?;
        let row: ProductRow = self.read_once::<ProductRow>(p, id).await?;
        Ok(GetProductResponse {
            product: Some(row.into()),
        })
    }

    pub async fn update_product(
        &self,
        p: &Principal,
        req: UpdateProductRequest,
    ) -> Result<UpdateProductResponse, ApiError> {
        let product = req
            .product
            .ok_or_else(|| ApiError::invalid("product", "is required"))?;
        let id = ProductId::parse("product.id", &product.id)?;
        let paths = input::update_mask(req.update_mask.as_ref(), UPDATABLE)?;

        let mut v = Violations::new();
        let mut set = QueryBuilder::<Postgres>::new("update products set updated_at = now()");
        let mut new_tracking = None;
        for path in &paths {
            let field = format!("product.{path}");
            match *path {
                "name" => push_text(
                    &mut set,
                    &mut v,
                    "name",
                    rules::NAME.parse(&field, &product.name),
                ),
                "description" => push_text(
                    &mut set,
                    &mut v,
                    "description",
                    rules::DESCRIPTION.parse(&field, &product.description),
                ),
                "category" => push_text(
                    &mut set,
                    &mut v,
                    "category",
                    rules::CATEGORY.parse(&field, &product.category),
                ),
                "sku" => push_text(
                    &mut set,
                    &mut v,
                    "sku",
                    rules::SKU.parse(&field, &product.sku),
                ),
                "tracking_mode" => {
                    if let Some(mode) = v.check(input::tracking_mode(&field, product.tracking_mode))
                    {
                        set.push(", tracking_mode = ").push_bind(mode.as_str());
                        new_tracking = Some(mode);
                    }
                }
                "daily_rate" => {
                    if let Some(rate) = v.check(input::price(&field, product.daily_rate.as_ref())) {
                        set.push(", daily_rate_minor = ")
                            .push_bind(rate.as_ref().map(|m| m.amount_minor));
                        set.push(", daily_rate_currency = ")
                            .push_bind(rate.map(|m| m.currency.as_str().to_owned()));
                    }
                }
                "consumable" => {
                    set.push(", consumable = ").push_bind(product.consumable);
                }
                _ => unreachable!("update_mask checked the paths"),
            }
        }
        v.finish()?;

        let mut tx = self.tx(p).await?;
        let current = fetch(&mut tx, id, Lock::ForUpdate).await?;
        if current.deleted_at.is_some() {
            return Err(ApiError::FailedPrecondition(format!(
                "product {id} is deleted; restore it first"
            )));
        }
        // The product as it would be: a consumable must stay bulk.
        let (field, consumable) = if paths.contains(&"consumable") {
            ("product.consumable", product.consumable)
        } else {
            ("product.tracking_mode", current.consumable)
        };
        let tracking = new_tracking
            .or_else(|| TrackingMode::from_db(&current.tracking_mode))
            .unwrap_or(TrackingMode::Serialised);
        check_consumable(field, consumable, tracking)?;
        set.push(" where tenant_id = ").push_bind(tx.tenant_id());
        set.push(" and id = ").push_bind(id);
        set.push(format!(" returning {PRODUCT_COLUMNS}"));
        let row: ProductRow = set.build_query_as().fetch_one(&mut *tx).await?;
        let updated = pb::Product::from(row);
        outbox::emit(&mut tx, id, outbox::Event::ProductUpdated(updated.clone())).await?;
        tx.commit().await?;
        Ok(UpdateProductResponse {
            product: Some(updated),
        })
    }

    pub async fn delete_product(
        &self,
        p: &Principal,
        req: DeleteProductRequest,
    ) -> Result<DeleteProductResponse, ApiError> {
        let product = self.set_deleted(p, &req.id, true).await?;
        Ok(DeleteProductResponse {
            product: Some(product),
        })
    }

    pub async fn restore_product(
        &self,
        p: &Principal,
        req: RestoreProductRequest,
    ) -> Result<RestoreProductResponse, ApiError> {
        let product = self.set_deleted(p, &req.id, false).await?;
        Ok(RestoreProductResponse {
            product: Some(product),
        })
    }

    async fn set_deleted(
        &self,
        p: &Principal,
        raw_id: &str,
        deleted: bool,
    ) -> Result<pb::Product, ApiError> {
        let id = ProductId::parse("id", raw_id)?;
        let mut tx = self.tx(p).await?;
        let row: ProductRow = store::set_deleted::<ProductRow>(&mut tx, id, deleted).await?;
        let product = pb::Product::from(row);
        let event = if deleted {
            outbox::Event::ProductDeleted
        } else {
            outbox::Event::ProductRestored
        };
        outbox::emit(&mut tx, id, event(product.clone())).await?;
        tx.commit().await?;
        Ok(product)
    }

    pub async fn list_products(
        &self,
        p: &Principal,
        req: ListProductsRequest,
    ) -> Result<ListProductsResponse, ApiError> {
        let mut v = Violations::new();
        let page = v.check(crate::paging::Page::parse(req.page.as_ref()));
        let query = v.check(input::search_query(&req.query));
        let category = v.check(rules::CATEGORY.parse("category", &req.category));
        v.finish()?;
        let (page, query, category) = (page.unwrap(), query.unwrap(), category.unwrap());

        let mut tx = self.tx(p).await?;
        let mut sql = page.select(PRODUCT_COLUMNS, "products", tx.tenant_id());
        if let Some(q) = query {
            sql.push(" and search @@ ").push_bind(q).push("::tsquery");
        }
        if !category.is_empty() {
            sql.push(" and category = ").push_bind(category);
        }
        if !req.show_deleted {
            sql.push(" and deleted_at is null");
        }
        let (rows, page) = page.fetch(sql, &mut tx, |r: &ProductRow| r.id).await?;
        tx.commit().await?;
        Ok(ListProductsResponse {
            products: rows.into_iter().map(Into::into).collect(),
            page,
        })
    }
}
