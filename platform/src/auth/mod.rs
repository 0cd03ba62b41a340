//! Authentication, first cut: API keys and bearer JWTs become a typed [`Principal`] that the
//! middleware puts into the request; handlers take it from there and open their `TenantTx`
//! with its tenant id. Full identity (OIDC, sessions, roles) builds on this.

pub mod api_key;
pub mod invalidation;
pub mod jwt;
mod middleware;
mod principal;
pub mod tenant_state;

pub use middleware::{Authenticator, require_principal};

/// Paths anyone may call without credentials: gRPC reflection (`/grpc.*`). Authentication and
/// authorization both let them through; everything else needs a principal.
pub fn is_public_path(path: &str) -> bool {
    path.starts_with("/grpc.")
}
pub use principal::{AuthMethod, Permissions, Principal};
