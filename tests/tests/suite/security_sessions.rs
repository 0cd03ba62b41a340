//! Sessions and external tokens (security review 2026-12, L1 and L2): the `ek_refresh` cookie
//! refreshes or ends a session only with the CSRF echo, and a refresh through the cookie never
//! answers tokens a script could read; bearer JWTs of another issuer need the configured issuer
//! and audience (a key set alone does not start) and are refused before their `nbf`.

use bytes::Bytes;
use eventkit_tenant_api::config::TenantApiConfig;
use eventkit_tests::{
    TestEnv,
    connect::{RawReply, send_raw},
    jwts::{claims, jwt_env, now, sign, with_claim},
    people::{PASSWORD, builtin_role},
};
use serde_json::{Value, json};
use std::collections::HashMap;

/// The `name=value` pairs of a reply's `Set-Cookie` headers.
fn set_cookies(reply: &RawReply) -> HashMap<String, String> {
    reply
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next()?.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn body(reply: &RawReply) -> Value {
    serde_json::from_slice(&reply.raw_body).unwrap_or(Value::Null)
}

/// Calls an `AuthService` method with `{}` and the given headers.
async fn auth_call(env: &TestEnv, method: &str, headers: &[(&str, &str)]) -> RawReply {
    send_raw(
        env.addr,
        &format!("/eventkit.v1.AuthService/{method}"),
        "application/json",
        None,
        Bytes::from_static(b"{}"),
        headers,
    )
    .await
}

#[track_caller]
fn csrf_refused(reply: &RawReply, what: &str) {
    assert_eq!(
        (reply.status, body(reply)["code"].as_str()),
        (403, Some("permission_denied")),
        "{what}: {}",
        String::from_utf8_lossy(&reply.raw_body)
    );
    assert!(set_cookies(reply).is_empty(), "{what}: no new cookies");
}

#[tokio::test]
async fn the_refresh_cookie_needs_the_csrf_echo_and_never_answers_tokens() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Rentals").await;
    let crew = builtin_role(&env, &tenant, "crew").await;
    let ann = env
        .as_tenant(&tenant)
        .join("ann@example.com", &[crew])
        .await;
    let signed_in = send_raw(
        env.addr,
        "/eventkit.v1.AuthService/SignIn",
        "application/json",
        None,
        Bytes::from(json!({"email": ann.email, "password": PASSWORD}).to_string()),
        &[("eventkit-session", "cookie")],
    )
    .await;
    assert_eq!(signed_in.status, 200);
    let cookies = set_cookies(&signed_in);
    let (refresh, csrf) = (&cookies["ek_refresh"], &cookies["ek_csrf"]);

    // The review's demonstration: the refresh cookie alone, as a script or another page sends it.
    let bare = format!("ek_refresh={refresh}");
    csrf_refused(
        &auth_call(&env, "RefreshSession", &[("cookie", &bare)]).await,
        "refresh cookie without the echo",
    );
    let with_csrf = format!("ek_refresh={refresh}; ek_csrf={csrf}");
    csrf_refused(
        &auth_call(
            &env,
            "RefreshSession",
            &[("cookie", &with_csrf), ("x-csrf-token", "forged")],
        )
        .await,
        "a forged echo",
    );
    csrf_refused(
        &auth_call(&env, "SignOut", &[("cookie", &with_csrf)]).await,
        "sign-out without the echo",
    );

    // With the echo it works, even without the mode header, and the tokens stay in cookies.
    let refreshed = auth_call(
        &env,
        "RefreshSession",
        &[("cookie", &with_csrf), ("x-csrf-token", csrf)],
    )
    .await;
    assert_eq!(refreshed.status, 200, "{:?}", body(&refreshed));
    let session = &body(&refreshed)["session"];
    assert_eq!(session["userId"], ann.user_id.as_str());
    for token in ["accessToken", "refreshToken"] {
        assert_eq!(session.get(token), None, "{token} stays out of the body");
    }
    let renewed = set_cookies(&refreshed);
    let new_refresh = &renewed["ek_refresh"];
    assert!(!new_refresh.is_empty() && new_refresh != refresh, "rotated");
    let new_csrf = &renewed["ek_csrf"];

    let cookie = format!("ek_refresh={new_refresh}; ek_csrf={new_csrf}");
    let headers = [("cookie", cookie.as_str()), ("x-csrf-token", new_csrf)];
    let signed_out = auth_call(&env, "SignOut", &headers).await;
    assert_eq!(signed_out.status, 200);
    assert_eq!(
        set_cookies(&signed_out)["ek_refresh"],
        "",
        "cookies cleared"
    );
    let after = auth_call(&env, "RefreshSession", &headers).await;
    assert_eq!(body(&after)["code"], "unauthenticated", "the sign-in ended");

    // Clients that hold their tokens still send them in the body and get them back there.
    let bearer = env
        .call(
            None,
            "AuthService/RefreshSession",
            json!({"refreshToken": ann.refresh_token}),
        )
        .await;
    assert!(
        !bearer.ok()["session"]["refreshToken"]
            .as_str()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_jwt_key_set_without_issuer_and_audience_does_not_start() {
    let vars = |names: &[&str]| -> HashMap<String, String> {
        jwt_env()
            .into_iter()
            .filter(|(k, _)| names.contains(&k.as_str()))
            .collect()
    };
    let refused = TenantApiConfig::from_vars(&vars(&["EVENTKIT_JWT_JWKS"])).unwrap_err();
    assert_eq!(refused.var, "EVENTKIT_JWT_ISSUER", "{refused}");
    let refused = TenantApiConfig::from_vars(&vars(&["EVENTKIT_JWT_JWKS", "EVENTKIT_JWT_ISSUER"]))
        .unwrap_err();
    assert_eq!(refused.var, "EVENTKIT_JWT_AUDIENCE", "{refused}");
    assert!(
        refused.to_string().contains("EVENTKIT_JWT_JWKS"),
        "{refused}"
    );
}

#[tokio::test]
async fn external_jwts_need_their_issuer_audience_and_time() {
    let env = TestEnv::start_with(jwt_env()).await;
    let tenant = env.create_tenant("Rentals").await;
    let without = |name: &str| {
        let mut c = claims(tenant.id);
        c.as_object_mut().unwrap().remove(name);
        c
    };
    let list = |token: String| {
        let env = &env;
        async move {
            env.call(Some(&token), "InventoryService/ListProducts", json!({}))
                .await
        }
    };
    let refused = [
        (
            "another app's audience",
            with_claim(tenant.id, "aud", json!("some-other-app")),
        ),
        (
            "another issuer",
            with_claim(tenant.id, "iss", json!("anyone")),
        ),
        ("no audience", without("aud")),
        ("no issuer", without("iss")),
        (
            "not valid yet",
            with_claim(tenant.id, "nbf", json!(now() + 600)),
        ),
    ];
    for (what, claims) in refused {
        let reply = list(sign(&claims)).await;
        assert_eq!(
            (reply.status, reply.code()),
            (401, "unauthenticated"),
            "{what}: {}",
            reply.body
        );
    }
    list(sign(&claims(tenant.id))).await.ok();
    list(sign(&with_claim(tenant.id, "nbf", json!(now() - 10))))
        .await
        .ok();
}
