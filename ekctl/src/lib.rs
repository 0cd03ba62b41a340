//! `ekctl`, the operators' CLI: a real client of the control-plane API (gRPC through the
//! generated clients; never the database). A crate of its own because it is a client, not part
//! of the service: it imports only the API contract (`eventkit-proto`), so it builds without the
//! server's dependencies and cannot reach past the API. It is a library as well as a binary so the
//! test suite drives the very code the binary runs — [`run`] takes the arguments and environment
//! and writes to the given outputs — and `src/main.rs` only passes the process's own.

mod cli;
mod client;
mod erase;
mod export;
mod output;

pub use client::exit;

use clap::Parser;
use cli::{Cli, Command, Jobs, Plans, QuotaCommand, Tenants};
use client::{Clients, exit_code};
use eventkit_proto::controlplane::v1::{set_quota_override_request::Value, *};
use std::{collections::HashMap, io::Write};
use tonic::Status;

const DEFAULT_URL: &str = "http://127.0.0.1:8081";

/// Runs ekctl with `args` (the first is the program name) and environment `vars`; returns the
/// exit code.
pub async fn run(
    args: Vec<String>,
    vars: &HashMap<String, String>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
            let target: &mut dyn Write = if e.use_stderr() { err } else { out };
            let _ = write!(target, "{}", e.render());
            return code;
        }
    };
    let url = cli
        .url
        .clone()
        .or_else(|| vars.get("EKCTL_URL").filter(|v| !v.is_empty()).cloned())
        .unwrap_or_else(|| DEFAULT_URL.into());
    let token = vars
        .get("EKCTL_TOKEN")
        .filter(|v| !v.is_empty())
        .map(String::as_str);
    let result = match Clients::connect(&url, token).await {
        Ok(mut clients) => execute(&mut clients, &cli, err).await,
        Err(status) => Err(status),
    };
    match result {
        Ok(text) => {
            let _ = out.write_all(text.as_bytes());
            exit::OK
        }
        Err(status) => {
            let (code, message) = (code_name(&status), status.message());
            let _ = if cli.json {
                let error = serde_json::json!({ "code": code, "message": message });
                writeln!(err, "{error}")
            } else {
                writeln!(err, "ekctl: {code}: {message}")
            };
            exit_code(&status)
        }
    }
}

fn code_name(status: &Status) -> String {
    format!("{:?}", status.code())
        .chars()
        .fold(String::new(), |mut s, c| {
            if c.is_uppercase() && !s.is_empty() {
                s.push('_');
            }
            s.push(c.to_ascii_lowercase());
            s
        })
}

/// `state` as the API's enum; unknown names are refused before anything is sent.
fn parse_state(raw: &str) -> Result<TenantState, Status> {
    TenantState::from_str_name(&format!("TENANT_STATE_{}", raw.to_uppercase()))
        .filter(|s| *s != TenantState::Unspecified)
        .ok_or_else(|| Status::invalid_argument(format!("unknown state {raw:?}")))
}

/// The answer as `--json` asks (canonical JSON of `message`, type `controlplane.v1.<name>`) or
/// as `human` renders it.
fn answer<M: prost::Message>(
    cli: &Cli,
    message: tonic::Response<M>,
    name: &str,
    human: impl FnOnce(&M) -> String,
) -> String {
    let message = message.into_inner();
    if cli.json {
        output::json(&message, &format!("controlplane.v1.{name}"))
    } else {
        human(&message)
    }
}

fn shown(t: &Option<Tenant>) -> String {
    t.as_ref()
        .map(|t| output::tenant(t, None))
        .unwrap_or_default()
}

async fn execute(c: &mut Clients, cli: &Cli, err: &mut dyn Write) -> Result<String, Status> {
    Ok(match &cli.command {
        Command::Tenants(cmd) => tenants(c, cli, cmd, err).await?,
        Command::Plans(cmd) => plans(c, cli, cmd).await?,
        Command::Quotas(QuotaCommand::Set {
            tenant,
            key,
            value,
            reason,
        }) => {
            let value = match value.as_str() {
                "unlimited" => Value::Unlimited(true),
                "default" => Value::PlanDefault(true),
                n => Value::Limit(n.parse().map_err(|_| {
                    Status::invalid_argument(format!(
                        "value {n:?} must be a whole number, `unlimited` or `default`"
                    ))
                })?),
            };
            let req = SetQuotaOverrideRequest {
                tenant_id: tenant.clone(),
                key: key.clone(),
                value: Some(value),
                reason: reason.reason.clone(),
            };
            answer(
                cli,
                c.quotas.set_quota_override(req).await?,
                "SetQuotaOverrideResponse",
                |r: &SetQuotaOverrideResponse| {
                    r.usage.as_ref().map(output::usage).unwrap_or_default()
                },
            )
        }
        Command::Usage { tenant } => {
            let req = GetTenantUsageRequest {
                tenant_id: tenant.clone(),
            };
            answer(
                cli,
                c.usage.get_tenant_usage(req).await?,
                "GetTenantUsageResponse",
                |r: &GetTenantUsageResponse| {
                    r.usage.as_ref().map(output::usage).unwrap_or_default()
                },
            )
        }
        Command::Jobs(cmd) => jobs(c, cli, cmd).await?,
        Command::Audit { tenant, limit } => {
            let req = ListAuditEventsRequest {
                tenant_id: tenant.clone().unwrap_or_default(),
                page_size: *limit,
                page_token: String::new(),
            };
            answer(
                cli,
                c.audit.list_audit_events(req).await?,
                "ListAuditEventsResponse",
                |r: &ListAuditEventsResponse| output::audit(&r.events),
            )
        }
    })
}

/// A lifecycle move: the request carries the tenant id and reason, the answer the tenant.
macro_rules! tenant_move {
    ($c:expr, $cli:expr, $method:ident, $req:ident, $resp:ident, $tenant:expr, $reason:expr) => {{
        let req = $req {
            tenant_id: $tenant.trim().to_owned(),
            reason: $reason.reason.clone(),
        };
        let response = $c.tenants.$method(req).await?;
        answer($cli, response, stringify!($resp), |r: &$resp| {
            shown(&r.tenant)
        })
    }};
}

async fn tenants(
    c: &mut Clients,
    cli: &Cli,
    cmd: &Tenants,
    err: &mut dyn Write,
) -> Result<String, Status> {
    let id = |t: &String| t.trim().to_owned();
    Ok(match cmd {
        Tenants::List { state } => {
            let state = state
                .as_deref()
                .map(parse_state)
                .transpose()?
                .unwrap_or(TenantState::Unspecified);
            let mut all = ListTenantsResponse::default();
            loop {
                let req = ListTenantsRequest {
                    page_size: 500,
                    page_token: all.next_page_token.clone(),
                    state: state as i32,
                };
                let page = c.tenants.list_tenants(req).await?.into_inner();
                all.tenants.extend(page.tenants);
                all.next_page_token = page.next_page_token;
                if all.next_page_token.is_empty() {
                    break;
                }
            }
            if cli.json {
                output::json(&all, "controlplane.v1.ListTenantsResponse")
            } else {
                output::tenants(&all.tenants)
            }
        }
        Tenants::Show { tenant } => {
            let req = GetTenantRequest {
                tenant_id: id(tenant),
            };
            answer(
                cli,
                c.tenants.get_tenant(req).await?,
                "GetTenantResponse",
                |r: &GetTenantResponse| {
                    r.tenant
                        .as_ref()
                        .map(|t| output::tenant(t, r.settings.as_ref()))
                        .unwrap_or_default()
                },
            )
        }
        Tenants::Create {
            name,
            plan,
            admin_email,
            api_key,
            reason,
        } => {
            let req = CreateTenantRequest {
                name: name.clone(),
                plan: plan.clone(),
                admin_email: admin_email.clone().unwrap_or_default(),
                create_api_key: *api_key,
                reason: reason.reason.clone(),
            };
            answer(
                cli,
                c.tenants.create_tenant(req).await?,
                "CreateTenantResponse",
                |r: &CreateTenantResponse| {
                    let key = if r.api_key.is_empty() {
                        String::new()
                    } else {
                        format!("admin API key (shown once): {}\n", r.api_key)
                    };
                    shown(&r.tenant) + &key
                },
            )
        }
        Tenants::Approve { tenant, reason } => {
            tenant_move!(
                c,
                cli,
                approve_tenant,
                ApproveTenantRequest,
                ApproveTenantResponse,
                tenant,
                reason
            )
        }
        Tenants::Suspend { tenant, reason } => {
            tenant_move!(
                c,
                cli,
                suspend_tenant,
                SuspendTenantRequest,
                SuspendTenantResponse,
                tenant,
                reason
            )
        }
        Tenants::Resume { tenant, reason } => {
            tenant_move!(
                c,
                cli,
                resume_tenant,
                ResumeTenantRequest,
                ResumeTenantResponse,
                tenant,
                reason
            )
        }
        Tenants::Delete { tenant, reason } => {
            tenant_move!(
                c,
                cli,
                delete_tenant,
                DeleteTenantRequest,
                DeleteTenantResponse,
                tenant,
                reason
            )
        }
        Tenants::CancelDeletion { tenant, reason } => {
            tenant_move!(
                c,
                cli,
                cancel_tenant_deletion,
                CancelTenantDeletionRequest,
                CancelTenantDeletionResponse,
                tenant,
                reason
            )
        }
        Tenants::SetPlan {
            tenant,
            plan,
            reason,
        } => {
            let req = ChangeTenantPlanRequest {
                tenant_id: id(tenant),
                plan: plan.clone(),
                reason: reason.reason.clone(),
            };
            answer(
                cli,
                c.tenants.change_tenant_plan(req).await?,
                "ChangeTenantPlanResponse",
                |r: &ChangeTenantPlanResponse| shown(&r.tenant),
            )
        }
        Tenants::ErasureProgress { tenant } => {
            let req = GetErasureProgressRequest {
                tenant_id: id(tenant),
            };
            answer(
                cli,
                c.tenants.get_erasure_progress(req).await?,
                "GetErasureProgressResponse",
                |r: &GetErasureProgressResponse| {
                    r.progress.as_ref().map(erase::human).unwrap_or_default()
                },
            )
        }
        Tenants::Erase {
            tenant,
            confirm,
            reason,
        } => {
            let req = EraseTenantRequest {
                tenant_id: id(tenant),
                confirm_tenant_id: confirm.clone(),
                reason: reason.reason.clone(),
            };
            erase::run(c, cli.json, req, err).await?
        }
        Tenants::Export {
            tenant,
            wait,
            reason,
        } => export::run(c, cli.json, tenant.trim(), *wait, &reason.reason, err).await?,
    })
}

async fn jobs(c: &mut Clients, cli: &Cli, cmd: &Jobs) -> Result<String, Status> {
    Ok(match cmd {
        Jobs::Lag => answer(
            cli,
            c.jobs.list_consumer_lag(ListConsumerLagRequest {}).await?,
            "ListConsumerLagResponse",
            |r: &ListConsumerLagResponse| output::lag(&r.consumers),
        ),
        Jobs::Failed { tenant, limit } => {
            let req = ListDeadLettersRequest {
                tenant_id: tenant.as_deref().unwrap_or_default().trim().to_owned(),
                page_size: *limit,
                page_token: String::new(),
            };
            answer(
                cli,
                c.jobs.list_dead_letters(req).await?,
                "ListDeadLettersResponse",
                |r: &ListDeadLettersResponse| output::dead_letters(&r.dead_letters),
            )
        }
        Jobs::Replay { ids, reason } => {
            let req = ReplayDeadLettersRequest {
                ids: ids.clone(),
                reason: reason.reason.clone(),
            };
            answer(
                cli,
                c.jobs.replay_dead_letters(req).await?,
                "ReplayDeadLettersResponse",
                |r: &ReplayDeadLettersResponse| {
                    format!(
                        "replayed {} dead letter(s)\n{}",
                        r.dead_letters.len(),
                        output::dead_letters(&r.dead_letters)
                    )
                },
            )
        }
    })
}

async fn plans(c: &mut Clients, cli: &Cli, cmd: &Plans) -> Result<String, Status> {
    Ok(match cmd {
        Plans::List => answer(
            cli,
            c.plans.list_plans(ListPlansRequest {}).await?,
            "ListPlansResponse",
            |r: &ListPlansResponse| output::plans(&r.plans),
        ),
        Plans::Show { plan } => {
            let req = GetPlanRequest { key: plan.clone() };
            answer(
                cli,
                c.plans.get_plan(req).await?,
                "GetPlanResponse",
                |r: &GetPlanResponse| output::plans(r.plan.as_slice()),
            )
        }
        Plans::Set {
            plan,
            field,
            value,
            reason,
        } => {
            let req = UpdatePlanRequest {
                plan: Some(plan_change(plan, field, value)?),
                update_mask: Some(prost_types::FieldMask {
                    paths: vec![mask_path(field)],
                }),
                reason: reason.reason.clone(),
            };
            answer(
                cli,
                c.plans.update_plan(req).await?,
                "UpdatePlanResponse",
                |r: &UpdatePlanResponse| output::plans(r.plan.as_slice()),
            )
        }
    })
}

const QUOTA_FIELDS: [&str; 5] = [
    "seats",
    "assets",
    "storage_bytes",
    "api_calls_per_day",
    "webhook_endpoints",
];

const RATE_LIMIT_FIELDS: [&str; 4] = [
    "requests_per_second",
    "request_burst",
    "principal_requests_per_second",
    "principal_request_burst",
];

fn mask_path(field: &str) -> String {
    if QUOTA_FIELDS.contains(&field) {
        format!("quotas.{field}")
    } else if RATE_LIMIT_FIELDS.contains(&field) {
        format!("rate_limits.{field}")
    } else {
        field.to_owned()
    }
}

/// The plan message carrying `value` in `field` (the server checks ranges and names).
fn plan_change(plan: &str, field: &str, value: &str) -> Result<Plan, Status> {
    let number = |v: &str| -> Result<i64, Status> {
        v.parse()
            .map_err(|_| Status::invalid_argument(format!("value {v:?} must be a whole number")))
    };
    let mut p = Plan {
        key: plan.to_owned(),
        ..Default::default()
    };
    let mut quotas = eventkit_proto::controlplane::v1::Quotas::default();
    let quota = if value == "unlimited" {
        None
    } else {
        Some(number(value)?)
    }
    .filter(|_| QUOTA_FIELDS.contains(&field) || RATE_LIMIT_FIELDS.contains(&field));
    let mut rates = eventkit_proto::controlplane::v1::RateLimits::default();
    match field {
        "display_name" => p.display_name = value.to_owned(),
        "overage_cap_percent" => p.overage_cap_percent = number(value)?.try_into().unwrap_or(-1),
        "deletion_grace_days" => p.deletion_grace_days = number(value)?.try_into().unwrap_or(-1),
        "seats" => quotas.seats = quota,
        "assets" => quotas.assets = quota,
        "storage_bytes" => quotas.storage_bytes = quota,
        "api_calls_per_day" => quotas.api_calls_per_day = quota,
        "webhook_endpoints" => quotas.webhook_endpoints = quota,
        "requests_per_second" => rates.requests_per_second = quota,
        "request_burst" => rates.request_burst = quota,
        "principal_requests_per_second" => rates.principal_requests_per_second = quota,
        "principal_request_burst" => rates.principal_request_burst = quota,
        // Unknown fields go to the server as a mask path, which names the ones it accepts.
        _ => {}
    }
    p.quotas = Some(quotas);
    p.rate_limits = Some(rates);
    Ok(p)
}
