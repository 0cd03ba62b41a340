//! `Idempotency-Key` on mutations: a retry with the same key and body replays the first answer
//! (one row written), over Connect and gRPC alike; the same key with another body is refused;
//! reads ignore the header; a bad key names the header; errors that invite a retry are not kept.

use bytes::Bytes;
use eventkit_tests::{TestEnv, connect::send_raw};
use serde_json::{Value, json};

async fn create_product(
    env: &TestEnv,
    key: &str,
    idempotency_key: &str,
    body: Value,
) -> eventkit_tests::ConnectReply {
    send_raw(
        env.addr,
        "/eventkit.v1.InventoryService/CreateProduct",
        "application/json",
        Some(key),
        Bytes::from(body.to_string()),
        &[("idempotency-key", idempotency_key)],
    )
    .await
    .into_reply()
}

async fn product_count(env: &TestEnv) -> i64 {
    sqlx::query_scalar("select count(*) from products")
        .fetch_one(&env.admin_pool().await)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_retry_with_the_same_key_replays_the_first_answer() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Idem").await;
    let body = json!({"name": "Truss 2m"});
    let first = create_product(&env, &tenant.api_key, "order-1", body.clone()).await;
    let second = create_product(&env, &tenant.api_key, "order-1", body.clone()).await;
    assert_eq!(first.ok()["product"]["id"], second.ok()["product"]["id"]);
    assert_eq!(
        second
            .headers
            .get("idempotent-replayed")
            .map(|v| v.to_str().unwrap()),
        Some("true")
    );
    assert!(first.headers.get("idempotent-replayed").is_none());
    assert_eq!(product_count(&env).await, 1, "the retry wrote nothing");

    let other = create_product(&env, &tenant.api_key, "order-2", body).await;
    assert_ne!(
        other.ok()["product"]["id"],
        first.body["product"]["id"],
        "another key is another request"
    );
    assert_eq!(product_count(&env).await, 2);
}

#[tokio::test]
async fn the_same_key_with_another_request_is_refused() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Idem").await;
    create_product(&env, &tenant.api_key, "k1", json!({"name": "A"}))
        .await
        .ok();
    let reused = create_product(&env, &tenant.api_key, "k1", json!({"name": "B"})).await;
    assert_eq!(reused.code(), "invalid_argument");
    assert_eq!(reused.violated_fields(), ["Idempotency-Key"]);
    assert_eq!(product_count(&env).await, 1);
}

#[tokio::test]
async fn keys_are_per_tenant_and_validated() {
    let env = TestEnv::start().await;
    let a = env.create_tenant("A").await;
    let b = env.create_tenant("B").await;
    let from_a = create_product(&env, &a.api_key, "shared", json!({"name": "X"})).await;
    let from_b = create_product(&env, &b.api_key, "shared", json!({"name": "X"})).await;
    assert_ne!(
        from_a.ok()["product"]["id"],
        from_b.ok()["product"]["id"],
        "B does not get A's answer"
    );

    let bad = create_product(&env, &a.api_key, "has space", json!({"name": "Y"})).await;
    assert_eq!(bad.code(), "invalid_argument");
    assert_eq!(bad.violated_fields(), ["Idempotency-Key"]);
}

#[tokio::test]
async fn stored_errors_replay_and_grpc_shares_the_record() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Idem").await;
    let invalid = create_product(&env, &tenant.api_key, "bad-body", json!({"name": ""})).await;
    assert_eq!(invalid.code(), "invalid_argument");
    let again = create_product(&env, &tenant.api_key, "bad-body", json!({"name": ""})).await;
    assert_eq!(again.code(), "invalid_argument");
    assert_eq!(
        again
            .headers
            .get("idempotent-replayed")
            .map(|v| v.to_str().unwrap()),
        Some("true")
    );

    // The same key and request over gRPC replays the Connect call's answer.
    let first = create_product(&env, &tenant.api_key, "cross", json!({"name": "Cable"})).await;
    let mut grpc = env.inventory_grpc().await;
    let mut request = tonic::Request::new(eventkit_proto::eventkit::v1::CreateProductRequest {
        name: "Cable".into(),
        ..Default::default()
    });
    request.metadata_mut().insert(
        "authorization",
        format!("Bearer {}", tenant.api_key).parse().unwrap(),
    );
    request
        .metadata_mut()
        .insert("idempotency-key", "cross".parse().unwrap());
    let replayed = grpc
        .create_product(request)
        .await
        .expect("replayed answer")
        .into_inner();
    assert_eq!(
        replayed.product.unwrap().id,
        first.ok()["product"]["id"].as_str().unwrap()
    );
    assert_eq!(product_count(&env).await, 1);
}

/// Security review L8: keys are per principal. Two API keys of one tenant that send the same
/// `Idempotency-Key` and body each run their own request; neither gets the other's answer.
#[tokio::test]
async fn another_principal_with_the_same_key_runs_its_own_request() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Idem principals").await;
    let second_key = env.admin_key(tenant.id).await;
    let body = json!({"name": "Truss 3m"});
    let first = create_product(&env, &tenant.api_key, "shared-key", body.clone()).await;
    let second = create_product(&env, &second_key, "shared-key", body.clone()).await;
    assert!(
        second.headers.get("idempotent-replayed").is_none(),
        "another principal's answer was replayed: {:?}",
        second.body
    );
    assert_ne!(first.ok()["product"]["id"], second.ok()["product"]["id"]);
    assert_eq!(
        product_count(&env).await,
        2,
        "each principal wrote its product"
    );
    let retry = create_product(&env, &second_key, "shared-key", body).await;
    assert_eq!(retry.ok()["product"]["id"], second.body["product"]["id"]);
    assert_eq!(
        product_count(&env).await,
        2,
        "a principal's own retry is replayed"
    );
}
