//! The tenant gate in front of every tenant service (DESIGN.md, "The request path", steps 2–4),
//! for all three protocols since Connect calls reach the same gRPC router: authenticate and
//! check the tenant's state, rate limits, the daily API-call cap, the RPC's permission, then
//! `Idempotency-Key` around the handler.
//!
//! One middleware calling each step in order, not one layer per step: an axum `from_fn` layer
//! clones the whole service stack beneath it (with every state in it) and boxes a future on
//! each request, so five stacked layers cost more than the steps themselves (bench/RESULTS.md).
//! The parts sit behind one `Arc`, so a request clones a pointer.

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};
use eventkit_platform::{
    ApiError,
    auth::{Authenticator, Principal},
    metering::ApiCallMeter,
    rate_limit::{self, RateLimiter},
    rpc::idempotency::{self, Idempotency},
};
use std::sync::Arc;

/// What the gate checks with.
pub struct GuardParts {
    pub auth: Authenticator,
    pub rate_limiter: RateLimiter,
    pub meter: ApiCallMeter,
    pub idempotency: Idempotency,
}

/// Axum middleware: the steps in order; the first refusal is the answer.
pub async fn guard(
    State(parts): State<Arc<GuardParts>>,
    mut request: Request,
    next: Next,
) -> Response {
    let admitted = async {
        parts.auth.attach_principal(&mut request).await?;
        let principal = request.extensions().get::<Principal>();
        let budget = rate_limit::admit(&parts.rate_limiter, principal).await?;
        parts.meter.count_call(principal).await?;
        crate::permissions::check(&request).map_err(ApiError::into_http_response)?;
        Ok::<_, Response>(budget)
    }
    .await;
    match admitted {
        Ok(budget) => {
            let mut response = idempotency::run(&parts.idempotency, request, next).await;
            budget.annotate(&mut response);
            response
        }
        Err(refusal) => refusal,
    }
}
