//! Authentication and authorization in front of every RPC: API keys (missing, garbage, wrong
//! secret, unknown tenant, revoked, expired — all `unauthenticated`, without telling which),
//! tenant state (suspended → `failed_precondition`), per-key permissions (`permission_denied`),
//! and bearer JWTs verified against a configured Ed25519 JWKS (valid tokens act for their
//! tenant only; expired, foreign, tampered or downgraded tokens are refused; the keys and
//! signing helpers are in `eventkit_tests::jwts`).

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use eventkit_domain::ids::TenantId;
use eventkit_platform::{
    auth::api_key,
    db::{Actor, Db},
};
use eventkit_proto::eventkit::v1 as pb;
use eventkit_tests::{
    ConnectReply, TestEnv,
    jwts::{
        JWT_KEY, JWT_KEY_X, KID, OTHER_KEY, claims, ed_key, jwt_env, now, sign, sign_with,
        with_claim,
    },
};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use sqlx::types::chrono::{DateTime, Utc};
use std::{
    collections::HashMap,
    time::{Duration, SystemTime},
};
use tonic::Code;
use uuid::Uuid;

async fn get_products(env: &TestEnv, key: Option<&str>) -> ConnectReply {
    env.call(key, "InventoryService/ListProducts", json!({}))
        .await
}

/// An API key for `tenant` with the given permissions, made as the control plane makes them.
async fn issue_key(
    env: &TestEnv,
    tenant: TenantId,
    permissions: &[&str],
    expires_at: Option<SystemTime>,
) -> String {
    let db = Db::connect_lazy(env.config.database.control.expose(), 1).expect("pool");
    let mut tx = db
        .tenant_tx(tenant, &Actor::system("test"))
        .await
        .expect("tenant tx");
    let expires_at = expires_at.map(DateTime::<Utc>::from);
    let issued = api_key::create(&mut tx, "test key", permissions, expires_at)
        .await
        .expect("key created");
    tx.commit().await.expect("commit");
    db.pool().close().await;
    issued.key.expose().clone()
}

async fn set_tenant_state(env: &TestEnv, tenant: TenantId, state: &str) {
    sqlx::query("update tenants set state = $2 where id = $1")
        .bind(tenant)
        .bind(state)
        .execute(&env.admin_pool().await)
        .await
        .expect("tenant state");
}

async fn count(env: &TestEnv, table: &str) -> i64 {
    sqlx::query_scalar(&format!("select count(*) from {table}"))
        .fetch_one(&env.admin_pool().await)
        .await
        .expect("count")
}

/// No caching of keys or tenant states, so changes in the database apply to the next call.
fn no_cache() -> HashMap<String, String> {
    HashMap::from([
        ("EVENTKIT_API_KEY_CACHE_MS".to_owned(), "0".to_owned()),
        ("EVENTKIT_TENANT_STATE_CACHE_MS".to_owned(), "0".to_owned()),
    ])
}

#[tokio::test]
async fn bad_api_keys_are_unauthenticated_without_saying_why() {
    let env = TestEnv::start().await;
    let t = env.create_tenant("Rental Co").await;
    let other = env.create_tenant("Other Co").await;
    assert_eq!(get_products(&env, Some(&t.api_key)).await.status, 200);

    let anonymous = get_products(&env, None).await;
    assert_eq!(
        (anonymous.status, anonymous.code()),
        (401, "unauthenticated")
    );
    let basic = send_headers(&env, &[("authorization", "Basic dXNlcjpwYXNz")]).await;
    assert_eq!(basic.code(), "unauthenticated");

    let mut last = t.api_key.clone();
    let flipped = if last.ends_with('a') { 'b' } else { 'a' };
    last.pop();
    last.push(flipped);
    let (tenant_part, random_part) = t
        .api_key
        .strip_prefix("ek_")
        .unwrap()
        .split_once('_')
        .unwrap();
    let candidates = [
        ("garbage", "garbage".to_owned()),
        ("garbage with prefix", "ek_garbage".to_owned()),
        ("wrong secret", last),
        (
            "unknown tenant",
            format!("ek_{}_{random_part}", Uuid::now_v7().simple()),
        ),
        (
            "another tenant's id",
            format!("ek_{}_{random_part}", other.id.uuid().simple()),
        ),
        ("truncated", t.api_key[..t.api_key.len() - 1].to_owned()),
        (
            "upper-cased tenant",
            format!("ek_{}_{random_part}", tenant_part.to_uppercase()),
        ),
    ];
    let mut messages = Vec::new();
    for (what, key) in &candidates {
        let reply = get_products(&env, Some(key)).await;
        assert_eq!(
            (reply.status, reply.code()),
            (401, "unauthenticated"),
            "{what}: {}",
            reply.body
        );
        messages.push(reply.body["message"].as_str().unwrap().to_owned());
    }
    assert!(
        messages.iter().all(|m| *m == messages[0]),
        "no enumeration: every bad key gets the same message: {messages:?}"
    );
    assert!(!messages[0].contains(&t.id.to_string()) && !messages[0].contains(tenant_part));

    // gRPC answers the same.
    let mut grpc = env.inventory_grpc().await;
    for (what, key) in &candidates {
        let mut request = tonic::Request::new(pb::ListProductsRequest::default());
        request
            .metadata_mut()
            .insert("authorization", format!("Bearer {key}").parse().unwrap());
        let status = grpc.list_products(request).await.unwrap_err();
        assert_eq!(status.code(), Code::Unauthenticated, "{what}");
        assert_eq!(status.message(), messages[0], "{what}");
    }
    // The refused calls reached no handler.
    assert_eq!(count(&env, "products").await, 0);
}

/// A request with exactly these headers (no Authorization added).
async fn send_headers(env: &TestEnv, headers: &[(&str, &str)]) -> ConnectReply {
    eventkit_tests::connect::send_raw(
        env.addr,
        "/eventkit.v1.InventoryService/ListProducts",
        "application/json",
        None,
        bytes::Bytes::from_static(b"{}"),
        headers,
    )
    .await
    .into_reply()
}

#[tokio::test]
async fn revoked_keys_stop_working() {
    let env = TestEnv::start_with(no_cache()).await;
    let t = env.create_tenant("Rental Co").await;
    let key = issue_key(&env, t.id, &["*"], None).await;
    assert_eq!(get_products(&env, Some(&key)).await.status, 200);
    sqlx::query("update api_keys set revoked_at = now() where tenant_id = $1 and prefix = $2")
        .bind(t.id)
        .bind(&key.rsplit('_').next().unwrap()[..8])
        .execute(&env.admin_pool().await)
        .await
        .unwrap();
    let reply = get_products(&env, Some(&key)).await;
    assert_eq!(
        (reply.status, reply.code()),
        (401, "unauthenticated"),
        "{}",
        reply.body
    );
    assert_eq!(
        get_products(&env, Some(&t.api_key)).await.status,
        200,
        "other keys of the tenant still work"
    );
}

#[tokio::test]
async fn revocation_takes_effect_when_the_cache_entry_expires() {
    let env = TestEnv::start_with([("EVENTKIT_API_KEY_CACHE_MS", "300")]).await;
    let t = env.create_tenant("Rental Co").await;
    assert_eq!(get_products(&env, Some(&t.api_key)).await.status, 200);
    sqlx::query("update api_keys set revoked_at = now() where tenant_id = $1")
        .bind(t.id)
        .execute(&env.admin_pool().await)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert_eq!(
        get_products(&env, Some(&t.api_key)).await.code(),
        "unauthenticated"
    );
}

#[tokio::test]
async fn expired_keys_are_refused_even_when_cached() {
    let env = TestEnv::start().await;
    let t = env.create_tenant("Rental Co").await;
    let expired = issue_key(&env, t.id, &["*"], None).await;
    sqlx::query("update api_keys set expires_at = now() - interval '1 minute' where tenant_id = $1 and prefix = $2")
        .bind(t.id)
        .bind(&expired.rsplit('_').next().unwrap()[..8])
        .execute(&env.admin_pool().await)
        .await
        .unwrap();
    let reply = get_products(&env, Some(&expired)).await;
    assert_eq!(
        (reply.status, reply.code()),
        (401, "unauthenticated"),
        "{}",
        reply.body
    );

    // Valid now, cached by this call, expired 0.9 s after it was made.
    let expires = SystemTime::now() + Duration::from_millis(900);
    let short = issue_key(&env, t.id, &["*"], Some(expires)).await;
    assert_eq!(get_products(&env, Some(&short)).await.status, 200);
    let left = expires
        .duration_since(SystemTime::now())
        .unwrap_or_default();
    tokio::time::sleep(left + Duration::from_millis(50)).await;
    assert_eq!(
        get_products(&env, Some(&short)).await.code(),
        "unauthenticated"
    );
}

#[tokio::test]
async fn suspended_tenants_get_failed_precondition() {
    let env = TestEnv::start_with(no_cache()).await;
    let t = env.create_tenant("Rental Co").await;
    let other = env.create_tenant("Other Co").await;
    let product = env
        .call(
            Some(&t.api_key),
            "InventoryService/CreateProduct",
            json!({"name": "Lamp"}),
        )
        .await;
    let product = product.ok()["product"]["id"].clone();

    set_tenant_state(&env, t.id, "suspended").await;
    let reply = env
        .call(
            Some(&t.api_key),
            "InventoryService/GetProduct",
            json!({"id": product}),
        )
        .await;
    assert_eq!(
        (reply.status, reply.code()),
        (400, "failed_precondition"),
        "{}",
        reply.body
    );
    assert!(
        reply.body["message"]
            .as_str()
            .unwrap()
            .contains("suspended"),
        "{}",
        reply.body
    );
    let write = env
        .call(
            Some(&t.api_key),
            "InventoryService/CreateProduct",
            json!({"name": "Sneaky"}),
        )
        .await;
    assert_eq!(write.code(), "failed_precondition");
    assert_eq!(
        count(&env, "products").await,
        1,
        "a suspended tenant writes nothing"
    );
    let mut request = tonic::Request::new(pb::ListProductsRequest::default());
    request.metadata_mut().insert(
        "authorization",
        format!("Bearer {}", t.api_key).parse().unwrap(),
    );
    let status = env
        .inventory_grpc()
        .await
        .list_products(request)
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::FailedPrecondition);
    assert_eq!(
        get_products(&env, Some(&other.api_key)).await.status,
        200,
        "other tenants are unaffected"
    );

    set_tenant_state(&env, t.id, "pending_deletion").await;
    assert_eq!(
        get_products(&env, Some(&t.api_key)).await.code(),
        "failed_precondition"
    );
    set_tenant_state(&env, t.id, "active").await;
    assert_eq!(
        get_products(&env, Some(&t.api_key)).await.status,
        200,
        "reactivated"
    );
}

#[tokio::test]
async fn read_only_keys_cannot_write() {
    let env = TestEnv::start().await;
    let t = env.create_tenant("Rental Co").await;
    let product = env
        .call(
            Some(&t.api_key),
            "InventoryService/CreateProduct",
            json!({"name": "Lamp"}),
        )
        .await;
    let product = product.ok()["product"]["id"].clone();
    let reader = issue_key(&env, t.id, &["inventory:read"], None).await;

    let got = env
        .call(
            Some(&reader),
            "InventoryService/GetProduct",
            json!({"id": product}),
        )
        .await;
    assert_eq!(got.ok()["product"]["name"], "Lamp");
    assert_eq!(
        get_products(&env, Some(&reader)).await.ok()["products"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    env.call(Some(&reader), "InventoryService/ListAssets", json!({}))
        .await
        .ok();

    let create = env
        .call(
            Some(&reader),
            "InventoryService/CreateProduct",
            json!({"name": "New"}),
        )
        .await;
    assert_eq!(
        (create.status, create.code()),
        (403, "permission_denied"),
        "{}",
        create.body
    );
    assert!(
        create.body["message"]
            .as_str()
            .unwrap()
            .contains("inventory:write"),
        "{}",
        create.body
    );
    let delete = env
        .call(
            Some(&reader),
            "InventoryService/DeleteProduct",
            json!({"id": product}),
        )
        .await;
    assert_eq!(delete.code(), "permission_denied");
    let mut request = tonic::Request::new(pb::CreateProductRequest {
        name: "Grpc".into(),
        ..Default::default()
    });
    request
        .metadata_mut()
        .insert("authorization", format!("Bearer {reader}").parse().unwrap());
    assert_eq!(
        env.inventory_grpc()
            .await
            .create_product(request)
            .await
            .unwrap_err()
            .code(),
        Code::PermissionDenied
    );
    // Invalid input is not even looked at: the permission check comes first.
    let invalid = env
        .call(
            Some(&reader),
            "InventoryService/CreateProduct",
            json!({"name": ""}),
        )
        .await;
    assert_eq!(invalid.code(), "permission_denied");

    let admin = env.admin_pool().await;
    let (products, deleted): (i64, i64) =
        sqlx::query_as("select count(*), count(deleted_at) from products")
            .fetch_one(&admin)
            .await
            .unwrap();
    assert_eq!(
        (products, deleted),
        (1, 0),
        "the refused calls wrote nothing"
    );
    let outbox: i64 = sqlx::query_scalar("select count(*) from outbox")
        .fetch_one(&admin)
        .await
        .unwrap();
    assert_eq!(outbox, 1);

    let nothing = issue_key(&env, t.id, &[], None).await;
    assert_eq!(
        get_products(&env, Some(&nothing)).await.code(),
        "permission_denied"
    );
    let writer_only = issue_key(&env, t.id, &["inventory:write"], None).await;
    assert_eq!(
        get_products(&env, Some(&writer_only)).await.code(),
        "permission_denied"
    );
    let created = env
        .call(
            Some(&writer_only),
            "InventoryService/CreateProduct",
            json!({"name": "Ok"}),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
}

// ---------------------------------------------------------------------------------------------
// JWTs

#[tokio::test]
async fn valid_jwts_act_for_their_tenant_only() {
    let env = TestEnv::start_with(jwt_env()).await;
    let a = env.create_tenant("Tenant A").await;
    let b = env.create_tenant("Tenant B").await;
    let b_product = env
        .call(
            Some(&b.api_key),
            "InventoryService/CreateProduct",
            json!({"name": "B's lamp"}),
        )
        .await;
    let b_product = b_product.ok()["product"]["id"].clone();

    let token = sign(&claims(a.id));
    let created = env
        .call(
            Some(&token),
            "InventoryService/CreateProduct",
            json!({"name": "A's lamp"}),
        )
        .await;
    let a_product = created.ok()["product"]["id"].clone();
    let list = get_products(&env, Some(&token)).await;
    let ids: Vec<&Value> = list.ok()["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["id"])
        .collect();
    assert_eq!(ids, vec![&a_product], "A sees only its own products");
    let cross = env
        .call(
            Some(&token),
            "InventoryService/GetProduct",
            json!({"id": b_product}),
        )
        .await;
    assert_eq!(cross.code(), "not_found");

    let (tenant, actor): (TenantId, String) =
        sqlx::query_as("select tenant_id, actor from outbox where subject_id = $1")
            .bind(Uuid::parse_str(a_product.as_str().unwrap()).unwrap())
            .fetch_one(&env.admin_pool().await)
            .await
            .unwrap();
    assert_eq!(
        (tenant, actor.as_str()),
        (a.id, "user-1"),
        "the JWT subject is the actor"
    );

    // Over gRPC too.
    let mut request = tonic::Request::new(pb::GetProductRequest {
        id: a_product.as_str().unwrap().into(),
    });
    request
        .metadata_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    assert_eq!(
        env.inventory_grpc()
            .await
            .get_product(request)
            .await
            .expect("gRPC")
            .into_inner()
            .product
            .unwrap()
            .name,
        "A's lamp"
    );

    // Permissions from the token: read only, and OAuth-style `scope`.
    let reader = sign(&with_claim(a.id, "permissions", json!(["inventory:read"])));
    assert_eq!(get_products(&env, Some(&reader)).await.status, 200);
    let write = env
        .call(
            Some(&reader),
            "InventoryService/CreateProduct",
            json!({"name": "x"}),
        )
        .await;
    assert_eq!(write.code(), "permission_denied");
    let mut scoped = claims(a.id);
    scoped.as_object_mut().unwrap().remove("permissions");
    scoped["scope"] = json!("inventory:read inventory:write");
    let scoped = sign(&scoped);
    assert_eq!(
        env.call(
            Some(&scoped),
            "InventoryService/CreateProduct",
            json!({"name": "y"})
        )
        .await
        .status,
        200
    );
}

#[tokio::test]
async fn bad_jwts_are_unauthenticated() {
    let env = TestEnv::start_with(jwt_env()).await;
    let a = env.create_tenant("Tenant A").await;
    let b = env.create_tenant("Tenant B").await;
    env.call(
        Some(&b.api_key),
        "InventoryService/CreateProduct",
        json!({"name": "B's lamp"}),
    )
    .await
    .ok();

    let valid = sign(&claims(a.id));
    let parts: Vec<&str> = valid.split('.').collect();
    let tampered = {
        let mut payload: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        payload["tid"] = json!(b.id.to_string());
        format!(
            "{}.{}.{}",
            parts[0],
            URL_SAFE_NO_PAD.encode(payload.to_string()),
            parts[2]
        )
    };
    let unsigned = {
        let header =
            URL_SAFE_NO_PAD.encode(json!({"alg": "none", "typ": "JWT", "kid": KID}).to_string());
        format!("{header}.{}.", parts[1])
    };
    let hs256 = {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(KID.into());
        // The classic confusion attack: the public key used as an HMAC secret.
        let secret = URL_SAFE_NO_PAD.decode(JWT_KEY_X).unwrap();
        jsonwebtoken::encode(&header, &claims(a.id), &EncodingKey::from_secret(&secret)).unwrap()
    };
    let unknown_kid = {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some("someone-else".into());
        jsonwebtoken::encode(&header, &claims(a.id), &ed_key(JWT_KEY)).unwrap()
    };
    let mut no_tid = claims(a.id);
    no_tid.as_object_mut().unwrap().remove("tid");
    let mut no_exp = claims(a.id);
    no_exp.as_object_mut().unwrap().remove("exp");

    let cases = [
        (
            "expired",
            sign(&with_claim(a.id, "exp", json!(now() - 600))),
        ),
        (
            "wrong issuer",
            sign(&with_claim(a.id, "iss", json!("https://evil.example"))),
        ),
        (
            "wrong audience",
            sign(&with_claim(a.id, "aud", json!("some-other-api"))),
        ),
        ("signed by another key", sign_with(OTHER_KEY, &claims(a.id))),
        ("tampered payload", tampered),
        ("alg none", unsigned),
        ("HS256 with the public key", hs256),
        ("unknown kid", unknown_kid),
        ("no tid", sign(&no_tid)),
        ("no exp", sign(&no_exp)),
        ("truncated signature", valid[..valid.len() - 4].to_owned()),
        ("not a JWT", "hello.world".to_owned()),
    ];
    assert_eq!(
        get_products(&env, Some(&valid)).await.status,
        200,
        "the baseline token works"
    );
    for (what, token) in &cases {
        let reply = get_products(&env, Some(token)).await;
        assert_eq!(
            (reply.status, reply.code()),
            (401, "unauthenticated"),
            "{what}: {}",
            reply.body
        );
        let write = env
            .call(
                Some(token),
                "InventoryService/CreateProduct",
                json!({"name": "forged"}),
            )
            .await;
        assert_eq!(write.code(), "unauthenticated", "{what}");
    }
    let forged: i64 = sqlx::query_scalar("select count(*) from products where name = 'forged'")
        .fetch_one(&env.admin_pool().await)
        .await
        .unwrap();
    assert_eq!(forged, 0);
}

#[tokio::test]
async fn jwts_are_refused_when_jwt_auth_is_not_configured() {
    let env = TestEnv::start().await;
    let a = env.create_tenant("Tenant A").await;
    let reply = get_products(&env, Some(&sign(&claims(a.id)))).await;
    assert_eq!(reply.code(), "unauthenticated");
}

/// DESIGN.md: "gate: tenant state (suspended → failed_precondition)" — for every principal,
/// not only API keys.
#[tokio::test]
async fn jwts_of_suspended_tenants_get_failed_precondition() {
    let env = TestEnv::start_with(jwt_env()).await;
    let a = env.create_tenant("Tenant A").await;
    set_tenant_state(&env, a.id, "suspended").await;
    let token = sign(&claims(a.id));
    let write = env
        .call(
            Some(&token),
            "InventoryService/CreateProduct",
            json!({"name": "Sneaky"}),
        )
        .await;
    assert_eq!(write.code(), "failed_precondition", "{}", write.body);
    assert_eq!(
        count(&env, "products").await,
        0,
        "a suspended tenant writes nothing"
    );
}

/// A correctly signed token naming a tenant that does not exist: like an API key of an unknown
/// tenant, `unauthenticated` — not an internal error from a foreign key.
#[tokio::test]
async fn jwts_of_unknown_tenants_are_unauthenticated() {
    let env = TestEnv::start_with(jwt_env()).await;
    let token = sign(&claims(TenantId::new()));
    let write = env
        .call(
            Some(&token),
            "InventoryService/CreateProduct",
            json!({"name": "Ghost"}),
        )
        .await;
    assert_eq!(
        (write.status, write.code()),
        (401, "unauthenticated"),
        "{}",
        write.body
    );
}
