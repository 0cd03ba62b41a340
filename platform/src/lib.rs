//! Shared plumbing for every EventKit deployable: configuration, telemetry, the database
//! (roles, migrations, `TenantTx`), one-port Connect/gRPC/gRPC-Web serving, authentication
//! primitives and health checks. Service crates build on this and never on each other.

pub mod auth;
pub mod config;
pub mod db;
pub mod development;
pub mod dns;
pub mod error;
pub mod health;
pub mod identity;
pub mod installed_servers;
pub mod jobs;
pub mod mail;
pub mod metering;
pub mod outbound;
pub mod outbox;
pub mod quota;
pub mod rate_limit;
pub mod rpc;
pub mod secret;
pub mod storage;
pub mod telemetry;
pub mod webhooks;

pub use error::ApiError;
