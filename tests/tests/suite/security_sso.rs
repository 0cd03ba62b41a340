//! What a tenant's own identity provider may not claim (security review 2026-12, H1 and L3),
//! run as the review runs the attack: through the API, against a real OpenID Connect provider
//! the attacking tenant controls (npm `oidc-provider` signs in whoever `login_hint` names), with
//! the real DNS resolver asking a name server of the test's. A tenant's provider naming the
//! email of someone else's account gets no membership, no linked identity and no session; the
//! person links it only by proving the account; a domain the tenant proved in DNS still joins
//! people just in time; every new link is emailed to the account; a tenant-provider session
//! without proof stays away from account-wide RPCs; and a sign-in finishes only in the browser
//! that started it.

use eventkit_platform::identity::totp;
use eventkit_tests::{
    Tenant, TestEnv,
    dns::{TxtServer, prove_domain},
    oidc::{CLIENT_ID, CLIENT_SECRET, OidcProvider, SsoBrowser},
    people::{PASSWORD, builtin_role},
};
use serde_json::{Value, json};
use std::collections::HashMap;
use uuid::Uuid;

const REDIRECT: &str = "http://127.0.0.1:8080/sso/callback";

/// A tenant API that may reach the local provider, resolving TXT records through `dns`.
async fn env_with(dns: &TxtServer) -> TestEnv {
    TestEnv::start_with(HashMap::from([
        (
            "EVENTKIT_WEBHOOK_ALLOWLIST".to_owned(),
            "127.0.0.1".to_owned(),
        ),
        ("EVENTKIT_DNS_SERVERS".to_owned(), dns.addr.to_string()),
    ]))
    .await
}

/// `tenant`'s admins point its SSO at their provider, allowing `domain` (not proven).
async fn configure(env: &TestEnv, tenant: &Tenant, provider: &OidcProvider, domain: &str) {
    env.call(
        Some(&tenant.api_key),
        "AdminService/UpdateSsoSettings",
        json!({"settings": {
            "issuerUrl": provider.issuer, "clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET,
            "allowedDomains": [domain], "enabled": true,
        }}),
    )
    .await
    .ok();
}

async fn count(env: &TestEnv, sql: &str, user: &str) -> i64 {
    sqlx::query_scalar(sql)
        .bind(Uuid::parse_str(user).unwrap())
        .fetch_one(&env.admin_pool().await)
        .await
        .unwrap()
}

async fn memberships_in(env: &TestEnv, tenant: &Tenant, user: &str) -> i64 {
    sqlx::query_scalar("select count(*) from memberships where tenant_id = $1 and user_id = $2")
        .bind(tenant.id)
        .bind(Uuid::parse_str(user).unwrap())
        .fetch_one(&env.admin_pool().await)
        .await
        .unwrap()
}

async fn identities_of(env: &TestEnv, user: &str) -> Vec<String> {
    sqlx::query_scalar("select proof from user_identities where user_id = $1")
        .bind(Uuid::parse_str(user).unwrap())
        .fetch_all(&env.admin_pool().await)
        .await
        .unwrap()
}

async fn sessions_of(env: &TestEnv, user: &str) -> i64 {
    count(
        env,
        "select count(*) from refresh_tokens where user_id = $1",
        user,
    )
    .await
}

/// The `sso_identity_linked` emails asked for in `tenant`'s outbox, newest first.
async fn link_emails(env: &TestEnv, tenant: &Tenant, to: &str) -> Vec<Value> {
    sqlx::query_scalar(
        "select payload from outbox where tenant_id = $1 and event_type = 'email.requested' \
         and payload->>'message' = 'sso_identity_linked' and payload->'to'->>0 = $2 \
         order by id desc",
    )
    .bind(tenant.id)
    .bind(to)
    .fetch_all(&env.admin_pool().await)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_tenants_provider_cannot_claim_an_account_of_another_tenant() {
    let provider = OidcProvider::start(REDIRECT, 600);
    let dns = TxtServer::start().await;
    let env = env_with(&dns).await;
    let attacker = env.create_tenant("Attacker Rentals").await;
    let victims = env.create_tenant("Victim Rentals").await;
    let admin = builtin_role(&env, &victims, "admin").await;
    let ann = env
        .as_tenant(&victims)
        .join("ann@victim.test", &[admin])
        .await;
    let sessions_before = sessions_of(&env, &ann.user_id).await;

    // The review's H1: A lists the victim's domain and signs in as her through its own provider.
    configure(&env, &attacker, &provider, "victim.test").await;
    let mut browser = SsoBrowser::new(&env, REDIRECT);
    let claimed = browser
        .sign_in(&attacker.id.to_string(), "ann@victim.test")
        .await;
    let answer = claimed.ok();
    assert!(answer.get("session").is_none(), "no session: {answer}");
    assert_eq!(answer["linkRequired"]["email"], "ann@victim.test");
    assert_eq!(memberships_in(&env, &attacker, &ann.user_id).await, 0);
    assert!(identities_of(&env, &ann.user_id).await.is_empty());
    assert_eq!(sessions_of(&env, &ann.user_id).await, sessions_before);

    // The link needs ann's password: the attacker does not have it, and failures count.
    let token = answer["linkRequired"]["linkToken"].clone();
    let guessed = browser
        .call(
            "AuthService/LinkSsoIdentity",
            json!({"linkToken": token, "password": "hunter2 hunter2"}),
        )
        .await;
    assert_eq!(guessed.code(), "unauthenticated", "{}", guessed.body);
    assert_eq!(
        browser
            .call("AuthService/LinkSsoIdentity", json!({"linkToken": token}))
            .await
            .violated_fields(),
        ["password"]
    );

    // A's DNS cannot show a record for a domain it does not own: the domain stays unproven.
    let started = env
        .call(
            Some(&attacker.api_key),
            "AdminService/StartSsoDomainVerification",
            json!({"domain": "victim.test"}),
        )
        .await;
    let record = started.ok()["domain"].clone();
    assert!(record.get("verified").is_none(), "not verified: {record}");
    assert_eq!(record["txtRecordName"], "_eventkit-challenge.victim.test");
    let verify = env
        .call(
            Some(&attacker.api_key),
            "AdminService/VerifySsoDomain",
            json!({"domain": "victim.test"}),
        )
        .await;
    assert_eq!(verify.code(), "failed_precondition", "{}", verify.body);
    // Another tenant's proof proves nothing for A: B publishes its own record for the domain.
    configure(&env, &victims, &provider, "victim.test").await;
    prove_domain(&env, &victims, &dns, "victim.test").await;
    let verify = env
        .call(
            Some(&attacker.api_key),
            "AdminService/VerifySsoDomain",
            json!({"domain": "victim.test"}),
        )
        .await;
    assert_eq!(verify.code(), "failed_precondition", "{}", verify.body);
    let again = SsoBrowser::new(&env, REDIRECT)
        .sign_in(&attacker.id.to_string(), "ann@victim.test")
        .await;
    assert!(again.ok()["linkRequired"].is_object(), "{}", again.body);
    assert_eq!(memberships_in(&env, &attacker, &ann.user_id).await, 0);
    assert!(identities_of(&env, &ann.user_id).await.is_empty());
    assert_eq!(sessions_of(&env, &ann.user_id).await, sessions_before);

    // Nobody else joins A through the unproven domain either.
    let stranger = SsoBrowser::new(&env, REDIRECT)
        .sign_in(&attacker.id.to_string(), "new@victim.test")
        .await;
    assert_eq!(stranger.code(), "permission_denied", "{}", stranger.body);
    let made: i64 =
        sqlx::query_scalar("select count(*) from users where email = 'new@victim.test'")
            .fetch_one(&env.admin_pool().await)
            .await
            .unwrap();
    assert_eq!(made, 0);
}

#[tokio::test]
async fn the_person_links_a_tenants_provider_with_their_password_and_second_factor() {
    let provider = OidcProvider::start(REDIRECT, 600);
    let dns = TxtServer::start().await;
    let env = env_with(&dns).await;
    let work = env.create_tenant("Work Rentals").await;
    let home = env.create_tenant("Home Rentals").await;
    let crew = builtin_role(&env, &home, "crew").await;
    let ann = env.as_tenant(&home).join("ann@corp.example", &[crew]).await;
    // Ann has a second factor.
    let token = Some(ann.access_token.as_str());
    let started = env
        .call(token, "AuthService/StartTotpEnrollment", json!({}))
        .await;
    let secret = data_encoding::BASE32_NOPAD
        .decode(started.ok()["secret"].as_str().unwrap().as_bytes())
        .unwrap();
    let step = totp::step_of(chrono::Utc::now().timestamp());
    env.call(
        token,
        "AuthService/ConfirmTotpEnrollment",
        json!({"code": totp::code_at_step(&secret, step)}),
    )
    .await
    .ok();
    configure(&env, &work, &provider, "corp.example").await;

    let mut browser = SsoBrowser::new(&env, REDIRECT);
    let finished = browser
        .sign_in(&work.id.to_string(), "ann@corp.example")
        .await;
    let link = finished.ok()["linkRequired"]["linkToken"].clone();
    // From another browser the token is worth nothing, even with the password.
    let elsewhere = SsoBrowser::new(&env, REDIRECT)
        .call(
            "AuthService/LinkSsoIdentity",
            json!({"linkToken": link, "password": PASSWORD}),
        )
        .await;
    assert_eq!(elsewhere.code(), "permission_denied", "{}", elsewhere.body);
    let no_code = browser
        .call(
            "AuthService/LinkSsoIdentity",
            json!({"linkToken": link, "password": PASSWORD}),
        )
        .await;
    assert_eq!(no_code.code(), "unauthenticated", "{}", no_code.body);
    assert!(identities_of(&env, &ann.user_id).await.is_empty());
    let linked = browser
        .call(
            "AuthService/LinkSsoIdentity",
            json!({"linkToken": link, "password": PASSWORD,
                   "totpCode": totp::code_at_step(&secret, step + 1)}),
        )
        .await;
    let session = linked.ok()["session"].clone();
    assert_eq!(session["userId"], ann.user_id.as_str());
    assert_eq!(session["tenantId"], work.id.to_string());
    assert_eq!(memberships_in(&env, &work, &ann.user_id).await, 1);
    assert_eq!(identities_of(&env, &ann.user_id).await, ["password"]);
    let mails = link_emails(&env, &work, "ann@corp.example").await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0]["vars"]["proof"], "password");
    // The token is used up.
    let replay = browser
        .call(
            "AuthService/LinkSsoIdentity",
            json!({"linkToken": link, "password": PASSWORD,
                   "totpCode": totp::code_at_step(&secret, step + 2)}),
        )
        .await;
    assert_eq!(replay.violated_fields(), ["link_token"]);

    // Linked by proof, the provider's session may manage her account; it still stays in Work.
    let access = session["accessToken"].as_str().unwrap();
    let tenants = env
        .call(Some(access), "AuthService/ListMyTenants", json!({}))
        .await;
    assert_eq!(tenants.ok()["tenants"].as_array().unwrap().len(), 2);
    // The next sign-in through the provider is direct, with no new link and no new email.
    let direct = SsoBrowser::new(&env, REDIRECT)
        .sign_in(&work.id.to_string(), "ann@corp.example")
        .await;
    assert_eq!(direct.ok()["session"]["userId"], ann.user_id.as_str());
    assert_eq!(link_emails(&env, &work, "ann@corp.example").await.len(), 1);
}

#[tokio::test]
async fn a_verified_domain_still_joins_just_in_time_and_the_owner_is_told() {
    let provider = OidcProvider::start(REDIRECT, 600);
    let dns = TxtServer::start().await;
    let env = env_with(&dns).await;
    let corp = env.create_tenant("Corp Rentals").await;
    let other = env.create_tenant("Other Rentals").await;
    let crew = builtin_role(&env, &other, "crew").await;
    let eve = env
        .as_tenant(&other)
        .join("eve@corp.example", &[crew])
        .await;
    configure(&env, &corp, &provider, "corp.example").await;
    let proven = prove_domain(&env, &corp, &dns, "corp.example").await;
    assert_eq!(proven["txtRecordName"], "_eventkit-challenge.corp.example");
    let shown = env
        .call(
            Some(&corp.api_key),
            "AdminService/GetSsoSettings",
            json!({}),
        )
        .await;
    assert_eq!(shown.ok()["settings"]["domains"], json!([proven]));

    // An existing account of the proven domain joins, and its owner gets an email about it.
    let joined = SsoBrowser::new(&env, REDIRECT)
        .sign_in(&corp.id.to_string(), "eve@corp.example")
        .await;
    let session = joined.ok()["session"].clone();
    assert_eq!(session["userId"], eve.user_id.as_str());
    assert_eq!(memberships_in(&env, &corp, &eve.user_id).await, 1);
    assert_eq!(identities_of(&env, &eve.user_id).await, ["verified_domain"]);
    let mails = link_emails(&env, &corp, "eve@corp.example").await;
    assert_eq!(mails.len(), 1, "one email per new link");
    let vars = mails[0]["vars"].as_object().unwrap();
    let mut keys: Vec<&str> = vars.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        ["issuer", "linkedAt", "proof"],
        "nothing secret in it"
    );
    assert_eq!(vars["proof"], "verified_domain");
    assert_eq!(vars["issuer"], provider.issuer.as_str());

    // The domain's proof is the tenant's, not eve's: her account stays out of reach.
    let access = session["accessToken"].as_str().unwrap();
    for (method, body) in [
        ("AuthService/ListMyTenants", json!({})),
        ("AuthService/StartTotpEnrollment", json!({})),
        (
            "AuthService/ConfirmTotpEnrollment",
            json!({"code": "123456"}),
        ),
        ("AuthService/DisableTotp", json!({"password": PASSWORD})),
    ] {
        let refused = env.call(Some(access), method, body).await;
        assert_eq!(
            refused.code(),
            "permission_denied",
            "{method}: {}",
            refused.body
        );
        assert!(
            refused.body["message"]
                .as_str()
                .unwrap()
                .contains("identity provider"),
            "{}",
            refused.body
        );
    }
    // Nor after a refresh: the family keeps what it may reach.
    let refreshed = env
        .call(
            None,
            "AuthService/RefreshSession",
            json!({"refreshToken": session["refreshToken"]}),
        )
        .await;
    let access = refreshed.ok()["session"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let refused = env
        .call(Some(&access), "AuthService/ListMyTenants", json!({}))
        .await;
    assert_eq!(refused.code(), "permission_denied", "{}", refused.body);
    // Her own password sign-in still manages her account.
    assert_eq!(
        env.call(
            Some(&eve.access_token),
            "AuthService/ListMyTenants",
            json!({})
        )
        .await
        .ok()["tenants"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // Someone new from the proven domain gets an account just in time.
    let newbie = SsoBrowser::new(&env, REDIRECT)
        .sign_in(&corp.id.to_string(), "newbie@corp.example")
        .await;
    let newbie_id = newbie.ok()["session"]["userId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(memberships_in(&env, &corp, &newbie_id).await, 1);
    assert_eq!(
        link_emails(&env, &corp, "newbie@corp.example").await.len(),
        1
    );

    // Taken off the allowed list, the domain loses its proof.
    configure(&env, &corp, &provider, "elsewhere.example").await;
    configure(&env, &corp, &provider, "corp.example").await;
    let shown = env
        .call(
            Some(&corp.api_key),
            "AdminService/GetSsoSettings",
            json!({}),
        )
        .await;
    assert_eq!(
        shown.ok()["settings"]["domains"],
        json!([{"domain": "corp.example"}])
    );
}

#[tokio::test]
async fn a_sign_in_finishes_only_in_the_browser_that_started_it() {
    let provider = OidcProvider::start(REDIRECT, 600);
    let dns = TxtServer::start().await;
    let env = env_with(&dns).await;
    let tenant = env.create_tenant("Rentals").await;
    configure(&env, &tenant, &provider, "corp.example").await;
    prove_domain(&env, &tenant, &dns, "corp.example").await;
    let tid = tenant.id.to_string();

    // The review's L3: the attacker runs the provider's side in their own browser …
    let mut attacker = SsoBrowser::new(&env, REDIRECT);
    let callback = attacker
        .to_provider_and_back(&tid, "mallory@corp.example")
        .await;
    // … and has the victim's browser finish it: without the cookie, or with its own.
    let bare = env
        .call(None, "AuthService/FinishSsoSignIn", callback.clone())
        .await;
    assert_eq!(bare.code(), "permission_denied", "{}", bare.body);
    assert!(bare.body["message"].as_str().unwrap().contains("browser"));
    let mut victim = SsoBrowser::new(&env, REDIRECT);
    victim
        .to_provider_and_back(&tid, "victim@corp.example")
        .await;
    let crossed = victim
        .call("AuthService/FinishSsoSignIn", callback.clone())
        .await;
    assert_eq!(crossed.code(), "permission_denied", "{}", crossed.body);
    let made: i64 =
        sqlx::query_scalar("select count(*) from users where email = 'mallory@corp.example'")
            .fetch_one(&env.admin_pool().await)
            .await
            .unwrap();
    assert_eq!(made, 0, "no session, no account");

    // The browser that started it finishes it (the refusals did not use the state up).
    let own = attacker.call("AuthService/FinishSsoSignIn", callback).await;
    assert!(own.ok()["session"]["accessToken"].is_string());

    // The cookie: HttpOnly, sent back after the provider's cross-site redirect (Lax), only to
    // the AuthService.
    let started = env
        .call(None, "AuthService/StartSsoSignIn", json!({"tenantId": tid}))
        .await;
    let cookie = started.headers["set-cookie"].to_str().unwrap().to_owned();
    for part in [
        "ek_sso=",
        "HttpOnly",
        "SameSite=Lax",
        "Path=/eventkit.v1.AuthService/",
        "Max-Age=600",
    ] {
        assert!(cookie.contains(part), "{cookie}");
    }
}
