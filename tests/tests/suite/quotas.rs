//! Quotas end to end: an operator override lowers a tenant's asset quota; creating assets
//! warns through the outbox at 80 % and 100 % (once each per period), and past the plan's
//! overage cap CreateAsset gets `resource_exhausted` naming the quota and writes nothing;
//! usage (assets from the data, API calls metered through Redis, warned about at 80 % and
//! 100 % of the daily limit when flushed, refused past the overage cap) reads the same through
//! `ekctl usage` and the tenant admin's AccountService; plan edits apply at once.

use eventkit_tests::{Protocol, TestEnv, connect, ekctl::Ekctl};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

fn quota<'a>(usage: &'a Value, key: &str) -> &'a Value {
    usage["usage"]["quotas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["key"] == key)
        .unwrap_or_else(|| panic!("no quota {key} in {usage}"))
}

#[tokio::test]
async fn assets_warn_at_80_and_100_percent_and_stop_at_the_overage_cap() {
    let env = TestEnv::start().await;
    let cp = env.control_plane().await;
    let ekctl = Ekctl::new(cp.addr, &env.operator_token("erin").await);
    // starter: overage cap 120 %; with 10 assets allowed the hard stop is at 12.
    let created = ekctl
        .json(&[
            "tenants",
            "create",
            "--name",
            "Quota Co",
            "--plan",
            "starter",
            "--api-key",
        ])
        .await;
    let id = created["tenant"]["id"].as_str().unwrap().to_owned();
    let key = created["apiKey"].as_str().unwrap().to_owned();
    let set = ekctl
        .json(&["quotas", "set", &id, "assets", "10", "--reason", "trial"])
        .await;
    assert_eq!(quota(&set, "assets")["limit"], "10");
    assert_eq!(quota(&set, "assets")["hardCap"], "12");
    assert_eq!(quota(&set, "assets")["overridden"], true);

    let product = env
        .call(
            Some(&key),
            "InventoryService/CreateProduct",
            json!({"name": "Par can"}),
        )
        .await;
    let product_id = product.ok()["product"]["id"].as_str().unwrap().to_owned();
    let create = |n: usize| {
        env.call(
            Some(&key),
            "InventoryService/CreateAsset",
            json!({"productId": product_id, "code": format!("PAR-{n:03}")}),
        )
    };
    let admin = env.admin_pool().await;
    let warnings = || async {
        let rows: Vec<Value> = sqlx::query_scalar(
            "select payload from outbox where tenant_id = $1::uuid and event_type = 'quota.warning' order by id",
        )
        .bind(&id)
        .fetch_all(&admin)
        .await
        .unwrap();
        rows
    };
    for n in 1..=7 {
        create(n).await.ok();
    }
    assert!(warnings().await.is_empty(), "no warning below 80 %");
    create(8).await.ok();
    let w = warnings().await;
    assert_eq!(w.len(), 1);
    assert_eq!(
        (w[0]["quota"].as_str(), w[0]["thresholdPercent"].as_u64()),
        (Some("assets"), Some(80))
    );
    for n in 9..=12 {
        create(n).await.ok();
    }
    let w = warnings().await;
    assert_eq!(w.len(), 2, "80 % and 100 % once each: {w:?}");
    assert_eq!(w[1]["thresholdPercent"], 100);
    assert_eq!(w[1]["limit"], 10);

    let refused = create(13).await;
    assert_eq!(refused.code(), "resource_exhausted", "{}", refused.body);
    assert!(
        refused.body["message"]
            .as_str()
            .unwrap()
            .contains("quota assets"),
        "{}",
        refused.body
    );
    let assets: i64 = sqlx::query_scalar("select count(*) from assets where tenant_id = $1::uuid")
        .bind(&id)
        .fetch_one(&admin)
        .await
        .unwrap();
    assert_eq!(assets, 12, "the refused asset was not written");
    assert_eq!(warnings().await.len(), 2);

    let usage = ekctl.json(&["usage", &id]).await;
    assert_eq!(quota(&usage, "assets")["used"], "12");
    assert_eq!(
        (
            quota(&usage, "seats")["used"].as_str().unwrap_or("0"),
            quota(&usage, "seats")["metered"].as_bool()
        ),
        ("0", Some(true)),
        "seats are members plus open invitations"
    );

    // Back to the plan's limit (2,500): creating works again, as does raising a plan.
    let human = ekctl
        .run(&["quotas", "set", &id, "assets", "default"])
        .await;
    assert_eq!(human.code, 0, "{}", human.stderr);
    assert!(
        human.stdout.contains("assets") && human.stdout.contains("2500"),
        "{}",
        human.stdout
    );
    create(13).await.ok();
    ekctl.json(&["quotas", "set", &id, "assets", "0"]).await;
    assert_eq!(create(14).await.code(), "resource_exhausted");
    ekctl
        .json(&["quotas", "set", &id, "assets", "unlimited"])
        .await;
    create(14).await.ok();
}

#[tokio::test]
async fn plan_edits_apply_to_every_tenant_on_the_plan() {
    let env = TestEnv::start().await;
    let cp = env.control_plane().await;
    let ekctl = Ekctl::new(cp.addr, &env.operator_token("frank").await);
    let created = ekctl
        .json(&[
            "tenants",
            "create",
            "--name",
            "Small Co",
            "--plan",
            "free",
            "--api-key",
        ])
        .await;
    let id = created["tenant"]["id"].as_str().unwrap().to_owned();
    let key = created["apiKey"].as_str().unwrap().to_owned();

    let plan = ekctl
        .json(&["plans", "set", "free", "assets", "1", "--reason", "tighten"])
        .await;
    assert_eq!(plan["plan"]["quotas"]["assets"], "1");
    ekctl
        .json(&["plans", "set", "free", "overage_cap_percent", "100"])
        .await;
    let product = env
        .call(
            Some(&key),
            "InventoryService/CreateProduct",
            json!({"name": "Cable"}),
        )
        .await;
    let product_id = product.ok()["product"]["id"].as_str().unwrap().to_owned();
    let asset = |code: &str| {
        env.call(
            Some(&key),
            "InventoryService/CreateAsset",
            json!({"productId": product_id, "code": code}),
        )
    };
    asset("C-1").await.ok();
    assert_eq!(asset("C-2").await.code(), "resource_exhausted");
    let shown = ekctl.json(&["plans", "show", "free"]).await;
    assert_eq!(shown["plan"]["overageCapPercent"], 100);
    ekctl
        .json(&["plans", "set", "free", "assets", "unlimited"])
        .await;
    asset("C-2").await.ok();
    let listed = ekctl.run(&["plans", "list"]).await;
    assert!(
        listed.stdout.lines().nth(1).unwrap().starts_with("free"),
        "{}",
        listed.stdout
    );
    assert_eq!(
        quota(&ekctl.json(&["usage", &id]).await, "assets")["limit"],
        Value::Null
    );

    // Moving the tenant to another plan changes its limits at once.
    ekctl.json(&["plans", "set", "free", "assets", "1"]).await;
    assert_eq!(asset("C-3").await.code(), "resource_exhausted");
    let moved = ekctl
        .json(&["tenants", "set-plan", &id, "pro", "--reason", "upgrade"])
        .await;
    assert_eq!(moved["tenant"]["plan"], "pro");
    asset("C-3").await.ok();
    let usage = ekctl.json(&["usage", &id]).await;
    assert_eq!(usage["usage"]["plan"], "pro");
    assert_eq!(quota(&usage, "assets")["limit"], "25000");
}

#[tokio::test]
async fn api_calls_are_metered_per_tenant_and_day_and_admins_see_their_usage() {
    let env = TestEnv::start().await;
    let cp = env.control_plane().await;
    let ekctl = Ekctl::new(cp.addr, &env.operator_token("grace").await);
    let a = env.create_tenant("Metered A").await;
    let b = env.create_tenant("Metered B").await;
    ekctl
        .json(&["quotas", "set", &a.id.to_string(), "api_calls_per_day", "5"])
        .await;
    for _ in 0..5 {
        env.call(Some(&a.api_key), "InventoryService/ListProducts", json!({}))
            .await
            .ok();
    }
    env.call(Some(&b.api_key), "InventoryService/ListProducts", json!({}))
        .await
        .ok();

    // Counting happens off the request path: wait until all five reached Postgres.
    let started = Instant::now();
    loop {
        let usage = ekctl.json(&["usage", &a.id.to_string()]).await;
        let calls = quota(&usage, "api_calls_per_day");
        if calls["used"] == "5" {
            assert_eq!(calls["metered"], true);
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(5), "{usage}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let stored: i64 = sqlx::query_scalar(
        "select value from usage_daily where tenant_id = $1 and metric = 'api_calls' and day = current_date",
    )
    .bind(a.id)
    .fetch_one(&env.admin_pool().await)
    .await
    .unwrap();
    assert_eq!(
        stored, 5,
        "flushed into Postgres, not only counted in Redis"
    );
    // Enterprise's overage cap is 200 %: five more calls pass, the eleventh is refused.
    for _ in 0..5 {
        env.call(Some(&a.api_key), "InventoryService/ListProducts", json!({}))
            .await
            .ok();
    }
    let refused = env
        .call(Some(&a.api_key), "InventoryService/ListProducts", json!({}))
        .await;
    assert_eq!(refused.code(), "resource_exhausted", "{}", refused.body);
    assert!(
        refused.body["message"]
            .as_str()
            .unwrap()
            .contains("quota api_calls_per_day"),
        "{}",
        refused.body
    );
    env.call(Some(&b.api_key), "InventoryService/ListProducts", json!({}))
        .await
        .ok();

    let account = |method: &'static str, body: Value| {
        connect::call(
            cp.addr,
            Protocol::ConnectJson,
            Some(&b.api_key),
            method,
            body,
        )
    };
    let own = account("controlplane.v1.AccountService/GetAccountUsage", json!({})).await;
    assert_eq!(own.ok()["usage"]["tenantId"], b.id.to_string());
    let got = account("controlplane.v1.AccountService/GetAccount", json!({})).await;
    assert_eq!(got.ok()["tenant"]["state"], "TENANT_STATE_ACTIVE");
    let refused = account(
        "controlplane.v1.AccountService/RequestAccountDeletion",
        json!({"confirmTenantId": a.id.to_string()}),
    )
    .await;
    assert_eq!(refused.code(), "invalid_argument");
    let requested = account(
        "controlplane.v1.AccountService/RequestAccountDeletion",
        json!({"confirmTenantId": b.id.to_string()}),
    )
    .await;
    assert_eq!(
        requested.ok()["tenant"]["state"],
        "TENANT_STATE_PENDING_DELETION"
    );
    let cancelled = account(
        "controlplane.v1.AccountService/CancelAccountDeletion",
        json!({}),
    )
    .await;
    assert_eq!(cancelled.ok()["tenant"]["state"], "TENANT_STATE_ACTIVE");
    let anonymous = connect::call(
        cp.addr,
        Protocol::ConnectJson,
        None,
        "controlplane.v1.AccountService/GetAccount",
        json!({}),
    )
    .await;
    assert_eq!(anonymous.code(), "unauthenticated");
    let operator_only = connect::call(
        cp.addr,
        Protocol::ConnectJson,
        Some(&b.api_key),
        "controlplane.v1.OperatorTenantService/ListTenants",
        json!({}),
    )
    .await;
    assert_eq!(operator_only.code(), "unauthenticated");
}

#[tokio::test]
async fn webhook_endpoints_are_counted_and_capped() {
    let env = TestEnv::start_with([("EVENTKIT_WEBHOOK_ALLOWLIST", "127.0.0.1")]).await;
    let cp = env.control_plane().await;
    let ekctl = Ekctl::new(cp.addr, &env.operator_token("ivan").await);
    // free: one endpoint, overage cap 110 %, so the hard stop is at one.
    let created = ekctl
        .json(&["tenants", "create", "--name", "Hooks Co", "--api-key"])
        .await;
    let id = created["tenant"]["id"].as_str().unwrap().to_owned();
    let key = created["apiKey"].as_str().unwrap().to_owned();
    let endpoint = |n: u32| {
        env.call(
            Some(&key),
            "AdminService/CreateWebhookEndpoint",
            json!({"url": format!("http://127.0.0.1:9/hook{n}"), "eventTypes": ["product.created"]}),
        )
    };
    endpoint(1).await.ok();
    let refused = endpoint(2).await;
    assert_eq!(refused.code(), "resource_exhausted", "{}", refused.body);
    assert!(
        refused.body["message"]
            .as_str()
            .unwrap()
            .contains("quota webhook_endpoints"),
        "{}",
        refused.body
    );
    let usage = ekctl.json(&["usage", &id]).await;
    let hooks = quota(&usage, "webhook_endpoints");
    assert_eq!(
        (hooks["used"].as_str(), hooks["metered"].as_bool()),
        (Some("1"), Some(true))
    );
    ekctl
        .json(&["quotas", "set", &id, "webhook_endpoints", "3"])
        .await;
    endpoint(2).await.ok();
}
