//! Single sign-on against a real OpenID Connect provider (npm `oidc-provider`): a tenant's own
//! provider lets people with verified emails of its allowed and DNS-verified domains join on
//! first sign-in and refuses everyone else; the platform's provider signs in people with an
//! account; a wrong PKCE verifier is refused by the provider, and wrong nonces, expired and
//! tampered tokens and tokens of another issuer are refused by us; bad settings are refused
//! naming the field. (What a provider may not claim: `security_sso`.)

use eventkit_domain::webhooks::destination::Guard;
use eventkit_platform::outbound::GuardedClients;
use eventkit_tenant_api::auth::sso::{Sso, verify_id_token};
use eventkit_tests::{
    Tenant, TestEnv,
    dns::{TxtServer, prove_domain},
    oidc::{CLIENT_ID, CLIENT_SECRET, OidcProvider, SsoBrowser},
    people::builtin_role,
};
use serde_json::{Value, json};
use std::collections::HashMap;

const REDIRECT: &str = "http://127.0.0.1:8080/sso/callback";

fn vars(extra: &[(&str, &str)]) -> HashMap<String, String> {
    let mut vars: HashMap<String, String> = extra
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    vars.insert("EVENTKIT_WEBHOOK_ALLOWLIST".into(), "127.0.0.1".into());
    vars
}

/// The tenant's provider for `corp.example`, whose ownership the tenant proves through `dns`.
async fn configure(env: &TestEnv, tenant: &Tenant, provider: &OidcProvider, dns: &TxtServer) {
    env.call(
        Some(&tenant.api_key),
        "AdminService/UpdateSsoSettings",
        json!({"settings": {
            "issuerUrl": provider.issuer, "clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET,
            "allowedDomains": ["Corp.example"], "enabled": true,
        }}),
    )
    .await
    .ok();
    prove_domain(env, tenant, dns, "corp.example").await;
}

/// Start → the provider → back with a code → Finish, as `login_hint`, in a fresh browser.
async fn sso_sign_in(
    env: &TestEnv,
    tenant_id: &str,
    login_hint: &str,
) -> eventkit_tests::ConnectReply {
    SsoBrowser::new(env, REDIRECT)
        .sign_in(tenant_id, login_hint)
        .await
}

async fn users_named(env: &TestEnv, email: &str) -> i64 {
    sqlx::query_scalar("select count(*) from users where email = $1")
        .bind(email)
        .fetch_one(&env.admin_pool().await)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_tenants_provider_lets_allowed_domains_join_and_refuses_the_rest() {
    let provider = OidcProvider::start(REDIRECT, 600);
    let dns = TxtServer::start().await;
    let env = TestEnv::start_with(vars(&[("EVENTKIT_DNS_SERVERS", &dns.addr.to_string())])).await;
    let tenant = env.create_tenant("Rentals").await;
    configure(&env, &tenant, &provider, &dns).await;
    let shown = env
        .call(
            Some(&tenant.api_key),
            "AdminService/GetSsoSettings",
            json!({}),
        )
        .await;
    let settings = &shown.ok()["settings"];
    assert_eq!(
        settings.get("clientSecret"),
        None,
        "the secret is write-only"
    );
    assert_eq!(settings["allowedDomains"], json!(["corp.example"]));
    assert_eq!(settings["domains"][0]["verified"], true, "{settings}");
    assert_eq!(settings["redirectUri"], REDIRECT);

    // Eve already works for another tenant, with a password.
    let elsewhere = env.create_tenant("Elsewhere").await;
    let crew = builtin_role(&env, &elsewhere, "crew").await;
    env.as_tenant(&elsewhere)
        .join("eve@corp.example", &[crew])
        .await;

    let tid = tenant.id.to_string();
    let eve = sso_sign_in(&env, &tid, "eve@corp.example").await;
    let session: Value = eve.ok()["session"].clone();
    let token = session["accessToken"].as_str().unwrap();
    // The tenant's provider opens that tenant only: no switching to her other tenant.
    let switch = env
        .call(
            None,
            "AuthService/RefreshSession",
            json!({"refreshToken": session["refreshToken"], "tenantId": elsewhere.id.to_string()}),
        )
        .await;
    assert_eq!(switch.code(), "permission_denied", "{}", switch.body);
    let stay = env
        .call(
            None,
            "AuthService/RefreshSession",
            json!({"refreshToken": session["refreshToken"]}),
        )
        .await;
    assert_eq!(stay.ok()["session"]["tenantId"], tid);
    env.call(Some(token), "InventoryService/ListProducts", json!({}))
        .await
        .ok();
    let write = env
        .call(
            Some(token),
            "InventoryService/CreateProduct",
            json!({"name": "Lamp"}),
        )
        .await;
    assert_eq!(write.code(), "permission_denied", "joined as Read-only");
    // Signing in again finds the same person (linked by issuer and subject).
    let again = sso_sign_in(&env, &tid, "eve@corp.example").await;
    assert_eq!(again.ok()["session"]["userId"], session["userId"]);

    for (hint, email) in [
        ("unverified:mal@corp.example", "mal@corp.example"),
        ("bob@other.example", "bob@other.example"),
    ] {
        let refused = sso_sign_in(&env, &tid, hint).await;
        assert_eq!(
            refused.code(),
            "permission_denied",
            "{hint}: {}",
            refused.body
        );
        assert_eq!(
            users_named(&env, email).await,
            0,
            "nothing written for {email}"
        );
    }

    // A member from another domain cannot be taken over by the tenant's provider naming her.
    let reader = builtin_role(&env, &tenant, "read_only").await;
    env.as_tenant(&tenant)
        .join("ann@other.example", &[reader])
        .await;
    let takeover = sso_sign_in(&env, &tid, "ann@other.example").await;
    assert_eq!(takeover.code(), "permission_denied", "{}", takeover.body);

    // A state works once.
    let mut browser = SsoBrowser::new(&env, REDIRECT);
    let finish = browser.to_provider_and_back(&tid, "eve@corp.example").await;
    browser
        .call("AuthService/FinishSsoSignIn", finish.clone())
        .await
        .ok();
    let replay = browser.call("AuthService/FinishSsoSignIn", finish).await;
    assert_eq!(replay.violated_fields(), ["state"]);

    // A tenant without SSO, and a wrong PKCE verifier (the provider refuses the code).
    let other = env.create_tenant("No SSO").await;
    let none = env
        .call(
            None,
            "AuthService/StartSsoSignIn",
            json!({"tenantId": other.id.to_string()}),
        )
        .await;
    assert_eq!(none.code(), "not_found");
    let mut browser = SsoBrowser::new(&env, REDIRECT);
    let back = browser.to_provider_and_back(&tid, "eve@corp.example").await;
    sqlx::query("update sso_sign_ins set pkce_verifier = repeat('x', 64) where used_at is null")
        .execute(&env.admin_pool().await)
        .await
        .unwrap();
    let wrong = browser.call("AuthService/FinishSsoSignIn", back).await;
    assert_eq!(wrong.code(), "unauthenticated", "{}", wrong.body);
    assert!(
        wrong.body["message"]
            .as_str()
            .unwrap()
            .contains("refused the code")
    );
}

#[tokio::test]
async fn the_platform_provider_signs_in_people_with_an_account_only() {
    let provider = OidcProvider::start(REDIRECT, 600);
    let env = TestEnv::start_with(vars(&[
        ("EVENTKIT_OIDC_ISSUER", &provider.issuer),
        ("EVENTKIT_OIDC_CLIENT_ID", CLIENT_ID),
        ("EVENTKIT_OIDC_CLIENT_SECRET", CLIENT_SECRET),
    ]))
    .await;
    let tenant = env.create_tenant("Rentals").await;
    let crew = builtin_role(&env, &tenant, "crew").await;
    let ann = env
        .as_tenant(&tenant)
        .join("ann@example.com", &[crew])
        .await;
    let signed_in = sso_sign_in(&env, "", "ann@example.com").await;
    assert_eq!(signed_in.ok()["session"]["userId"], ann.user_id.as_str());
    let stranger = sso_sign_in(&env, "", "stranger@example.com").await;
    assert_eq!(stranger.code(), "permission_denied");
    assert_eq!(users_named(&env, "stranger@example.com").await, 0);
}

#[tokio::test]
async fn id_tokens_are_checked_for_nonce_expiry_tampering_and_issuer() {
    // Tokens of this provider live 5 s: `iat` is whole seconds, so a 1 s token could be
    // expired by the time it is first checked on a busy machine (seen in CI).
    let provider = OidcProvider::start(REDIRECT, 5);
    let stranger = OidcProvider::start(REDIRECT, 600);
    let sso = Sso::new(
        GuardedClients::new(
            Guard::parse("127.0.0.1").unwrap(),
            "test",
            std::time::Duration::from_secs(5),
        ),
        None,
        "http://127.0.0.1:8080",
    );
    let metadata = sso.discover(&provider.issuer).await.expect("discovery");
    let token = provider
        .id_token(REDIRECT, "eve@corp.example", "nonce-1")
        .await;
    let identity = verify_id_token(&metadata, CLIENT_ID, &token, "nonce-1").expect("valid token");
    assert_eq!(identity.email.as_deref(), Some("eve@corp.example"));
    assert!(identity.email_verified);
    assert!(
        verify_id_token(&metadata, CLIENT_ID, &token, "nonce-2").is_err(),
        "wrong nonce"
    );
    assert!(
        verify_id_token(&metadata, "someone-else", &token, "nonce-1").is_err(),
        "wrong audience"
    );
    // Tampered: the payload says another person, the signature no longer matches.
    let parts: Vec<&str> = token.split('.').collect();
    let forged = format!(
        "{}.{}x.{}",
        parts[0],
        parts[1].trim_end_matches('x'),
        parts[2]
    );
    assert!(
        verify_id_token(&metadata, CLIENT_ID, &forged, "nonce-1").is_err(),
        "tampered"
    );
    // Another issuer's token, however valid there.
    let foreign = stranger
        .id_token(REDIRECT, "eve@corp.example", "nonce-1")
        .await;
    assert!(
        verify_id_token(&metadata, CLIENT_ID, &foreign, "nonce-1").is_err(),
        "other issuer"
    );
    // Expired (this provider's tokens live five seconds).
    tokio::time::sleep(std::time::Duration::from_millis(6100)).await;
    let expired = verify_id_token(&metadata, CLIENT_ID, &token, "nonce-1").unwrap_err();
    assert!(expired.to_lowercase().contains("expire"), "{expired}");
}

#[tokio::test]
async fn bad_sso_settings_are_refused_naming_the_field_and_nothing_is_saved() {
    let env = TestEnv::start().await; // no allow-list: loopback issuers are refused
    let tenant = env.create_tenant("Rentals").await;
    let cases = [
        (
            json!({"issuerUrl": "ftp://idp.example", "clientId": "c", "clientSecret": "s"}),
            "settings.issuer_url",
        ),
        (
            json!({"issuerUrl": "http://127.0.0.1:9/realm", "clientId": "c", "clientSecret": "s"}),
            "settings.issuer_url",
        ),
        (
            json!({"issuerUrl": "https://idp.example", "clientId": "", "clientSecret": "s"}),
            "settings.client_id",
        ),
        (
            json!({"issuerUrl": "https://idp.example", "clientId": "c", "clientSecret": "s", "allowedDomains": ["not a domain"]}),
            "settings.allowed_domains[0]",
        ),
        (
            json!({"issuerUrl": "https://idp.example", "clientId": "c", "clientSecret": "s", "defaultRoleId": "x"}),
            "settings.default_role_id",
        ),
    ];
    for (settings, field) in cases {
        let reply = env
            .call(
                Some(&tenant.api_key),
                "AdminService/UpdateSsoSettings",
                json!({"settings": settings}),
            )
            .await;
        assert_eq!(
            reply.violated_fields(),
            [field],
            "{settings}: {}",
            reply.body
        );
    }
    let stored: i64 = sqlx::query_scalar("select count(*) from sso_settings")
        .fetch_one(&env.admin_pool().await)
        .await
        .unwrap();
    assert_eq!(stored, 0);
}
