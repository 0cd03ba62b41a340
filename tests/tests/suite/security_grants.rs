//! Grant only what you hold (security review 2026-12, H2): a key or person with `admin:users`
//! cannot hand out more than they hold — not by inviting with the Admin role, not by promoting
//! a member (or themselves), not through the SSO default role, not by widening a role, and no
//! key with a broader scope. Each refusal is `permission_denied` naming the permission, and
//! nothing is written; a full admin, and anyone who holds what they give, still can.

use eventkit_tests::{
    ConnectReply, Tenant, TestEnv,
    oidc::{CLIENT_ID, CLIENT_SECRET, OidcProvider},
    people::builtin_role,
};
use serde_json::{Value, json};

/// Asserts `permission_denied` whose message names `permission` as the one not held.
#[track_caller]
fn refused_for(reply: &ConnectReply, permission: &str) {
    assert_eq!(reply.code(), "permission_denied", "{}", reply.body);
    let message = reply.body["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(&format!("grant {permission}")),
        "the refusal names {permission}: {message}"
    );
}

/// A new API key of `tenant` with `scopes`, made by its admin key.
async fn key_with(env: &TestEnv, tenant: &Tenant, scopes: &[&str]) -> String {
    let made = env
        .call(
            Some(&tenant.api_key),
            "AdminService/CreateApiKey",
            json!({"name": scopes.join(" "), "scopes": scopes}),
        )
        .await;
    made.ok()["secret"].as_str().expect("secret").to_owned()
}

/// The names of a member's roles, as the admin key sees them.
async fn role_names(env: &TestEnv, tenant: &Tenant, user_id: &str) -> Vec<String> {
    let user = env
        .call(
            Some(&tenant.api_key),
            "AdminService/GetUser",
            json!({"id": user_id}),
        )
        .await;
    user.ok()["user"]["roles"]
        .as_array()
        .expect("roles")
        .iter()
        .map(|r| r["name"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn invitations_to(env: &TestEnv, email: &str) -> i64 {
    sqlx::query_scalar("select count(*) from invitations where email = $1")
        .bind(email)
        .fetch_one(&env.admin_pool().await)
        .await
        .unwrap()
}

/// The review's demonstration: a key scoped to `admin:users` could invite with the Admin role.
#[tokio::test]
async fn a_user_admin_key_cannot_invite_or_promote_anyone_to_admin() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Rentals").await;
    let users_key = key_with(&env, &tenant, &["admin:users"]).await;
    let as_key = Some(users_key.as_str());
    let made = env
        .call(
            as_key,
            "AdminService/CreateRole",
            json!({"name": "x", "permissions": ["*"]}),
        )
        .await;
    refused_for(&made, "*");
    let admin = builtin_role(&env, &tenant, "admin").await;
    let crew = builtin_role(&env, &tenant, "crew").await;

    let invite = env
        .call(
            as_key,
            "AdminService/InviteUser",
            json!({"email": "mallory@example.test", "roleIds": [admin]}),
        )
        .await;
    refused_for(&invite, "*");
    // Crew is inventory:read and planning:read, neither of which the key holds.
    let crew_invite = env
        .call(
            as_key,
            "AdminService/InviteUser",
            json!({"email": "mallory@example.test", "roleIds": [crew]}),
        )
        .await;
    refused_for(&crew_invite, "inventory:read");
    assert_eq!(invitations_to(&env, "mallory@example.test").await, 0);

    let bob = env
        .as_tenant(&tenant)
        .join("bob@example.com", std::slice::from_ref(&crew))
        .await;
    let promote = env
        .call(
            as_key,
            "AdminService/SetUserRoles",
            json!({"userId": bob.user_id, "roleIds": [admin]}),
        )
        .await;
    refused_for(&promote, "*");
    assert_eq!(role_names(&env, &tenant, &bob.user_id).await, ["Crew"]);
}

#[tokio::test]
async fn a_user_admin_cannot_promote_themselves() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Rentals").await;
    let user_admin = env
        .call(
            Some(&tenant.api_key),
            "AdminService/CreateRole",
            json!({"name": "User admin", "permissions": ["admin:users"]}),
        )
        .await;
    let user_admin = user_admin.ok()["role"]["id"].as_str().unwrap().to_owned();
    let uma = env
        .as_tenant(&tenant)
        .join("uma@example.com", std::slice::from_ref(&user_admin))
        .await;
    let as_uma = Some(uma.access_token.as_str());
    let admin = builtin_role(&env, &tenant, "admin").await;
    let manager = builtin_role(&env, &tenant, "manager").await;

    let to_admin = env
        .call(
            as_uma,
            "AdminService/SetUserRoles",
            json!({"userId": uma.user_id, "roleIds": [user_admin, admin]}),
        )
        .await;
    refused_for(&to_admin, "*");
    let to_manager = env
        .call(
            as_uma,
            "AdminService/SetUserRoles",
            json!({"userId": uma.user_id, "roleIds": [user_admin, manager]}),
        )
        .await;
    refused_for(&to_manager, "inventory:read");
    assert_eq!(
        role_names(&env, &tenant, &uma.user_id).await,
        ["User admin"]
    );
    // What she holds she may give: her own role, to herself or to a new person.
    env.call(
        as_uma,
        "AdminService/SetUserRoles",
        json!({"userId": uma.user_id, "roleIds": [user_admin]}),
    )
    .await
    .ok();
    env.call(
        as_uma,
        "AdminService/InviteUser",
        json!({"email": "ulf@example.com", "roleIds": [user_admin]}),
    )
    .await
    .ok();
}

fn sso_settings(provider: &OidcProvider, default_role: &str) -> Value {
    json!({"settings": {
        "issuerUrl": provider.issuer, "clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET,
        "allowedDomains": ["corp.example"], "defaultRoleId": default_role, "enabled": true,
    }})
}

#[tokio::test]
async fn the_sso_default_role_is_only_one_its_saver_may_give() {
    let provider = OidcProvider::start("http://127.0.0.1:8080/sso/callback", 600);
    let env = TestEnv::start_with([("EVENTKIT_WEBHOOK_ALLOWLIST", "127.0.0.1")]).await;
    let tenant = env.create_tenant("Rentals").await;
    let admin = builtin_role(&env, &tenant, "admin").await;
    let read_only = builtin_role(&env, &tenant, "read_only").await;
    let reader_admin = key_with(
        &env,
        &tenant,
        &[
            "admin:users",
            "inventory:read",
            "planning:read",
            "history:read",
        ],
    )
    .await;
    let as_key = Some(reader_admin.as_str());

    let refused = env
        .call(
            as_key,
            "AdminService/UpdateSsoSettings",
            sso_settings(&provider, &admin),
        )
        .await;
    refused_for(&refused, "*");
    let stored = env
        .call(as_key, "AdminService/GetSsoSettings", json!({}))
        .await;
    assert_eq!(stored.ok().get("settings"), None, "nothing was saved");

    let saved = env
        .call(
            as_key,
            "AdminService/UpdateSsoSettings",
            sso_settings(&provider, &read_only),
        )
        .await;
    assert_eq!(saved.ok()["settings"]["defaultRoleId"], read_only);
    let by_admin = env
        .call(
            Some(&tenant.api_key),
            "AdminService/UpdateSsoSettings",
            sso_settings(&provider, &admin),
        )
        .await;
    assert_eq!(by_admin.ok()["settings"]["defaultRoleId"], admin);
}

#[tokio::test]
async fn roles_and_keys_grant_only_what_their_maker_holds() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Rentals").await;
    let counter = env
        .call(
            Some(&tenant.api_key),
            "AdminService/CreateRole",
            json!({"name": "Counter", "permissions": ["inventory:read"]}),
        )
        .await;
    let counter = counter.ok()["role"]["id"].as_str().unwrap().to_owned();
    let users_key = key_with(&env, &tenant, &["admin:users", "inventory:read"]).await;
    let widen = env
        .call(
            Some(&users_key),
            "AdminService/UpdateRole",
            json!({"role": {"id": counter, "permissions": ["inventory:read", "inventory:write"]},
                   "updateMask": "permissions"}),
        )
        .await;
    refused_for(&widen, "inventory:write");
    let renamed = env
        .call(
            Some(&users_key),
            "AdminService/UpdateRole",
            json!({"role": {"id": counter, "name": "Counter staff"}, "updateMask": "name"}),
        )
        .await;
    assert_eq!(
        renamed.ok()["role"]["permissions"],
        json!(["inventory:read"])
    );

    let keys_key = key_with(&env, &tenant, &["admin:keys", "inventory:read"]).await;
    for (scopes, missing) in [
        (json!(["inventory:write"]), "inventory:write"),
        (json!(["inventory:read", "*"]), "*"),
    ] {
        let broader = env
            .call(
                Some(&keys_key),
                "AdminService/CreateApiKey",
                json!({"name": "broader", "scopes": scopes}),
            )
            .await;
        refused_for(&broader, missing);
    }
    env.call(
        Some(&keys_key),
        "AdminService/CreateApiKey",
        json!({"name": "narrower", "scopes": ["inventory:read"]}),
    )
    .await
    .ok();
}

#[tokio::test]
async fn a_full_admin_still_grants_everything() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Rentals").await;
    let as_admin = Some(tenant.api_key.as_str());
    let admin = builtin_role(&env, &tenant, "admin").await;
    let crew = builtin_role(&env, &tenant, "crew").await;
    env.call(
        as_admin,
        "AdminService/InviteUser",
        json!({"email": "second-admin@example.com", "roleIds": [admin]}),
    )
    .await
    .ok();
    let bob = env
        .as_tenant(&tenant)
        .join("bob@example.com", std::slice::from_ref(&crew))
        .await;
    env.call(
        as_admin,
        "AdminService/SetUserRoles",
        json!({"userId": bob.user_id, "roleIds": [admin]}),
    )
    .await
    .ok();
    assert_eq!(role_names(&env, &tenant, &bob.user_id).await, ["Admin"]);
    let role = env
        .call(
            as_admin,
            "AdminService/CreateRole",
            json!({"name": "Everything", "permissions": ["inventory:read"]}),
        )
        .await;
    let role = role.ok()["role"]["id"].as_str().unwrap().to_owned();
    env.call(
        as_admin,
        "AdminService/UpdateRole",
        json!({"role": {"id": role, "permissions": ["*"]}, "updateMask": "permissions"}),
    )
    .await
    .ok();
    env.call(
        as_admin,
        "AdminService/CreateApiKey",
        json!({"name": "all", "scopes": ["*"]}),
    )
    .await
    .ok();
    // Holding exactly what a role grants is enough to give it.
    let crew_lead = key_with(
        &env,
        &tenant,
        &["admin:users", "inventory:read", "planning:read"],
    )
    .await;
    env.call(
        Some(&crew_lead),
        "AdminService/InviteUser",
        json!({"email": "carl@example.com", "roleIds": [crew]}),
    )
    .await
    .ok();
}
