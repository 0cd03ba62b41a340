//! Authentication: API keys, access tokens of our own sessions (bearer or cookie, with CSRF
//! protection) and bearer JWTs of a configured issuer become a typed [`Principal`] that
//! [`Authenticator::attach_principal`] puts into the request; handlers take it from there and
//! open their `TenantTx` with its tenant id.

pub mod api_key;
mod authenticator;
pub mod cookies;
pub mod invalidation;
pub mod jwt;
mod principal;
pub mod tenant_state;

pub use authenticator::Authenticator;
pub(crate) use authenticator::bearer;

/// Paths anyone may call without credentials: gRPC reflection (`/grpc.*`). Authentication and
/// authorization both let them through; everything else needs a principal.
pub fn is_public_path(path: &str) -> bool {
    path.starts_with("/grpc.")
}
/// Paths whose credentials are optional: the `AuthService` (signing in needs none; some of its
/// RPCs need a signed-in person, which the permission table says).
pub fn credentials_optional(path: &str) -> bool {
    path.starts_with("/eventkit.v1.AuthService/")
}

pub use principal::{AuthMethod, Permissions, Principal};
