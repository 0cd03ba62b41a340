//! Reads over HTTP GET (Connect "Unary-Get"), for the RPCs the proto marks `NO_SIDE_EFFECTS`, on
//! both APIs: the same answer as a POST, caching headers (an `ETag` and `304`s; `no-store` for
//! answers that hold a secret), writes refused, and the same gate in front (credentials and
//! permissions as over POST). The Connect-ES `useHttpGet` cross-check is in tests/node.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use eventkit_tests::{
    TestEnv,
    connect::{RawReply, get_raw},
};
use serde_json::{Value, json};

/// `path?encoding=json&message=<message>`, percent-encoded.
fn json_query(path: &str, message: &Value) -> String {
    let message: String =
        url::form_urlencoded::byte_serialize(message.to_string().as_bytes()).collect();
    format!("{path}?encoding=json&message={message}")
}

fn bearer(key: &str) -> String {
    format!("Bearer {key}")
}

fn json_of(reply: &RawReply) -> Value {
    serde_json::from_slice(&reply.raw_body).unwrap_or_else(|_| {
        panic!(
            "HTTP {}: not JSON: {:?}",
            reply.status,
            String::from_utf8_lossy(&reply.raw_body)
        )
    })
}

fn header<'a>(reply: &'a RawReply, name: &str) -> &'a str {
    reply
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

#[tokio::test]
async fn tenant_reads_answer_over_get_with_caching_headers() {
    let env = TestEnv::start().await;
    let t = env.create_tenant("Get Co").await;
    let auth = bearer(&t.api_key);
    let created = env
        .call(
            Some(&t.api_key),
            "InventoryService/CreateProduct",
            json!({"name": "Par can", "category": "Lighting"}),
        )
        .await;
    let id = created.ok()["product"]["id"].as_str().unwrap().to_owned();
    let posted = env
        .call(
            Some(&t.api_key),
            "InventoryService/GetProduct",
            json!({"id": id}),
        )
        .await;

    let path = json_query(
        "/eventkit.v1.InventoryService/GetProduct",
        &json!({"id": id}),
    );
    let got = get_raw(env.addr, &path, &[("authorization", &auth)]).await;
    assert_eq!(got.status, 200, "{:?}", got.raw_body);
    assert_eq!(json_of(&got), *posted.ok(), "GET answers as POST does");
    assert_eq!(header(&got, "cache-control"), "private, no-cache");
    assert!(header(&got, "vary").contains("Authorization"));
    let etag = header(&got, "etag").to_owned();
    assert!(etag.starts_with('"') && etag.len() > 2, "{etag:?}");

    let again = get_raw(
        env.addr,
        &path,
        &[("authorization", &auth), ("if-none-match", &etag)],
    )
    .await;
    assert_eq!(again.status, 304);
    assert!(again.raw_body.is_empty());

    // After a change, the old tag no longer matches.
    env.call(
        Some(&t.api_key),
        "InventoryService/UpdateProduct",
        json!({"product": {"id": id, "name": "Par can 64"}, "updateMask": "name"}),
    )
    .await
    .ok();
    let changed = get_raw(
        env.addr,
        &path,
        &[("authorization", &auth), ("if-none-match", &etag)],
    )
    .await;
    assert_eq!(changed.status, 200);
    assert_eq!(json_of(&changed)["product"]["name"], "Par can 64");

    // Binary messages travel base64url-encoded.
    let message = URL_SAFE_NO_PAD.encode(prost::Message::encode_to_vec(
        &eventkit_proto::eventkit::v1::GetProductRequest { id: id.clone() },
    ));
    let binary = get_raw(
        env.addr,
        &format!(
            "/eventkit.v1.InventoryService/GetProduct?encoding=proto&base64=1&message={message}"
        ),
        &[("authorization", &auth)],
    )
    .await;
    assert_eq!(binary.status, 200);
    assert_eq!(header(&binary, "content-type"), "application/proto");
    let decoded: eventkit_proto::eventkit::v1::GetProductResponse =
        prost::Message::decode(binary.raw_body.as_ref()).expect("a GetProductResponse");
    assert_eq!(decoded.product.expect("product").name, "Par can 64");

    // The gate is the same as over POST: credentials, permissions, other tenants' ids.
    let anonymous = get_raw(env.addr, &path, &[]).await;
    assert_eq!(
        (anonymous.status, json_of(&anonymous)["code"].as_str()),
        (401, Some("unauthenticated"))
    );
    let other = env.create_tenant("Other Co").await;
    let foreign = get_raw(
        env.addr,
        &path,
        &[("authorization", &bearer(&other.api_key))],
    )
    .await;
    assert_eq!(json_of(&foreign)["code"], "not_found");
    let no_reads = env
        .call(
            Some(&t.api_key),
            "AdminService/CreateApiKey",
            json!({"name": "writer", "scopes": ["inventory:write"]}),
        )
        .await;
    let writer = no_reads.ok()["secret"].as_str().unwrap().to_owned();
    let denied = get_raw(env.addr, &path, &[("authorization", &bearer(&writer))]).await;
    assert_eq!(json_of(&denied)["code"], "permission_denied");
}

#[tokio::test]
async fn get_refuses_writes_and_names_what_is_wrong() {
    let env = TestEnv::start().await;
    let t = env.create_tenant("Refusals Co").await;
    let auth = bearer(&t.api_key);

    let write = get_raw(
        env.addr,
        &json_query(
            "/eventkit.v1.InventoryService/CreateProduct",
            &json!({"name": "by GET"}),
        ),
        &[("authorization", &auth)],
    )
    .await;
    assert_eq!(write.status, 405);
    assert_eq!(json_of(&write)["code"], "unimplemented");
    let listed = env
        .call(Some(&t.api_key), "InventoryService/ListProducts", json!({}))
        .await;
    assert_eq!(
        listed.ok()["products"].as_array().map_or(0, Vec::len),
        0,
        "the refused GET wrote nothing"
    );

    for (query, field) in [
        ("message=%7B%7D", "encoding"),
        ("encoding=xml&message=%7B%7D", "encoding"),
        ("encoding=json", "message"),
        ("encoding=json&base64=1&message=***", "message"),
        ("encoding=json&connect=v2&message=%7B%7D", "connect"),
    ] {
        let reply = get_raw(
            env.addr,
            &format!("/eventkit.v1.InventoryService/ListProducts?{query}"),
            &[("authorization", &auth)],
        )
        .await;
        let body = json_of(&reply);
        assert_eq!(
            (reply.status, body["code"].as_str()),
            (400, Some("invalid_argument")),
            "{query}: {body}"
        );
        assert!(
            body.to_string().contains(field),
            "{query}: the error names {field}: {body}"
        );
    }

    // A bad field in the message is named as over POST.
    let bad = get_raw(
        env.addr,
        &json_query(
            "/eventkit.v1.InventoryService/ListProducts",
            &json!({"pageSize": "many"}),
        ),
        &[("authorization", &auth)],
    )
    .await;
    assert_eq!(json_of(&bad)["code"], "invalid_argument");
    assert!(json_of(&bad).to_string().contains("pageSize"));
}

#[tokio::test]
async fn control_plane_reads_answer_over_get_and_secrets_are_never_cached() {
    let env = TestEnv::start().await;
    let t = env.create_tenant("Account Co").await;
    let cp = env.control_plane().await;
    let auth = bearer(&t.api_key);

    let account = get_raw(
        cp.addr,
        &json_query("/controlplane.v1.AccountService/GetAccount", &json!({})),
        &[("authorization", &auth)],
    )
    .await;
    assert_eq!(account.status, 200, "{:?}", account.raw_body);
    assert_eq!(json_of(&account)["tenant"]["id"], t.id.to_string());
    assert_eq!(header(&account, "cache-control"), "private, no-cache");

    // Export answers carry a download link: never stored by a cache.
    let exports = get_raw(
        cp.addr,
        &json_query("/controlplane.v1.AccountService/ListExports", &json!({})),
        &[("authorization", &auth)],
    )
    .await;
    assert_eq!(exports.status, 200);
    assert_eq!(header(&exports, "cache-control"), "no-store");
    assert!(header(&exports, "etag").is_empty());

    // Operator reads need an operator token, over GET as over POST.
    let tenants = json_query(
        "/controlplane.v1.OperatorTenantService/ListTenants",
        &json!({}),
    );
    let operator = bearer(&env.operator_token("grace").await);
    let listed = get_raw(cp.addr, &tenants, &[("authorization", &operator)]).await;
    assert_eq!(listed.status, 200);
    assert!(
        json_of(&listed)["tenants"]
            .as_array()
            .unwrap()
            .iter()
            .any(|row| row["id"] == t.id.to_string())
    );
    let as_tenant = get_raw(cp.addr, &tenants, &[("authorization", &auth)]).await;
    assert_eq!(json_of(&as_tenant)["code"], "unauthenticated");

    // A write stays POST-only here too.
    let deletion = get_raw(
        cp.addr,
        &json_query(
            "/controlplane.v1.AccountService/RequestAccountDeletion",
            &json!({}),
        ),
        &[("authorization", &auth)],
    )
    .await;
    assert_eq!(deletion.status, 405);
}
