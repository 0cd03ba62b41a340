//! The security review's M3, M4 and L12 attacks (issue 16), run through the real API: the
//! unauthenticated paths are throttled (password-reset and sign-up emails per address and per
//! client, single sign-on starts, made-up API keys and operator tokens), one client behind the
//! TLS proxy cannot lock out the others while forwarded addresses from anyone else are ignored,
//! every password check counts towards the lockout, and the global identity tables are swept.
//!
//! Clients are told apart the way a deployment behind a proxy does: the test process is the
//! proxy (`EVENTKIT_TRUSTED_PROXIES=127.0.0.1/32`) and each client is an `X-Forwarded-For`
//! address.

use bytes::Bytes;
use eventkit_platform::db::Db;
use eventkit_tests::{
    ConnectReply, TestEnv,
    connect::send_raw,
    people::{PASSWORD, builtin_role, emailed_token},
};
use serde_json::{Value, json};
use std::{collections::HashMap, net::SocketAddr, time::Duration};
use uuid::Uuid;

/// A tenant API (and control plane, when started) behind a proxy at 127.0.0.1.
async fn behind_proxy() -> TestEnv {
    TestEnv::start_with([("EVENTKIT_TRUSTED_PROXIES", "127.0.0.1/32")]).await
}

/// Calls `/<package.Service>/<Method>` over Connect JSON as the client `from` (forwarded).
async fn call_from(
    addr: SocketAddr,
    from: &str,
    bearer: Option<&str>,
    path: &str,
    body: Value,
) -> ConnectReply {
    send_raw(
        addr,
        path,
        "application/json",
        bearer,
        Bytes::from(body.to_string()),
        &[("x-forwarded-for", from)],
    )
    .await
    .into_reply()
}

async fn auth(env: &TestEnv, from: &str, method: &str, body: Value) -> ConnectReply {
    call_from(
        env.addr,
        from,
        None,
        &format!("/eventkit.v1.AuthService/{method}"),
        body,
    )
    .await
}

/// A throttle's refusal: HTTP 429, `resource_exhausted` with a `RetryInfo` detail and
/// `Retry-After`, and a message that says which limit.
#[track_caller]
fn assert_throttled(reply: &ConnectReply, says: &str) {
    assert_eq!(reply.status, 429, "{}", reply.body);
    assert_eq!(reply.code(), "resource_exhausted");
    assert!(
        reply.headers.contains_key("retry-after"),
        "{:?}",
        reply.headers
    );
    let retry_info = reply.body["details"]
        .as_array()
        .is_some_and(|d| d.iter().any(|d| d["type"] == "google.rpc.RetryInfo"));
    assert!(retry_info, "no RetryInfo in {}", reply.body);
    let message = reply.body["message"].as_str().unwrap_or_default();
    assert!(message.contains(says), "{message:?} should say {says:?}");
}

#[tokio::test]
async fn password_reset_mails_are_throttled_per_address_and_per_client() {
    let env = behind_proxy().await;
    let tenant = env.create_tenant("Rentals").await;
    let crew = builtin_role(&env, &tenant, "crew").await;
    let ann = env
        .as_tenant(&tenant)
        .join("ann@example.com", &[crew])
        .await;

    // The review's mail bomb: one address asked for again and again, from ever new clients.
    let mut answers = Vec::new();
    for i in 0..8 {
        let from = format!("203.0.113.{}", 10 + i);
        answers.push(
            auth(
                &env,
                &from,
                "RequestPasswordReset",
                json!({"email": "ann@example.com"}),
            )
            .await,
        );
    }
    let sent = answers.iter().filter(|a| a.status == 200).count();
    assert_eq!(sent, 3, "three at once, then one per 30 minutes");
    for refused in &answers[3..] {
        assert_throttled(refused, "emails were asked for this address");
    }
    let tokens: i64 = sqlx::query_scalar(
        "select count(*) from user_tokens where user_id = $1::uuid and purpose = 'password_reset'",
    )
    .bind(&ann.user_id)
    .fetch_one(&env.admin_pool().await)
    .await
    .unwrap();
    assert!((1..=3).contains(&tokens), "{tokens} reset links made");

    // An address without an account answers exactly alike: the throttle is no oracle.
    let mut ghost = Vec::new();
    for i in 0..4 {
        let from = format!("198.51.100.{}", 10 + i);
        ghost.push(
            auth(
                &env,
                &from,
                "RequestPasswordReset",
                json!({"email": "ghost@example.com"}),
            )
            .await,
        );
    }
    let codes = |a: &[ConnectReply]| a.iter().map(|r| r.code().to_owned()).collect::<Vec<_>>();
    assert_eq!(codes(&ghost), codes(&answers[..4]));
    let reason = |r: &ConnectReply| {
        let message = r.body["message"].as_str().unwrap_or_default().to_owned();
        message
            .split(": try again")
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(reason(&ghost[3]), reason(&answers[3]));

    // One client spraying many addresses: ten, then refused for all of them.
    for i in 0..10 {
        let reply = auth(
            &env,
            "192.0.2.77",
            "RequestPasswordReset",
            json!({"email": format!("someone{i}@example.com")}),
        )
        .await;
        reply.ok();
    }
    let refused = auth(
        &env,
        "192.0.2.77",
        "RequestPasswordReset",
        json!({"email": "someone-else@example.com"}),
    )
    .await;
    assert_throttled(&refused, "password-reset requests from your address");
    // Bad input is still bad input, and another client is not affected.
    let bad = auth(
        &env,
        "192.0.2.78",
        "RequestPasswordReset",
        json!({"email": "x"}),
    )
    .await;
    assert_eq!(bad.violated_fields(), ["email"]);
}

#[tokio::test]
async fn sign_ups_are_throttled_per_address_and_per_client() {
    let env = behind_proxy().await;
    let cp = env.control_plane().await;
    let sign_up = |from: String, company: String, email: String| {
        let addr = cp.addr;
        async move {
            call_from(
                addr,
                &from,
                None,
                "/controlplane.v1.SignupService/SignUp",
                json!({"companyName": company, "adminEmail": email}),
            )
            .await
        }
    };
    let mut answers = Vec::new();
    for i in 0..5 {
        answers.push(
            sign_up(
                format!("203.0.113.{}", 20 + i),
                format!("Victim {i}"),
                "vic@victim.test".into(),
            )
            .await,
        );
    }
    assert!(answers[..3].iter().all(|a| a.status == 200));
    assert_throttled(&answers[3], "sign-ups were made for this address");
    assert_throttled(&answers[4], "sign-ups were made for this address");
    let admin = env.admin_pool().await;
    let tenants: i64 =
        sqlx::query_scalar("select count(*) from tenants where admin_email = 'vic@victim.test'")
            .fetch_one(&admin)
            .await
            .unwrap();
    assert_eq!(
        tenants, 3,
        "no registry row or verification mail past the limit"
    );

    for i in 0..10 {
        sign_up(
            "192.0.2.90".into(),
            format!("Spray {i}"),
            format!("s{i}@spray.test"),
        )
        .await
        .ok();
    }
    let refused = sign_up(
        "192.0.2.90".into(),
        "Spray 10".into(),
        "s10@spray.test".into(),
    )
    .await;
    assert_throttled(&refused, "sign-ups from your address");

    // Guessing verification tokens counts like any unknown credential.
    for _ in 0..30 {
        let wrong = call_from(
            cp.addr,
            "192.0.2.91",
            None,
            "/controlplane.v1.SignupService/VerifySignupEmail",
            json!({"token": format!("ekv_{}", Uuid::now_v7().simple())}),
        )
        .await;
        assert_eq!(wrong.code(), "not_found", "{}", wrong.body);
    }
    let refused = call_from(
        cp.addr,
        "192.0.2.91",
        None,
        "/controlplane.v1.SignupService/VerifySignupEmail",
        json!({"token": "ekv_whatever"}),
    )
    .await;
    assert_throttled(&refused, "invalid credentials from your address");
    let _ = cp.stop.send(());
}

#[tokio::test]
async fn single_sign_on_starts_are_throttled_per_client() {
    // No identity provider is configured: every start is refused after the throttle, which is
    // the first thing a start meets (before discovery and the `sso_sign_ins` row).
    let env = behind_proxy().await;
    for _ in 0..30 {
        let reply = auth(&env, "203.0.113.40", "StartSsoSignIn", json!({})).await;
        assert_ne!(reply.code(), "resource_exhausted", "{}", reply.body);
    }
    let refused = auth(&env, "203.0.113.40", "StartSsoSignIn", json!({})).await;
    assert_throttled(&refused, "single sign-on starts from your address");
    let other = auth(&env, "203.0.113.41", "StartSsoSignIn", json!({})).await;
    assert_ne!(other.code(), "resource_exhausted", "per client");
}

/// Transactions of the env's database so far, once the server's connections reported them
/// (an idle backend reports its counts within 10 s).
async fn transactions(env: &TestEnv) -> i64 {
    tokio::time::sleep(Duration::from_secs(11)).await;
    sqlx::query_scalar(
        "select (xact_commit + xact_rollback)::bigint from pg_stat_database where datname = $1",
    )
    .bind(&env.database)
    .fetch_one(&env.admin_pool().await)
    .await
    .unwrap()
}

#[tokio::test]
async fn made_up_api_keys_are_refused_without_a_transaction_each() {
    let env = behind_proxy().await;
    let tenant = env.create_tenant("Keys").await;
    let list = "/eventkit.v1.InventoryService/ListProducts";
    let bogus = || {
        let random: String = Uuid::now_v7().simple().to_string() + "ABCDEFGH";
        format!("ek_{}_{random}", tenant.id.uuid().simple())
    };
    let before = transactions(&env).await;

    // The review's flood: well-formed keys of a real tenant, all different, from one client.
    let mut codes = HashMap::<String, usize>::new();
    for _ in 0..300 {
        let reply = call_from(env.addr, "203.0.113.50", Some(&bogus()), list, json!({})).await;
        if reply.status == 429 {
            assert_throttled(&reply, "invalid credentials from your address");
        }
        *codes.entry(reply.code().to_owned()).or_default() += 1;
    }
    let unauthenticated = codes.get("unauthenticated").copied().unwrap_or_default();
    assert!(
        (30..60).contains(&unauthenticated),
        "30 looked up, then about one a second: {codes:?}"
    );
    // One bad key repeated is answered from the cache of unknown keys: never throttled.
    let repeated = bogus();
    for _ in 0..100 {
        let reply = call_from(env.addr, "203.0.113.51", Some(&repeated), list, json!({})).await;
        assert_eq!(reply.code(), "unauthenticated", "{}", reply.body);
    }
    // Everyone else goes on working.
    call_from(
        env.addr,
        "203.0.113.52",
        Some(&tenant.api_key),
        list,
        json!({}),
    )
    .await
    .ok();

    let spent = transactions(&env).await - before;
    assert!(spent < 150, "{spent} transactions for 400 made-up keys");
}

#[tokio::test]
async fn one_client_behind_the_proxy_cannot_lock_out_another() {
    let env = behind_proxy().await;
    let tenant = env.create_tenant("Office").await;
    let crew = builtin_role(&env, &tenant, "crew").await;
    env.as_tenant(&tenant)
        .join("ann@example.com", &[crew])
        .await;

    // The review's demo: 21 bad sign-ins for made-up accounts, here all from one client.
    let mut last = Vec::new();
    for i in 0..21 {
        last.push(
            auth(
                &env,
                "203.0.113.60",
                "SignIn",
                json!({"email": format!("x{i}@nobody.test"), "password": "wrong wrong wrong"}),
            )
            .await,
        );
    }

    // Another person behind the same proxy signs in at once, and the log has their address.
    let signed_in = auth(
        &env,
        "203.0.113.61",
        "SignIn",
        json!({"email": "ann@example.com", "password": PASSWORD}),
    )
    .await;
    signed_in.ok();
    // The client that failed is slowed down, not locked: it may try again in a minute.
    assert_throttled(&last[20], "failed sign-ins from your address");
    let retry: u64 = last[20].headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    let log = env
        .call(
            Some(&tenant.api_key),
            "AdminService/ListSecurityEvents",
            json!({}),
        )
        .await;
    let addresses: Vec<&str> = log.ok()["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "sign_in.succeeded")
        .filter_map(|e| e["address"].as_str())
        .collect();
    assert_eq!(addresses, ["203.0.113.61"]);
}

#[tokio::test]
async fn forwarded_addresses_from_an_untrusted_peer_are_ignored() {
    // No trusted proxies: a client naming a new address in every request is still one client.
    let env = TestEnv::start().await;
    for i in 0..20 {
        let reply = auth(
            &env,
            &format!("203.0.113.{i}"),
            "SignIn",
            json!({"email": format!("x{i}@nobody.test"), "password": "wrong wrong wrong"}),
        )
        .await;
        assert_eq!(reply.code(), "unauthenticated", "{}", reply.body);
    }
    let refused = auth(
        &env,
        "203.0.113.99",
        "SignIn",
        json!({"email": "x99@nobody.test", "password": "wrong wrong wrong"}),
    )
    .await;
    assert_throttled(&refused, "failed sign-ins from your address");
}

#[tokio::test]
async fn wrong_passwords_on_disable_totp_and_accept_invitation_count_towards_the_lockout() {
    let env = behind_proxy().await;
    let tenant = env.create_tenant("Rentals").await;
    let crew = builtin_role(&env, &tenant, "crew").await;
    let ann = env
        .as_tenant(&tenant)
        .join("ann@example.com", std::slice::from_ref(&crew))
        .await;

    // A stolen session guessing the password through DisableTotp.
    for i in 0..5 {
        let reply = call_from(
            env.addr,
            &format!("203.0.113.{}", 70 + i),
            Some(&ann.access_token),
            "/eventkit.v1.AuthService/DisableTotp",
            json!({"password": format!("guess number {i}")}),
        )
        .await;
        assert_eq!(reply.violated_fields(), ["password"], "{}", reply.body);
    }
    let locked = auth(
        &env,
        "203.0.113.79",
        "SignIn",
        json!({"email": "ann@example.com", "password": PASSWORD}),
    )
    .await;
    assert_throttled(&locked, "too many failed sign-ins");
    let guess = call_from(
        env.addr,
        "203.0.113.79",
        Some(&ann.access_token),
        "/eventkit.v1.AuthService/DisableTotp",
        json!({"password": PASSWORD}),
    )
    .await;
    assert_throttled(&guess, "too many failed sign-ins");

    // An invitation to an existing account, used to guess its password.
    env.as_tenant(&tenant)
        .join("bob@example.com", &[crew])
        .await;
    let other = env.create_tenant("Other").await;
    let other_crew = builtin_role(&env, &other, "crew").await;
    env.call(
        Some(&other.api_key),
        "AdminService/InviteUser",
        json!({"email": "bob@example.com", "roleIds": [other_crew]}),
    )
    .await
    .ok();
    let token = emailed_token(&env, "invitation", "bob@example.com").await;
    for i in 0..5 {
        let reply = auth(
            &env,
            &format!("198.51.100.{}", 70 + i),
            "AcceptInvitation",
            json!({"token": token, "password": format!("guess number {i}")}),
        )
        .await;
        assert_eq!(reply.code(), "unauthenticated", "{}", reply.body);
    }
    let locked = auth(
        &env,
        "198.51.100.79",
        "SignIn",
        json!({"email": "bob@example.com", "password": PASSWORD}),
    )
    .await;
    assert_throttled(&locked, "too many failed sign-ins");
}

#[tokio::test]
async fn the_identity_sweep_removes_only_rows_that_decide_nothing_any_more() {
    let env = TestEnv::start().await;
    let admin = env.admin_pool().await;
    let user = Uuid::now_v7();
    sqlx::query("insert into users (id, email) values ($1, 'swept@example.com')")
        .bind(user)
        .execute(&admin)
        .await
        .unwrap();
    let of_user = |sql: &'static str| {
        let admin = admin.clone();
        async move { sqlx::query(sql).bind(user).execute(&admin).await.unwrap() }
    };
    sqlx::raw_sql(
        "insert into sso_sign_ins (state_hash, issuer_url, pkce_verifier, nonce, expires_at, browser_hash) values \
         ('\\x01', 'https://idp', 'v', 'n', now() - interval '8 days', '\\x0a'), \
         ('\\x02', 'https://idp', 'v', 'n', now() - interval '1 day', '\\x0b'); \
         insert into sign_in_failures (key, failures, last_failed_at) values \
         ('email:old@example.com', 3, now() - interval '2 days'), \
         ('address:127.0.0.1', 20, now() - interval '3 days'), \
         ('email:recent@example.com', 4, now() - interval '1 hour')",
    )
    .execute(&admin)
    .await
    .unwrap();
    of_user(
        "insert into user_tokens (id, user_id, purpose, token_hash, expires_at) values \
         (gen_random_uuid(), $1, 'password_reset', '\\x01', now() - interval '8 days'), \
         (gen_random_uuid(), $1, 'password_reset', '\\x02', now() + interval '1 hour')",
    )
    .await;
    of_user(
        "insert into sso_link_requests (token_hash, browser_hash, sso_tenant, issuer_url, issuer, subject, user_id, expires_at) values \
         ('\\x01', '\\x0a', gen_random_uuid(), 'https://idp', 'https://idp', 's', $1, now() - interval '8 days'), \
         ('\\x02', '\\x0b', gen_random_uuid(), 'https://idp', 'https://idp', 's', $1, now() - interval '1 hour')",
    )
    .await;
    // Family A ended long ago; family B has an old token and a live one.
    of_user(
        "insert into refresh_tokens (id, family_id, user_id, token_hash, expires_at, used_at, account_access) values \
         (gen_random_uuid(), '00000000-0000-0000-0000-00000000000a', $1, '\\x01', now() - interval '40 days', now() - interval '60 days', true), \
         (gen_random_uuid(), '00000000-0000-0000-0000-00000000000a', $1, '\\x02', now() - interval '8 days', null, true), \
         (gen_random_uuid(), '00000000-0000-0000-0000-00000000000b', $1, '\\x03', now() - interval '20 days', now() - interval '50 days', true), \
         (gen_random_uuid(), '00000000-0000-0000-0000-00000000000b', $1, '\\x04', now() + interval '20 days', null, true)",
    )
    .await;

    // As the workers run it: the app role.
    let db = Db::connect_lazy(env.config.database.app.expose(), 2).unwrap();
    let swept = eventkit_workers::identity_sweep::sweep_identity_tables(&db)
        .await
        .unwrap();
    assert_eq!(
        swept,
        [
            ("sso_sign_ins", 1),
            ("sso_link_requests", 1),
            ("user_tokens", 1),
            ("refresh_tokens", 2),
            ("sign_in_failures", 2),
        ]
    );
    let mut left: Vec<String> = sqlx::query_scalar(
        "select 'sso:' || encode(state_hash, 'hex') from sso_sign_ins \
         union all select 'link:' || encode(token_hash, 'hex') from sso_link_requests \
         union all select 'token:' || encode(token_hash, 'hex') from user_tokens \
         union all select 'refresh:' || encode(token_hash, 'hex') from refresh_tokens \
         union all select 'failures:' || key from sign_in_failures",
    )
    .fetch_all(&admin)
    .await
    .unwrap();
    left.sort();
    assert_eq!(
        left,
        [
            "failures:email:recent@example.com",
            "link:02",
            "refresh:03",
            "refresh:04",
            "sso:02",
            "token:02"
        ]
    );
}
