//! Passwords: argon2id hashes (PHC strings, so parameters can be raised later and old hashes
//! still verify) and the password policy. Unknown accounts are checked against a dummy hash so
//! a sign-in takes as long whether or not the email has an account (no user enumeration).

use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};
use eventkit_domain::FieldViolation;
use std::sync::LazyLock;

pub const MIN_LEN: usize = 12;
pub const MAX_LEN: usize = 256;

/// A password that meets the policy: 12 to 256 characters, not one character repeated, not the
/// email address.
pub struct NewPassword(String);

impl NewPassword {
    pub fn parse(field: &str, raw: &str, email: &str) -> Result<Self, FieldViolation> {
        let chars = raw.chars().count();
        let why = if chars < MIN_LEN {
            Some(format!("must be at least {MIN_LEN} characters"))
        } else if chars > MAX_LEN {
            Some(format!("must be at most {MAX_LEN} characters"))
        } else if raw.chars().all(|c| raw.starts_with(c)) {
            Some("must not be one character repeated".into())
        } else if raw.trim().eq_ignore_ascii_case(email.trim()) {
            Some("must not be the email address".into())
        } else {
            None
        };
        match why {
            Some(why) => Err(FieldViolation::new(field, why)),
            None => Ok(Self(raw.to_owned())),
        }
    }

    /// The argon2id PHC string to store.
    pub fn hash(&self) -> String {
        hash(&self.0)
    }
}

fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing with default parameters cannot fail")
        .to_string()
}

static DUMMY: LazyLock<String> = LazyLock::new(|| hash("not a password of anybody"));

/// Whether `password` matches the stored hash; with no hash (unknown account, or one that signs
/// in only through an identity provider) it spends the same time and says no.
pub fn verify(stored: Option<&str>, password: &str) -> bool {
    let (phc, real) = match stored {
        Some(s) => (s, true),
        None => (DUMMY.as_str(), false),
    };
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
        && real
}

/// Runs the hash work off the async runtime (argon2 takes tens of milliseconds by design).
pub async fn verify_blocking(stored: Option<String>, password: String) -> bool {
    tokio::task::spawn_blocking(move || verify(stored.as_deref(), &password))
        .await
        .unwrap_or(false)
}

/// Hashes off the async runtime.
pub async fn hash_blocking(password: NewPassword) -> String {
    tokio::task::spawn_blocking(move || password.hash())
        .await
        .expect("hashing task")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_names_the_field_and_the_rule() {
        let e = "a@b.example";
        assert!(NewPassword::parse("password", "short", e).is_err());
        assert!(NewPassword::parse("password", &"a".repeat(20), e).is_err());
        assert!(NewPassword::parse("password", "A@B.example ", "a@b.example").is_err());
        let v = NewPassword::parse("newPassword", "short", e).err().unwrap();
        assert_eq!(v.field, "newPassword");
        assert!(NewPassword::parse("password", "correct horse battery", e).is_ok());
    }

    #[test]
    fn hashes_verify_only_the_right_password() {
        let h = NewPassword::parse("p", "correct horse battery", "x@y.example")
            .unwrap()
            .hash();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify(Some(&h), "correct horse battery"));
        assert!(!verify(Some(&h), "correct horse batterY"));
        assert!(!verify(None, "not a password of anybody"));
        assert!(!verify(Some("garbage"), "x"));
    }
}
