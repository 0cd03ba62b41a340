//! Expiring download links for the filesystem backend: `GET {base}/objects/{key}?expires=
//! {unix seconds}&signature={hex HMAC-SHA256 over "GET\n{key}\n{expires}"}`, signed by the
//! workers and checked by the control plane with the shared `EVENTKIT_DOWNLOAD_SIGNING_KEY`
//! (constant-time compare). The S3 backend uses real presigned URLs instead.

use crate::secret::Secret;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Path prefix of the download route the control plane serves.
pub const ROUTE_PREFIX: &str = "/objects/";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LinkError {
    #[error("the link has no valid expiry")]
    Malformed,
    #[error("the link has expired")]
    Expired,
    #[error("the link's signature does not match")]
    BadSignature,
}

fn mac(secret: &Secret<String>, key: &str, expires: i64) -> Hmac<Sha256> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes()).expect("HMAC takes any key");
    mac.update(format!("GET\n{key}\n{expires}").as_bytes());
    mac
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The signed link to `key` under `base` (e.g. `http://127.0.0.1:8081`), valid until `expires`.
pub fn sign(base: &str, secret: &Secret<String>, key: &str, expires: i64) -> String {
    let signature = hex(&mac(secret, key, expires).finalize().into_bytes());
    format!(
        "{}{ROUTE_PREFIX}{key}?expires={expires}&signature={signature}",
        base.trim_end_matches('/')
    )
}

/// Checks a request for `key` with the link's `expires` and `signature` at time `now`.
pub fn verify(
    secret: &Secret<String>,
    key: &str,
    expires: Option<&str>,
    signature: Option<&str>,
    now: i64,
) -> Result<(), LinkError> {
    let expires: i64 = expires
        .and_then(|e| e.parse().ok())
        .ok_or(LinkError::Malformed)?;
    let signature = signature.and_then(unhex).ok_or(LinkError::BadSignature)?;
    // The signature first, so an expired link with a forged signature says "bad signature".
    mac(secret, key, expires)
        .verify_slice(&signature)
        .map_err(|_| LinkError::BadSignature)?;
    if now > expires {
        return Err(LinkError::Expired);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(link: &str) -> (String, String, String) {
        let (path, query) = link.split_once('?').unwrap();
        let key = path.split_once(ROUTE_PREFIX).unwrap().1.to_owned();
        let mut parts = query
            .split('&')
            .map(|p| p.split_once('=').unwrap().1.to_owned());
        (key, parts.next().unwrap(), parts.next().unwrap())
    }

    #[test]
    fn a_signed_link_verifies_until_it_expires() {
        let secret = Secret::new("k1".to_owned());
        let link = sign("http://h:1/", &secret, "exports/t/e.zip", 1_000);
        assert!(link.starts_with("http://h:1/objects/exports/t/e.zip?expires=1000&signature="));
        let (key, expires, sig) = query(&link);
        assert_eq!(
            verify(&secret, &key, Some(&expires), Some(&sig), 1_000),
            Ok(())
        );
        assert_eq!(
            verify(&secret, &key, Some(&expires), Some(&sig), 1_001),
            Err(LinkError::Expired)
        );
    }

    #[test]
    fn tampering_breaks_the_signature() {
        let secret = Secret::new("k1".to_owned());
        let (key, expires, sig) = query(&sign("http://h", &secret, "exports/t/e.zip", 5_000));
        let bad = |k: &str, e: &str, s: &str, secret: &Secret<String>| {
            verify(secret, k, Some(e), Some(s), 0)
        };
        assert_eq!(
            bad("exports/t/f.zip", &expires, &sig, &secret),
            Err(LinkError::BadSignature)
        );
        assert_eq!(
            bad(&key, "9999999999", &sig, &secret),
            Err(LinkError::BadSignature)
        );
        let flipped = format!(
            "{}{}",
            if sig.starts_with('0') { "1" } else { "0" },
            &sig[1..]
        );
        assert_eq!(
            bad(&key, &expires, &flipped, &secret),
            Err(LinkError::BadSignature)
        );
        assert_eq!(
            bad(&key, &expires, "zz", &secret),
            Err(LinkError::BadSignature)
        );
        let other = Secret::new("k2".to_owned());
        assert_eq!(
            bad(&key, &expires, &sig, &other),
            Err(LinkError::BadSignature)
        );
        assert_eq!(
            verify(&secret, &key, Some("soon"), Some(&sig), 0),
            Err(LinkError::Malformed)
        );
    }
}
