//! Secrets the control plane hands out (operator tokens, sign-up verification tokens): a
//! recognisable prefix and 40 random base62 characters (~238 bits), shown once and stored only
//! as their SHA-256 — a slow hash adds nothing at that entropy, and lookups stay one index probe.

use rand::{Rng, distr::Alphanumeric};
use sha2::{Digest, Sha256};

/// A new secret, e.g. `ekop_…`.
pub fn generate(prefix: &str) -> String {
    let random: String = rand::rng()
        .sample_iter(&Alphanumeric)
        .take(40)
        .map(char::from)
        .collect();
    format!("{prefix}{random}")
}

/// What is stored instead of the secret.
pub fn hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_are_fresh_and_hashed() {
        let a = super::generate("ekv_");
        assert!(a.starts_with("ekv_") && a.len() == 44);
        assert_ne!(a, super::generate("ekv_"));
        assert_eq!(super::hash(&a).len(), 32);
    }
}
