//! Platform operators: who presented an operator token, and the one thing the gate needs from
//! whoever keeps the tokens (the control plane) — to verify one.

use crate::{ApiError, rpc::client_address::ClientAddress};
use std::{future::Future, pin::Pin};
use uuid::Uuid;

/// A platform operator, identified by the operator token it presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    pub token_id: Uuid,
    pub name: String,
}

/// Verifies operator tokens for the gate ([`crate::rpc::gate`]); the control plane keeps them.
pub trait OperatorTokens: Send + Sync + 'static {
    /// The operator `token` belongs to; `unauthenticated` for an unknown or revoked one.
    fn verify<'a>(
        &'a self,
        token: &'a str,
        client: Option<ClientAddress>,
    ) -> Pin<Box<dyn Future<Output = Result<Operator, ApiError>> + Send + 'a>>;
}
