//! Webhooks end to end against real Postgres, NATS and HTTP: endpoints through the Admin API
//! (validation naming the field, the secret shown once, rotation signing with both secrets),
//! events reaching a receiver signed per Standard Webhooks (checked with the Python
//! `standardwebhooks` package), the retry schedule walked with a manual clock, 410, Retry-After,
//! disabling after 5 days, replay, and the SSRF guard.

use eventkit_tests::{
    Tenant, TestEnv, pipeline,
    webhook_receiver::{Receiver, Reply, verify_with_standardwebhooks},
};
use eventkit_workers::clock::{ManualClock, SystemClock};
use serde_json::{Value, json};
use std::{sync::Arc, time::Duration};

/// An env whose operator allows webhooks to 127.0.0.1 (where the test receivers listen).
pub(crate) async fn env_allowing_loopback() -> TestEnv {
    TestEnv::start_with([("EVENTKIT_WEBHOOK_ALLOWLIST", "127.0.0.1")]).await
}

/// A manual clock a second ahead of the database's, so what a call just queued is due.
fn manual_clock() -> ManualClock {
    let clock = ManualClock::starting_now();
    clock.advance(Duration::from_secs(1));
    clock
}

pub(crate) async fn admin(
    env: &TestEnv,
    t: &Tenant,
    method: &str,
    body: Value,
) -> eventkit_tests::ConnectReply {
    env.call(Some(&t.api_key), &format!("AdminService/{method}"), body)
        .await
}

/// Registers an endpoint; returns (endpoint id, secret).
pub(crate) async fn endpoint(
    env: &TestEnv,
    t: &Tenant,
    url: &str,
    types: &[&str],
) -> (String, String) {
    let created = admin(
        env,
        t,
        "CreateWebhookEndpoint",
        json!({"url": url, "eventTypes": types}),
    )
    .await;
    let body = created.ok();
    (
        body["endpoint"]["id"].as_str().unwrap().to_owned(),
        body["secret"].as_str().unwrap().to_owned(),
    )
}

pub(crate) async fn deliveries(env: &TestEnv, t: &Tenant) -> Vec<Value> {
    admin(env, t, "ListWebhookDeliveries", json!({})).await.ok()["deliveries"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

async fn endpoint_count(env: &TestEnv) -> i64 {
    sqlx::query_scalar("select count(*) from webhook_endpoints")
        .fetch_one(&env.admin_pool().await)
        .await
        .unwrap()
}

#[tokio::test]
async fn bad_endpoints_are_refused_naming_the_field_and_nothing_is_written() {
    let env = TestEnv::start().await;
    let t = env.create_tenant("Hooks").await;
    let cases: &[(Value, &str)] = &[
        (json!({"url": "not a url", "eventTypes": ["*"]}), "url"),
        (
            json!({"url": "ftp://example.com/x", "eventTypes": ["*"]}),
            "url",
        ),
        (
            json!({"url": "http://127.0.0.1/hook", "eventTypes": ["*"]}),
            "url",
        ),
        (
            json!({"url": "http://[::ffff:127.0.0.1]/", "eventTypes": ["*"]}),
            "url",
        ),
        (
            json!({"url": "http://169.254.169.254/latest/meta-data", "eventTypes": ["*"]}),
            "url",
        ),
        (
            json!({"url": "http://10.1.2.3/", "eventTypes": ["*"]}),
            "url",
        ),
        (
            json!({"url": "https://user:pw@example.com/", "eventTypes": ["*"]}),
            "url",
        ),
        (
            json!({"url": "https://example.com/hook", "eventTypes": []}),
            "event_types",
        ),
        (
            json!({"url": "https://example.com/hook", "eventTypes": ["product.created", "Nope"]}),
            "event_types[1]",
        ),
    ];
    for (body, field) in cases {
        let reply = admin(&env, &t, "CreateWebhookEndpoint", body.clone()).await;
        assert_eq!(reply.code(), "invalid_argument", "{body}: {}", reply.body);
        assert_eq!(
            reply.violated_fields(),
            [field.to_string()],
            "{body}: {}",
            reply.body
        );
    }
    assert_eq!(endpoint_count(&env).await, 0, "nothing was written");
}

#[tokio::test]
async fn the_secret_is_shown_once_and_rotation_keeps_the_old_one_signing_for_a_day() {
    let env = env_allowing_loopback().await;
    let t = env.create_tenant("Hooks").await;
    let receiver = Receiver::start().await;
    let (id, first) = endpoint(&env, &t, &receiver.url("/in"), &["product.*"]).await;
    assert!(first.starts_with("whsec_"), "{first}");
    let got = admin(&env, &t, "GetWebhookEndpoint", json!({"id": id})).await;
    assert!(
        !got.ok().to_string().contains(&first),
        "the secret is never shown again"
    );
    let listed = admin(&env, &t, "ListWebhookEndpoints", json!({})).await;
    assert!(!listed.ok().to_string().contains(&first));

    let rotated = admin(&env, &t, "RotateWebhookSecret", json!({"id": id})).await;
    let second = rotated.ok()["secret"].as_str().unwrap().to_owned();
    assert_ne!(first, second);
    assert!(rotated.ok()["endpoint"]["previousSecretExpireTime"].is_string());

    let dispatcher = pipeline::dispatcher(&env, Arc::new(SystemClock));
    admin(&env, &t, "SendTestWebhook", json!({"endpointId": id}))
        .await
        .ok();
    assert_eq!(dispatcher.dispatch_due().await.unwrap(), 1);
    let requests = receiver.received();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0]
            .header("webhook-signature")
            .unwrap()
            .split(' ')
            .count(),
        2
    );
    assert_eq!(
        verify_with_standardwebhooks(&first, &requests),
        [None],
        "old secret still verifies"
    );
    assert_eq!(
        verify_with_standardwebhooks(&second, &requests),
        [None],
        "new secret verifies"
    );
    let wrong = eventkit_platform::webhooks::signing::new_secret();
    assert!(
        verify_with_standardwebhooks(&wrong, &requests)[0].is_some(),
        "the verifier can fail"
    );
}

#[tokio::test]
async fn every_change_reaches_the_endpoint_signed_with_the_event_id() {
    let env = env_allowing_loopback().await;
    let t = env.create_tenant("Hooks").await;
    let receiver = Receiver::start().await;
    let (_, secret) = endpoint(&env, &t, &receiver.url("/in"), &["product.*"]).await;
    let _pipeline = pipeline::start(&env, &t, Arc::new(SystemClock)).await;

    let created = env
        .call(
            Some(&t.api_key),
            "InventoryService/CreateProduct",
            json!({"name": "Moving head"}),
        )
        .await;
    let product_id = created.ok()["product"]["id"].as_str().unwrap().to_owned();
    env.call(
        Some(&t.api_key),
        "InventoryService/UpdateProduct",
        json!({"product": {"id": product_id, "name": "Moving head XL"}, "updateMask": "name"}),
    )
    .await
    .ok();
    // A location is not subscribed: it must not arrive.
    env.call(
        Some(&t.api_key),
        "InventoryService/CreateLocation",
        json!({"name": "Main", "kind": "LOCATION_KIND_WAREHOUSE"}),
    )
    .await
    .ok();

    let mut got = receiver.wait_for(2, Duration::from_secs(15)).await;
    // Deliveries run concurrently, so order is not promised; ids are UUIDv7, in event order.
    got.sort_by_key(|r| r.header("webhook-id").unwrap().to_owned());
    let types: Vec<String> = got
        .iter()
        .map(|r| r.json()["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(types, ["product.created", "product.updated"]);
    assert_eq!(got[1].json()["data"]["name"], "Moving head XL");
    assert_eq!(verify_with_standardwebhooks(&secret, &got), [None, None]);
    let outbox_ids: Vec<uuid::Uuid> = sqlx::query_scalar(
        "select id from outbox where event_type like 'product.%' order by created_at, id",
    )
    .fetch_all(&env.admin_pool().await)
    .await
    .unwrap();
    let webhook_ids: Vec<uuid::Uuid> = got
        .iter()
        .map(|r| r.header("webhook-id").unwrap().parse().unwrap())
        .collect();
    assert_eq!(webhook_ids, outbox_ids, "webhook-id is the event id");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        receiver.received().len(),
        2,
        "nothing unsubscribed, nothing twice"
    );
    let listed = deliveries(&env, &t).await;
    assert_eq!(listed.len(), 2);
    assert!(
        listed
            .iter()
            .all(|d| d["status"] == "WEBHOOK_DELIVERY_STATUS_DELIVERED")
    );
    assert_eq!(listed[0]["attempts"][0]["statusCode"], 200);
}

#[tokio::test]
async fn failures_follow_the_schedule_then_fail_and_replay_sends_again() {
    let env = env_allowing_loopback().await;
    let t = env.create_tenant("Hooks").await;
    let receiver = Receiver::start().await;
    receiver.otherwise(Reply::status(500).body("down for maintenance"));
    let (id, _) = endpoint(&env, &t, &receiver.url("/in"), &["*"]).await;
    let clock = manual_clock();
    let dispatcher = pipeline::dispatcher(&env, Arc::new(clock.clone()));
    admin(&env, &t, "SendTestWebhook", json!({"endpointId": id}))
        .await
        .ok();

    assert_eq!(
        dispatcher.dispatch_due().await.unwrap(),
        1,
        "the first attempt is immediate"
    );
    for delay in [5, 300, 1800, 7200, 18000, 36000, 36000] {
        clock.advance(Duration::from_secs(delay - 1));
        assert_eq!(
            dispatcher.dispatch_due().await.unwrap(),
            0,
            "not before {delay} s"
        );
        clock.advance(Duration::from_secs(1));
        assert_eq!(
            dispatcher.dispatch_due().await.unwrap(),
            1,
            "after {delay} s"
        );
    }
    clock.advance(Duration::from_secs(100_000));
    assert_eq!(
        dispatcher.dispatch_due().await.unwrap(),
        0,
        "eight attempts, then it gives up"
    );
    let listed = deliveries(&env, &t).await;
    assert_eq!(listed[0]["status"], "WEBHOOK_DELIVERY_STATUS_FAILED");
    let attempts = listed[0]["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 8);
    assert!(
        attempts
            .iter()
            .all(|a| a["statusCode"] == 500 && a["responseExcerpt"] == "down for maintenance")
    );
    assert_eq!(receiver.received().len(), 8);
    let ids: std::collections::HashSet<_> = receiver
        .received()
        .iter()
        .map(|r| r.header("webhook-id").unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 1, "every attempt carries the same webhook-id");

    receiver.otherwise(Reply::status(204));
    let replayed = admin(
        &env,
        &t,
        "ReplayWebhookDeliveries",
        json!({"deliveryId": listed[0]["id"]}),
    )
    .await;
    assert_eq!(replayed.ok()["replayed"], 1);
    assert_eq!(dispatcher.dispatch_due().await.unwrap(), 1);
    let listed = deliveries(&env, &t).await;
    assert_eq!(listed[0]["status"], "WEBHOOK_DELIVERY_STATUS_DELIVERED");
    assert_eq!(
        listed[0]["attempts"].as_array().unwrap().len(),
        9,
        "history is kept"
    );
}

#[tokio::test]
async fn retry_after_is_honoured_and_410_disables_at_once() {
    let env = env_allowing_loopback().await;
    let t = env.create_tenant("Hooks").await;
    let receiver = Receiver::start().await;
    receiver.script([
        Reply::status(503).header("retry-after", "120"),
        Reply::status(410),
    ]);
    let (id, _) = endpoint(&env, &t, &receiver.url("/in"), &["*"]).await;
    let clock = manual_clock();
    let dispatcher = pipeline::dispatcher(&env, Arc::new(clock.clone()));
    admin(&env, &t, "SendTestWebhook", json!({"endpointId": id}))
        .await
        .ok();
    admin(&env, &t, "SendTestWebhook", json!({"endpointId": id}))
        .await
        .ok();
    assert_eq!(dispatcher.dispatch_due().await.unwrap(), 2);
    // Whichever attempt got the 503 waits 120 s, not 5 s; the 410 disabled the endpoint and
    // failed what was pending for it.
    let endpoint = admin(&env, &t, "GetWebhookEndpoint", json!({"id": id})).await;
    assert_eq!(
        endpoint.ok()["endpoint"]["enabled"],
        Value::Null,
        "disabled (false is omitted)"
    );
    assert!(
        endpoint.ok()["endpoint"]["disabledReason"]
            .as_str()
            .unwrap()
            .contains("410")
    );
    clock.advance(Duration::from_secs(121));
    assert_eq!(
        dispatcher.dispatch_due().await.unwrap(),
        0,
        "a disabled endpoint gets nothing"
    );
    let listed = deliveries(&env, &t).await;
    assert!(
        listed
            .iter()
            .all(|d| d["status"] == "WEBHOOK_DELIVERY_STATUS_FAILED"),
        "{listed:?}"
    );
    let disabled: i64 = sqlx::query_scalar(
        "select count(*) from outbox where event_type = 'webhook_endpoint.disabled'",
    )
    .fetch_one(&env.admin_pool().await)
    .await
    .unwrap();
    assert_eq!(disabled, 1, "the disabling is announced (and emailed)");
    let test = admin(&env, &t, "SendTestWebhook", json!({"endpointId": id})).await;
    assert_eq!(test.code(), "failed_precondition");
}

#[tokio::test]
async fn retry_after_delays_the_next_attempt() {
    let env = env_allowing_loopback().await;
    let t = env.create_tenant("Hooks").await;
    let receiver = Receiver::start().await;
    receiver.script([Reply::status(429).header("retry-after", "120")]);
    let (id, _) = endpoint(&env, &t, &receiver.url("/in"), &["*"]).await;
    let clock = manual_clock();
    let dispatcher = pipeline::dispatcher(&env, Arc::new(clock.clone()));
    admin(&env, &t, "SendTestWebhook", json!({"endpointId": id}))
        .await
        .ok();
    assert_eq!(dispatcher.dispatch_due().await.unwrap(), 1);
    clock.advance(Duration::from_secs(60));
    assert_eq!(
        dispatcher.dispatch_due().await.unwrap(),
        0,
        "the schedule says 5 s, the receiver 120 s"
    );
    clock.advance(Duration::from_secs(60));
    assert_eq!(dispatcher.dispatch_due().await.unwrap(), 1);
    assert_eq!(
        deliveries(&env, &t).await[0]["status"],
        "WEBHOOK_DELIVERY_STATUS_DELIVERED"
    );
}

#[tokio::test]
async fn an_endpoint_failing_for_five_days_is_disabled() {
    let env = env_allowing_loopback().await;
    let t = env.create_tenant("Hooks").await;
    let receiver = Receiver::start().await;
    receiver.otherwise(Reply::status(500));
    let (id, _) = endpoint(&env, &t, &receiver.url("/in"), &["*"]).await;
    let clock = manual_clock();
    let dispatcher = pipeline::dispatcher(&env, Arc::new(clock.clone()));
    for day in 0..=5 {
        admin(&env, &t, "SendTestWebhook", json!({"endpointId": id}))
            .await
            .ok();
        dispatcher.dispatch_due().await.unwrap();
        let got = admin(&env, &t, "GetWebhookEndpoint", json!({"id": id})).await;
        let enabled = got.ok()["endpoint"]["enabled"] == true;
        assert_eq!(enabled, day < 5, "day {day}: {}", got.body);
        clock.advance(Duration::from_secs(24 * 3600));
    }
    let got = admin(&env, &t, "GetWebhookEndpoint", json!({"id": id})).await;
    assert!(
        got.ok()["endpoint"]["disabledReason"]
            .as_str()
            .unwrap()
            .contains("5 days")
    );
    // Re-enabling starts afresh.
    admin(
        &env,
        &t,
        "UpdateWebhookEndpoint",
        json!({"endpoint": {"id": id, "enabled": true}, "updateMask": "enabled"}),
    )
    .await
    .ok();
    let got = admin(&env, &t, "GetWebhookEndpoint", json!({"id": id})).await;
    assert_eq!(got.ok()["endpoint"]["enabled"], true);
    assert!(got.ok()["endpoint"]["failingSinceTime"].is_null());
}

#[tokio::test]
async fn the_ssrf_guard_refuses_hosts_that_resolve_to_private_addresses_and_redirects() {
    // No allow-list: `localhost` passes registration (a host name) but resolves to loopback.
    let env = TestEnv::start().await;
    let t = env.create_tenant("Hooks").await;
    let receiver = Receiver::start().await;
    let url = format!("http://localhost:{}/in", receiver.addr.port());
    let (id, _) = endpoint(&env, &t, &url, &["*"]).await;
    let dispatcher = pipeline::dispatcher(&env, Arc::new(SystemClock));
    admin(&env, &t, "SendTestWebhook", json!({"endpointId": id}))
        .await
        .ok();
    assert_eq!(dispatcher.dispatch_due().await.unwrap(), 1);
    assert!(receiver.received().is_empty(), "no connection was made");
    let attempt = &deliveries(&env, &t).await[0]["attempts"][0];
    let error = attempt["error"].as_str().unwrap();
    assert!(
        error.contains("refused") && error.contains("not allowed"),
        "{error}"
    );

    // With loopback allowed, a redirect is a failure and is not followed.
    let env = env_allowing_loopback().await;
    let t = env.create_tenant("Hooks").await;
    receiver.script([Reply::status(302).header("location", receiver.url("/elsewhere"))]);
    let (id, _) = endpoint(&env, &t, &receiver.url("/in"), &["*"]).await;
    let dispatcher = pipeline::dispatcher(&env, Arc::new(SystemClock));
    admin(&env, &t, "SendTestWebhook", json!({"endpointId": id}))
        .await
        .ok();
    assert_eq!(dispatcher.dispatch_due().await.unwrap(), 1);
    assert_eq!(
        receiver.received().len(),
        1,
        "the redirect was not followed"
    );
    let delivery = &deliveries(&env, &t).await[0];
    assert_eq!(delivery["status"], "WEBHOOK_DELIVERY_STATUS_PENDING");
    assert_eq!(delivery["attempts"][0]["statusCode"], 302);
}

#[tokio::test]
async fn a_suspended_tenant_sends_nothing_until_it_resumes() {
    let env = env_allowing_loopback().await;
    let t = env.create_tenant("Hooks").await;
    let receiver = Receiver::start().await;
    let (id, _) = endpoint(&env, &t, &receiver.url("/in"), &["*"]).await;
    admin(&env, &t, "SendTestWebhook", json!({"endpointId": id}))
        .await
        .ok();
    let set_state = async |state: &str| {
        sqlx::query("update tenants set state = $2 where id = $1")
            .bind(t.id)
            .bind(state)
            .execute(&env.admin_pool().await)
            .await
            .unwrap();
    };
    set_state("suspended").await;
    let dispatcher = pipeline::dispatcher(&env, Arc::new(SystemClock));
    assert_eq!(
        dispatcher.dispatch_due().await.unwrap(),
        0,
        "held while suspended"
    );
    assert!(receiver.received().is_empty());
    set_state("active").await;
    let dispatcher = pipeline::dispatcher(&env, Arc::new(SystemClock)); // a fresh state cache
    assert_eq!(
        dispatcher.dispatch_due().await.unwrap(),
        1,
        "sent once active again"
    );
    assert_eq!(receiver.received().len(), 1);
}
