//! People, memberships and roles through the API: an invited person signs in and can do exactly
//! what their role allows; role changes and removal take effect at once; the last Admin stays;
//! custom roles narrow their maker; every built-in role against every RPC matches the permission
//! table; sessions rotate and a replayed refresh token ends its family.

use eventkit_domain::permissions::BuiltinRole;
use eventkit_platform::rpc::rules::{Caller, Needs, RpcRules};
use eventkit_tests::{
    TestEnv,
    people::{self, PASSWORD, builtin_role},
};
use serde_json::json;

#[tokio::test]
async fn an_invited_member_works_within_their_role_and_changes_apply_at_once() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Rentals").await;
    let planner = builtin_role(&env, &tenant, "planner").await;
    let ann = env
        .as_tenant(&tenant)
        .join("ann@example.com", &[planner])
        .await;
    let token = Some(ann.access_token.as_str());

    env.call(token, "PlanningService/ListEvents", json!({}))
        .await
        .ok();
    let denied = env
        .call(
            token,
            "InventoryService/CreateProduct",
            json!({"name": "Lamp"}),
        )
        .await;
    assert_eq!(denied.code(), "permission_denied", "{}", denied.body);
    let mine = env
        .call(token, "AuthService/ListMyTenants", json!({}))
        .await;
    assert_eq!(mine.ok()["tenants"][0]["tenantId"], tenant.id.to_string());
    // GetMe answers the account, the session's tenant and exactly the planner's permissions.
    let me = env.call(token, "AuthService/GetMe", json!({})).await;
    let me = me.ok();
    assert_eq!(me["email"], "ann@example.com");
    assert_eq!(me["tenant"]["tenantId"], tenant.id.to_string());
    let held: Vec<&str> = me["permissions"]
        .as_array()
        .expect("permissions")
        .iter()
        .filter_map(|p| p.as_str())
        .collect();
    assert!(held.contains(&"planning:write"), "{held:?}");
    assert!(!held.contains(&"inventory:write"), "{held:?}");
    let no_person = env
        .call(Some(&tenant.api_key), "AuthService/GetMe", json!({}))
        .await;
    assert_eq!(no_person.code(), "permission_denied", "{}", no_person.body);

    // Signing in again with the password; wrong password and unknown email answer alike.
    let signed_in = env
        .call(
            None,
            "AuthService/SignIn",
            json!({"email": "ANN@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(signed_in.ok()["session"]["tenantId"], tenant.id.to_string());
    let wrong = env
        .call(
            None,
            "AuthService/SignIn",
            json!({"email": "ann@example.com", "password": "not the password"}),
        )
        .await;
    let unknown = env
        .call(
            None,
            "AuthService/SignIn",
            json!({"email": "nobody@example.com", "password": "not the password"}),
        )
        .await;
    assert_eq!(wrong.code(), "unauthenticated");
    assert_eq!(wrong.body, unknown.body, "no user enumeration");

    // Warehouse role: creating products works at once (the permission cache was told).
    let warehouse = builtin_role(&env, &tenant, "warehouse").await;
    env.call(
        Some(&tenant.api_key),
        "AdminService/SetUserRoles",
        json!({"userId": ann.user_id, "roleIds": [warehouse]}),
    )
    .await
    .ok();
    env.call(
        token,
        "InventoryService/CreateProduct",
        json!({"name": "Lamp"}),
    )
    .await
    .ok();

    // An integrator's key, made and revoked.
    let key = env
        .call(
            Some(&tenant.api_key),
            "AdminService/CreateApiKey",
            json!({"name": "Scanner", "scopes": ["inventory:read"]}),
        )
        .await;
    let key_id = key.ok()["apiKey"]["id"].as_str().unwrap().to_owned();
    env.call(
        Some(&tenant.api_key),
        "AdminService/RevokeApiKey",
        json!({"id": key_id}),
    )
    .await
    .ok();

    // The security log saw the sign-ins, the failure, the role change and the key.
    let log = env
        .call(
            Some(&tenant.api_key),
            "AdminService/ListSecurityEvents",
            json!({}),
        )
        .await;
    let kinds: Vec<String> = log.ok()["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect();
    for kind in [
        "invitation.created",
        "invitation.accepted",
        "sign_in.succeeded",
        "sign_in.failed",
        "user.roles_changed",
        "api_key.created",
        "api_key.revoked",
    ] {
        assert!(
            kinds.contains(&kind.to_owned()),
            "{kind} missing from {kinds:?}"
        );
    }

    // Removed: the token stops working at once.
    env.call(
        Some(&tenant.api_key),
        "AdminService/RemoveUser",
        json!({"userId": ann.user_id}),
    )
    .await
    .ok();
    let gone = env
        .call(token, "PlanningService/ListEvents", json!({}))
        .await;
    assert_eq!(gone.code(), "unauthenticated", "{}", gone.body);
}

#[tokio::test]
async fn the_last_admin_stays_and_custom_roles_only_narrow() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Rentals").await;
    let admin_role = builtin_role(&env, &tenant, "admin").await;
    let boss = env
        .as_tenant(&tenant)
        .join("boss@example.com", std::slice::from_ref(&admin_role))
        .await;
    let as_boss = Some(boss.access_token.as_str());
    let planner = builtin_role(&env, &tenant, "planner").await;

    let demote = env
        .call(
            as_boss,
            "AdminService/SetUserRoles",
            json!({"userId": boss.user_id, "roleIds": [planner]}),
        )
        .await;
    assert_eq!(demote.code(), "failed_precondition", "{}", demote.body);
    let remove = env
        .call(
            as_boss,
            "AdminService/RemoveUser",
            json!({"userId": boss.user_id}),
        )
        .await;
    assert_eq!(remove.code(), "failed_precondition", "{}", remove.body);

    // A custom role; a planner cannot make one (no admin:users), an unknown permission is named.
    let bad = env
        .call(
            as_boss,
            "AdminService/CreateRole",
            json!({"name": "Odd", "permissions": ["inventory:fly"]}),
        )
        .await;
    assert_eq!(bad.violated_fields(), ["permissions[0]"]);
    let counter = env
        .call(
            as_boss,
            "AdminService/CreateRole",
            json!({"name": "Counter", "permissions": ["inventory:read"]}),
        )
        .await;
    let counter_id = counter.ok()["role"]["id"].as_str().unwrap().to_owned();
    let dup = env
        .call(
            as_boss,
            "AdminService/CreateRole",
            json!({"name": "Counter", "permissions": ["inventory:read"]}),
        )
        .await;
    assert_eq!(dup.code(), "already_exists");
    let bob = env
        .as_tenant(&tenant)
        .join("bob@example.com", std::slice::from_ref(&counter_id))
        .await;
    let as_bob = Some(bob.access_token.as_str());
    env.call(as_bob, "InventoryService/ListProducts", json!({}))
        .await
        .ok();
    assert_eq!(
        env.call(as_bob, "PlanningService/ListEvents", json!({}))
            .await
            .code(),
        "permission_denied"
    );
    // Built-in roles cannot change; a held custom role cannot go.
    let builtin = env
        .call(as_boss, "AdminService/DeleteRole", json!({"id": planner}))
        .await;
    assert_eq!(builtin.code(), "failed_precondition");
    let held = env
        .call(
            as_boss,
            "AdminService/DeleteRole",
            json!({"id": counter_id}),
        )
        .await;
    assert_eq!(held.code(), "failed_precondition");
    // Now someone else is Admin: demoting the first works.
    env.call(
        as_boss,
        "AdminService/SetUserRoles",
        json!({"userId": bob.user_id, "roleIds": [admin_role]}),
    )
    .await
    .ok();
    env.call(
        as_boss,
        "AdminService/SetUserRoles",
        json!({"userId": boss.user_id, "roleIds": [planner]}),
    )
    .await
    .ok();
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_replayed_one_ends_the_family() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Rentals").await;
    let crew = builtin_role(&env, &tenant, "crew").await;
    let ann = env
        .as_tenant(&tenant)
        .join("ann@example.com", &[crew])
        .await;

    let refresh = |token: String| {
        let env = &env;
        async move {
            env.call(
                None,
                "AuthService/RefreshSession",
                json!({"refreshToken": token}),
            )
            .await
        }
    };
    let second = refresh(ann.refresh_token.clone()).await;
    let second = people::person(&ann.email, &second.ok()["session"]);
    assert_ne!(second.refresh_token, ann.refresh_token);
    env.call(
        Some(&second.access_token),
        "PlanningService/ListEvents",
        json!({}),
    )
    .await
    .ok();
    // The first token again: refused, and the second dies with it.
    let replay = refresh(ann.refresh_token.clone()).await;
    assert_eq!(replay.code(), "unauthenticated");
    assert!(
        replay.body["message"]
            .as_str()
            .unwrap()
            .contains("used already")
    );
    assert_eq!(
        refresh(second.refresh_token.clone()).await.code(),
        "unauthenticated"
    );

    // Sign-out ends a fresh family too.
    let fresh = env
        .call(
            None,
            "AuthService/SignIn",
            json!({"email": "ann@example.com", "password": PASSWORD}),
        )
        .await;
    let fresh = people::person(&ann.email, &fresh.ok()["session"]);
    env.call(
        None,
        "AuthService/SignOut",
        json!({"refreshToken": fresh.refresh_token}),
    )
    .await
    .ok();
    assert_eq!(refresh(fresh.refresh_token).await.code(), "unauthenticated");

    // The JWKS names the key that signed the access tokens.
    let jwks = eventkit_tests::connect::get(env.addr, "/.well-known/jwks.json").await;
    let header = jsonwebtoken::decode_header(&ann.access_token).unwrap();
    assert!(jwks.contains(&header.kid.unwrap()), "{jwks}");
}

/// Every built-in role against every RPC of the tenant services: permission_denied exactly when
/// the role lacks the RPC's permission.
#[tokio::test]
async fn every_builtin_role_meets_every_rpc_as_the_permission_table_says() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Matrix").await;
    let pool = eventkit_proto::descriptor_pool();
    let rules = RpcRules::load(pool, eventkit_proto::TENANT_SERVICES).expect("rules");
    let mut wrong = Vec::new();
    for role in BuiltinRole::EVERY {
        let role_id = builtin_role(&env, &tenant, role.key()).await;
        let member = env
            .as_tenant(&tenant)
            .join(&format!("{}@example.com", role.key()), &[role_id])
            .await;
        let held =
            eventkit_platform::auth::Permissions::from_names(role.permissions().iter().copied());
        for service in eventkit_proto::TENANT_SERVICES {
            for method in pool.get_service_by_name(service).unwrap().methods() {
                let path = format!("/{service}/{}", method.name());
                let needed = match rules.get(&path).expect("declared").caller {
                    Caller::Tenant(Needs::Permission(needed)) => needed,
                    other => panic!("{path}: a tenant service RPC for {other:?}"),
                };
                let reply = env
                    .call(Some(&member.access_token), &path[13..], json!({}))
                    .await;
                let denied = reply.code() == "permission_denied";
                if denied == held.allows(needed) {
                    wrong.push(format!(
                        "{}: {path} ({needed}) answered {} {}",
                        role.key(),
                        reply.code(),
                        reply.body
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "role matrix mismatches:\n{}",
        wrong.join("\n")
    );
}

/// Seats are members plus open invitations; past the plan's overage cap an invitation is
/// refused naming the quota, and a revoked invitation frees its seat.
#[tokio::test]
async fn invitations_count_against_the_seats_quota() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Small").await;
    // One seat on the enterprise plan's 200 % overage cap: the hard stop is at two.
    sqlx::query("insert into quota_overrides (tenant_id, key, value) values ($1, 'seats', 1)")
        .bind(tenant.id)
        .execute(&env.admin_pool().await)
        .await
        .unwrap();
    let crew = builtin_role(&env, &tenant, "crew").await;
    env.as_tenant(&tenant)
        .join("one@example.com", std::slice::from_ref(&crew))
        .await;
    let invite = |email: &'static str| {
        let (env, tenant, crew) = (&env, &tenant, crew.clone());
        async move {
            env.call(
                Some(&tenant.api_key),
                "AdminService/InviteUser",
                json!({"email": email, "roleIds": [crew]}),
            )
            .await
        }
    };
    let second = invite("two@example.com").await;
    let second_id = second.ok()["invitation"]["id"].as_str().unwrap().to_owned();
    let third = invite("three@example.com").await;
    assert_eq!(third.code(), "resource_exhausted", "{}", third.body);
    assert!(third.body["message"].as_str().unwrap().contains("seats"));
    env.call(
        Some(&tenant.api_key),
        "AdminService/RevokeInvitation",
        json!({"id": second_id}),
    )
    .await
    .ok();
    invite("three@example.com").await.ok();
}

/// A freelancer in two tenants switches between them; a tenant that is not theirs is refused.
#[tokio::test]
async fn a_person_in_two_tenants_switches_between_them() {
    let env = TestEnv::start().await;
    let first = env.create_tenant("First Rentals").await;
    let second = env.create_tenant("Second Rentals").await;
    let stranger = env.create_tenant("Not Mine").await;
    let crew = builtin_role(&env, &first, "crew").await;
    let sam = env.as_tenant(&first).join("sam@example.com", &[crew]).await;
    let planner = builtin_role(&env, &second, "planner").await;
    env.call(
        Some(&second.api_key),
        "AdminService/InviteUser",
        json!({"email": "sam@example.com", "roleIds": [planner]}),
    )
    .await
    .ok();
    let token = people::emailed_token(&env, "invitation", "sam@example.com").await;
    // An existing account joins with its password.
    let wrong = env
        .call(
            None,
            "AuthService/AcceptInvitation",
            json!({"token": token, "password": "not my password"}),
        )
        .await;
    assert_eq!(wrong.code(), "unauthenticated");
    env.call(
        None,
        "AuthService/AcceptInvitation",
        json!({"token": token, "password": PASSWORD}),
    )
    .await
    .ok();

    let mine = env
        .call(
            Some(&sam.access_token),
            "AuthService/ListMyTenants",
            json!({}),
        )
        .await;
    let names: Vec<&str> = mine.ok()["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["First Rentals", "Second Rentals"]);
    let switched = env
        .call(
            None,
            "AuthService/RefreshSession",
            json!({"refreshToken": sam.refresh_token, "tenantId": second.id.to_string()}),
        )
        .await;
    let in_second = people::person(&sam.email, &switched.ok()["session"]);
    assert_eq!(switched.ok()["session"]["tenantId"], second.id.to_string());
    // A planner there: planning writes work in the second tenant only.
    env.call(
        Some(&in_second.access_token),
        "PlanningService/CreateProject",
        json!({"name": "Summer tour"}),
    )
    .await
    .ok();
    let not_mine = env
        .call(
            None,
            "AuthService/RefreshSession",
            json!({"refreshToken": in_second.refresh_token, "tenantId": stranger.id.to_string()}),
        )
        .await;
    assert_eq!(not_mine.code(), "not_found", "{}", not_mine.body);
    // The refused switch did not use the token up.
    env.call(
        None,
        "AuthService/RefreshSession",
        json!({"refreshToken": in_second.refresh_token}),
    )
    .await
    .ok();
}
