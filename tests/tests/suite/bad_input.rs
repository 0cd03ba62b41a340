//! Bad input gets `invalid_argument` naming the field, and nothing is written (DESIGN.md, API
//! rules). Every case counts the rows of the inventory tables and the outbox before and after,
//! through the superuser pool, so a handler that wrote before validating would be caught.

use bytes::Bytes;
use eventkit_proto::eventkit::v1 as pb;
use eventkit_tests::{ConnectReply, Tenant, TestEnv, connect};
use serde_json::{Value, json};
use tonic::Code;
use tonic_types::StatusExt;

const TABLES: [&str; 5] = ["products", "assets", "locations", "cases", "outbox"];

/// Row counts of every table that a mutation could touch.
async fn counts(env: &TestEnv) -> Vec<i64> {
    let pool = env.admin_pool().await;
    let mut out = Vec::new();
    for table in TABLES {
        out.push(
            sqlx::query_scalar(&format!("select count(*) from {table}"))
                .fetch_one(&pool)
                .await
                .expect("count"),
        );
    }
    pool.close().await;
    out
}

/// A tenant with one product (so asset requests have something valid to point at).
async fn setup(env: &TestEnv) -> (Tenant, String) {
    let t = env.create_tenant("Rental Co").await;
    let product = env
        .call(
            Some(&t.api_key),
            "InventoryService/CreateProduct",
            json!({"name": "Lamp"}),
        )
        .await;
    (
        t,
        product.ok()["product"]["id"].as_str().unwrap().to_owned(),
    )
}

/// `trackingMode` → `tracking_mode`, `dailyRate.amountMinor` → `daily_rate.amount_minor`.
fn snake(field: &str) -> String {
    let mut out = String::new();
    for c in field.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Asserts `invalid_argument` (HTTP 400) naming exactly `fields` (compared as proto paths), and
/// that no table changed.
async fn refused(env: &TestEnv, before: &[i64], reply: ConnectReply, fields: &[&str], what: &str) {
    assert_eq!(
        (reply.status, reply.code()),
        (400, "invalid_argument"),
        "{what}: {}",
        reply.body
    );
    let mut named: Vec<String> = reply.violated_fields().iter().map(|f| snake(f)).collect();
    named.sort();
    let mut expected: Vec<String> = fields.iter().map(|f| (*f).to_owned()).collect();
    expected.sort();
    assert_eq!(named, expected, "{what}: {}", reply.body);
    for field in fields.iter().filter(|f| !f.is_empty()) {
        let message = reply.body["message"].as_str().unwrap_or_default();
        let last = field.rsplit('.').next().unwrap();
        assert!(
            message.contains(*field) || snake(message).contains(last) || message.contains(last),
            "{what}: the message names {field}: {message}"
        );
    }
    assert_eq!(
        counts(env).await,
        before,
        "{what}: nothing is written ({TABLES:?})"
    );
}

async fn create_product(env: &TestEnv, t: &Tenant, body: Value) -> ConnectReply {
    env.call(Some(&t.api_key), "InventoryService/CreateProduct", body)
        .await
}

async fn raw_json(env: &TestEnv, t: &Tenant, method: &str, body: &'static str) -> ConnectReply {
    let path = format!("/eventkit.v1.InventoryService/{method}");
    connect::send_raw(
        env.addr,
        &path,
        "application/json",
        Some(&t.api_key),
        Bytes::from_static(body.as_bytes()),
        &[],
    )
    .await
    .into_reply()
}

#[tokio::test]
async fn malformed_bodies_are_refused() {
    let env = TestEnv::start().await;
    let (t, _) = setup(&env).await;
    let before = counts(&env).await;

    for (what, body) in [
        ("truncated JSON", r#"{"name": "Lamp""#),
        ("not JSON", "name=Lamp"),
        ("an array", r#"[{"name": "Lamp"}]"#),
        ("trailing garbage", r#"{"name": "Lamp"} {"name": "Again"}"#),
    ] {
        let reply = raw_json(&env, &t, "CreateProduct", body).await;
        assert_eq!(
            (reply.status, reply.code()),
            (400, "invalid_argument"),
            "{what}: {}",
            reply.body
        );
        assert!(
            reply.body["message"].as_str().unwrap().contains("JSON"),
            "{what}: {}",
            reply.body
        );
        assert_eq!(counts(&env).await, before, "{what}");
    }
    let garbage = connect::send_raw(
        env.addr,
        "/eventkit.v1.InventoryService/CreateProduct",
        "application/proto",
        Some(&t.api_key),
        Bytes::from_static(&[0x0a, 0xff, 0x01]),
        &[],
    )
    .await
    .into_reply();
    assert_eq!(
        garbage.code(),
        "invalid_argument",
        "binary: {}",
        garbage.body
    );
    assert_eq!(counts(&env).await, before);
}

#[tokio::test]
async fn wrong_json_types_and_unknown_names_name_the_field() {
    let env = TestEnv::start().await;
    let (t, _) = setup(&env).await;
    let before = counts(&env).await;
    let cases = [
        ("number for a string", json!({"name": 5}), "name"),
        ("object for a string", json!({"name": {"x": 1}}), "name"),
        (
            "unknown enum name",
            json!({"name": "Lamp", "trackingMode": "NOPE"}),
            "tracking_mode",
        ),
        (
            "unknown enum number",
            json!({"name": "Lamp", "trackingMode": 99}),
            "tracking_mode",
        ),
        (
            "int64 out of range",
            json!({"name": "Lamp", "dailyRate": {"amountMinor": "99999999999999999999", "currency": "EUR"}}),
            "daily_rate.amount_minor",
        ),
        (
            "float money",
            json!({"name": "Lamp", "dailyRate": {"amountMinor": 12.5, "currency": "EUR"}}),
            "daily_rate.amount_minor",
        ),
    ];
    for (what, body, field) in cases {
        refused(
            &env,
            &before,
            create_product(&env, &t, body).await,
            &[field],
            what,
        )
        .await;
    }
}

/// An unknown field is refused (not silently dropped) — and the violation should name it in
/// `field`, not only inside the description, with the message not starting with ": ".
#[tokio::test]
async fn unknown_fields_are_named() {
    let env = TestEnv::start().await;
    let (t, _) = setup(&env).await;
    let before = counts(&env).await;
    let reply = create_product(&env, &t, json!({"name": "Lamp", "colour": "red"})).await;
    assert!(
        reply.body["message"].as_str().unwrap().contains("colour"),
        "{}",
        reply.body
    );
    assert!(
        !reply.body["message"].as_str().unwrap().starts_with(':'),
        "{}",
        reply.body
    );
    refused(&env, &before, reply, &["colour"], "unknown field").await;
}

/// Validation errors name fields by their proto path (`tracking_mode`, `daily_rate.amount_minor`,
/// `page.page_token`); errors found while decoding the JSON should name them the same way, so a
/// client maps one name to one form field whatever went wrong with it.
#[tokio::test]
async fn json_decoding_errors_name_fields_like_validation_errors() {
    let env = TestEnv::start().await;
    let (t, _) = setup(&env).await;
    let by_validation = create_product(&env, &t, json!({"name": "Lamp", "trackingMode": 99})).await;
    let by_decoding =
        create_product(&env, &t, json!({"name": "Lamp", "trackingMode": "NOPE"})).await;
    assert_eq!(by_validation.violated_fields(), vec!["tracking_mode"]);
    assert_eq!(
        by_decoding.violated_fields(),
        by_validation.violated_fields(),
        "{}",
        by_decoding.body
    );
}

#[tokio::test]
async fn bad_ids_name_the_field() {
    let env = TestEnv::start().await;
    let (t, product) = setup(&env).await;
    let key = Some(t.api_key.as_str());
    let before = counts(&env).await;
    let cases = [
        ("GetProduct", json!({"id": "nope"}), vec!["id"]),
        ("GetProduct", json!({}), vec!["id"]),
        ("DeleteProduct", json!({"id": "1234"}), vec!["id"]),
        (
            "CreateAsset",
            json!({"productId": "nope", "code": "A-1"}),
            vec!["product_id"],
        ),
        (
            "CreateAsset",
            json!({"productId": product, "code": "A-1", "locationId": "x"}),
            vec!["location_id"],
        ),
        (
            "CreateLocation",
            json!({"name": "Z", "kind": "LOCATION_KIND_ZONE", "parentId": "nope"}),
            vec!["parent_id"],
        ),
        (
            "CreateCase",
            json!({"code": "C-1", "name": "Case", "locationId": "nope"}),
            vec!["location_id"],
        ),
        (
            "AddAssetToCase",
            json!({"caseId": "nope", "assetId": "nope"}),
            vec!["case_id", "asset_id"],
        ),
        (
            "UpdateProduct",
            json!({"product": {"id": "nope", "name": "x"}, "updateMask": "name"}),
            vec!["product.id"],
        ),
        (
            "UpdateAsset",
            json!({"asset": {"id": "nope"}, "updateMask": "status"}),
            vec!["asset.id"],
        ),
        (
            "ListAssets",
            json!({"productId": "nope"}),
            vec!["product_id"],
        ),
    ];
    for (method, body, fields) in cases {
        let reply = env
            .call(key, &format!("InventoryService/{method}"), body.clone())
            .await;
        refused(&env, &before, reply, &fields, &format!("{method} {body}")).await;
    }
}

#[tokio::test]
async fn text_limits_money_and_codes() {
    let env = TestEnv::start().await;
    let (t, product) = setup(&env).await;
    let key = Some(t.api_key.as_str());
    let before = counts(&env).await;
    let eur = |amount: &str, currency: &str| json!({"amountMinor": amount, "currency": currency});
    let cases = [
        ("CreateProduct", json!({"name": "n".repeat(201)}), "name"),
        ("CreateProduct", json!({"name": "   "}), "name"),
        ("CreateProduct", json!({}), "name"),
        ("CreateProduct", json!({"name": "bell\u{7}"}), "name"),
        (
            "CreateProduct",
            json!({"name": "Lamp", "description": "d".repeat(4001)}),
            "description",
        ),
        (
            "CreateProduct",
            json!({"name": "Lamp", "category": "c".repeat(101)}),
            "category",
        ),
        (
            "CreateProduct",
            json!({"name": "Lamp", "sku": "s".repeat(65)}),
            "sku",
        ),
        (
            "CreateProduct",
            json!({"name": "Lamp", "dailyRate": eur("-1", "EUR")}),
            "daily_rate.amount_minor",
        ),
        (
            "CreateProduct",
            json!({"name": "Lamp", "dailyRate": eur("100", "eur")}),
            "daily_rate.currency",
        ),
        (
            "CreateProduct",
            json!({"name": "Lamp", "dailyRate": eur("100", "")}),
            "daily_rate.currency",
        ),
        (
            "CreateProduct",
            json!({"name": "Lamp", "dailyRate": eur("100", "EURO")}),
            "daily_rate.currency",
        ),
        (
            "CreateAsset",
            json!({"productId": product, "code": "A 1"}),
            "code",
        ),
        (
            "CreateAsset",
            json!({"productId": product, "code": ""}),
            "code",
        ),
        (
            "CreateAsset",
            json!({"productId": product, "code": "x".repeat(65)}),
            "code",
        ),
        (
            "CreateAsset",
            json!({"productId": product, "code": "Ä-1"}),
            "code",
        ),
        (
            "CreateAsset",
            json!({"productId": product, "code": "A-1", "serialNumber": "s".repeat(101)}),
            "serial_number",
        ),
        (
            "CreateAsset",
            json!({"productId": product, "code": "A-1", "status": 99}),
            "status",
        ),
        ("CreateCase", json!({"code": "C 1", "name": "Case"}), "code"),
        (
            "CreateLocation",
            json!({"name": "n".repeat(201), "kind": "LOCATION_KIND_WAREHOUSE"}),
            "name",
        ),
        (
            "UpdateProduct",
            json!({"product": {"id": product, "name": "n".repeat(201)}, "updateMask": "name"}),
            "product.name",
        ),
        (
            "UpdateProduct",
            json!({"product": {"id": product, "dailyRate": eur("-5", "EUR")}, "updateMask": "dailyRate"}),
            "product.daily_rate.amount_minor",
        ),
        ("ListProducts", json!({"query": "q".repeat(201)}), "query"),
        (
            "ListProducts",
            json!({"page": {"pageSize": -1}}),
            "page.page_size",
        ),
    ];
    for (method, body, field) in cases {
        let reply = env
            .call(key, &format!("InventoryService/{method}"), body.clone())
            .await;
        let shown: String = body.to_string().chars().take(80).collect();
        refused(&env, &before, reply, &[field], &format!("{method} {shown}")).await;
    }

    // The limits themselves are allowed, counted in characters (not bytes).
    let at_limit = env
        .call(
            key,
            "InventoryService/CreateProduct",
            json!({"name": "ä".repeat(200), "description": "d".repeat(4000)}),
        )
        .await;
    assert_eq!(at_limit.status, 200, "{}", at_limit.body);
    let free = env
        .call(
            key,
            "InventoryService/CreateProduct",
            json!({"name": "Free", "dailyRate": eur("0", "EUR")}),
        )
        .await;
    assert_eq!(free.status, 200, "a price of zero is fine: {}", free.body);
}

#[tokio::test]
async fn every_bad_field_is_named_in_one_error() {
    let env = TestEnv::start().await;
    let (t, _) = setup(&env).await;
    let key = Some(t.api_key.as_str());
    let before = counts(&env).await;

    let product = json!({
        "name": "",
        "description": "d".repeat(4001),
        "category": "c".repeat(101),
        "sku": "s".repeat(65),
        "trackingMode": 7,
        "dailyRate": {"amountMinor": "-1", "currency": "EUR"},
    });
    let reply = env
        .call(key, "InventoryService/CreateProduct", product)
        .await;
    let fields = [
        "name",
        "description",
        "category",
        "sku",
        "tracking_mode",
        "daily_rate.amount_minor",
    ];
    refused(&env, &before, reply, &fields, "CreateProduct").await;

    let asset = json!({"productId": "nope", "code": "a b", "serialNumber": "s".repeat(101), "status": 42, "locationId": "x"});
    let reply = env.call(key, "InventoryService/CreateAsset", asset).await;
    refused(
        &env,
        &before,
        reply,
        &[
            "product_id",
            "code",
            "serial_number",
            "status",
            "location_id",
        ],
        "CreateAsset",
    )
    .await;

    let location = json!({"name": "", "parentId": "x"});
    let reply = env
        .call(key, "InventoryService/CreateLocation", location)
        .await;
    refused(
        &env,
        &before,
        reply,
        &["name", "kind", "parent_id"],
        "CreateLocation",
    )
    .await;
}

#[tokio::test]
async fn grpc_refuses_unknown_enum_numbers() {
    let env = TestEnv::start().await;
    let (t, product) = setup(&env).await;
    let before = counts(&env).await;
    let mut grpc = env.inventory_grpc().await;
    let authed = |message| {
        let mut request = tonic::Request::new(message);
        request.metadata_mut().insert(
            "authorization",
            format!("Bearer {}", t.api_key).parse().unwrap(),
        );
        request
    };
    let status = grpc
        .create_product(authed(pb::CreateProductRequest {
            name: "Lamp".into(),
            tracking_mode: 99,
            ..Default::default()
        }))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    let details = status.get_error_details();
    let fields: Vec<&str> = details
        .bad_request()
        .expect("BadRequest")
        .field_violations
        .iter()
        .map(|v| v.field.as_str())
        .collect();
    assert_eq!(fields, vec!["tracking_mode"]);
    assert!(status.message().contains("99"), "{}", status.message());

    let mut asset = tonic::Request::new(pb::CreateAssetRequest {
        product_id: product,
        code: "A-1".into(),
        status: -3,
        ..Default::default()
    });
    asset.metadata_mut().insert(
        "authorization",
        format!("Bearer {}", t.api_key).parse().unwrap(),
    );
    let status = grpc.create_asset(asset).await.unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    assert_eq!(
        status
            .get_error_details()
            .bad_request()
            .unwrap()
            .field_violations[0]
            .field,
        "status"
    );
    assert_eq!(counts(&env).await, before);
}

#[tokio::test]
async fn bodies_over_the_limit_are_resource_exhausted() {
    let env = TestEnv::start_with([("EVENTKIT_MAX_REQUEST_BYTES", "1024")]).await;
    let (t, _) = setup(&env).await;
    let before = counts(&env).await;

    let big = json!({"name": "Lamp", "description": "d".repeat(2048)});
    let reply = create_product(&env, &t, big).await;
    assert_eq!(
        (reply.status, reply.code()),
        (429, "resource_exhausted"),
        "{}",
        reply.body
    );
    assert!(
        reply.body["message"].as_str().unwrap().contains("1024"),
        "{}",
        reply.body
    );
    assert_eq!(counts(&env).await, before);

    // Binary Connect too.
    let binary = connect::call(
        env.addr,
        connect::Protocol::ConnectProto,
        Some(&t.api_key),
        "InventoryService/CreateProduct",
        json!({"name": "Lamp", "description": "d".repeat(2048)}),
    )
    .await;
    assert_eq!(binary.code(), "resource_exhausted", "{}", binary.body);

    // And gRPC: tonic's message limit (it answers OUT_OF_RANGE where gRPC suggests RESOURCE_EXHAUSTED).
    let mut request = tonic::Request::new(pb::CreateProductRequest {
        name: "Lamp".into(),
        description: "d".repeat(2048),
        ..Default::default()
    });
    request.metadata_mut().insert(
        "authorization",
        format!("Bearer {}", t.api_key).parse().unwrap(),
    );
    let status = env
        .inventory_grpc()
        .await
        .create_product(request)
        .await
        .unwrap_err();
    assert!(
        matches!(status.code(), Code::ResourceExhausted | Code::OutOfRange),
        "{status:?}"
    );
    assert_eq!(counts(&env).await, before);

    // Under the limit is fine.
    let small = create_product(
        &env,
        &t,
        json!({"name": "Lamp", "description": "d".repeat(800)}),
    )
    .await;
    assert_eq!(small.status, 200, "{}", small.body);
}
