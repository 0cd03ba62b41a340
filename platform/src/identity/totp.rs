//! TOTP second factor (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits — what every authenticator
//! app speaks) and recovery codes. A code is accepted one step either side of now, and each step
//! at most once (the caller stores the last step used), so an observed code cannot be replayed.

use data_encoding::BASE32_NOPAD;
use hmac::{Hmac, Mac};
use rand::{Rng, RngCore};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

const STEP_SECONDS: i64 = 30;
const DIGITS: u32 = 6;

/// A new 160-bit shared secret.
pub fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; 20];
    rand::rng().fill_bytes(&mut secret);
    secret
}

/// The secret as authenticator apps want it typed.
pub fn base32(secret: &[u8]) -> String {
    BASE32_NOPAD.encode(secret)
}

/// The `otpauth://` URI for a QR code.
pub fn otpauth_uri(secret: &[u8], issuer: &str, account: &str) -> String {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        enc(issuer),
        enc(account),
        base32(secret),
        enc(issuer)
    )
}

/// The code for one time step.
pub fn code_at_step(secret: &[u8], step: i64) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = (digest[19] & 0x0f) as usize;
    let binary =
        u32::from_be_bytes(digest[offset..offset + 4].try_into().expect("4 bytes")) & 0x7fff_ffff;
    format!(
        "{:0width$}",
        binary % 10u32.pow(DIGITS),
        width = DIGITS as usize
    )
}

pub fn step_of(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// The step `code` belongs to if it is valid at `unix_seconds` (±1 step) and newer than
/// `last_used_step`.
pub fn verify(
    secret: &[u8],
    code: &str,
    unix_seconds: i64,
    last_used_step: Option<i64>,
) -> Option<i64> {
    let code = code.trim();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = step_of(unix_seconds);
    (now - 1..=now + 1)
        .filter(|step| last_used_step.is_none_or(|last| *step > last))
        .find(|step| {
            bool::from(
                code_at_step(secret, *step)
                    .as_bytes()
                    .ct_eq(code.as_bytes()),
            )
        })
}

/// Ten recovery codes like `k3j9-x8m2-p4q7`, shown once.
pub fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..10)
        .map(|_| {
            let chars: Vec<char> = (0..12)
                .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
                .collect();
            chars
                .chunks(4)
                .map(|c| c.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect()
}

/// What is stored for a recovery code: SHA-256 of its normalised form (case and dashes ignored).
pub fn recovery_code_hash(code: &str) -> Vec<u8> {
    let normal: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    Sha256::digest(normal.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 column (8 digits there; the last 6 are ours).
    #[test]
    fn matches_the_rfc_test_vectors() {
        let secret = b"12345678901234567890";
        for (time, eight) in [
            (59, "94287082"),
            (1111111109, "07081804"),
            (1234567890, "89005924"),
            (2000000000, "69279037"),
        ] {
            assert_eq!(code_at_step(secret, step_of(time)), eight[2..]);
        }
    }

    #[test]
    fn accepts_a_step_either_side_once() {
        let secret = new_secret();
        let now = 1_800_000_000;
        let code = code_at_step(&secret, step_of(now) - 1);
        let step = verify(&secret, &code, now, None).expect("previous step is accepted");
        assert_eq!(
            verify(&secret, &code, now, Some(step)),
            None,
            "replay refused"
        );
        assert_eq!(verify(&secret, &code, now + 90, None), None, "too old");
        assert_eq!(verify(&secret, "12345", now, None), None);
        assert_eq!(verify(&secret, "abcdef", now, None), None);
    }

    #[test]
    fn recovery_codes_are_distinct_and_normalised() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        assert_eq!(codes[0].len(), 14);
        assert_ne!(codes[0], codes[1]);
        assert_eq!(
            recovery_code_hash(&codes[0]),
            recovery_code_hash(&codes[0].to_uppercase().replace('-', ""))
        );
        assert!(
            otpauth_uri(b"x", "EventKit", "a@b.example")
                .starts_with("otpauth://totp/EventKit:a%40b.example?secret=")
        );
    }
}
