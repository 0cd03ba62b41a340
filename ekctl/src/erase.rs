//! `ekctl tenants erase TENANT --confirm TENANT --reason WHY`: erases the tenant through
//! `EraseTenant` and, while that call runs, polls `GetErasureProgress` to draw a progress bar on
//! stderr (not with `--json`, whose stdout stays one JSON answer). The erasure is one
//! transaction on the server; the bar shows rows deleted so far of the rows counted at its
//! start, and the table being emptied. When the tenant's stream messages or objects could not
//! all be removed after the commit, it says so: the control plane retries them.

use crate::{client::Clients, output};
use eventkit_proto::controlplane::v1::*;
use std::{io::Write, time::Duration};
use tonic::Status;

/// How often the bar is refreshed.
const POLL: Duration = Duration::from_millis(500);

fn phase_name(raw: i32) -> String {
    let name = ErasurePhase::try_from(raw).ok().map(|p| p.as_str_name());
    output::enum_label(name, "ERASURE_PHASE_", raw)
}

/// `[#########.....................]  30%  12/45 tables  200000/659087 rows  deleting assets`
pub fn bar(p: &ErasureProgress) -> String {
    let finished = p.phase == ErasurePhase::Finished as i32;
    let mut line = format!(
        "{}  {}/{} tables  {}/{} rows  {}",
        output::bar(p.rows_done, p.rows_total, finished),
        p.tables_done,
        p.tables_total,
        p.rows_done,
        p.rows_total,
        phase_name(p.phase),
    );
    if !p.current_table.is_empty() {
        line.push(' ');
        line.push_str(&p.current_table);
    }
    line
}

/// One erasure's progress as `ekctl tenants erasure-progress` shows it.
pub fn human(p: &ErasureProgress) -> String {
    let mut pairs = vec![
        ("tenant", p.tenant_id.clone()),
        ("phase", phase_name(p.phase)),
    ];
    if p.phase != ErasurePhase::None as i32 {
        pairs.extend([
            ("progress", bar(p)),
            ("tables", format!("{}/{}", p.tables_done, p.tables_total)),
            ("rows", format!("{}/{}", p.rows_done, p.rows_total)),
            ("started", output::time(&p.start_time)),
            ("updated", output::time(&p.update_time)),
        ]);
    }
    if !p.error.is_empty() {
        pairs.push(("error", p.error.clone()));
    }
    if p.cleanup_pending > 0 {
        pairs.push(("cleanup", pending(p)));
    }
    if !p.cleanup_error.is_empty() {
        pairs.push((
            "cleanup_error",
            format!(
                "{} (at {})",
                p.cleanup_error,
                output::time(&p.cleanup_attempt_time)
            ),
        ));
    }
    output::fields(&pairs)
}

/// `2 pending (stream purges and object prefixes), retried every 5 minutes`
fn pending(p: &ErasureProgress) -> String {
    format!(
        "{} pending (stream purges and object prefixes), retried every 5 minutes",
        p.cleanup_pending
    )
}

fn erased(r: &EraseTenantResponse) -> String {
    let rows: Vec<Vec<String>> = r
        .deleted_rows
        .iter()
        .map(|(t, n)| vec![t.clone(), n.to_string()])
        .collect();
    let tenant = r
        .tenant
        .as_ref()
        .map(|t| output::tenant(t, None))
        .unwrap_or_default();
    tenant + &output::table(&["table", "deleted_rows"], &rows)
}

pub async fn run(
    c: &mut Clients,
    json: bool,
    req: EraseTenantRequest,
    err: &mut dyn Write,
) -> Result<String, Status> {
    let tenant_id = req.tenant_id.clone();
    let mut poller = c.tenants.clone();
    let erase = c.tenants.erase_tenant(req);
    tokio::pin!(erase);
    let mut ticks = tokio::time::interval(POLL);
    let mut drawn = false;
    let answer = loop {
        tokio::select! {
            answer = &mut erase => break answer?.into_inner(),
            _ = ticks.tick(), if !json => {
                let asked = poller
                    .get_erasure_progress(GetErasureProgressRequest { tenant_id: tenant_id.clone() })
                    .await;
                // The bar is a courtesy: a failed poll just skips a frame.
                if let Some(p) = asked.ok().and_then(|r| r.into_inner().progress) {
                    let running = [ErasurePhase::Counting, ErasurePhase::Deleting, ErasurePhase::Verifying]
                        .iter()
                        .any(|phase| *phase as i32 == p.phase);
                    if running {
                        let _ = write!(err, "\r{}\x1b[K", bar(&p));
                        let _ = err.flush();
                        drawn = true;
                    }
                }
            }
        }
    };
    if !json {
        let last = poller
            .get_erasure_progress(GetErasureProgressRequest {
                tenant_id: tenant_id.clone(),
            })
            .await
            .ok()
            .and_then(|r| r.into_inner().progress)
            .filter(|p| {
                [ErasurePhase::Finished, ErasurePhase::CleaningUp]
                    .iter()
                    .any(|phase| *phase as i32 == p.phase)
            });
        match &last {
            Some(p) if drawn => {
                let _ = writeln!(err, "\r{}\x1b[K", bar(p));
            }
            _ if drawn => {
                let _ = writeln!(err);
            }
            _ => {}
        }
        if let Some(p) = last.filter(|p| p.cleanup_pending > 0) {
            let _ = writeln!(
                err,
                "the rows are gone; {}: ekctl tenants erasure-progress {tenant_id}",
                pending(&p)
            );
        }
    }
    Ok(if json {
        output::json(&answer, "controlplane.v1.EraseTenantResponse")
    } else {
        erased(&answer)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_names_the_phase_and_the_table_being_emptied() {
        let mut p = ErasureProgress {
            phase: ErasurePhase::Deleting as i32,
            tables_total: 4,
            tables_done: 1,
            rows_total: 200,
            rows_done: 100,
            current_table: "assets".into(),
            ..Default::default()
        };
        assert_eq!(
            bar(&p),
            format!(
                "[{}{}]  50%  1/4 tables  100/200 rows  deleting assets",
                "#".repeat(15),
                ".".repeat(15)
            )
        );
        p.phase = ErasurePhase::Finished as i32;
        p.current_table.clear();
        assert!(bar(&p).starts_with(&format!("[{}] 100%", "#".repeat(30))));
        assert!(bar(&p).ends_with("rows  finished"));
    }
}
