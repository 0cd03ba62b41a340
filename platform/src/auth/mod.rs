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
pub use principal::{AuthMethod, Permissions, Principal};
