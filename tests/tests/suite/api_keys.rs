//! API keys through AdminService: scoped keys that can only narrow their creator, shown once,
//! listed without secrets and with their last use, revoked and rotated with immediate effect in
//! the serving process, and bad input refused with nothing written.

use bytes::Bytes;
use eventkit_tests::{TestEnv, connect::send_raw};
use serde_json::{Value, json};

async fn create_key(env: &TestEnv, creator: &str, body: Value) -> eventkit_tests::ConnectReply {
    env.call(Some(creator), "AdminService/CreateApiKey", body)
        .await
}

fn secret(reply: &eventkit_tests::ConnectReply) -> String {
    reply.ok()["secret"].as_str().unwrap().to_owned()
}

async fn key_count(env: &TestEnv) -> i64 {
    sqlx::query_scalar("select count(*) from api_keys")
        .fetch_one(&env.admin_pool().await)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_scoped_key_does_what_its_scopes_allow_and_nothing_else() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Keys").await;
    let created = create_key(
        &env,
        &tenant.api_key,
        json!({"name": "Scanners", "scopes": ["inventory:read"]}),
    )
    .await;
    let key = created.ok()["apiKey"].clone();
    assert_eq!(key["scopes"], json!(["inventory:read"]));
    assert!(key["displayPrefix"].as_str().unwrap().starts_with("ek_"));
    let reader = secret(&created);
    assert!(
        reader.starts_with(key["displayPrefix"].as_str().unwrap()),
        "the prefix is the start of the key"
    );

    assert_eq!(
        env.call(Some(&reader), "InventoryService/ListProducts", json!({}))
            .await
            .code(),
        "ok"
    );
    let write = env
        .call(
            Some(&reader),
            "InventoryService/CreateProduct",
            json!({"name": "Nope"}),
        )
        .await;
    assert_eq!((write.status, write.code()), (403, "permission_denied"));
    assert!(
        write.body["message"]
            .as_str()
            .unwrap()
            .contains("inventory:write")
    );
    assert_eq!(
        env.call(Some(&reader), "AdminService/ListApiKeys", json!({}))
            .await
            .code(),
        "permission_denied"
    );
}

#[tokio::test]
async fn keys_can_only_narrow_their_creator() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Keys").await;
    let key_admin = secret(
        &create_key(
            &env,
            &tenant.api_key,
            json!({"name": "Key admin", "scopes": ["admin:keys", "inventory:read"]}),
        )
        .await,
    );
    let before = key_count(&env).await;
    for scopes in [
        json!(["inventory:write"]),
        json!(["*"]),
        json!(["inventory:read", "inventory:write"]),
    ] {
        let reply = create_key(&env, &key_admin, json!({"name": "Wider", "scopes": scopes})).await;
        assert_eq!(
            reply.code(),
            "permission_denied",
            "{scopes}: {}",
            reply.body
        );
    }
    assert_eq!(key_count(&env).await, before, "no key was made");
    let narrower = create_key(
        &env,
        &key_admin,
        json!({"name": "Narrower", "scopes": ["inventory:read"]}),
    )
    .await;
    assert_eq!(narrower.code(), "ok");
}

#[tokio::test]
async fn lists_show_keys_without_secrets_and_with_their_last_use() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Keys").await;
    let created = create_key(
        &env,
        &tenant.api_key,
        json!({"name": "Reporting", "scopes": ["inventory:read"]}),
    )
    .await;
    let reporting = secret(&created);
    let id = created.ok()["apiKey"]["id"].clone();
    env.call(Some(&reporting), "InventoryService/ListProducts", json!({}))
        .await
        .ok();

    let listed = env
        .call(Some(&tenant.api_key), "AdminService/ListApiKeys", json!({}))
        .await;
    let body = listed.ok().to_string();
    assert!(!body.contains(&reporting), "no secret in lists");
    assert!(!body.contains(&tenant.api_key), "not even the caller's");
    let keys = listed.body["apiKeys"].as_array().unwrap();
    assert_eq!(keys.len(), 2, "the tenant's admin key and the new one");
    let entry = keys.iter().find(|k| k["id"] == id).unwrap();
    assert!(
        entry["lastUseTime"].is_string(),
        "last use recorded: {entry}"
    );
}

#[tokio::test]
async fn revoking_and_rotating_take_effect_at_once() {
    let env = TestEnv::start().await; // default 30 s key cache: effect must not wait for it
    let tenant = env.create_tenant("Keys").await;
    let created = create_key(
        &env,
        &tenant.api_key,
        json!({"name": "Old", "scopes": ["inventory:read"]}),
    )
    .await;
    let (old, old_id) = (secret(&created), created.ok()["apiKey"]["id"].clone());
    assert_eq!(
        env.call(Some(&old), "InventoryService/ListProducts", json!({}))
            .await
            .code(),
        "ok",
        "cached now"
    );

    let rotated = env
        .call(
            Some(&tenant.api_key),
            "AdminService/RotateApiKey",
            json!({"id": old_id}),
        )
        .await;
    let new = secret(&rotated);
    assert_eq!(rotated.body["apiKey"]["name"], "Old");
    assert_eq!(rotated.body["apiKey"]["scopes"], json!(["inventory:read"]));
    assert_ne!(rotated.body["apiKey"]["id"], old_id);
    assert_eq!(
        env.call(Some(&old), "InventoryService/ListProducts", json!({}))
            .await
            .code(),
        "unauthenticated"
    );
    assert_eq!(
        env.call(Some(&new), "InventoryService/ListProducts", json!({}))
            .await
            .code(),
        "ok"
    );

    let again = env
        .call(
            Some(&tenant.api_key),
            "AdminService/RevokeApiKey",
            json!({"id": old_id}),
        )
        .await;
    assert_eq!(
        again.code(),
        "failed_precondition",
        "already revoked by the rotation"
    );
    let new_id = rotated.body["apiKey"]["id"].clone();
    let revoked = env
        .call(
            Some(&tenant.api_key),
            "AdminService/RevokeApiKey",
            json!({"id": new_id}),
        )
        .await;
    assert!(revoked.ok()["apiKey"]["revokeTime"].is_string());
    assert_eq!(
        env.call(Some(&new), "InventoryService/ListProducts", json!({}))
            .await
            .code(),
        "unauthenticated"
    );

    let active = env
        .call(Some(&tenant.api_key), "AdminService/ListApiKeys", json!({}))
        .await;
    assert_eq!(
        active.ok()["apiKeys"].as_array().unwrap().len(),
        1,
        "revoked keys are hidden"
    );
    let all = env
        .call(
            Some(&tenant.api_key),
            "AdminService/ListApiKeys",
            json!({"showRevoked": true}),
        )
        .await;
    assert_eq!(all.ok()["apiKeys"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn bad_key_requests_name_the_field_and_write_nothing() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Keys").await;
    let before = key_count(&env).await;
    let cases = [
        (json!({"name": "", "scopes": ["inventory:read"]}), "name"),
        (json!({"name": "X", "scopes": []}), "scopes"),
        (
            json!({"name": "X", "scopes": ["inventory:read", "inventory:fly"]}),
            "scopes[1]",
        ),
        (
            json!({"name": "X", "scopes": ["inventory:read"], "expireTime": "2001-01-01T00:00:00Z"}),
            "expire_time",
        ),
    ];
    for (body, field) in cases {
        let reply = create_key(&env, &tenant.api_key, body.clone()).await;
        assert_eq!(reply.code(), "invalid_argument", "{body}");
        assert_eq!(reply.violated_fields(), [field], "{body}: {}", reply.body);
    }
    assert_eq!(key_count(&env).await, before);
    let unknown = env
        .call(
            Some(&tenant.api_key),
            "AdminService/RevokeApiKey",
            json!({"id": "01a2013f-0000-7000-8000-000000000000"}),
        )
        .await;
    assert_eq!(unknown.code(), "not_found");
}

#[tokio::test]
async fn secrets_are_never_kept_for_idempotent_replay() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Keys").await;
    let body = Bytes::from(json!({"name": "Retry", "scopes": ["inventory:read"]}).to_string());
    let mut ids = Vec::new();
    for _ in 0..2 {
        let reply = send_raw(
            env.addr,
            "/eventkit.v1.AdminService/CreateApiKey",
            "application/json",
            Some(&tenant.api_key),
            body.clone(),
            &[("idempotency-key", "same")],
        )
        .await
        .into_reply();
        ids.push(reply.ok()["apiKey"]["id"].clone());
    }
    assert_ne!(ids[0], ids[1], "each call makes its own key");
    let stored: i64 = sqlx::query_scalar("select count(*) from idempotency_keys")
        .fetch_one(&env.admin_pool().await)
        .await
        .unwrap();
    assert_eq!(stored, 0, "no answer holding a secret was stored");
}

#[tokio::test]
async fn a_revocation_reaches_every_server_at_once() {
    let env = TestEnv::start().await; // default 30 s caches on both servers
    let tenant = env.create_tenant("Keys").await;
    let other = env.another_server().await;
    let created = create_key(
        &env,
        &tenant.api_key,
        json!({"name": "Pool", "scopes": ["inventory:read"]}),
    )
    .await;
    let (key, id) = (secret(&created), created.ok()["apiKey"]["id"].clone());
    let on_other = || {
        eventkit_tests::connect::call(
            other.addr,
            eventkit_tests::Protocol::ConnectJson,
            Some(&key),
            "InventoryService/ListProducts",
            json!({}),
        )
    };
    assert_eq!(
        on_other().await.code(),
        "ok",
        "the other server has the key cached now"
    );

    env.call(
        Some(&tenant.api_key),
        "AdminService/RevokeApiKey",
        json!({"id": id}),
    )
    .await
    .ok();
    let started = std::time::Instant::now();
    loop {
        let code = on_other().await.code().to_owned();
        if code == "unauthenticated" {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(2),
            "the other server still accepts the revoked key ({code})"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
