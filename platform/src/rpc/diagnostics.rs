//! The diagnostics routes every role serves beside its RPCs, on the same port.
//!
//! Orchestrators and load balancers need `/health/live` and `/health/ready`, which say only
//! whether the process is up or ready, and anyone may call them. What goes beyond that is for
//! operators: a dependency's error text names internal hosts and versions, and the metrics
//! count every tenant's traffic. So `/health` tells anyone just up or down, and gives the
//! per-dependency detail and the version only with the operators' metrics token
//! (`EVENTKIT_METRICS_TOKEN`, as `Authorization: Bearer <token>`); `/metrics` needs the token
//! and is off when none is configured.

use crate::{auth::bearer, health::Health, secret::Secret, telemetry};
use axum::{
    Router,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use std::sync::Arc;

/// Who is asking, by the `Authorization` header.
#[derive(Debug, PartialEq, Eq)]
enum Caller {
    /// No credentials (or no token configured): anyone.
    Anyone,
    /// The configured metrics token.
    Operator,
    /// A credential that is not the configured token.
    WrongToken,
}

/// The metrics token, if one is configured.
struct Gate(Option<Secret<String>>);

impl Gate {
    fn caller(&self, headers: &HeaderMap) -> Caller {
        let (Some(token), Some(sent)) = (&self.0, headers.get(header::AUTHORIZATION)) else {
            return Caller::Anyone;
        };
        match bearer(sent) {
            Ok(sent) if *token == Secret::new(sent.to_owned()) => Caller::Operator,
            _ => Caller::WrongToken,
        }
    }

    /// The answer to a caller who may not see operator detail.
    fn refuse(&self) -> Response {
        if self.0.is_none() {
            return (
                StatusCode::NOT_FOUND,
                "metrics are off: set EVENTKIT_METRICS_TOKEN and send it as Authorization: Bearer <token>\n",
            )
                .into_response();
        }
        (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "send the metrics token (EVENTKIT_METRICS_TOKEN) as Authorization: Bearer <token>\n",
        )
            .into_response()
    }
}

struct Diagnostics {
    health: Health,
    gate: Gate,
}

/// `/health/live`, `/health/ready`, `/health` and `/metrics` over `health`'s checks; `token`
/// is the metrics token, if one is configured.
pub fn routes<S: Clone + Send + Sync + 'static>(
    health: Health,
    token: Option<Secret<String>>,
) -> Router<S> {
    let diagnostics = Arc::new(Diagnostics {
        health,
        gate: Gate(token),
    });
    Router::new()
        .route("/health/live", get(crate::health::live))
        .route("/health/ready", get(ready))
        .route("/health", get(health_route))
        .route("/metrics", get(metrics))
        .with_state(diagnostics)
}

async fn ready(State(d): State<Arc<Diagnostics>>) -> Response {
    crate::health::ready(State(d.health.clone()))
        .await
        .into_response()
}

/// Up or down for anyone (as `/health/ready`), the detail for the operators.
async fn health_route(State(d): State<Arc<Diagnostics>>, headers: HeaderMap) -> Response {
    match d.gate.caller(&headers) {
        Caller::Operator => crate::health::detail(&d.health).await.into_response(),
        Caller::Anyone => ready(State(d)).await,
        Caller::WrongToken => d.gate.refuse(),
    }
}

/// Prometheus text, for the operators only.
async fn metrics(State(d): State<Arc<Diagnostics>>, headers: HeaderMap) -> Response {
    match d.gate.caller(&headers) {
        Caller::Operator => (
            [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
            telemetry::metrics_handle().render(),
        )
            .into_response(),
        Caller::Anyone | Caller::WrongToken => d.gate.refuse(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(authorization: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(value) = authorization {
            headers.insert(header::AUTHORIZATION, value.parse().unwrap());
        }
        headers
    }

    #[test]
    fn only_the_configured_token_makes_an_operator() {
        let gate = Gate(Some(Secret::new("t0ken".to_owned())));
        assert_eq!(gate.caller(&with(None)), Caller::Anyone);
        assert_eq!(gate.caller(&with(Some("Bearer t0ken"))), Caller::Operator);
        assert_eq!(gate.caller(&with(Some("Bearer t0ke"))), Caller::WrongToken);
        assert_eq!(gate.caller(&with(Some("Basic t0ken"))), Caller::WrongToken);
        assert_eq!(gate.refuse().status(), StatusCode::UNAUTHORIZED);
        let off = Gate(None);
        assert_eq!(off.caller(&with(Some("Bearer t0ken"))), Caller::Anyone);
        assert_eq!(off.refuse().status(), StatusCode::NOT_FOUND);
    }
}
