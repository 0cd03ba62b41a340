//! What a scanned code names: an asset, a case, or a bulk product by its SKU (in that order).

use eventkit_platform::{ApiError, db::TenantTx};
use uuid::Uuid;

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct ScannedAsset {
    pub id: Uuid,
    pub product_id: Uuid,
    pub status: String,
    pub case_id: Option<Uuid>,
}

#[derive(Debug)]
pub(crate) enum Scanned {
    Asset(ScannedAsset),
    Case(Uuid),
    Bulk(Uuid),
    Unknown,
}

pub(crate) async fn resolve(tx: &mut TenantTx, code: &str) -> Result<Scanned, ApiError> {
    let tenant = tx.tenant_id();
    let asset: Option<ScannedAsset> = sqlx::query_as(
        "select id, product_id, status, case_id from assets where tenant_id = $1 and code = $2 for update",
    )
    .bind(tenant)
    .bind(code)
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(asset) = asset {
        return Ok(Scanned::Asset(asset));
    }
    let case: Option<Uuid> =
        sqlx::query_scalar("select id from cases where tenant_id = $1 and code = $2")
            .bind(tenant)
            .bind(code)
            .fetch_optional(&mut **tx)
            .await?;
    if let Some(case) = case {
        return Ok(Scanned::Case(case));
    }
    let bulk: Option<Uuid> = sqlx::query_scalar(
        "select id from products where tenant_id = $1 and sku = $2 and tracking_mode = 'bulk' \
         and deleted_at is null order by id limit 1",
    )
    .bind(tenant)
    .bind(code)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(bulk.map_or(Scanned::Unknown, Scanned::Bulk))
}

/// The assets in a case and in the cases inside it, locked for the scan.
pub(crate) async fn case_contents(
    tx: &mut TenantTx,
    case: Uuid,
) -> Result<Vec<ScannedAsset>, ApiError> {
    Ok(sqlx::query_as(
        "select id, product_id, status, case_id from assets where tenant_id = $1 \
         and case_id in (select ek_case_tree($1, $2)) order by id for update",
    )
    .bind(tx.tenant_id())
    .bind(case)
    .fetch_all(&mut **tx)
    .await?)
}
