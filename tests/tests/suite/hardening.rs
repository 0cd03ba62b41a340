//! Hardening of the one-port app: strict security headers on every answer (RPC successes and
//! errors, health, metrics), HSTS only when configured, and a CORS allow-list that matches
//! origins exactly, admits credentials and Connect's headers for listed origins, and gives
//! every other origin no CORS headers at all.

use bytes::Bytes;
use eventkit_platform::config::Config;
use eventkit_tests::{TestEnv, connect};
use http_body_util::{BodyExt, Full};
use hyper_util::{client::legacy::Client, rt::TokioExecutor};
use serde_json::json;
use std::collections::HashMap;

const LIST: &str = "/eventkit.v1.InventoryService/ListProducts";
const ALLOWED: &str = "https://app.example.com";

async fn send(env: &TestEnv, method: http::Method, headers: &[(&str, &str)]) -> http::HeaderMap {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut request = http::Request::builder()
        .method(method.clone())
        .uri(format!("http://{}{LIST}", env.addr));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let body = if method == http::Method::POST {
        Bytes::from_static(b"{}")
    } else {
        Bytes::new()
    };
    let response = client
        .request(request.body(Full::new(body)).unwrap())
        .await
        .expect("HTTP call");
    let headers = response.headers().clone();
    let _ = response.into_body().collect().await;
    headers
}

async fn preflight(env: &TestEnv, origin: &str, request_headers: &str) -> http::HeaderMap {
    send(
        env,
        http::Method::OPTIONS,
        &[
            ("origin", origin),
            ("access-control-request-method", "POST"),
            ("access-control-request-headers", request_headers),
        ],
    )
    .await
}

fn no_cors_headers(headers: &http::HeaderMap, what: &str) {
    let cors: Vec<_> = headers
        .keys()
        .filter(|k| k.as_str().starts_with("access-control-"))
        .collect();
    assert!(cors.is_empty(), "{what}: {cors:?}");
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Headers").await;
    let ok = connect::send_raw(
        env.addr,
        LIST,
        "application/json",
        Some(&tenant.api_key),
        Bytes::from_static(b"{}"),
        &[],
    )
    .await;
    assert_eq!(ok.status, 200);
    let unauthenticated = connect::send_raw(
        env.addr,
        LIST,
        "application/json",
        None,
        Bytes::from_static(b"{}"),
        &[],
    )
    .await;
    assert_eq!(unauthenticated.status, 401);
    let bad = connect::send_raw(
        env.addr,
        LIST,
        "application/json",
        Some(&tenant.api_key),
        Bytes::from(json!({"page": {"pageSize": -1}}).to_string()),
        &[],
    )
    .await;
    let health = send(&env, http::Method::GET, &[]).await;
    for (what, headers) in [
        ("success", &ok.headers),
        ("unauthenticated", &unauthenticated.headers),
        ("bad input", &bad.headers),
        ("GET on an RPC", &health),
    ] {
        assert_eq!(headers["x-content-type-options"], "nosniff", "{what}");
        assert_eq!(headers["x-frame-options"], "DENY", "{what}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{what}");
        assert_eq!(
            headers["cross-origin-opener-policy"], "same-origin",
            "{what}"
        );
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
            "{what}: {csp}"
        );
        assert_eq!(headers["cache-control"], "no-store", "{what}");
        assert!(!headers.contains_key("server"), "{what}: no banner");
        assert!(
            !headers.contains_key("strict-transport-security"),
            "{what}: no HSTS over plain HTTP unless configured"
        );
    }
}

#[tokio::test]
async fn hsts_when_configured() {
    let env = TestEnv::start_with([("EVENTKIT_HSTS_MAX_AGE", "600")]).await;
    let headers = send(&env, http::Method::GET, &[]).await;
    assert_eq!(
        headers["strict-transport-security"],
        "max-age=600; includeSubDomains"
    );
    let behind_tls = Config::from_vars(&HashMap::from([(
        "EVENTKIT_PUBLIC_URL".into(),
        "https://eventkit.example.com".into(),
    )]))
    .unwrap();
    assert_eq!(
        behind_tls.hsts_max_age,
        Some(31_536_000),
        "a year by default"
    );
    let off = Config::from_vars(&HashMap::from([
        (
            "EVENTKIT_PUBLIC_URL".into(),
            "https://eventkit.example.com".into(),
        ),
        ("EVENTKIT_HSTS_MAX_AGE".into(), "0".into()),
    ]))
    .unwrap();
    assert_eq!(off.hsts_max_age, None);
}

#[tokio::test]
async fn cors_admits_listed_origins_exactly_with_credentials_and_connect_headers() {
    let env = TestEnv::start_with(HashMap::from([(
        "EVENTKIT_CORS_ORIGINS".to_owned(),
        format!("{ALLOWED}, http://localhost:5173"),
    )]))
    .await;
    let wanted = "content-type,authorization,connect-protocol-version,connect-timeout-ms,\
                  idempotency-key,x-csrf-token";
    let allowed = preflight(&env, ALLOWED, wanted).await;
    assert_eq!(allowed["access-control-allow-origin"], ALLOWED);
    assert_eq!(allowed["access-control-allow-credentials"], "true");
    let headers = allowed["access-control-allow-headers"].to_str().unwrap();
    for header in wanted.split(',') {
        assert!(headers.contains(header), "{header} not in {headers}");
    }
    let methods = allowed["access-control-allow-methods"].to_str().unwrap();
    assert!(methods.contains("POST"), "{methods}");
    let vary: Vec<_> = allowed
        .get_all("vary")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert!(vary.join(",").contains("origin"), "{vary:?}");
    assert_eq!(
        preflight(&env, "http://localhost:5173", "content-type").await["access-control-allow-origin"],
        "http://localhost:5173"
    );

    // The real request: the browser may read the retry and request-id headers.
    let post = send(
        &env,
        http::Method::POST,
        &[
            ("origin", ALLOWED),
            ("content-type", "application/json"),
            ("connect-protocol-version", "1"),
        ],
    )
    .await;
    assert_eq!(post["access-control-allow-origin"], ALLOWED);
    assert_eq!(post["access-control-allow-credentials"], "true");
    let exposed = post["access-control-expose-headers"].to_str().unwrap();
    for header in ["retry-after", "x-request-id", "grpc-status-details-bin"] {
        assert!(exposed.contains(header), "{header} not in {exposed}");
    }

    // Anything else, however close, gets no CORS headers at all.
    for origin in [
        "https://evil.example.com",
        "https://app.example.com.evil.com",
        "http://app.example.com",
        "https://app.example.com:8443",
        "null",
    ] {
        no_cors_headers(&preflight(&env, origin, wanted).await, origin);
        let post = send(
            &env,
            http::Method::POST,
            &[("origin", origin), ("content-type", "application/json")],
        )
        .await;
        no_cors_headers(&post, origin);
    }
}

#[tokio::test]
async fn cors_configuration_takes_exact_origins_only() {
    for bad in [
        "*",
        "https://*.example.com",
        "app.example.com",
        "https://a.com/",
    ] {
        let err = Config::from_vars(&HashMap::from([(
            "EVENTKIT_CORS_ORIGINS".into(),
            bad.to_owned(),
        )]))
        .unwrap_err();
        assert_eq!(err.var, "EVENTKIT_CORS_ORIGINS", "{bad}");
    }
    // No origins configured: browsers are refused.
    let env = TestEnv::start().await;
    no_cors_headers(
        &preflight(&env, ALLOWED, "content-type").await,
        "no allow-list",
    );
}
