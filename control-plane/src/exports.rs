//! Tenant exports, as the control plane sees them: an operator (`ExportTenant`) or a tenant admin
//! (`RequestExport`) asks for one — the `exports` row and its `export.requested` outbox event are
//! written in one transaction, so a worker's export consumer does the work — and reads its
//! status, progress and, once ready, a fresh download link (presigned by the object store, valid
//! until the export's expiry, 7 days after it became ready). Nothing of the ZIP passes through here.

use crate::{
    ControlPlane,
    audit::{self, parse_reason},
    lifecycle::operator_actor,
    registry::{self, timestamp},
};
use chrono::{DateTime, Utc};
use eventkit_domain::ids::TenantId;
use eventkit_domain::{
    Violations, events::payloads::ExportRequested, ids::ExportId, lifecycle::TenantState,
};
use eventkit_platform::auth::Operator;
use eventkit_platform::{
    ApiError,
    auth::Principal,
    db::{Actor, TenantTx},
    identity::security_log::{self, SecurityEvent},
    outbox,
};
use eventkit_proto::controlplane::v1::{self as pb, *};
use serde_json::json;
use uuid::Uuid;

const EXPORT_COLUMNS: &str = "tenant_id, id, status, requested_by, attempts, tables_total, tables_done, \
     rows_total, rows_done, object_key, size_bytes, expires_at, error, created_at, started_at, finished_at";

#[derive(sqlx::FromRow)]
struct ExportRow {
    tenant_id: TenantId,
    id: Uuid,
    status: String,
    requested_by: String,
    attempts: i32,
    tables_total: i32,
    tables_done: i32,
    rows_total: i64,
    rows_done: i64,
    object_key: Option<String>,
    size_bytes: Option<i64>,
    expires_at: Option<DateTime<Utc>>,
    error: Option<String>,
    created_at: DateTime<Utc>,
    started_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
}

fn status(raw: &str) -> ExportStatus {
    match raw {
        "queued" => ExportStatus::Queued,
        "running" => ExportStatus::Running,
        "ready" => ExportStatus::Ready,
        "failed" => ExportStatus::Failed,
        "expired" => ExportStatus::Expired,
        _ => ExportStatus::Unspecified,
    }
}

impl ControlPlane {
    /// The row as the API shows it, with a download link while the export is ready and unexpired.
    async fn shown(&self, row: ExportRow) -> Result<pb::Export, ApiError> {
        let download_url = match (&row.object_key, row.expires_at) {
            (Some(key), Some(expires)) if row.status == "ready" && expires > Utc::now() => self
                .storage
                .store
                .download_url(key, expires)
                .await
                .map_err(|e| ApiError::Internal(e.into()))?,
            _ => String::new(),
        };
        Ok(pb::Export {
            export_id: row.id.to_string(),
            tenant_id: row.tenant_id.to_string(),
            status: status(&row.status) as i32,
            requested_by: row.requested_by,
            tables_total: row.tables_total,
            tables_done: row.tables_done,
            rows_total: row.rows_total,
            rows_done: row.rows_done,
            size_bytes: row.size_bytes.unwrap_or_default(),
            download_url,
            expire_time: row.expires_at.map(timestamp),
            error: row.error.unwrap_or_default(),
            attempts: row.attempts,
            create_time: Some(timestamp(row.created_at)),
            start_time: row.started_at.map(timestamp),
            finish_time: row.finished_at.map(timestamp),
        })
    }

    /// Writes a queued export of `tx`'s tenant and its `export.requested` event; refuses an
    /// erased tenant (there is nothing left to export) before writing anything.
    async fn queue_export(tx: &mut TenantTx) -> Result<ExportRow, ApiError> {
        let tenant_id = tx.tenant_id();
        let tenant = registry::fetch(tx, tenant_id, true).await?;
        if tenant.state()? == TenantState::Erased {
            return Err(ApiError::FailedPrecondition(format!(
                "tenant {tenant_id} is erased: it has no data left to export"
            )));
        }
        let requested_by = tx.actor().0.clone();
        let row: ExportRow = sqlx::query_as(&format!(
            "insert into exports (tenant_id, id, requested_by) values ($1, $2, $3) returning {EXPORT_COLUMNS}"
        ))
        .bind(tenant_id)
        .bind(eventkit_domain::id::new_id())
        .bind(&requested_by)
        .fetch_one(&mut **tx)
        .await?;
        let requested = ExportRequested {
            export_id: ExportId::from_uuid(row.id),
            tenant_id,
        };
        outbox::emit(tx, row.id, outbox::Event::ExportRequested(requested)).await?;
        // Who took a copy of everything belongs in the tenant's security log.
        security_log::record(
            tx,
            SecurityEvent {
                kind: "export.requested",
                actor: &requested_by,
                subject: &format!("export:{}", row.id),
                address: None,
                detail: json!({}),
            },
        )
        .await?;
        Ok(row)
    }

    async fn fetch_export(
        &self,
        tenant_id: TenantId,
        export_id: Uuid,
        actor: &Actor,
    ) -> Result<pb::Export, ApiError> {
        let mut tx = self.db.tenant_tx(tenant_id, actor).await?;
        let row: ExportRow = sqlx::query_as(&format!(
            "select {EXPORT_COLUMNS} from exports where tenant_id = $1 and id = $2"
        ))
        .bind(tenant_id)
        .bind(export_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| ApiError::not_found("export", export_id))?;
        tx.commit().await?;
        self.shown(row).await
    }

    pub async fn export_tenant(
        &self,
        op: &Operator,
        req: ExportTenantRequest,
    ) -> Result<ExportTenantResponse, ApiError> {
        let mut v = Violations::new();
        let tenant_id = v.check(registry::parse_tenant_id(&req.tenant_id));
        let reason = v.check(parse_reason(&req.reason, false));
        v.finish()?;
        let (tenant_id, reason) = (tenant_id.unwrap(), reason.unwrap());
        let mut tx = self.db.tenant_tx(tenant_id, &operator_actor(op)).await?;
        let row = Self::queue_export(&mut tx).await?;
        let detail = json!({ "exportId": row.id.to_string() });
        audit::record(
            &mut tx,
            op,
            "ExportTenant",
            Some(tenant_id),
            &reason,
            detail,
        )
        .await?;
        tx.commit().await?;
        Ok(ExportTenantResponse {
            export: Some(self.shown(row).await?),
        })
    }

    pub async fn get_tenant_export(
        &self,
        _: &Operator,
        req: GetTenantExportRequest,
    ) -> Result<GetTenantExportResponse, ApiError> {
        let mut v = Violations::new();
        let tenant_id = v.check(registry::parse_tenant_id(&req.tenant_id));
        let export_id = v.check(eventkit_domain::id::parse_id("export_id", &req.export_id));
        v.finish()?;
        let export = self
            .fetch_export(
                tenant_id.unwrap(),
                export_id.unwrap(),
                &Actor::system("operator"),
            )
            .await?;
        Ok(GetTenantExportResponse {
            export: Some(export),
        })
    }

    pub async fn request_export(
        &self,
        p: &Principal,
        _: RequestExportRequest,
    ) -> Result<RequestExportResponse, ApiError> {
        let mut tx = self.db.tenant_tx(p.tenant_id, &p.actor()).await?;
        let row = Self::queue_export(&mut tx).await?;
        tx.commit().await?;
        Ok(RequestExportResponse {
            export: Some(self.shown(row).await?),
        })
    }

    pub async fn get_export(
        &self,
        p: &Principal,
        req: GetExportRequest,
    ) -> Result<GetExportResponse, ApiError> {
        let export_id = eventkit_domain::id::parse_id("export_id", &req.export_id)?;
        let export = self
            .fetch_export(p.tenant_id, export_id, &p.actor())
            .await?;
        Ok(GetExportResponse {
            export: Some(export),
        })
    }

    pub async fn list_exports(
        &self,
        p: &Principal,
        req: ListExportsRequest,
    ) -> Result<ListExportsResponse, ApiError> {
        let mut v = Violations::new();
        let before = v.check(eventkit_domain::id::parse_optional_id(
            "page_token",
            &req.page_token,
        ));
        let size = v.check(registry::page_size(req.page_size));
        v.finish()?;
        let size = size.unwrap();
        let mut tx = self.db.tenant_tx(p.tenant_id, &p.actor()).await?;
        // Ids are UUIDv7, so id order is request order: newest first, stable.
        let rows: Vec<ExportRow> = sqlx::query_as(&format!(
            "select {EXPORT_COLUMNS} from exports where tenant_id = $1 and ($2::uuid is null or id < $2) \
             order by id desc limit $3"
        ))
        .bind(p.tenant_id)
        .bind(before.flatten())
        .bind(size + 1)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let (rows, next_page_token) = registry::split_page(rows, size, |r| r.id);
        let mut exports = Vec::with_capacity(rows.len());
        for row in rows {
            exports.push(self.shown(row).await?);
        }
        Ok(ListExportsResponse {
            exports,
            next_page_token,
        })
    }
}
