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
/// A progress bar, `[#########.....................]  30%`: `done` of `total`, full only
/// when `finished` (a count that reached its total is shown at 99 % until the work is done).
pub fn bar(done: i64, total: i64, finished: bool) -> String {
    const WIDTH: i64 = 30;
    let percent = if finished {
        100
    } else if total > 0 {
        (done.max(0) * 100 / total).min(99)
    } else {
        0
    };
    let filled = (percent * WIDTH / 100) as usize;
    format!(
        "[{}{}] {percent:>3}%",
        "#".repeat(filled),
        ".".repeat(WIDTH as usize - filled)
    )
}

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
    eventkit_proto::canonical_json(message, full_name).to_string() + "\n"
}

/// A proto enum value as people read it: `TENANT_STATE_PENDING_DELETION` → `pending_deletion`
/// (`name` is the value's `as_str_name()`, `None` for a number this ekctl does not know).
pub fn enum_label(name: Option<&str>, prefix: &str, raw: i32) -> String {
    name.map(|n| n.trim_start_matches(prefix).to_lowercase())
        .unwrap_or_else(|| raw.to_string())
}

pub fn state(raw: i32) -> String {
    let name = pb::TenantState::try_from(raw).ok().map(|s| s.as_str_name());
    enum_label(name, "TENANT_STATE_", raw)
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

/// Seconds as a short age: `45s`, `12m05s`, `3h02m`, `2d04h`; `-` for none.
pub fn age(seconds: f64) -> String {
    if seconds <= 0.0 {
        return "-".into();
    }
    let s = seconds.round() as u64;
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        3600..86400 => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
        _ => format!("{}d{:02}h", s / 86400, s % 86400 / 3600),
    }
}

pub fn lag(consumers: &[pb::ConsumerLag]) -> String {
    let rows: Vec<Vec<String>> = consumers
        .iter()
        .map(|c| {
            vec![
                c.stream.clone(),
                c.consumer.clone(),
                c.pending.to_string(),
                c.ack_pending.to_string(),
                c.redelivered.to_string(),
                age(c.oldest_unacked_age_seconds),
            ]
        })
        .collect();
    table(
        &[
            "stream",
            "consumer",
            "pending",
            "ack_pending",
            "redelivered",
            "oldest_unacked",
        ],
        &rows,
    )
}

/// The first line of an error, cut to `max` characters.
fn short(text: &str, max: usize) -> String {
    let line = text.lines().next().unwrap_or_default();
    if line.chars().count() > max {
        line.chars().take(max - 1).collect::<String>() + "…"
    } else {
        line.to_owned()
    }
}

pub fn dead_letters(list: &[pb::DeadLetter]) -> String {
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|d| {
            vec![
                d.id.clone(),
                d.tenant_id.clone(),
                d.consumer.clone(),
                d.event_type.clone(),
                d.deliveries.to_string(),
                time(&d.fail_time),
                time(&d.replay_time),
                short(&d.error, 60),
            ]
        })
        .collect();
    table(
        &[
            "id",
            "tenant",
            "consumer",
            "event_type",
            "deliveries",
            "failed",
            "replayed",
            "error",
        ],
        &rows,
    )
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
    fn ages_are_short() {
        assert_eq!(age(0.0), "-");
        assert_eq!(age(4.4), "4s");
        assert_eq!(age(725.0), "12m05s");
        assert_eq!(age(3.0 * 3600.0 + 120.0), "3h02m");
        assert_eq!(age(2.0 * 86400.0 + 4.0 * 3600.0), "2d04h");
        assert_eq!(short("a\nb", 10), "a");
        assert_eq!(short("abcdef", 4), "abc…");
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
