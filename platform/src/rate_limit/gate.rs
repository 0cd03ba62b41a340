//! The request-path gate (DESIGN.md, "The request path", step 3; called by the tenant API's
//! guard): after authentication and the tenant-state gate, before authorization. A refusal is
//! `resource_exhausted` with a `google.rpc.RetryInfo` detail (gRPC `grpc-status-details-bin`,
//! Connect `details`) and a `Retry-After` header; admitted answers carry `RateLimit-Remaining`
//! and `RateLimit-Reset`.

use super::{Decision, RateLimiter};
use crate::auth::Principal;
use axum::{body::Body, response::Response};
use http::{HeaderName, HeaderValue};
use tonic::Code;
use tonic_types::{ErrorDetails, StatusExt};

pub const RETRY_AFTER: HeaderName = http::header::RETRY_AFTER;
pub const RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");
pub const RATELIMIT_RESET: HeaderName = HeaderName::from_static("ratelimit-reset");

/// What an admitted request's answer tells the client about its budget: requests left and
/// seconds until the budget is full again (`None`: no limit applies, or Redis was not asked).
#[derive(Debug, Clone, Copy, Default)]
pub struct Budget(Option<(u64, u64)>);

impl Budget {
    /// Adds `RateLimit-Remaining` and `RateLimit-Reset` to an answer.
    pub fn annotate(self, response: &mut Response) {
        if let Some((remaining, reset)) = self.0 {
            let headers = response.headers_mut();
            headers.insert(RATELIMIT_REMAINING, HeaderValue::from(remaining));
            headers.insert(RATELIMIT_RESET, HeaderValue::from(reset));
        }
    }
}

/// Step 3 of the request path: charges the request to its principal's and tenant's budgets.
/// Requests without a principal (public paths) pass uncharged. A refusal is the answer to send.
pub async fn admit(
    limiter: &RateLimiter,
    principal: Option<&Principal>,
) -> Result<Budget, Response> {
    let Some(principal) = principal else {
        return Ok(Budget::default());
    };
    match limiter.check(principal).await {
        Decision::Admitted { remaining, reset } => {
            Ok(Budget(remaining.map(|remaining| {
                (remaining, reset.as_micros().div_ceil(1_000_000) as u64)
            })))
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
            Err(response)
        }
    }
}
