//! Plans and their quotas, for operators: listed, shown and edited field by field through an
//! update mask (a quota path with no value makes that quota unlimited). A change applies to
//! every tenant on the plan at once, since limits are read at each check.

use crate::{
    ControlPlane,
    audit::{self, parse_reason},
    registry::timestamp,
};
use chrono::{DateTime, Utc};
use eventkit_domain::{
    FieldViolation, Violations,
    quota::{QuotaKey, parse_limit, parse_overage_cap},
    rate_limit::{RateLimitKey, parse_rate_limit},
    text::TextRule,
};
use eventkit_platform::ApiError;
use eventkit_platform::auth::Operator;
use eventkit_proto::controlplane::v1::{self as pb, *};
use serde_json::json;
use sqlx::{PgConnection, Postgres, QueryBuilder};

const PLAN_COLUMNS: &str = "key, display_name, seats, assets, storage_bytes, api_calls_per_day, webhook_endpoints, overage_cap_percent, deletion_grace_days, updated_at, \
     requests_per_second, request_burst, principal_requests_per_second, principal_request_burst";

#[derive(sqlx::FromRow)]
struct PlanRow {
    key: String,
    display_name: String,
    seats: Option<i64>,
    assets: Option<i64>,
    storage_bytes: Option<i64>,
    api_calls_per_day: Option<i64>,
    webhook_endpoints: Option<i64>,
    overage_cap_percent: i32,
    deletion_grace_days: i32,
    updated_at: DateTime<Utc>,
    requests_per_second: Option<i64>,
    request_burst: Option<i64>,
    principal_requests_per_second: Option<i64>,
    principal_request_burst: Option<i64>,
}

impl From<PlanRow> for pb::Plan {
    fn from(r: PlanRow) -> Self {
        pb::Plan {
            key: r.key,
            display_name: r.display_name,
            quotas: Some(Quotas {
                seats: r.seats,
                assets: r.assets,
                storage_bytes: r.storage_bytes,
                api_calls_per_day: r.api_calls_per_day,
                webhook_endpoints: r.webhook_endpoints,
            }),
            overage_cap_percent: r.overage_cap_percent,
            deletion_grace_days: r.deletion_grace_days,
            update_time: Some(timestamp(r.updated_at)),
            rate_limits: Some(RateLimits {
                requests_per_second: r.requests_per_second,
                request_burst: r.request_burst,
                principal_requests_per_second: r.principal_requests_per_second,
                principal_request_burst: r.principal_request_burst,
            }),
        }
    }
}

fn rate_limit_value(limits: &RateLimits, key: RateLimitKey) -> Option<i64> {
    match key {
        RateLimitKey::RequestsPerSecond => limits.requests_per_second,
        RateLimitKey::RequestBurst => limits.request_burst,
        RateLimitKey::PrincipalRequestsPerSecond => limits.principal_requests_per_second,
        RateLimitKey::PrincipalRequestBurst => limits.principal_request_burst,
    }
}

fn quota_value(quotas: &Quotas, key: QuotaKey) -> Option<i64> {
    match key {
        QuotaKey::Seats => quotas.seats,
        QuotaKey::Assets => quotas.assets,
        QuotaKey::StorageBytes => quotas.storage_bytes,
        QuotaKey::ApiCallsPerDay => quotas.api_calls_per_day,
        QuotaKey::WebhookEndpoints => quotas.webhook_endpoints,
    }
}

async fn fetch(conn: &mut PgConnection, key: &str, for_update: bool) -> Result<PlanRow, ApiError> {
    let lock = if for_update { " for update" } else { "" };
    sqlx::query_as(&format!(
        "select {PLAN_COLUMNS} from plans where key = $1{lock}"
    ))
    .bind(key)
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| ApiError::NotFound(format!("plan {key:?} not found")))
}

/// One value to write: the column and its new value.
enum Change {
    Text(&'static str, String),
    Number(&'static str, Option<i64>),
}

/// The columns an update mask names, with their checked values.
fn changes(plan: &pb::Plan, paths: &[String]) -> Result<Vec<Change>, ApiError> {
    if paths.is_empty() {
        return Err(FieldViolation::new("update_mask", "name at least one field to change").into());
    }
    let quotas = plan.quotas.unwrap_or_default();
    let rate_limits = plan.rate_limits.unwrap_or_default();
    let mut v = Violations::new();
    let mut out = Vec::new();
    for path in paths {
        let change = match path.as_str() {
            "display_name" => TextRule::required(100)
                .parse("plan.display_name", &plan.display_name)
                .map(|name| Change::Text("display_name", name)),
            "overage_cap_percent" => {
                parse_overage_cap("plan.overage_cap_percent", plan.overage_cap_percent.into())
                    .map(|p| Change::Number("overage_cap_percent", Some(p.into())))
            }
            "deletion_grace_days" => match plan.deletion_grace_days {
                d @ 0..=365 => Ok(Change::Number("deletion_grace_days", Some(d.into()))),
                _ => Err(FieldViolation::new(
                    "plan.deletion_grace_days",
                    "must be between 0 and 365",
                )),
            },
            other if other.starts_with("rate_limits.") => {
                let name = &other["rate_limits.".len()..];
                match RateLimitKey::find(name) {
                    Some(key) => match rate_limit_value(&rate_limits, key) {
                        None => Ok(Change::Number(key.as_str(), None)),
                        Some(n) => {
                            parse_rate_limit(&format!("plan.rate_limits.{}", key.as_str()), n)
                                .map(|n| Change::Number(key.as_str(), Some(n)))
                        }
                    },
                    None => Err(FieldViolation::new(
                        "update_mask",
                        format!(
                            "unknown rate limit {name:?}; known: {}",
                            RateLimitKey::ALL.map(RateLimitKey::as_str).join(", ")
                        ),
                    )),
                }
            }
            other => match other
                .strip_prefix("quotas.")
                .map(|k| QuotaKey::parse("update_mask", k))
            {
                Some(Ok(key)) => match quota_value(&quotas, key) {
                    None => Ok(Change::Number(key.as_str(), None)),
                    Some(n) => parse_limit(&format!("plan.quotas.{}", key.as_str()), n)
                        .map(|_| Change::Number(key.as_str(), Some(n))),
                },
                Some(Err(e)) => Err(e),
                None => Err(FieldViolation::new(
                    "update_mask",
                    format!(
                        "cannot change {other:?}; paths: display_name, overage_cap_percent, deletion_grace_days, quotas.<quota>, rate_limits.<limit>"
                    ),
                )),
            },
        };
        if let Some(c) = v.check(change) {
            out.push(c);
        }
    }
    v.finish()?;
    Ok(out)
}

impl ControlPlane {
    pub async fn list_plans(
        &self,
        _: &Operator,
        _: ListPlansRequest,
    ) -> Result<ListPlansResponse, ApiError> {
        let rows: Vec<PlanRow> = sqlx::query_as(&format!(
            "select {PLAN_COLUMNS} from plans order by rank, key"
        ))
        .fetch_all(self.db.pool())
        .await?;
        Ok(ListPlansResponse {
            plans: rows.into_iter().map(Into::into).collect(),
        })
    }

    pub async fn get_plan(
        &self,
        _: &Operator,
        req: GetPlanRequest,
    ) -> Result<GetPlanResponse, ApiError> {
        let row = fetch(&mut *self.db.pool().acquire().await?, req.key.trim(), false).await?;
        Ok(GetPlanResponse {
            plan: Some(row.into()),
        })
    }

    pub async fn update_plan(
        &self,
        op: &Operator,
        req: UpdatePlanRequest,
    ) -> Result<UpdatePlanResponse, ApiError> {
        let plan = req.plan.unwrap_or_default();
        let paths = req.update_mask.map(|m| m.paths).unwrap_or_default();
        let changes = changes(&plan, &paths)?;
        let reason = parse_reason(&req.reason, false)?;
        let mut tx = self.db.pool().begin().await?;
        fetch(&mut tx, &plan.key, true).await?;
        let mut sql: QueryBuilder<Postgres> =
            QueryBuilder::new("update plans set updated_at = now()");
        for change in &changes {
            match change {
                Change::Text(column, value) => {
                    sql.push(format!(", {column} = ")).push_bind(value.clone())
                }
                Change::Number(column, value) => {
                    sql.push(format!(", {column} = ")).push_bind(*value)
                }
            };
        }
        sql.push(" where key = ")
            .push_bind(&plan.key)
            .push(format!(" returning {PLAN_COLUMNS}"));
        let row: PlanRow = sql.build_query_as().fetch_one(&mut *tx).await?;
        let updated: pb::Plan = row.into();
        let detail = json!({ "plan": plan.key, "paths": paths });
        audit::record(&mut tx, op, "UpdatePlan", None, &reason, detail).await?;
        tx.commit().await?;
        Ok(UpdatePlanResponse {
            plan: Some(updated),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(p: &[&str]) -> Vec<String> {
        p.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn masks_name_what_changes_and_unset_quotas_are_unlimited() {
        let plan = pb::Plan {
            key: "pro".into(),
            display_name: " Pro+ ".into(),
            quotas: Some(Quotas {
                assets: Some(10),
                ..Default::default()
            }),
            overage_cap_percent: 150,
            ..Default::default()
        };
        let out = changes(
            &plan,
            &paths(&[
                "display_name",
                "quotas.assets",
                "quotas.seats",
                "overage_cap_percent",
            ]),
        )
        .unwrap();
        assert!(matches!(&out[0], Change::Text("display_name", n) if n == "Pro+"));
        assert!(matches!(out[1], Change::Number("assets", Some(10))));
        assert!(matches!(out[2], Change::Number("seats", None)));
        assert!(matches!(
            out[3],
            Change::Number("overage_cap_percent", Some(150))
        ));
    }

    #[test]
    fn rate_limits_are_plan_fields_too() {
        let plan = pb::Plan {
            rate_limits: Some(RateLimits {
                requests_per_second: Some(5),
                request_burst: Some(0),
                ..Default::default()
            }),
            ..Default::default()
        };
        let out = changes(
            &plan,
            &paths(&[
                "rate_limits.requests_per_second",
                "rate_limits.principal_request_burst",
            ]),
        )
        .unwrap();
        assert!(matches!(
            out[0],
            Change::Number("requests_per_second", Some(5))
        ));
        assert!(matches!(
            out[1],
            Change::Number("principal_request_burst", None)
        ));
        let Err(ApiError::InvalidArgument(v)) = changes(
            &plan,
            &paths(&["rate_limits.request_burst", "rate_limits.speed"]),
        ) else {
            panic!("expected invalid_argument");
        };
        let fields: Vec<&str> = v.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(fields, ["plan.rate_limits.request_burst", "update_mask"]);
    }

    #[test]
    fn every_bad_path_and_value_is_named() {
        let plan = pb::Plan {
            quotas: Some(Quotas {
                assets: Some(-1),
                ..Default::default()
            }),
            deletion_grace_days: 400,
            ..Default::default()
        };
        let Err(ApiError::InvalidArgument(v)) = changes(
            &plan,
            &paths(&[
                "quotas.assets",
                "deletion_grace_days",
                "colour",
                "quotas.rockets",
            ]),
        ) else {
            panic!("expected invalid_argument");
        };
        let fields: Vec<&str> = v.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "plan.quotas.assets",
                "plan.deletion_grace_days",
                "update_mask",
                "update_mask"
            ]
        );
        assert!(
            changes(&plan, &[]).is_err(),
            "an empty mask changes nothing"
        );
    }
}
