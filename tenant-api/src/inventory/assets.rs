//! Serialised assets: one physical unit of a product with a barcode/QR code unique per tenant.

use super::{
    Inventory, Lock, input,
    rows::{ASSET_COLUMNS, AssetRow},
};
use crate::{asset_status, paging::Page, store::require_live};
use eventkit_domain::ids::{AssetId, LocationId, ProductId, TenantId};
use eventkit_domain::{
    Violations, id,
    inventory::{self as rules, AssetStatus},
    quota::QuotaKey,
    text::parse_code,
};
use eventkit_platform::{ApiError, auth::Principal, db::TenantTx, outbox, quota};
use eventkit_proto::eventkit::v1::{self as pb, *};
use sqlx::{Postgres, QueryBuilder};

const UPDATABLE: &[&str] = &[
    "code",
    "serial_number",
    "status",
    "location_id",
    "product_id",
];

async fn fetch(tx: &mut TenantTx, id: AssetId, lock: Lock) -> Result<AssetRow, ApiError> {
    crate::store::fetch(tx, id, lock).await
}

/// How many of the tenant\'s assets (in id order, after the filters) a search looks at first.
const SEARCH_WINDOW: i64 = 5_000;

/// The optional filters of `ListAssets`, pushed onto a query of `assets` after its scope
/// ([`Page::push_scope`]).
struct AssetFilters {
    product: Option<ProductId>,
    location: Option<LocationId>,
    status: Option<&'static str>,
}

impl AssetFilters {
    /// ` and …` for each filter.
    fn push(&self, sql: &mut QueryBuilder<'static, Postgres>) {
        if let Some(product) = self.product {
            sql.push(" and product_id = ").push_bind(product);
        }
        if let Some(location) = self.location {
            sql.push(" and location_id = ").push_bind(location);
        }
        if let Some(status) = self.status {
            sql.push(" and status = ").push_bind(status);
        }
    }
}

/// `(the asset's own text matches, or its product's does)`.
fn push_match(sql: &mut QueryBuilder<'static, Postgres>, tenant: TenantId, query: &str) {
    sql.push("(search @@ ")
        .push_bind(query.to_owned())
        .push("::tsquery or product_id = any(array(select id from products where tenant_id = ")
        .push_bind(tenant)
        .push(" and search @@ ")
        .push_bind(query.to_owned())
        .push("::tsquery)))");
}

/// A page of assets matching a search. Which plan is fast depends on how many assets match,
/// which PostgreSQL guesses badly for prefixes: a frequent term fills a page from the first
/// assets in id order, a rare one is found through the GIN index (usable under row-level
/// security once `@@` is leakproof: `bootstrap::allow_indexed_search`). So: look for a full
/// page among the first [`SEARCH_WINDOW`] assets; if there is none, collect every match through
/// the index (fenced with `offset 0`, so the planner cannot walk the primary key instead) and
/// page those. Both orders are by id, so the pages are the same either way.
async fn search(
    tx: &mut TenantTx,
    page: Page,
    filters: &AssetFilters,
    query: &str,
) -> Result<(Vec<AssetRow>, Option<pb::PageResponse>), sqlx::Error> {
    let tenant = tx.tenant_id();
    let mut window =
        QueryBuilder::new(format!("select {ASSET_COLUMNS} from (select * from assets"));
    page.push_scope(&mut window, tenant);
    filters.push(&mut window);
    window
        .push(" order by id limit ")
        .push_bind(SEARCH_WINDOW)
        .push(") a where ");
    push_match(&mut window, tenant, query);
    let (rows, next) = page.fetch(window, tx, |r: &AssetRow| r.id).await?;
    if next.as_ref().is_some_and(|n| !n.next_page_token.is_empty()) {
        return Ok((rows, next));
    }
    let mut all = QueryBuilder::new(format!("select {ASSET_COLUMNS} from (select * from assets"));
    page.push_scope(&mut all, tenant);
    filters.push(&mut all);
    all.push(" and ");
    push_match(&mut all, tenant, query);
    all.push(" offset 0) a where true");
    page.fetch(all, tx, |r: &AssetRow| r.id).await
}

impl Inventory {
    pub async fn create_asset(
        &self,
        p: &Principal,
        req: CreateAssetRequest,
    ) -> Result<CreateAssetResponse, ApiError> {
        let mut v = Violations::new();
        let product_id = v.check(ProductId::parse("product_id", &req.product_id));
        let code = v.check(parse_code("code", &req.code));
        let serial = v.check(rules::SERIAL_NUMBER.parse("serial_number", &req.serial_number));
        let status = v.check(input::asset_status(
            "status",
            req.status,
            Some(AssetStatus::Available),
        ));
        let location_id = v.check(LocationId::parse_optional("location_id", &req.location_id));
        v.finish()?;
        let (product_id, code, serial, status, location_id) = (
            product_id.unwrap(),
            code.unwrap(),
            serial.unwrap(),
            status.unwrap(),
            location_id.unwrap(),
        );

        let mut tx = self.tx(p).await?;
        require_live::<crate::inventory::ProductRow>(&mut tx, "product_id", product_id).await?;
        quota::reserve(&mut tx, QuotaKey::Assets, 1).await?;
        let row: AssetRow = sqlx::query_as(&format!(
            "insert into assets (tenant_id, id, product_id, code, serial_number, status, location_id) \
             values ($1, $2, $3, $4, $5, $6, $7) returning {ASSET_COLUMNS}"
        ))
        .bind(tx.tenant_id())
        .bind(id::new_id())
        .bind(product_id)
        .bind(code)
        .bind(serial)
        .bind(status.as_str())
        .bind(location_id)
        .fetch_one(&mut *tx)
        .await?;
        let id = row.id;
        let asset = pb::Asset::from(row);
        outbox::emit(&mut tx, id, outbox::Event::AssetCreated(asset.clone())).await?;
        tx.commit().await?;
        Ok(CreateAssetResponse { asset: Some(asset) })
    }

    pub async fn get_asset(
        &self,
        p: &Principal,
        req: GetAssetRequest,
    ) -> Result<GetAssetResponse, ApiError> {
        let id = AssetId::parse("id", &req.id)?;
        let row: AssetRow = self.read_once::<AssetRow>(p, id).await?;
        Ok(GetAssetResponse {
            asset: Some(row.into()),
        })
    }

    pub async fn lookup_asset_by_code(
        &self,
        p: &Principal,
        req: LookupAssetByCodeRequest,
    ) -> Result<LookupAssetByCodeResponse, ApiError> {
        let code = parse_code("code", &req.code)?;
        let mut tx = self.tx(p).await?;
        let row: AssetRow = sqlx::query_as(&format!(
            "select {ASSET_COLUMNS} from assets where tenant_id = $1 and code = $2"
        ))
        .bind(tx.tenant_id())
        .bind(&code)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no asset has the code {code:?}")))?;
        tx.commit().await?;
        Ok(LookupAssetByCodeResponse {
            asset: Some(row.into()),
        })
    }

    pub async fn update_asset(
        &self,
        p: &Principal,
        req: UpdateAssetRequest,
    ) -> Result<UpdateAssetResponse, ApiError> {
        let asset = req
            .asset
            .ok_or_else(|| ApiError::invalid("asset", "is required"))?;
        let id = AssetId::parse("asset.id", &asset.id)?;
        let paths = input::update_mask(req.update_mask.as_ref(), UPDATABLE)?;

        let mut v = Violations::new();
        let mut set = QueryBuilder::<Postgres>::new("update assets set updated_at = now()");
        let mut new_product = None;
        let mut new_status = None;
        for path in &paths {
            let field = format!("asset.{path}");
            match *path {
                "code" => {
                    if let Some(code) = v.check(parse_code(&field, &asset.code)) {
                        set.push(", code = ").push_bind(code);
                    }
                }
                "serial_number" => {
                    if let Some(serial) =
                        v.check(rules::SERIAL_NUMBER.parse(&field, &asset.serial_number))
                    {
                        set.push(", serial_number = ").push_bind(serial);
                    }
                }
                "status" => {
                    if let Some(status) = v.check(input::asset_status(&field, asset.status, None)) {
                        set.push(", status = ").push_bind(status.as_str());
                        new_status = Some(status);
                    }
                }
                "location_id" => {
                    if let Some(location) =
                        v.check(id::parse_optional_id(&field, &asset.location_id))
                    {
                        set.push(", location_id = ").push_bind(location);
                    }
                }
                "product_id" => {
                    if let Some(product) = v.check(ProductId::parse(&field, &asset.product_id)) {
                        set.push(", product_id = ").push_bind(product);
                        new_product = Some(product);
                    }
                }
                _ => unreachable!("update_mask checked the paths"),
            }
        }
        v.finish()?;

        let mut tx = self.tx(p).await?;
        let before = fetch(&mut tx, id, Lock::ForUpdate).await?;
        if let Some(product) = new_product {
            require_live::<crate::inventory::ProductRow>(&mut tx, "asset.product_id", product)
                .await?;
        }
        set.push(" where tenant_id = ").push_bind(tx.tenant_id());
        set.push(" and id = ").push_bind(id);
        set.push(format!(" returning {ASSET_COLUMNS}"));
        let row: AssetRow = set.build_query_as().fetch_one(&mut *tx).await?;
        let updated = pb::Asset::from(row);
        outbox::emit(&mut tx, id, outbox::Event::AssetUpdated(updated.clone())).await?;
        if let Some(status) = new_status {
            let change = asset_status::Change {
                asset: id.into(),
                from: &before.status,
                to: status,
                event: None,
                reason: "update",
                note: "",
            };
            asset_status::record(&mut tx, &change).await?;
        }
        tx.commit().await?;
        Ok(UpdateAssetResponse {
            asset: Some(updated),
        })
    }

    pub async fn list_assets(
        &self,
        p: &Principal,
        req: ListAssetsRequest,
    ) -> Result<ListAssetsResponse, ApiError> {
        let mut v = Violations::new();
        let page = v.check(crate::paging::Page::parse(req.page.as_ref()));
        let product = v.check(ProductId::parse_optional("product_id", &req.product_id));
        let location = v.check(LocationId::parse_optional("location_id", &req.location_id));
        let status = v.check(
            input::asset_status("status", req.status, None)
                .map(Some)
                .or_else(|e| if req.status == 0 { Ok(None) } else { Err(e) }),
        );
        let query = v.check(input::search_query(&req.query));
        v.finish()?;
        let (page, product, location, status, query) = (
            page.unwrap(),
            product.unwrap(),
            location.unwrap(),
            status.unwrap(),
            query.unwrap(),
        );

        let mut tx = self.tx(p).await?;
        let tenant = tx.tenant_id();
        let filters = AssetFilters {
            product,
            location,
            status: status.map(|s| s.as_str()),
        };
        let (rows, page) = match query {
            None => {
                let mut sql = page.select(ASSET_COLUMNS, "assets", tenant);
                filters.push(&mut sql);
                page.fetch(sql, &mut tx, |r: &AssetRow| r.id).await?
            }
            Some(q) => search(&mut tx, page, &filters, &q).await?,
        };
        tx.commit().await?;
        Ok(ListAssetsResponse {
            assets: rows.into_iter().map(Into::into).collect(),
            page,
        })
    }
}
