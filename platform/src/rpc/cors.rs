//! The CORS allow-list: browsers on the configured origins (exact `scheme://host[:port]`
//! matches, no wildcards) may call the API with credentials (the SPA's session cookie) and the
//! headers Connect, gRPC-Web and our API use; every other origin gets no CORS headers at all,
//! so the browser blocks it. Origins are checked when the configuration is read
//! ([`crate::config`] parses them).
//!
//! The edge middleware (`server.rs`) applies it: answers preflights and adds the headers. Before,
//! tower-http's `CorsLayer` did, under a second layer that removed what it still sent to
//! unlisted origins (the allowed methods and headers); both were cloned per request (ADR 0014).

use crate::config::Config;
use axum::{body::Body, extract::Request, response::Response};
use http::{HeaderValue, Method, header};

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

/// The allow-list and the header values its answers carry, built once from the configuration.
#[derive(Debug)]
pub struct Cors {
    origins: Vec<HeaderValue>,
    allow_headers: HeaderValue,
    allow_methods: HeaderValue,
    expose_headers: HeaderValue,
    max_age: HeaderValue,
}

impl Cors {
    pub fn new(config: &Config) -> Self {
        let join = |list: &[&str]| HeaderValue::from_str(&list.join(",")).expect("ASCII names");
        Self {
            origins: config
                .cors_origins
                .iter()
                .filter_map(|o| HeaderValue::from_str(o).ok())
                .collect(),
            allow_headers: join(ALLOWED_HEADERS),
            allow_methods: HeaderValue::from_static("POST,GET"),
            expose_headers: join(EXPOSED_HEADERS),
            max_age: HeaderValue::from_static("3600"),
        }
    }

    /// The request's `Origin` when it is on the list (browsers send it exactly as listed).
    pub fn listed_origin(&self, request: &Request) -> Option<HeaderValue> {
        let origin = request.headers().get(header::ORIGIN)?;
        self.origins.iter().find(|o| *o == origin).cloned()
    }

    /// A browser's preflight: `OPTIONS` asking for a method. We answer it ourselves, for every
    /// path and origin, with the CORS headers only when the origin is listed.
    pub fn is_preflight(request: &Request) -> bool {
        request.method() == Method::OPTIONS
            && request
                .headers()
                .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
    }

    /// The answer to a preflight ([`Self::is_preflight`]) before [`Self::add_headers`].
    pub fn preflight_answer() -> Response {
        Response::new(Body::empty())
    }

    /// The CORS headers of an answer: for a listed origin, the origin with credentials and, on a
    /// preflight, the methods, request headers and cache time allowed, else the response headers
    /// a script may read; for any other origin none. With a list configured, answers depend on
    /// `Origin`, so caches are told to vary by it.
    pub fn add_headers(
        &self,
        response: &mut Response,
        origin: Option<HeaderValue>,
        preflight: bool,
    ) {
        if self.origins.is_empty() {
            return;
        }
        let headers = response.headers_mut();
        headers.append(header::VARY, HeaderValue::from_static("origin"));
        if preflight {
            headers.append(
                header::VARY,
                HeaderValue::from_static("access-control-request-method"),
            );
            headers.append(
                header::VARY,
                HeaderValue::from_static("access-control-request-headers"),
            );
        }
        let Some(origin) = origin else {
            return;
        };
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
        if preflight {
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                self.allow_methods.clone(),
            );
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                self.allow_headers.clone(),
            );
            headers.insert(header::ACCESS_CONTROL_MAX_AGE, self.max_age.clone());
        } else {
            headers.insert(
                header::ACCESS_CONTROL_EXPOSE_HEADERS,
                self.expose_headers.clone(),
            );
        }
    }
}
