//! The request-path gate (DESIGN.md, "The request path", step 3): after authentication and the
//! tenant-state gate, before authorization. A refusal is `resource_exhausted` with a
//! `google.rpc.RetryInfo` detail (gRPC `grpc-status-details-bin`, Connect `details`) and a
//! `Retry-After` header; admitted answers carry `RateLimit-Remaining` and `RateLimit-Reset`.

use super::{Decision, RateLimiter};
use crate::auth::Principal;
use axum::{body::Body, extract::Request, extract::State, middleware::Next, response::Response};
use http::{HeaderName, HeaderValue};
use tonic::Code;
use tonic_types::{ErrorDetails, StatusExt};

pub const RETRY_AFTER: HeaderName = http::header::RETRY_AFTER;
pub const RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");
pub const RATELIMIT_RESET: HeaderName = HeaderName::from_static("ratelimit-reset");

/// Axum middleware: requests without a principal (public paths) pass untouched.
pub async fn enforce(State(limiter): State<RateLimiter>, request: Request, next: Next) -> Response {
    let Some(principal) = request.extensions().get::<Principal>() else {
        return next.run(request).await;
    };
    match limiter.check(principal).await {
        Decision::Admitted { remaining, reset } => {
            let mut response = next.run(request).await;
            if let Some(remaining) = remaining {
                let headers = response.headers_mut();
                headers.insert(RATELIMIT_REMAINING, HeaderValue::from(remaining));
                let reset = reset.as_micros().div_ceil(1_000_000) as u64;
                headers.insert(RATELIMIT_RESET, HeaderValue::from(reset));
            }
            response
        }
        Decision::Refused(retry) => {
            let status = tonic::Status::with_error_details(
                Code::ResourceExhausted,
                format!("rate limit exceeded: {retry}"),
                ErrorDetails::with_retry_info(Some(retry.0)),
            );
            let mut response = status.into_http::<Body>();
            let headers = response.headers_mut();
            headers.insert(RETRY_AFTER, HeaderValue::from(retry.header_seconds()));
            headers.insert(RATELIMIT_REMAINING, HeaderValue::from(0u64));
            headers.insert(RATELIMIT_RESET, HeaderValue::from(retry.header_seconds()));
            response
        }
    }
}
