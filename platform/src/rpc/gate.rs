//! The one gate in front of every RPC of a port (DESIGN.md, "The request path", steps 2–4), for
//! the tenant API and the control plane alike and for all three protocols, since Connect calls
//! reach the same gRPC router. It looks up the RPC's [`Rule`] (declared in the proto,
//! [`super::rules`]) and, in order: establishes the caller the rule admits (a tenant credential,
//! a signed-in person, an operator token, or anyone), charges the rate limits and the daily
//! API-call cap, checks the rule's permission, then runs the call, under `Idempotency-Key`
//! where the rule makes it a keyed write. A path that is not one of the port's RPCs is refused
//! before it reaches a service (fail closed).
//!
//! One middleware calling each step in order, not one layer per step: an axum `from_fn` layer
//! clones the whole service stack beneath it and boxes a future on each request, so stacked
//! layers cost more than the steps themselves (bench/history/get-asset.md). The gate sits behind one
//! `Arc`, so a request clones a pointer.

use super::{
    client_address::ClientAddress,
    idempotency::{self, Idempotency},
    rules::{Caller, Needs, RpcRules, Rule},
};
use crate::{
    ApiError,
    auth::{
        self, AuthMethod, Authenticator, Permissions, Principal,
        operator::{Operator, OperatorTokens},
    },
    identity::sessions::AccountAccess,
    metering::ApiCallMeter,
    rate_limit::{self, Budget, RateLimiter},
};
use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};
use std::sync::Arc;

/// Which tenants a tenant credential may act for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TenantStates {
    /// Active ones only (the tenant API: a suspended tenant gets `failed_precondition`).
    Active,
    /// Any state: the control plane's account service, whose RPCs check the state themselves
    /// (a tenant pending deletion can still cancel it).
    Any,
}

/// What the gate checks with. Build with [`Gate::new`] and the `with_` methods.
pub struct Gate {
    rules: Arc<RpcRules>,
    tenants: Authenticator,
    tenant_states: TenantStates,
    limiter: RateLimiter,
    operators: Option<Arc<dyn OperatorTokens>>,
    meter: Option<ApiCallMeter>,
    idempotency: Option<Idempotency>,
}

impl Gate {
    /// A gate for the RPCs of `rules`, authenticating tenant credentials with `tenants` (of
    /// active tenants only) and charging `limiter`'s budgets.
    pub fn new(rules: RpcRules, tenants: Authenticator, limiter: RateLimiter) -> Self {
        Self {
            rules: Arc::new(rules),
            tenants,
            tenant_states: TenantStates::Active,
            limiter,
            operators: None,
            meter: None,
            idempotency: None,
        }
    }

    /// Admits tenant credentials whatever their tenant's state.
    pub fn with_tenants_in_any_state(mut self) -> Self {
        self.tenant_states = TenantStates::Any;
        self
    }

    /// Verifies operator tokens with `operators` (without it, operator RPCs are refused).
    pub fn with_operators(mut self, operators: impl OperatorTokens) -> Self {
        self.operators = Some(Arc::new(operators));
        self
    }

    /// Counts each tenant's calls against its daily cap.
    pub fn with_meter(mut self, meter: ApiCallMeter) -> Self {
        self.meter = Some(meter);
        self
    }

    /// Keeps and replays answers to `Idempotency-Key` for the writes whose rules allow it.
    pub fn with_idempotency(mut self, idempotency: Idempotency) -> Self {
        self.idempotency = Some(idempotency);
        self
    }

    /// The rules the gate enforces (the Connect adapter reads them too).
    pub fn rules(&self) -> &Arc<RpcRules> {
        &self.rules
    }

    /// Step 2: establishes the caller `rule` admits and attaches it to the request.
    async fn identify(&self, rule: &Rule, request: &mut Request) -> Result<(), ApiError> {
        let client = ClientAddress::of(request.extensions());
        match rule.caller {
            Caller::Anyone => {
                if let Ok(principal) = self.tenant_credential(request.headers(), client).await {
                    request.extensions_mut().insert(principal);
                }
            }
            Caller::Tenant(_) | Caller::Account => {
                let principal = self.tenant_credential(request.headers(), client).await?;
                let span = tracing::Span::current();
                span.record("tenant_id", tracing::field::display(principal.tenant_id));
                span.record("principal", principal.subject.as_str());
                request.extensions_mut().insert(principal);
            }
            Caller::Operator => {
                let operator = self.operator(request.headers(), client).await?;
                tracing::Span::current().record("principal", format!("operator:{}", operator.name));
                request.extensions_mut().insert(operator);
            }
        }
        Ok(())
    }

    /// (Headers, not the request: a request's body is not `Sync`, so a borrowed request would
    /// make the gate's future not `Send`.)
    async fn tenant_credential(
        &self,
        headers: &http::HeaderMap,
        client: Option<ClientAddress>,
    ) -> Result<Principal, ApiError> {
        match self.tenant_states {
            TenantStates::Active => self.tenants.authenticate(headers, client).await,
            TenantStates::Any => self.tenants.verify_credential(headers, client).await,
        }
    }

    async fn operator(
        &self,
        headers: &http::HeaderMap,
        client: Option<ClientAddress>,
    ) -> Result<Operator, ApiError> {
        let operators = self
            .operators
            .as_ref()
            .ok_or_else(|| ApiError::Unauthenticated("this port serves no operator RPCs".into()))?;
        let token = match headers.get(http::header::AUTHORIZATION) {
            Some(value) => auth::bearer(value)?,
            None => {
                return Err(ApiError::Unauthenticated(
                    "no credentials: send Authorization: Bearer <operator token>".into(),
                ));
            }
        };
        operators.verify(token, client).await
    }
}

/// Step 4: whether the caller the request carries may call under `rule`.
fn authorize(rule: &Rule, request: &Request) -> Result<(), ApiError> {
    let principal = request.extensions().get::<Principal>();
    match (rule.caller, principal) {
        (Caller::Anyone | Caller::Operator, _) => Ok(()),
        (Caller::Tenant(Needs::Permission(permission)), Some(principal)) => {
            principal.require(permission)
        }
        (Caller::Tenant(Needs::Every), Some(principal)) => {
            if principal.permissions == Permissions::All {
                Ok(())
            } else {
                Err(ApiError::PermissionDenied(
                    "this needs an admin credential (every permission)".into(),
                ))
            }
        }
        (Caller::Account, Some(principal)) => match principal.method {
            AuthMethod::Session {
                account: AccountAccess::Allowed,
                ..
            } => Ok(()),
            AuthMethod::Session { .. } => Err(ApiError::PermissionDenied(
                "this session came through a tenant's own identity provider, which cannot manage \
                 your account (second factor, your other tenants): sign in with your password"
                    .into(),
            )),
            _ => Err(ApiError::PermissionDenied(
                "only a signed-in person can call this, not an API key".into(),
            )),
        },
        (Caller::Tenant(_) | Caller::Account, None) => {
            Err(ApiError::Unauthenticated("no credentials".into()))
        }
    }
}

/// The answer to a path that is not one of the port's RPCs.
fn no_such_rpc(path: &str) -> Response {
    tonic::Status::unimplemented(format!("no procedure {path}")).into_http::<axum::body::Body>()
}

/// Axum middleware: the steps in order; the first refusal is the answer.
pub async fn run(State(gate): State<Arc<Gate>>, mut request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if auth::is_public_path(path) {
        return next.run(request).await;
    }
    let Some(rule) = gate.rules.get(path).copied() else {
        return no_such_rpc(path);
    };
    let admitted = async {
        gate.identify(&rule, &mut request)
            .await
            .map_err(ApiError::into_http_response)?;
        let principal = request.extensions().get::<Principal>();
        let budget = match rule.caller {
            Caller::Operator => Budget::default(),
            _ => rate_limit::admit(&gate.limiter, principal).await?,
        };
        if let Some(meter) = &gate.meter {
            meter.count_call(principal).await?;
        }
        authorize(&rule, &request).map_err(ApiError::into_http_response)?;
        Ok::<_, Response>(budget)
    }
    .await;
    let budget = match admitted {
        Ok(budget) => budget,
        Err(refusal) => return refusal,
    };
    let mut response = match &gate.idempotency {
        Some(keys) if rule.keeps_idempotent_answers() => {
            idempotency::run(keys, request, next).await
        }
        _ => next.run(request).await,
    };
    budget.annotate(&mut response);
    response
}
