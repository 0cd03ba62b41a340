//! Stocktakes: what should be at a location (the assets kept there and below it that are not
//! checked out, lost or retired, fixed when the stocktake starts) against what is scanned there.
//! Scans are replay-safe like every scan; a discrepancy is an expected asset not scanned
//! (missing) or a scanned asset that was not expected (unexpected).

use super::{Scan, Scanning, answer::Answer, refuse, resolve};
use crate::{
    store::{self, Entity, require_live},
    wire::timestamp,
};
use chrono::{DateTime, Utc};
use eventkit_domain::id;
use eventkit_domain::ids::{LocationId, StocktakeId};
use eventkit_platform::{ApiError, auth::Principal, db::TenantTx, outbox};
use eventkit_proto::eventkit::v1::{self as pb, *};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct StocktakeRow {
    id: StocktakeId,
    location_id: LocationId,
    status: String,
    created_at: DateTime<Utc>,
    closed_at: Option<DateTime<Utc>>,
}

impl Entity for StocktakeRow {
    type Id = StocktakeId;
    const TABLE: &'static str = "stocktakes";
    const COLUMNS: &'static str = COLUMNS;
    const NAME: &'static str = "stocktake";
}

const COLUMNS: &str = "id, location_id, status, created_at, closed_at";

async fn fetch(tx: &mut TenantTx, id: StocktakeId, field: &str) -> Result<StocktakeRow, ApiError> {
    store::fetch(tx, id, store::Lock::ForUpdate)
        .await
        .map_err(store::in_field(field))
}

/// The stocktake with its counts and discrepancies.
async fn load(tx: &mut TenantTx, row: StocktakeRow) -> Result<pb::Stocktake, ApiError> {
    let items: Vec<(Uuid, bool, bool)> = sqlx::query_as(
        "select asset_id, expected, counted_at is not null from stocktake_items \
         where tenant_id = $1 and stocktake_id = $2 order by asset_id",
    )
    .bind(tx.tenant_id())
    .bind(row.id)
    .fetch_all(&mut **tx)
    .await?;
    let ids = |keep: fn(&(Uuid, bool, bool)) -> bool| -> Vec<String> {
        items
            .iter()
            .filter(|i| keep(i))
            .map(|i| i.0.to_string())
            .collect()
    };
    let status = if row.status == "open" {
        pb::StocktakeStatus::Open
    } else {
        pb::StocktakeStatus::Closed
    };
    Ok(pb::Stocktake {
        id: row.id.to_string(),
        location_id: row.location_id.to_string(),
        status: status as i32,
        expected_count: items.iter().filter(|i| i.1).count() as i32,
        counted_count: items.iter().filter(|i| i.1 && i.2).count() as i32,
        missing_asset_ids: ids(|i| i.1 && !i.2),
        unexpected_asset_ids: ids(|i| !i.1),
        create_time: Some(timestamp(row.created_at)),
        close_time: row.closed_at.map(timestamp),
    })
}

/// Counts one asset in the stocktake.
async fn count_asset(
    tx: &mut TenantTx,
    stocktake: Uuid,
    asset: Uuid,
) -> Result<pb::ScanOutcome, ApiError> {
    let item: Option<(bool, Option<DateTime<Utc>>)> = sqlx::query_as(
        "select expected, counted_at from stocktake_items where tenant_id = $1 and stocktake_id = $2 and asset_id = $3",
    )
    .bind(tx.tenant_id())
    .bind(stocktake)
    .bind(asset)
    .fetch_optional(&mut **tx)
    .await?;
    let outcome = match item {
        Some((_, Some(_))) => return Ok(pb::ScanOutcome::AlreadyCounted),
        Some((true, None)) => pb::ScanOutcome::Done,
        Some((false, None)) | None => pb::ScanOutcome::NotExpected,
    };
    sqlx::query(
        "insert into stocktake_items (tenant_id, stocktake_id, asset_id, expected, counted_at) values ($1, $2, $3, false, now()) \
         on conflict (tenant_id, stocktake_id, asset_id) do update set counted_at = now()",
    )
    .bind(tx.tenant_id())
    .bind(stocktake)
    .bind(asset)
    .execute(&mut **tx)
    .await?;
    Ok(outcome)
}

/// The answer to a stocktake scan (called by `Scanning::run` after the replay check).
pub(crate) async fn count(tx: &mut TenantTx, scan: &Scan) -> Result<Answer, ApiError> {
    let stocktake = fetch(tx, StocktakeId::from_uuid(scan.target), "stocktake_id").await?;
    if stocktake.status != "open" {
        return Err(ApiError::FailedPrecondition(format!(
            "stocktake {} is closed",
            stocktake.id
        )));
    }
    let (assets, case) = match resolve::resolve(tx, &scan.code).await? {
        resolve::Scanned::Asset(asset) => (vec![asset.id], None),
        resolve::Scanned::Case(case) => {
            let contents = resolve::case_contents(tx, case).await?;
            (contents.into_iter().map(|a| a.id).collect(), Some(case))
        }
        resolve::Scanned::Bulk(_) | resolve::Scanned::Unknown => {
            return Ok(refuse(
                pb::ScanOutcome::UnknownCode,
                format!("no asset or case has the code {:?}", scan.code),
            ));
        }
    };
    let mut outcomes = Vec::new();
    for asset in &assets {
        outcomes.push(count_asset(tx, stocktake.id.into(), *asset).await?);
    }
    let counted = outcomes
        .iter()
        .filter(|o| **o != pb::ScanOutcome::AlreadyCounted)
        .count();
    let (outcome, message) = if counted == 0 {
        (
            pb::ScanOutcome::AlreadyCounted,
            "already counted".to_owned(),
        )
    } else if outcomes.contains(&pb::ScanOutcome::NotExpected) {
        (
            pb::ScanOutcome::NotExpected,
            "counted, but not expected at this location".to_owned(),
        )
    } else {
        (pb::ScanOutcome::Done, format!("counted {counted}"))
    };
    Ok(Answer {
        asset_ids: assets,
        case_id: case,
        counted: counted as i32,
        ..refuse(outcome, message)
    })
}

impl Scanning {
    pub async fn start_stocktake(
        &self,
        p: &Principal,
        req: StartStocktakeRequest,
    ) -> Result<StartStocktakeResponse, ApiError> {
        let location = LocationId::parse("location_id", &req.location_id)?;
        let mut tx = self.db.tx(p).await?;
        require_live::<crate::inventory::LocationRow>(&mut tx, "location_id", location).await?;
        let row: StocktakeRow = sqlx::query_as(&format!(
            "insert into stocktakes (tenant_id, id, location_id) values ($1, $2, $3) returning {COLUMNS}"
        ))
        .bind(tx.tenant_id())
        .bind(id::new_id())
        .bind(location)
        .fetch_one(&mut *tx)
        .await?;
        let mut expected = sqlx::QueryBuilder::new(
            "insert into stocktake_items (tenant_id, stocktake_id, asset_id, expected) select tenant_id, ",
        );
        expected.push_bind(row.id);
        expected.push(", id, true from assets where tenant_id = ");
        expected.push_bind(tx.tenant_id());
        expected.push(" and status in ('available', 'in_repair') and location_id in ");
        store::push_location_subtree(&mut expected, tx.tenant_id(), location.into());
        expected.build().execute(&mut *tx).await?;
        let id = row.id;
        let stocktake = load(&mut tx, row).await?;
        outbox::emit(
            &mut tx,
            id,
            outbox::Event::StocktakeCreated(stocktake.clone()),
        )
        .await?;
        tx.commit().await?;
        Ok(StartStocktakeResponse {
            stocktake: Some(stocktake),
        })
    }

    pub async fn get_stocktake(
        &self,
        p: &Principal,
        req: GetStocktakeRequest,
    ) -> Result<GetStocktakeResponse, ApiError> {
        let id = StocktakeId::parse("id", &req.id)?;
        let mut tx = self.db.tx(p).await?;
        let row = fetch(&mut tx, id, "id").await?;
        let stocktake = load(&mut tx, row).await?;
        tx.commit().await?;
        Ok(GetStocktakeResponse {
            stocktake: Some(stocktake),
        })
    }

    pub async fn close_stocktake(
        &self,
        p: &Principal,
        req: CloseStocktakeRequest,
    ) -> Result<CloseStocktakeResponse, ApiError> {
        let id = StocktakeId::parse("id", &req.id)?;
        let mut tx = self.db.tx(p).await?;
        let row = fetch(&mut tx, id, "id").await?;
        if row.status != "open" {
            return Err(ApiError::FailedPrecondition(format!(
                "stocktake {id} is already closed"
            )));
        }
        let row: StocktakeRow = sqlx::query_as(&format!(
            "update stocktakes set status = 'closed', closed_at = now() where tenant_id = $1 and id = $2 returning {COLUMNS}"
        ))
        .bind(tx.tenant_id())
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        let stocktake = load(&mut tx, row).await?;
        outbox::emit(
            &mut tx,
            id,
            outbox::Event::StocktakeClosed(stocktake.clone()),
        )
        .await?;
        tx.commit().await?;
        Ok(CloseStocktakeResponse {
            stocktake: Some(stocktake),
        })
    }
}
