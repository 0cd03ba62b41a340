//! Maintenance records: an asset goes to repair — damaged at check-in, or sent by hand — with a
//! note, and is available again when its record is closed. The asset's status changes go
//! through `asset_status`, so the status log shows every step.

use super::Inventory;
use crate::{
    asset_status::{self, Change},
    store::{Entity, Lock, fetch},
    wire::{opt_id, timestamp},
};
use chrono::{DateTime, Utc};
use eventkit_domain::ids::{AssetId, EventId, MaintenanceRecordId};
use eventkit_domain::{Violations, id, inventory::AssetStatus, text::TextRule};
use eventkit_platform::{ApiError, auth::Principal, db::TenantTx, outbox};
use eventkit_proto::eventkit::v1::{self as pb, *};
use uuid::Uuid;

pub(crate) const NOTE: TextRule = TextRule::multiline(1000);

const COLUMNS: &str = "id, asset_id, event_id, note, opened_at, closed_at, close_note";

#[derive(sqlx::FromRow)]
struct RecordRow {
    id: MaintenanceRecordId,
    asset_id: AssetId,
    event_id: Option<EventId>,
    note: String,
    opened_at: DateTime<Utc>,
    closed_at: Option<DateTime<Utc>>,
    close_note: String,
}

impl Entity for RecordRow {
    type Id = MaintenanceRecordId;
    const TABLE: &'static str = "maintenance_records";
    const COLUMNS: &'static str = COLUMNS;
    const NAME: &'static str = "maintenance record";
}

impl From<RecordRow> for pb::MaintenanceRecord {
    fn from(r: RecordRow) -> Self {
        pb::MaintenanceRecord {
            id: r.id.to_string(),
            asset_id: r.asset_id.to_string(),
            event_id: opt_id(r.event_id),
            note: r.note,
            open_time: Some(timestamp(r.opened_at)),
            close_time: r.closed_at.map(timestamp),
            close_note: r.close_note,
        }
    }
}

async fn emit(
    tx: &mut TenantTx,
    event: fn(pb::MaintenanceRecord) -> outbox::Event,
    row: RecordRow,
) -> Result<pb::MaintenanceRecord, ApiError> {
    let id = row.id;
    let record = pb::MaintenanceRecord::from(row);
    outbox::emit(tx, id, event(record.clone())).await?;
    Ok(record)
}

/// Opens a record and sends the asset (now `from`) to repair; `reason` goes to the status log.
pub(crate) async fn open(
    tx: &mut TenantTx,
    asset: Uuid,
    from: &str,
    event: Option<Uuid>,
    note: &str,
    reason: &str,
) -> Result<pb::MaintenanceRecord, ApiError> {
    let row: RecordRow = sqlx::query_as(&format!(
        "insert into maintenance_records (tenant_id, id, asset_id, event_id, note) values ($1, $2, $3, $4, $5) returning {COLUMNS}"
    ))
    .bind(tx.tenant_id())
    .bind(id::new_id())
    .bind(asset)
    .bind(event)
    .bind(note)
    .fetch_one(&mut **tx)
    .await?;
    let change = Change {
        asset,
        from,
        to: AssetStatus::InRepair,
        event,
        reason,
        note,
    };
    asset_status::set(tx, &change).await?;
    emit(tx, outbox::Event::MaintenanceRecordCreated, row).await
}

impl Inventory {
    pub async fn open_maintenance_record(
        &self,
        p: &Principal,
        req: OpenMaintenanceRecordRequest,
    ) -> Result<OpenMaintenanceRecordResponse, ApiError> {
        let mut v = Violations::new();
        let asset = v.check(AssetId::parse("asset_id", &req.asset_id));
        let note = v.check(NOTE.parse("note", &req.note));
        v.finish()?;
        let (asset, note) = (asset.unwrap(), note.unwrap());

        let mut tx = self.tx(p).await?;
        let status: String = sqlx::query_scalar(
            "select status from assets where tenant_id = $1 and id = $2 for update",
        )
        .bind(tx.tenant_id())
        .bind(asset)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("asset_id: asset {asset} not found")))?;
        if status != AssetStatus::Available.as_str() {
            return Err(ApiError::FailedPrecondition(format!(
                "asset {asset} is {}; only an available asset goes to repair by hand",
                status.replace('_', " ")
            )));
        }
        let record = open(&mut tx, asset.into(), &status, None, &note, "repair").await?;
        tx.commit().await?;
        Ok(OpenMaintenanceRecordResponse {
            record: Some(record),
        })
    }

    pub async fn close_maintenance_record(
        &self,
        p: &Principal,
        req: CloseMaintenanceRecordRequest,
    ) -> Result<CloseMaintenanceRecordResponse, ApiError> {
        let mut v = Violations::new();
        let id = v.check(MaintenanceRecordId::parse("id", &req.id));
        let note = v.check(NOTE.parse("note", &req.note));
        v.finish()?;
        let (id, note) = (id.unwrap(), note.unwrap());

        let mut tx = self.tx(p).await?;
        let current: RecordRow = fetch(&mut tx, id, Lock::ForUpdate).await?;
        if current.closed_at.is_some() {
            return Err(ApiError::FailedPrecondition(format!(
                "maintenance record {id} is already closed"
            )));
        }
        let row: RecordRow = sqlx::query_as(&format!(
            "update maintenance_records set closed_at = now(), close_note = $3 \
             where tenant_id = $1 and id = $2 returning {COLUMNS}"
        ))
        .bind(tx.tenant_id())
        .bind(id)
        .bind(&note)
        .fetch_one(&mut *tx)
        .await?;
        let status: String = sqlx::query_scalar(
            "select status from assets where tenant_id = $1 and id = $2 for update",
        )
        .bind(tx.tenant_id())
        .bind(row.asset_id)
        .fetch_one(&mut *tx)
        .await?;
        if status == AssetStatus::InRepair.as_str() {
            let change = Change {
                asset: row.asset_id.into(),
                from: &status,
                to: AssetStatus::Available,
                event: None,
                reason: "repaired",
                note: &note,
            };
            asset_status::set(&mut tx, &change).await?;
        }
        let record = emit(&mut tx, outbox::Event::MaintenanceRecordUpdated, row).await?;
        tx.commit().await?;
        Ok(CloseMaintenanceRecordResponse {
            record: Some(record),
        })
    }

    pub async fn list_maintenance_records(
        &self,
        p: &Principal,
        req: ListMaintenanceRecordsRequest,
    ) -> Result<ListMaintenanceRecordsResponse, ApiError> {
        let mut v = Violations::new();
        let page = v.check(crate::paging::Page::parse(req.page.as_ref()));
        let asset = v.check(AssetId::parse_optional("asset_id", &req.asset_id));
        v.finish()?;
        let (page, asset) = (page.unwrap(), asset.unwrap());

        let mut tx = self.tx(p).await?;
        let mut sql = page.select(COLUMNS, "maintenance_records", tx.tenant_id());
        if let Some(asset) = asset {
            sql.push(" and asset_id = ").push_bind(asset);
        }
        if req.open_only {
            sql.push(" and closed_at is null");
        }
        let (rows, page) = page.fetch(sql, &mut tx, |r: &RecordRow| r.id).await?;
        tx.commit().await?;
        Ok(ListMaintenanceRecordsResponse {
            records: rows.into_iter().map(Into::into).collect(),
            page,
        })
    }
}
