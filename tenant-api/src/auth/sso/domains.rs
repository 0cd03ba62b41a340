//! Proof that a tenant owns an email domain of its single sign-on: a DNS TXT record
//! `_eventkit-challenge.<domain>` holding `eventkit-domain-verification=<challenge>`, the
//! challenge random per tenant and domain (`sso_domains`). Only a verified domain lets the
//! tenant's provider make members of people it has not been linked to by the person.

use super::{TenantSso, decide::Domain};
use chrono::{DateTime, Utc};
use eventkit_platform::{ApiError, db::TenantTx};

const RECORD_PREFIX: &str = "_eventkit-challenge.";
const VALUE_PREFIX: &str = "eventkit-domain-verification=";

/// A domain's verification as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DomainRow {
    pub domain: String,
    pub challenge: String,
    pub verified_at: Option<DateTime<Utc>>,
}

pub const DOMAIN_COLUMNS: &str = "domain, challenge, verified_at";

/// The name of the TXT record that proves `domain`.
pub fn record_name(domain: &str) -> String {
    format!("{RECORD_PREFIX}{domain}")
}

/// What the record must hold.
pub fn record_value(challenge: &str) -> String {
    format!("{VALUE_PREFIX}{challenge}")
}

/// Whether one of the published `texts` is the proof for `challenge` (surrounding blanks and
/// quotes, as some DNS consoles keep them, are forgiven).
pub fn proves(texts: &[String], challenge: &str) -> bool {
    let expected = record_value(challenge);
    texts
        .iter()
        .any(|t| t.trim().trim_matches('"').trim() == expected)
}

/// The tenant's standing on the domain of `email` (lower-case already).
pub async fn standing(
    tx: &mut TenantTx,
    settings: &TenantSso,
    email: &str,
) -> Result<Domain, ApiError> {
    let domain = email.rsplit('@').next().unwrap_or_default().to_owned();
    if !settings
        .allowed_domains
        .iter()
        .any(|d| d.eq_ignore_ascii_case(&domain))
    {
        return Ok(Domain::NotAllowed(domain));
    }
    let verified: bool = sqlx::query_scalar(
        "select exists (select 1 from sso_domains where domain = $1 and verified_at is not null)",
    )
    .bind(&domain)
    .fetch_one(&mut **tx)
    .await?;
    Ok(if verified {
        Domain::Verified(domain)
    } else {
        Domain::Allowed(domain)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_record_is_named_for_the_domain_and_holds_the_challenge() {
        assert_eq!(
            record_name("corp.example"),
            "_eventkit-challenge.corp.example"
        );
        let value = record_value("abc123");
        assert_eq!(value, "eventkit-domain-verification=abc123");
        assert!(proves(&["v=spf1 -all".into(), value.clone()], "abc123"));
        assert!(proves(&[format!("\"{value}\" ")], "abc123"));
        assert!(!proves(&[value], "abc124"), "another tenant's challenge");
        assert!(!proves(&[], "abc123"));
        assert!(!proves(
            &["eventkit-domain-verification=abc1234".into()],
            "abc123"
        ));
    }
}
