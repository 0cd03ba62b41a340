//! Authentication: API keys, access tokens of our own sessions (bearer or cookie, with CSRF
//! protection) and bearer JWTs of a configured issuer become a typed [`Principal`] that the gate
//! ([`crate::rpc::gate`]) puts into the request where the RPC's rule asks for one; handlers take
//! it from there and open their `TenantTx` with its tenant id. Operator tokens become an
//! [`operator::Operator`].

pub mod api_key;
mod authenticator;
pub mod cookies;
pub mod invalidation;
pub mod jwt;
pub mod operator;
mod principal;
pub mod tenant_state;

pub use authenticator::Authenticator;
pub(crate) use authenticator::bearer;
pub use operator::{Operator, OperatorTokens};

/// Paths anyone may call without credentials that are not RPCs with a rule: gRPC reflection
/// (`/grpc.*`). The gate lets them through.
pub fn is_public_path(path: &str) -> bool {
    path.starts_with("/grpc.")
}

pub use principal::{AuthMethod, Permissions, Principal};
