//! The CORS allow-list: browsers on the configured origins (exact `scheme://host[:port]`
//! matches, no wildcards) may call the API with credentials (the SPA's session cookie) and the
//! headers Connect, gRPC-Web and our API use; every other origin gets no CORS headers at all,
//! so the browser blocks it ([`strip_unlisted`] removes what `tower-http` would still send,
//! such as the allowed methods). Origins are checked when the configuration is read.

use crate::config::Config;
use axum::{extract::Request, extract::State, middleware::Next, response::Response};
use http::{HeaderName, HeaderValue, Method, header};
use std::{sync::Arc, time::Duration};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// Request headers a browser may send cross-origin.
pub const ALLOWED_HEADERS: &[&str] = &[
    "content-type",
    "authorization",
    "connect-protocol-version",
    "connect-timeout-ms",
    "grpc-timeout",
    "x-grpc-web",
    "x-user-agent",
    "idempotency-key",
    "x-csrf-token",
];

/// Response headers a browser's script may read.
pub const EXPOSED_HEADERS: &[&str] = &[
    "grpc-status",
    "grpc-message",
    "grpc-status-details-bin",
    "x-request-id",
    "retry-after",
    "ratelimit-remaining",
    "ratelimit-reset",
];

/// Parses `EVENTKIT_CORS_ORIGINS` (comma-separated): each entry must be an origin exactly as a
/// browser sends it, `http(s)://host[:port]`, with no path, wildcard or `null`. Normalised to
/// lower case.
pub fn parse_origins(raw: &str) -> Result<Vec<String>, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|origin| {
            let lower = origin.to_ascii_lowercase();
            let host = lower
                .strip_prefix("https://")
                .or_else(|| lower.strip_prefix("http://"))
                .ok_or_else(|| format!("{origin:?}: an origin starts with https:// or http://"))?;
            let valid = !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c))
                && HeaderValue::from_str(&lower).is_ok();
            if !valid {
                return Err(format!(
                    "{origin:?}: an origin is scheme://host[:port] exactly, without path, wildcard or trailing slash"
                ));
            }
            Ok(lower)
        })
        .collect()
}

/// The CORS layer for `config.cors_origins`.
pub fn layer(config: &Config) -> CorsLayer {
    let origins: Vec<HeaderValue> = config
        .cors_origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    let names = |list: &[&'static str]| {
        list.iter()
            .map(|n| HeaderName::from_static(n))
            .collect::<Vec<_>>()
    };
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_credentials(true)
        .allow_methods([Method::POST, Method::GET])
        .allow_headers(names(ALLOWED_HEADERS))
        .expose_headers(names(EXPOSED_HEADERS))
        .max_age(Duration::from_secs(3600))
}

/// The configured origins, for [`strip_unlisted`].
#[derive(Clone, Debug)]
pub struct AllowList(Arc<Vec<String>>);

impl AllowList {
    pub fn new(config: &Config) -> Self {
        Self(Arc::new(config.cors_origins.clone()))
    }

    fn allows(&self, origin: Option<&HeaderValue>) -> bool {
        origin
            .and_then(|o| o.to_str().ok())
            .is_some_and(|o| self.0.iter().any(|allowed| allowed == o))
    }
}

/// Axum middleware (outside the CORS layer): answers to a request whose `Origin` is not on the
/// list carry no `Access-Control-*` header at all.
pub async fn strip_unlisted(
    State(list): State<AllowList>,
    request: Request,
    next: Next,
) -> Response {
    let allowed = list.allows(request.headers().get(header::ORIGIN));
    let mut response = next.run(request).await;
    if !allowed {
        let cors: Vec<HeaderName> = response
            .headers()
            .keys()
            .filter(|k| k.as_str().starts_with("access-control-"))
            .cloned()
            .collect();
        for name in cors {
            response.headers_mut().remove(name);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_exact() {
        assert_eq!(
            parse_origins(" https://App.Example.com , http://localhost:5173").unwrap(),
            ["https://app.example.com", "http://localhost:5173"]
        );
        assert_eq!(parse_origins("").unwrap(), Vec::<String>::new());
        for bad in [
            "*",
            "null",
            "app.example.com",
            "https://*.example.com",
            "https://app.example.com/",
            "https://app.example.com/path",
            "ftp://app.example.com",
            "https://",
        ] {
            assert!(parse_origins(bad).is_err(), "{bad} accepted");
        }
    }
}
