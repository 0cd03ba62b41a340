//! Bearer JWT verification against a configured JSON Web Key Set (`EVENTKIT_JWT_JWKS`). Only
//! asymmetric algorithms are accepted and the algorithm comes from the key, not the token, so a
//! token cannot pick a weaker check. Every token must name the configured issuer and audience
//! (a provider's keys also sign tokens for other applications) and be inside its `nbf`..`exp`
//! window. Claims: `sub`, `tid` (tenant id), `permissions` or `scope`.

use super::{AuthMethod, Permissions, Principal};
use crate::ApiError;
use eventkit_domain::ids::TenantId;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header, jwk::JwkSet};
use serde::Deserialize;

pub struct JwtVerifier {
    keys: Vec<(Option<String>, DecodingKey, Algorithm)>,
    issuer: String,
    audience: String,
}

#[derive(Deserialize)]
struct Claims {
    sub: String,
    tid: TenantId,
    #[serde(default)]
    permissions: Vec<String>,
    #[serde(default)]
    scope: Option<String>,
}

impl JwtVerifier {
    /// Parses the key set; fails on keys that are not usable for asymmetric verification.
    pub fn new(jwks_json: &str, issuer: String, audience: String) -> anyhow::Result<Self> {
        let set: JwkSet = serde_json::from_str(jwks_json)?;
        let mut keys = Vec::new();
        for jwk in &set.keys {
            let alg = match jwk.common.key_algorithm {
                Some(a) => a
                    .to_string()
                    .parse::<Algorithm>()
                    .map_err(|_| anyhow::anyhow!("unknown JWT algorithm {a:?}"))?,
                None => match &jwk.algorithm {
                    jsonwebtoken::jwk::AlgorithmParameters::OctetKeyPair(_) => Algorithm::EdDSA,
                    jsonwebtoken::jwk::AlgorithmParameters::EllipticCurve(_) => Algorithm::ES256,
                    jsonwebtoken::jwk::AlgorithmParameters::RSA(_) => Algorithm::RS256,
                    _ => anyhow::bail!("unsupported key type in JWKS"),
                },
            };
            if matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512) {
                anyhow::bail!("symmetric JWT keys are not accepted");
            }
            keys.push((jwk.common.key_id.clone(), DecodingKey::from_jwk(jwk)?, alg));
        }
        anyhow::ensure!(!keys.is_empty(), "the JWKS holds no keys");
        Ok(Self {
            keys,
            issuer,
            audience,
        })
    }

    /// The verifier `auth` asks for (`EVENTKIT_JWT_JWKS`), or `None` when JWTs are off.
    pub fn from_config(auth: &crate::config::TenantAuth) -> anyhow::Result<Option<Self>> {
        auth.jwt
            .as_ref()
            .map(|jwt| Self::new(jwt.jwks.expose(), jwt.issuer.clone(), jwt.audience.clone()))
            .transpose()
    }

    pub fn verify(&self, token: &str) -> Result<Principal, ApiError> {
        let invalid = |why: &str| ApiError::Unauthenticated(format!("invalid token: {why}"));
        let header = decode_header(token).map_err(|_| invalid("malformed"))?;
        let (_, key, alg) = self
            .keys
            .iter()
            .find(|(kid, _, _)| header.kid.is_none() || kid.as_deref() == header.kid.as_deref())
            .ok_or_else(|| invalid("unknown key id"))?;
        if header.alg != *alg {
            return Err(invalid("algorithm does not match the key"));
        }
        let mut validation = Validation::new(*alg);
        validation.set_required_spec_claims(&["exp", "sub", "iss", "aud"]);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.validate_nbf = true;
        let claims = decode::<Claims>(token, key, &validation)
            .map_err(|e| invalid(&e.to_string()))?
            .claims;
        let mut names = claims.permissions;
        names.extend(
            claims
                .scope
                .iter()
                .flat_map(|s| s.split_whitespace().map(str::to_owned)),
        );
        Ok(Principal {
            tenant_id: claims.tid,
            subject: claims.sub,
            permissions: Permissions::from_names(names),
            method: AuthMethod::Jwt,
        })
    }
}
