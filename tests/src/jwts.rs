//! Bearer JWTs of another issuer for the tests: an Ed25519 key set to configure
//! (`EVENTKIT_JWT_JWKS`, issuer, audience) and tokens signed with its key, so the real verifier
//! checks what a provider would send.
//!
//! The keys are fixtures made with `openssl genpkey -algorithm ed25519`; the `x` values are
//! `openssl pkey -in <pem> -pubout -outform DER | tail -c 32 | base64url`.

use base64::Engine;
use eventkit_domain::ids::TenantId;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use std::{
    collections::HashMap,
    time::{SystemTime, UNIX_EPOCH},
};

pub const JWT_KEY: &[u8] = include_bytes!("../fixtures/jwt_ed25519.pem");
pub const JWT_KEY_X: &str = "i8MWMOMvNZ8rcEHztc1k7hqn8cNpCDYCsTcDIO9cTVw";
pub const OTHER_KEY: &[u8] = include_bytes!("../fixtures/jwt_ed25519_other.pem");
pub const KID: &str = "test-1";
pub const ISSUER: &str = "https://idp.test.example";
pub const AUDIENCE: &str = "eventkit-tenant-api";

/// The JWKS with the fixture key, as `EVENTKIT_JWT_JWKS` takes it.
pub fn jwks() -> String {
    json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": JWT_KEY_X, "kid": KID, "alg": "EdDSA", "use": "sig"}]})
        .to_string()
}

/// The variables that turn JWTs of [`ISSUER`] for [`AUDIENCE`] on.
pub fn jwt_env() -> HashMap<String, String> {
    HashMap::from([
        ("EVENTKIT_JWT_JWKS".to_owned(), jwks()),
        ("EVENTKIT_JWT_ISSUER".to_owned(), ISSUER.to_owned()),
        ("EVENTKIT_JWT_AUDIENCE".to_owned(), AUDIENCE.to_owned()),
    ])
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Valid claims for `tenant` with every permission, for five minutes.
pub fn claims(tenant: TenantId) -> Value {
    json!({"sub": "user-1", "tid": tenant.to_string(), "permissions": ["*"], "exp": now() + 300,
           "iat": now(), "iss": ISSUER, "aud": AUDIENCE})
}

/// [`claims`] with `name` set to `value`.
pub fn with_claim(tenant: TenantId, name: &str, value: Value) -> Value {
    let mut c = claims(tenant);
    c[name] = value;
    c
}

/// The signing key of a PEM (PKCS#8) fixture.
pub fn ed_key(pem: &[u8]) -> EncodingKey {
    let body: String = String::from_utf8_lossy(pem)
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .expect("PEM body");
    EncodingKey::from_ed_der(&der)
}

/// `claims` signed with the key in `pem`, under [`KID`].
pub fn sign_with(pem: &[u8], claims: &Value) -> String {
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(KID.into());
    jsonwebtoken::encode(&header, claims, &ed_key(pem)).expect("signed")
}

/// `claims` signed with the configured key.
pub fn sign(claims: &Value) -> String {
    sign_with(JWT_KEY, claims)
}
