//! Signing in: lockout with back-off (also for unknown emails, so it tells nothing), password
//! reset by a single-use emailed link that ends every session, TOTP with replay protection and
//! single-use recovery codes, and cookie sessions that need the CSRF echo.

use bytes::Bytes;
use eventkit_platform::identity::totp;
use eventkit_tests::{
    TestEnv,
    connect::send_raw,
    people::{PASSWORD, builtin_role, emailed_token},
};
use serde_json::json;

async fn sign_in(env: &TestEnv, body: serde_json::Value) -> eventkit_tests::ConnectReply {
    env.call(None, "AuthService/SignIn", body).await
}

#[tokio::test]
async fn repeated_failures_lock_the_account_and_a_reset_unlocks_it() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Rentals").await;
    let crew = builtin_role(&env, &tenant, "crew").await;
    let ann = env
        .as_tenant(&tenant)
        .join("ann@example.com", &[crew])
        .await;

    for email in ["ann@example.com", "ghost@example.com"] {
        for _ in 0..5 {
            let r = sign_in(&env, json!({"email": email, "password": "wrong password!"})).await;
            assert_eq!(r.code(), "unauthenticated", "{}", r.body);
        }
        // Locked now, even with the right password; an unknown email looks the same.
        let locked = sign_in(&env, json!({"email": email, "password": PASSWORD})).await;
        assert_eq!(
            locked.code(),
            "resource_exhausted",
            "{email}: {}",
            locked.body
        );
    }
    assert_eq!(
        sign_in(&env, json!({"email": "bad", "password": "x"}))
            .await
            .violated_fields(),
        ["email"]
    );

    // Reset: the same answer for unknown addresses, an email only for the real one.
    env.call(
        None,
        "AuthService/RequestPasswordReset",
        json!({"email": "ghost@example.com"}),
    )
    .await
    .ok();
    env.call(
        None,
        "AuthService/RequestPasswordReset",
        json!({"email": "ann@example.com"}),
    )
    .await
    .ok();
    let token = emailed_token(&env, "password_reset", "ann@example.com").await;
    let weak = env
        .call(
            None,
            "AuthService/ResetPassword",
            json!({"token": token, "newPassword": "short"}),
        )
        .await;
    assert_eq!(weak.violated_fields(), ["new_password"]);
    let new_password = "a much better passphrase";
    env.call(
        None,
        "AuthService/ResetPassword",
        json!({"token": token, "newPassword": new_password}),
    )
    .await
    .ok();
    let again = env
        .call(
            None,
            "AuthService/ResetPassword",
            json!({"token": token, "newPassword": new_password}),
        )
        .await;
    assert_eq!(again.violated_fields(), ["token"], "single use");
    // Every earlier session ended; the new password works and the lock is gone.
    let old = env
        .call(
            None,
            "AuthService/RefreshSession",
            json!({"refreshToken": ann.refresh_token}),
        )
        .await;
    assert_eq!(old.code(), "unauthenticated");
    sign_in(
        &env,
        json!({"email": "ann@example.com", "password": new_password}),
    )
    .await
    .ok();
}

#[tokio::test]
async fn totp_codes_work_once_and_recovery_codes_replace_them() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Rentals").await;
    let crew = builtin_role(&env, &tenant, "crew").await;
    let ann = env
        .as_tenant(&tenant)
        .join("ann@example.com", &[crew])
        .await;
    let token = Some(ann.access_token.as_str());

    let started = env
        .call(token, "AuthService/StartTotpEnrollment", json!({}))
        .await;
    let body = started.ok();
    assert!(
        body["otpauthUri"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/")
    );
    let secret = data_encoding::BASE32_NOPAD
        .decode(body["secret"].as_str().unwrap().as_bytes())
        .unwrap();
    let now = || totp::step_of(chrono::Utc::now().timestamp());
    let wrong = env
        .call(
            token,
            "AuthService/ConfirmTotpEnrollment",
            json!({"code": "000000x"}),
        )
        .await;
    assert_eq!(wrong.violated_fields(), ["code"]);
    let confirmed = env
        .call(
            token,
            "AuthService/ConfirmTotpEnrollment",
            json!({"code": totp::code_at_step(&secret, now())}),
        )
        .await;
    let codes: Vec<String> =
        serde_json::from_value(confirmed.ok()["recoveryCodes"].clone()).unwrap();
    assert_eq!(codes.len(), 10);

    let password_only = sign_in(&env, json!({"email": ann.email, "password": PASSWORD})).await;
    assert_eq!(password_only.code(), "unauthenticated");
    assert!(
        password_only.body["message"]
            .as_str()
            .unwrap()
            .contains("second factor")
    );
    // The confirming code's step is used up: the same code is refused (replay).
    let replay = sign_in(
        &env,
        json!({"email": ann.email, "password": PASSWORD, "totpCode": totp::code_at_step(&secret, now())}),
    )
    .await;
    assert_eq!(replay.code(), "unauthenticated", "{}", replay.body);
    // The next step's code (accepted one step ahead) works once.
    let next = totp::code_at_step(&secret, now() + 1);
    sign_in(
        &env,
        json!({"email": ann.email, "password": PASSWORD, "totpCode": next}),
    )
    .await
    .ok();
    let twice = sign_in(
        &env,
        json!({"email": ann.email, "password": PASSWORD, "totpCode": next}),
    )
    .await;
    assert_eq!(twice.code(), "unauthenticated");
    // A recovery code (any case, without dashes) works once.
    let recovery = codes[0].to_uppercase().replace('-', "");
    sign_in(
        &env,
        json!({"email": ann.email, "password": PASSWORD, "recoveryCode": recovery}),
    )
    .await
    .ok();
    let reused = sign_in(
        &env,
        json!({"email": ann.email, "password": PASSWORD, "recoveryCode": codes[0]}),
    )
    .await;
    assert_eq!(reused.code(), "unauthenticated");

    // Disabling needs the password and the second factor.
    let no = env
        .call(
            token,
            "AuthService/DisableTotp",
            json!({"password": "not it at all", "recoveryCode": codes[1]}),
        )
        .await;
    assert_eq!(no.violated_fields(), ["password"]);
    let password_only = env
        .call(
            token,
            "AuthService/DisableTotp",
            json!({"password": PASSWORD}),
        )
        .await;
    assert_eq!(password_only.violated_fields(), ["totp_code"]);
    env.call(
        token,
        "AuthService/DisableTotp",
        json!({"password": PASSWORD, "recoveryCode": codes[1]}),
    )
    .await
    .ok();
    sign_in(&env, json!({"email": ann.email, "password": PASSWORD}))
        .await
        .ok();
    // API keys are not people.
    let key = env
        .call(
            Some(&tenant.api_key),
            "AuthService/StartTotpEnrollment",
            json!({}),
        )
        .await;
    assert_eq!(key.code(), "permission_denied");
}

#[tokio::test]
async fn cookie_sessions_need_the_csrf_echo() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Rentals").await;
    let crew = builtin_role(&env, &tenant, "crew").await;
    let ann = env
        .as_tenant(&tenant)
        .join("ann@example.com", &[crew])
        .await;
    let body = json!({"email": ann.email, "password": PASSWORD}).to_string();
    let reply = send_raw(
        env.addr,
        "/eventkit.v1.AuthService/SignIn",
        "application/json",
        None,
        Bytes::from(body),
        &[("eventkit-session", "cookie")],
    )
    .await;
    assert_eq!(reply.status, 200);
    let answer: serde_json::Value = serde_json::from_slice(&reply.raw_body).unwrap();
    assert_eq!(
        answer["session"].get("accessToken"),
        None,
        "tokens stay out of the body"
    );
    let cookies: Vec<String> = reply
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect();
    assert_eq!(cookies.len(), 3, "{cookies:?}");
    let csrf = cookies
        .iter()
        .find_map(|c| c.strip_prefix("ek_csrf="))
        .unwrap()
        .to_owned();
    let cookie_header = cookies.join("; ");
    let call = |headers: Vec<(&'static str, String)>| {
        let env = &env;
        async move {
            let headers: Vec<(&str, &str)> =
                headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            send_raw(
                env.addr,
                "/eventkit.v1.PlanningService/ListEvents",
                "application/json",
                None,
                Bytes::from_static(b"{}"),
                &headers,
            )
            .await
            .status
        }
    };
    assert_eq!(
        call(vec![("cookie", cookie_header.clone())]).await,
        403,
        "no CSRF echo"
    );
    assert_eq!(
        call(vec![
            ("cookie", cookie_header.clone()),
            ("x-csrf-token", "forged".into())
        ])
        .await,
        403
    );
    assert_eq!(
        call(vec![
            ("cookie", cookie_header.clone()),
            ("x-csrf-token", csrf)
        ])
        .await,
        200
    );
}
