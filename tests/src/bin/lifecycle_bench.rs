//! Tenant lifecycle bench (issue 3): provisioning latency through the operator API (a tenant
//! with its settings, built-in roles, the first admin's invitation and `tenant.provisioned`),
//! and the erasure of a tenant seeded with many assets (every row found through the catalog,
//! deleted, and proved gone). Run it with `bench/lifecycle` (release build); it prints one JSON
//! line of results.

use eventkit_tests::{Protocol, TestEnv, connect};
use serde_json::json;
use std::time::Instant;

fn arg(name: &str, default: u64) -> u64 {
    std::env::args()
        .skip_while(|a| a != name)
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

#[tokio::main]
async fn main() {
    let tenants = arg("--tenants", 100) as usize;
    let assets = arg("--assets", 100_000) as usize;
    let events = arg("--events", 1_000) as usize;
    let env = TestEnv::start().await;
    let cp = env.control_plane().await;
    let token = env.operator_token("bench").await;
    let call = |method: &'static str, body: serde_json::Value| {
        let token = token.clone();
        async move { connect::call(cp.addr, Protocol::ConnectJson, Some(&token), method, body).await }
    };

    let mut millis = Vec::with_capacity(tenants);
    for n in 0..tenants {
        let started = Instant::now();
        let created = call(
            "controlplane.v1.OperatorTenantService/CreateTenant",
            json!({"name": format!("Bench {n}"), "plan": "pro", "adminEmail": format!("admin{n}@bench.example"), "reason": "bench"}),
        )
        .await;
        created.ok();
        millis.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    millis.sort_by(f64::total_cmp);

    // Erasure of a big tenant: seeded directly (as `eventkit seed` does), then erased at once.
    let created = call(
        "controlplane.v1.OperatorTenantService/CreateTenant",
        json!({"name": "Bench big", "plan": "enterprise", "reason": "bench"}),
    )
    .await;
    let tenant_id = created.ok()["tenant"]["id"].as_str().unwrap().to_owned();
    let db = eventkit_platform::db::Db::connect_lazy(env.config.database.app.expose(), 4).unwrap();
    let tenant = eventkit_domain::ids::TenantId::parse("tenant.id", &tenant_id).unwrap();
    let seeded = eventkit_devtools::seed::seed(&db, tenant, assets, events, 7)
        .await
        .expect("seeded");
    call(
        "controlplane.v1.OperatorTenantService/DeleteTenant",
        json!({"tenantId": tenant_id, "reason": "bench"}),
    )
    .await
    .ok();
    let started = Instant::now();
    let erased = call(
        "controlplane.v1.OperatorTenantService/EraseTenant",
        json!({"tenantId": tenant_id, "confirmTenantId": tenant_id, "reason": "bench"}),
    )
    .await;
    let erase_secs = started.elapsed().as_secs_f64();
    let rows: i64 = erased.ok()["deletedRows"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(|v| v.as_str().and_then(|n| n.parse::<i64>().ok()))
        .sum();

    println!(
        "{}",
        json!({
            "provisioning": {
                "tenants": tenants,
                "p50Ms": percentile(&millis, 0.50),
                "p95Ms": percentile(&millis, 0.95),
                "maxMs": millis.last(),
            },
            "erasure": {
                "seeded": seeded,
                "rowsDeleted": rows,
                "seconds": erase_secs,
            },
        })
    );
}
