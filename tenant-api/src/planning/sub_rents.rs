//! External sub-rents: units of a product hired in from a supplier, which add stock for their
//! own dates only.

use super::{
    Planning, input, require_live,
    rows::{SUB_RENT_COLUMNS, SubRentRow},
};
use crate::store::{Lock, fetch};
use eventkit_domain::ids::{ProductId, SubRentId};
use eventkit_domain::{Violations, id, planning as rules};
use eventkit_platform::{ApiError, auth::Principal, outbox};
use eventkit_proto::eventkit::v1::{self as pb, *};

impl Planning {
    pub async fn create_sub_rent(
        &self,
        p: &Principal,
        req: CreateSubRentRequest,
    ) -> Result<CreateSubRentResponse, ApiError> {
        let mut v = Violations::new();
        let product = v.check(ProductId::parse("product_id", &req.product_id));
        let supplier = v.check(rules::SUPPLIER.parse("supplier", &req.supplier));
        let quantity = v.check(rules::quantity("quantity", req.quantity, None));
        let period = v.check(input::required_period("period", req.period.as_ref()));
        let cost = v.check(crate::fields::price("cost", req.cost.as_ref()));
        v.finish()?;
        let (product, cost) = (product.unwrap(), cost.unwrap());

        let mut tx = self.tx(p).await?;
        require_live::<crate::inventory::ProductRow>(&mut tx, "product_id", product).await?;
        let row: SubRentRow = sqlx::query_as(&format!(
            "insert into sub_rents (tenant_id, id, product_id, supplier, quantity, period, cost_minor, cost_currency) \
             values ($1, $2, $3, $4, $5, $6, $7, $8) returning {SUB_RENT_COLUMNS}"
        ))
        .bind(tx.tenant_id())
        .bind(id::new_id())
        .bind(product)
        .bind(supplier.unwrap())
        .bind(quantity.unwrap())
        .bind(period.unwrap().range())
        .bind(cost.as_ref().map(|m| m.amount_minor))
        .bind(cost.map(|m| m.currency.as_str().to_owned()))
        .fetch_one(&mut *tx)
        .await?;
        let id = row.id;
        let sub_rent = pb::SubRent::from(row);
        outbox::emit(&mut tx, id, outbox::Event::SubRentCreated(sub_rent.clone())).await?;
        tx.commit().await?;
        Ok(CreateSubRentResponse {
            sub_rent: Some(sub_rent),
        })
    }

    pub async fn delete_sub_rent(
        &self,
        p: &Principal,
        req: DeleteSubRentRequest,
    ) -> Result<DeleteSubRentResponse, ApiError> {
        let id = SubRentId::parse("id", &req.id)?;
        let mut tx = self.tx(p).await?;
        let row: SubRentRow = fetch(&mut tx, id, Lock::ForUpdate).await?;
        sqlx::query("delete from sub_rents where tenant_id = $1 and id = $2")
            .bind(tx.tenant_id())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let sub_rent = pb::SubRent::from(row);
        outbox::emit(&mut tx, id, outbox::Event::SubRentDeleted(sub_rent.clone())).await?;
        tx.commit().await?;
        Ok(DeleteSubRentResponse {
            sub_rent: Some(sub_rent),
        })
    }

    pub async fn list_sub_rents(
        &self,
        p: &Principal,
        req: ListSubRentsRequest,
    ) -> Result<ListSubRentsResponse, ApiError> {
        let mut v = Violations::new();
        let page = v.check(crate::paging::Page::parse(req.page.as_ref()));
        let product = v.check(ProductId::parse_optional("product_id", &req.product_id));
        v.finish()?;
        let (page, product) = (page.unwrap(), product.unwrap());

        let mut tx = self.tx(p).await?;
        let mut sql = page.select(SUB_RENT_COLUMNS, "sub_rents", tx.tenant_id());
        if let Some(product) = product {
            sql.push(" and product_id = ").push_bind(product);
        }
        let (rows, page) = page.fetch(sql, &mut tx, |r: &SubRentRow| r.id).await?;
        tx.commit().await?;
        Ok(ListSubRentsResponse {
            sub_rents: rows.into_iter().map(Into::into).collect(),
            page,
        })
    }
}
