//! A tenant's own identity provider (enterprise SSO), set by its admins: issuer, client id and
//! secret (write-only), the email domains whose people may join on first sign-in, and their
//! role (which the saving admin must be allowed to give, as for an invitation). The issuer must
//! pass the outbound-address guard and its discovery document must load before the settings
//! are saved, so a typo is found now rather than at the next sign-in. Each allowed domain is
//! listed with its proof of ownership ([`super::sso_domains`]); a domain taken off the list loses
//! its proof.

use super::{
    Admin, roles,
    sso_domains::{domain_pb, stored_domains},
};
use crate::auth::sso::{TENANT_SSO_COLUMNS, TenantSso, domains::DomainRow};
use eventkit_domain::ids::RoleId;
use eventkit_domain::{FieldViolation, Violations};
use eventkit_platform::{ApiError, auth::Principal, db::TenantTx};
use eventkit_proto::eventkit::v1::{self as pb, *};

const MAX_DOMAINS: usize = 50;

/// A domain like `acme.com`: letters, digits, hyphens and dots, at least one dot.
pub(super) fn parse_domain(field: &str, raw: &str) -> Result<String, FieldViolation> {
    let domain = raw.trim().trim_start_matches('@').to_lowercase();
    let ok = domain.len() <= 253
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    if ok {
        Ok(domain)
    } else {
        Err(FieldViolation::new(
            field,
            "must be an email domain like acme.com",
        ))
    }
}

impl Admin {
    fn sso_pb(&self, s: TenantSso, verifications: &[DomainRow]) -> pb::SsoSettings {
        let domains = s
            .allowed_domains
            .iter()
            .map(|d| domain_pb(d, verifications.iter().find(|v| &v.domain == d)))
            .collect();
        pb::SsoSettings {
            issuer_url: s.issuer_url,
            client_id: s.client_id,
            client_secret: String::new(),
            allowed_domains: s.allowed_domains,
            default_role_id: s.default_role_id.map(|r| r.to_string()).unwrap_or_default(),
            enabled: s.enabled,
            redirect_uri: self.sso.redirect_uri().to_owned(),
            domains,
        }
    }

    pub(super) async fn stored_sso(tx: &mut TenantTx) -> Result<Option<TenantSso>, ApiError> {
        Ok(
            sqlx::query_as(&format!("select {TENANT_SSO_COLUMNS} from sso_settings"))
                .fetch_optional(&mut **tx)
                .await?,
        )
    }

    pub async fn get_sso_settings(
        &self,
        p: &Principal,
        _req: GetSsoSettingsRequest,
    ) -> Result<GetSsoSettingsResponse, ApiError> {
        let mut tx = self.tx(p).await?;
        let stored = Self::stored_sso(&mut tx).await?;
        let verifications = stored_domains(&mut tx).await?;
        tx.commit().await?;
        Ok(GetSsoSettingsResponse {
            settings: stored.map(|s| self.sso_pb(s, &verifications)),
        })
    }

    pub async fn update_sso_settings(
        &self,
        p: &Principal,
        req: UpdateSsoSettingsRequest,
    ) -> Result<UpdateSsoSettingsResponse, ApiError> {
        let s = req.settings.unwrap_or_default();
        let mut v = Violations::new();
        let issuer = v.check(
            self.webhook_guard
                .check_url("settings.issuer_url", &s.issuer_url)
                .map(|u| u.as_str().trim_end_matches('/').to_owned()),
        );
        let client_id = s.client_id.trim().to_owned();
        if client_id.is_empty() || client_id.len() > 500 {
            v.push(FieldViolation::new(
                "settings.client_id",
                "is required (at most 500 characters)",
            ));
        }
        if s.client_secret.len() > 2000 {
            v.push(FieldViolation::new(
                "settings.client_secret",
                "must be at most 2000 characters",
            ));
        }
        if s.allowed_domains.len() > MAX_DOMAINS {
            v.push(FieldViolation::new(
                "settings.allowed_domains",
                format!("at most {MAX_DOMAINS} domains"),
            ));
        }
        let mut domains = Vec::new();
        for (i, d) in s.allowed_domains.iter().enumerate() {
            if let Some(d) = v.check(parse_domain(&format!("settings.allowed_domains[{i}]"), d)) {
                domains.push(d);
            }
        }
        let role = if s.default_role_id.trim().is_empty() {
            None
        } else {
            v.check(RoleId::parse(
                "settings.default_role_id",
                &s.default_role_id,
            ))
        };
        v.finish()?;
        let issuer = issuer.expect("checked");
        domains.sort();
        domains.dedup();
        let mut tx = self.tx(p).await?;
        if let Some(role) = role {
            roles::require_grantable(&mut tx, p, &[role]).await?;
        }
        let secret = match (s.client_secret.trim(), Self::stored_sso(&mut tx).await?) {
            ("", Some(stored)) => stored.client_secret,
            ("", None) => {
                return Err(ApiError::invalid(
                    "settings.client_secret",
                    "is required the first time",
                ));
            }
            (new, _) => new.to_owned(),
        };
        // The provider must answer before we rely on it.
        self.sso.discover(&issuer).await.map_err(|e| match e {
            ApiError::FailedPrecondition(why) => ApiError::invalid("settings.issuer_url", why),
            other => other,
        })?;
        let row: TenantSso = sqlx::query_as(&format!(
            "insert into sso_settings (tenant_id, issuer_url, client_id, client_secret, allowed_domains, default_role_id, enabled) \
             values ($1, $2, $3, $4, $5, $6, $7) \
             on conflict (tenant_id) do update set issuer_url = excluded.issuer_url, client_id = excluded.client_id, \
               client_secret = excluded.client_secret, allowed_domains = excluded.allowed_domains, \
               default_role_id = excluded.default_role_id, enabled = excluded.enabled, updated_at = now() \
             returning {TENANT_SSO_COLUMNS}"
        ))
        .bind(tx.tenant_id())
        .bind(&issuer)
        .bind(&client_id)
        .bind(&secret)
        .bind(&domains)
        .bind(role)
        .bind(s.enabled)
        .fetch_one(&mut *tx)
        .await?;
        // A domain taken off the list must be proven again if it comes back.
        sqlx::query("delete from sso_domains where not (domain = any($1))")
            .bind(&domains)
            .execute(&mut *tx)
            .await?;
        let verifications = stored_domains(&mut tx).await?;
        self.log(
            &mut tx,
            p,
            "sso.updated",
            "sso",
            serde_json::json!({ "issuer": issuer, "allowedDomains": domains, "enabled": s.enabled }),
        )
        .await?;
        tx.commit().await?;
        Ok(UpdateSsoSettingsResponse {
            settings: Some(self.sso_pb(row, &verifications)),
        })
    }
}
