//! Secrets handed out by email or to clients (refresh tokens, invitation and reset tokens): a
//! recognisable prefix and 40 random base62 characters (~238 bits). Only their SHA-256 is
//! stored — a slow hash adds nothing at that entropy, and a lookup stays one index probe.

use rand::{Rng, distr::Alphanumeric};
use sha2::{Digest, Sha256};

pub const RANDOM_LEN: usize = 40;

pub fn generate(prefix: &str) -> String {
    let random: String = rand::rng()
        .sample_iter(&Alphanumeric)
        .take(RANDOM_LEN)
        .map(char::from)
        .collect();
    format!("{prefix}{random}")
}

pub fn hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_are_fresh_and_hashed() {
        let a = super::generate("ekr_");
        assert!(a.starts_with("ekr_") && a.len() == 44);
        assert_ne!(a, super::generate("ekr_"));
        assert_eq!(super::hash(&a).len(), 32);
    }
}
