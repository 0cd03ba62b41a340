//! Proving that the tenant owns an allowed SSO domain: StartSsoDomainVerification makes the
//! random challenge once and names the TXT record to publish; VerifySsoDomain looks the record
//! up through the DNS resolver ([`eventkit_platform::dns`]) and marks the domain verified. Only
//! then do people of that domain join on their first sign-in through the tenant's provider.

use super::{Admin, sso::parse_domain};
use crate::{
    auth::sso::domains::{DOMAIN_COLUMNS, DomainRow, proves, record_name, record_value},
    wire::timestamp,
};
use eventkit_platform::{ApiError, auth::Principal, db::TenantTx, dns::DnsError, identity::tokens};
use eventkit_proto::eventkit::v1::{self as pb, *};
use uuid::Uuid;

/// An allowed domain on the wire, with its verification if started.
pub(super) fn domain_pb(domain: &str, row: Option<&DomainRow>) -> pb::SsoDomain {
    pb::SsoDomain {
        domain: domain.to_owned(),
        verified: row.is_some_and(|r| r.verified_at.is_some()),
        verify_time: row.and_then(|r| r.verified_at).map(timestamp),
        txt_record_name: row.map(|_| record_name(domain)).unwrap_or_default(),
        txt_record_value: row.map(|r| record_value(&r.challenge)).unwrap_or_default(),
    }
}

/// Every started verification of the tenant.
pub(super) async fn stored_domains(tx: &mut TenantTx) -> Result<Vec<DomainRow>, ApiError> {
    Ok(sqlx::query_as(&format!(
        "select {DOMAIN_COLUMNS} from sso_domains order by domain"
    ))
    .fetch_all(&mut **tx)
    .await?)
}

impl Admin {
    /// The allowed domain the request's `domain` names, checked against the stored settings.
    async fn allowed_domain(tx: &mut TenantTx, raw: &str) -> Result<String, ApiError> {
        let domain = parse_domain("domain", raw)?;
        let settings = Self::stored_sso(tx).await?.ok_or_else(|| {
            ApiError::FailedPrecondition(
                "single sign-on is not configured: set it up with UpdateSsoSettings first".into(),
            )
        })?;
        if !settings.allowed_domains.contains(&domain) {
            return Err(ApiError::invalid(
                "domain",
                "is not one of the allowed domains of the SSO settings: add it there first",
            ));
        }
        Ok(domain)
    }

    pub async fn start_sso_domain_verification(
        &self,
        p: &Principal,
        req: StartSsoDomainVerificationRequest,
    ) -> Result<StartSsoDomainVerificationResponse, ApiError> {
        let mut tx = self.tx(p).await?;
        let domain = Self::allowed_domain(&mut tx, &req.domain).await?;
        let row: DomainRow = sqlx::query_as(&format!(
            "insert into sso_domains (tenant_id, id, domain, challenge) values ($1, $2, $3, $4) \
             on conflict (tenant_id, domain) do update set domain = excluded.domain \
             returning {DOMAIN_COLUMNS}"
        ))
        .bind(tx.tenant_id())
        .bind(Uuid::now_v7())
        .bind(&domain)
        .bind(tokens::generate(""))
        .fetch_one(&mut *tx)
        .await?;
        self.log(
            &mut tx,
            p,
            "sso.domain_verification_started",
            "sso",
            serde_json::json!({ "domain": domain }),
        )
        .await?;
        tx.commit().await?;
        Ok(StartSsoDomainVerificationResponse {
            domain: Some(domain_pb(&domain, Some(&row))),
        })
    }

    pub async fn verify_sso_domain(
        &self,
        p: &Principal,
        req: VerifySsoDomainRequest,
    ) -> Result<VerifySsoDomainResponse, ApiError> {
        let mut tx = self.tx(p).await?;
        let domain = Self::allowed_domain(&mut tx, &req.domain).await?;
        let row: Option<DomainRow> = sqlx::query_as(&format!(
            "select {DOMAIN_COLUMNS} from sso_domains where domain = $1"
        ))
        .bind(&domain)
        .fetch_optional(&mut *tx)
        .await?;
        // No transaction stays open across the lookup.
        tx.commit().await?;
        let row = row.ok_or_else(|| {
            ApiError::FailedPrecondition(format!(
                "start the verification of {domain} first (StartSsoDomainVerification)"
            ))
        })?;
        if row.verified_at.is_some() {
            return Ok(VerifySsoDomainResponse {
                domain: Some(domain_pb(&domain, Some(&row))),
            });
        }
        let name = record_name(&domain);
        let texts = self.dns.txt(&name).await.map_err(|e| match e {
            DnsError::BadName(why) => ApiError::invalid("domain", why),
            DnsError::Unavailable(why) => {
                ApiError::Unavailable(format!("looking up {name} failed, try again: {why}"))
            }
        })?;
        if !proves(&texts, &row.challenge) {
            return Err(ApiError::FailedPrecondition(format!(
                "DNS shows no TXT record {name} holding {} yet (new records can take a while to \
                 show): publish it, then verify again",
                record_value(&row.challenge)
            )));
        }
        let mut tx = self.tx(p).await?;
        let verified: Option<DomainRow> = sqlx::query_as(&format!(
            "update sso_domains set verified_at = coalesce(verified_at, now()) \
             where domain = $1 and challenge = $2 returning {DOMAIN_COLUMNS}"
        ))
        .bind(&domain)
        .bind(&row.challenge)
        .fetch_optional(&mut *tx)
        .await?;
        let verified = verified.ok_or_else(|| {
            ApiError::Aborted(format!(
                "the verification of {domain} changed meanwhile: start again"
            ))
        })?;
        self.log(
            &mut tx,
            p,
            "sso.domain_verified",
            "sso",
            serde_json::json!({ "domain": domain }),
        )
        .await?;
        tx.commit().await?;
        Ok(VerifySsoDomainResponse {
            domain: Some(domain_pb(&domain, Some(&verified))),
        })
    }
}
