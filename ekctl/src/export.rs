//! `ekctl tenants export TENANT [--wait]`: starts the export through `ExportTenant`; with
//! `--wait`, polls `GetTenantExport` until it is ready or failed, drawing a progress bar on
//! stderr (not with `--json`, whose stdout stays one JSON answer). A failed export exits 1.

use crate::{client::Clients, output};
use eventkit_proto::controlplane::v1::*;
use std::{io::Write, time::Duration};
use tonic::Status;

/// How often `--wait` asks for progress.
const POLL: Duration = Duration::from_millis(500);

fn status_name(raw: i32) -> String {
    let name = ExportStatus::try_from(raw).ok().map(|s| s.as_str_name());
    output::enum_label(name, "EXPORT_STATUS_", raw)
}

/// `[#########...........]  45%  3/31 tables  45000/100000 rows  running`
pub fn bar(e: &Export) -> String {
    format!(
        "{}  {}/{} tables  {}/{} rows  {}",
        output::bar(
            e.rows_done,
            e.rows_total,
            e.status == ExportStatus::Ready as i32
        ),
        e.tables_done,
        e.tables_total,
        e.rows_done,
        e.rows_total,
        status_name(e.status),
    )
}

fn human(e: &Export) -> String {
    let mut pairs = vec![
        ("export", e.export_id.clone()),
        ("tenant", e.tenant_id.clone()),
        ("status", status_name(e.status)),
        ("requested_by", e.requested_by.clone()),
        ("tables", format!("{}/{}", e.tables_done, e.tables_total)),
        ("rows", format!("{}/{}", e.rows_done, e.rows_total)),
        ("created", output::time(&e.create_time)),
    ];
    if e.status == ExportStatus::Ready as i32 {
        pairs.push(("size_bytes", e.size_bytes.to_string()));
        pairs.push(("download", e.download_url.clone()));
        pairs.push(("expires", output::time(&e.expire_time)));
    }
    if !e.error.is_empty() {
        pairs.push(("error", e.error.clone()));
    }
    output::fields(&pairs)
}

pub async fn run(
    c: &mut Clients,
    json: bool,
    tenant: &str,
    wait: bool,
    reason: &str,
    err: &mut dyn Write,
) -> Result<String, Status> {
    let req = ExportTenantRequest {
        tenant_id: tenant.to_owned(),
        reason: reason.to_owned(),
    };
    let mut export = c
        .tenants
        .export_tenant(req)
        .await?
        .into_inner()
        .export
        .unwrap_or_default();
    let finished = |e: &Export| {
        e.status == ExportStatus::Ready as i32 || e.status == ExportStatus::Failed as i32
    };
    if wait {
        while !finished(&export) {
            if !json {
                let _ = write!(err, "\r{}", bar(&export));
                let _ = err.flush();
            }
            tokio::time::sleep(POLL).await;
            let req = GetTenantExportRequest {
                tenant_id: export.tenant_id.clone(),
                export_id: export.export_id.clone(),
            };
            export = c
                .tenants
                .get_tenant_export(req)
                .await?
                .into_inner()
                .export
                .unwrap_or_default();
        }
        if !json {
            let _ = writeln!(err, "\r{}", bar(&export));
        }
        if export.status == ExportStatus::Failed as i32 {
            return Err(Status::internal(format!(
                "export {} failed: {}",
                export.export_id, export.error
            )));
        }
    }
    Ok(if json {
        let answer = ExportTenantResponse {
            export: Some(export),
        };
        output::json(&answer, "controlplane.v1.ExportTenantResponse")
    } else {
        human(&export)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_fills_with_rows_and_is_full_when_ready() {
        let mut e = Export {
            status: ExportStatus::Running as i32,
            tables_total: 4,
            tables_done: 1,
            rows_total: 200,
            rows_done: 50,
            ..Default::default()
        };
        assert!(bar(&e).starts_with(
            "[#######.......................]  25%  1/4 tables  50/200 rows  running"
        ));
        e.status = ExportStatus::Ready as i32;
        assert!(bar(&e).starts_with(&format!("[{}] 100%", "#".repeat(30))));
        e.rows_total = 0;
        e.status = ExportStatus::Queued as i32;
        assert!(bar(&e).contains("  0%") && bar(&e).ends_with("queued"));
    }
}
