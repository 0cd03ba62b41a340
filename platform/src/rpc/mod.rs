//! One port, three protocols. The tonic services are the only implementation of each RPC; gRPC
//! reaches them directly, gRPC-Web through `tonic-web`, and Connect unary (JSON and binary)
//! through [`connect::ConnectAdapter`], which transcodes using the descriptors and calls the
//! same gRPC router in process. `server` assembles that into one axum app with the shared
//! layers (request id, tracing, the client's address, CORS, security headers, deadlines, metrics),
//! the diagnostics routes (`diagnostics`) and gRPC reflection of the port's own services
//! (`reflection`).

pub mod client_address;
pub mod codes;
pub mod connect;
pub mod cors;
mod deadline;
pub mod delegate;
pub mod diagnostics;
pub mod gate;
mod http1_body;
pub mod idempotency;
mod json_errors;
mod reflection;
pub mod rules;
pub mod security_headers;
pub mod server;
pub mod web_app;
