//! What ekctl prints: aligned tables for people, or with `--json` the answer's canonical proto3
//! JSON (lowerCamelCase, as the Connect API returns it) for scripts.

use eventkit_proto::controlplane::v1::{self as pb};

/// Columns padded to their widest cell.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        padded.join("  ").trim_end().to_owned() + "\n"
    };
    let mut out = line(headers.iter().map(|h| h.to_uppercase()).collect());
    for row in rows {
        out.push_str(&line(row.clone()));
    }
    out
}

/// `key: value` lines.
pub fn fields(pairs: &[(&str, String)]) -> String {
    let width = pairs.iter().map(|(k, _)| k.len() + 1).max().unwrap_or(0);
    pairs
        .iter()
        .map(|(k, v)| format!("{:<width$}  {v}\n", format!("{k}:")))
        .collect::<Vec<_>>()
        .concat()
}

/// The message as canonical JSON, one line.
pub fn json<M: prost::Message>(message: &M, full_name: &str) -> String {
    eventkit_platform::outbox::proto_json(message, full_name).to_string() + "\n"
}

pub fn state(raw: i32) -> String {
    pb::TenantState::try_from(raw)
        .map(|s| {
            s.as_str_name()
                .trim_start_matches("TENANT_STATE_")
                .to_lowercase()
        })
        .unwrap_or_else(|_| raw.to_string())
}

pub fn time(t: &Option<prost_types::Timestamp>) -> String {
    t.as_ref()
        .and_then(|t| chrono::DateTime::from_timestamp(t.seconds, t.nanos.max(0) as u32))
        .map(|t| t.format("%Y-%m-%d %H:%M:%SZ").to_string())
        .unwrap_or_else(|| "-".into())
}

/// A rate limit as `rate/s (burst)`, or `unlimited`.
fn rate(per_second: Option<i64>, burst: Option<i64>) -> String {
    match per_second {
        Some(r) => format!("{r}/s ({})", burst.unwrap_or(r)),
        None => "unlimited".into(),
    }
}

pub fn limit(v: Option<i64>) -> String {
    v.map_or("unlimited".into(), |n| n.to_string())
}

pub fn tenants(list: &[pb::Tenant]) -> String {
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|t| {
            vec![
                t.id.clone(),
                t.name.clone(),
                state(t.state),
                t.plan.clone(),
                time(&t.create_time),
            ]
        })
        .collect();
    table(&["id", "name", "state", "plan", "created"], &rows)
}

pub fn tenant(t: &pb::Tenant, settings: Option<&pb::TenantSettings>) -> String {
    let mut pairs = vec![
        ("id", t.id.clone()),
        ("name", t.name.clone()),
        ("state", state(t.state)),
        ("plan", t.plan.clone()),
        (
            "admin email",
            if t.admin_email.is_empty() {
                "-".into()
            } else {
                t.admin_email.clone()
            },
        ),
        ("email verified", time(&t.admin_email_verify_time)),
        ("created", time(&t.create_time)),
        ("updated", time(&t.update_time)),
    ];
    if t.deletion_due_time.is_some() {
        pairs.push(("deletion due", time(&t.deletion_due_time)));
    }
    if t.erase_time.is_some() {
        pairs.push(("erased", time(&t.erase_time)));
    }
    if let Some(s) = settings {
        pairs.push(("currency", s.currency.clone()));
        pairs.push(("locale", s.locale.clone()));
        pairs.push(("time zone", s.time_zone.clone()));
        pairs.push((
            "tax rate",
            format!("{}.{:02} %", s.tax_rate_bp / 100, s.tax_rate_bp % 100),
        ));
    }
    fields(&pairs)
}

fn quota_cells(q: &pb::Quotas) -> Vec<String> {
    [
        q.seats,
        q.assets,
        q.storage_bytes,
        q.api_calls_per_day,
        q.webhook_endpoints,
    ]
    .into_iter()
    .map(limit)
    .collect()
}

pub fn plans(list: &[pb::Plan]) -> String {
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|p| {
            let mut row = vec![p.key.clone(), p.display_name.clone()];
            row.extend(quota_cells(&p.quotas.unwrap_or_default()));
            row.push(format!("{} %", p.overage_cap_percent));
            row.push(p.deletion_grace_days.to_string());
            let r = p.rate_limits.unwrap_or_default();
            row.push(rate(r.requests_per_second, r.request_burst));
            row.push(rate(
                r.principal_requests_per_second,
                r.principal_request_burst,
            ));
            row
        })
        .collect();
    table(
        &[
            "plan",
            "name",
            "seats",
            "assets",
            "storage_bytes",
            "api_calls_per_day",
            "webhook_endpoints",
            "overage_cap",
            "grace_days",
            "req/s (burst)",
            "per principal",
        ],
        &rows,
    )
}

pub fn usage(u: &pb::TenantUsage) -> String {
    let rows: Vec<Vec<String>> = u
        .quotas
        .iter()
        .map(|q| {
            let used = if q.metered {
                q.used.to_string()
            } else {
                "not metered".into()
            };
            let percent = match (q.metered, q.limit) {
                (true, Some(l)) if l > 0 => format!("{} %", q.used.saturating_mul(100) / l),
                _ => "-".into(),
            };
            let source = if q.overridden { "override" } else { "plan" };
            vec![
                q.key.clone(),
                used,
                limit(q.limit),
                limit(q.hard_cap),
                percent,
                source.into(),
            ]
        })
        .collect();
    format!(
        "tenant {}  plan {}  day {}\n{}",
        u.tenant_id,
        u.plan,
        u.day,
        table(
            &["quota", "used", "limit", "hard_cap", "use", "limit_from"],
            &rows
        )
    )
}

pub fn audit(events: &[pb::AuditEvent]) -> String {
    let rows: Vec<Vec<String>> = events
        .iter()
        .map(|e| {
            vec![
                time(&e.create_time),
                e.operator.clone(),
                e.action.clone(),
                if e.tenant_id.is_empty() {
                    "-".into()
                } else {
                    e.tenant_id.clone()
                },
                e.reason.clone(),
            ]
        })
        .collect();
    table(&["when", "operator", "action", "tenant", "reason"], &rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_align_values() {
        let out = fields(&[("id", "1".into()), ("admin email", "-".into())]);
        assert_eq!(out, "id:           1\nadmin email:  -\n");
    }

    #[test]
    fn tables_align_columns() {
        let out = table(
            &["id", "name"],
            &[
                vec!["1".into(), "Acme".into()],
                vec!["22".into(), "B".into()],
            ],
        );
        assert_eq!(out, "ID  NAME\n1   Acme\n22  B\n");
    }
}
