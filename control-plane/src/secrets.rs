//! Secrets the control plane hands out (operator tokens, sign-up verification tokens): the same
//! scheme as every other token of ours — a recognisable prefix, 40 random base62 characters,
//! stored only as their SHA-256.

pub use eventkit_platform::identity::tokens::{generate, hash};
