//! Linking an identity of a tenant's provider to an existing account, which only the account's
//! person may do: FinishSsoSignIn answers `link_required` with a single-use token bound to the
//! browser (`sso_link_requests`), and LinkSsoIdentity links once that browser proves the account
//! with its password and second factor (failures count towards the lockout). Every new link,
//! however it was made, is recorded in the tenant's security log and emailed to the account's
//! address (`sso_identity_linked`, no secret in it).

use super::{
    FLOW_VALID_FOR, Identity, Provider,
    decide::{Domain, Proof, Refusal},
    domains,
    flow::{OTHER_BROWSER, same_browser},
};
use crate::{
    auth::{Answer, Auth, Caller, Cookies},
    wire::timestamp,
};
use chrono::Utc;
use eventkit_domain::events::payloads::{EmailMessage, EmailRequested};
use eventkit_domain::ids::{TenantId, UserId};
use eventkit_platform::{
    ApiError,
    db::{Actor, TenantTx},
    identity::{
        memberships,
        security_log::{self, SecurityEvent},
        sessions::AccountAccess,
        tokens,
    },
    outbox,
};
use eventkit_proto::eventkit::v1::*;

/// A link waiting for its person.
#[derive(sqlx::FromRow)]
struct Pending {
    browser_hash: Vec<u8>,
    sso_tenant: TenantId,
    issuer_url: String,
    issuer: String,
    subject: String,
    user_id: UserId,
}

impl Auth {
    /// Keeps the identity for the person to link, for the browser of this sign-in.
    pub(super) async fn request_link(
        &self,
        tenant_id: TenantId,
        provider: &Provider,
        identity: &Identity,
        user: UserId,
        caller: &Caller,
    ) -> Result<SsoLinkRequired, ApiError> {
        let browser = caller
            .sso_flow
            .as_deref()
            .ok_or_else(|| ApiError::PermissionDenied(OTHER_BROWSER.into()))?;
        let token = tokens::generate("eksl_");
        let expires_at = Utc::now() + FLOW_VALID_FOR;
        sqlx::query(
            "insert into sso_link_requests (token_hash, browser_hash, sso_tenant, issuer_url, issuer, subject, user_id, expires_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(tokens::hash(&token))
        .bind(tokens::hash(browser))
        .bind(tenant_id)
        .bind(&provider.issuer_url)
        .bind(&identity.issuer)
        .bind(&identity.subject)
        .bind(user)
        .bind(expires_at)
        .execute(self.accounts.pool())
        .await?;
        let email: String = sqlx::query_scalar("select email from users where id = $1")
            .bind(user)
            .fetch_one(self.accounts.pool())
            .await?;
        Ok(SsoLinkRequired {
            link_token: token,
            email,
            expire_time: Some(timestamp(expires_at)),
        })
    }

    pub async fn link_sso_identity(
        &self,
        caller: &Caller,
        request: LinkSsoIdentityRequest,
    ) -> Result<Answer<LinkSsoIdentityResponse>, ApiError> {
        let token = request.link_token.trim();
        if token.is_empty() {
            return Err(ApiError::invalid("link_token", "is required"));
        }
        if request.password.is_empty() {
            return Err(ApiError::invalid("password", "is required"));
        }
        let unknown = || {
            ApiError::invalid(
                "link_token",
                "unknown, used or expired: sign in with the identity provider again",
            )
        };
        let token_hash = tokens::hash(token);
        let pending: Option<Pending> = sqlx::query_as(
            "select browser_hash, sso_tenant, issuer_url, issuer, subject, user_id \
             from sso_link_requests where token_hash = $1 and used_at is null and expires_at > now()",
        )
        .bind(&token_hash)
        .fetch_optional(self.accounts.pool())
        .await?;
        let pending = pending.ok_or_else(unknown)?;
        if !same_browser(caller.sso_flow.as_deref(), &pending.browser_hash) {
            return Err(ApiError::PermissionDenied(OTHER_BROWSER.into()));
        }
        let email: String = sqlx::query_scalar("select email from users where id = $1")
            .bind(pending.user_id)
            .fetch_one(self.accounts.pool())
            .await?;
        self.prove_account(
            &email,
            request.password,
            &request.totp_code,
            &request.recovery_code,
            caller,
        )
        .await?;
        let used = sqlx::query(
            "update sso_link_requests set used_at = now() where token_hash = $1 and used_at is null",
        )
        .bind(&token_hash)
        .execute(self.accounts.pool())
        .await?
        .rows_affected();
        if used != 1 {
            return Err(unknown());
        }
        let (provider, settings) = self.provider_for(Some(pending.sso_tenant)).await?;
        let settings = settings.ok_or_else(unknown)?;
        if provider.issuer_url != pending.issuer_url {
            return Err(ApiError::FailedPrecondition(
                "the tenant's identity provider changed since this sign-in: sign in with it again"
                    .into(),
            ));
        }
        let identity = Identity {
            issuer: pending.issuer,
            subject: pending.subject,
            email: Some(email.clone()),
            email_verified: true,
        };
        let user = pending.user_id;
        let actor = Actor(format!("user:{user}"));
        let mut tx = self.tenants.tx(&(pending.sso_tenant, &actor)).await?;
        if memberships::permissions_in(&mut tx, user).await?.is_none() {
            if let Domain::NotAllowed(domain) =
                domains::standing(&mut tx, &settings, &email).await?
            {
                return Err(ApiError::PermissionDenied(
                    Refusal::DomainNotAllowed(domain).message(),
                ));
            }
            self.join_just_in_time(&mut tx, Some(user), &email, &settings)
                .await?;
        }
        self.record_link(&mut tx, &identity, user, Proof::Password)
            .await?;
        tx.commit().await?;
        let session = self
            .sessions
            .start_limited_to(user, pending.sso_tenant, AccountAccess::Allowed)
            .await?;
        let tenants = self.signed_in_by_sso(&session, &identity, caller).await?;
        Ok(Answer {
            body: LinkSsoIdentityResponse {
                session: Some(Self::session_pb(&session, caller.cookies)),
                tenants: Self::tenants_pb(&tenants),
            },
            cookies: Cookies::Set(session),
        })
    }

    /// Links `identity` to `user` (over a link that proved nothing) and tells the person.
    pub(super) async fn record_link(
        &self,
        tx: &mut TenantTx,
        identity: &Identity,
        user: UserId,
        proof: Proof,
    ) -> Result<(), ApiError> {
        let made: Option<UserId> = sqlx::query_scalar(
            "insert into user_identities (issuer, subject, user_id, proof) values ($1, $2, $3, $4) \
             on conflict (issuer, subject) do update \
               set user_id = excluded.user_id, proof = excluded.proof, created_at = now() \
               where user_identities.proof = $5 \
             returning user_id",
        )
        .bind(&identity.issuer)
        .bind(&identity.subject)
        .bind(user)
        .bind(proof.as_str())
        .bind(Proof::Unproven.as_str())
        .fetch_optional(&mut **tx)
        .await?;
        if made.is_some() {
            return self.tell_about_link(tx, user, identity, proof).await;
        }
        // Linked by proof in the meantime (a racing sign-in): fine if to the same person.
        let linked_to: UserId = sqlx::query_scalar(
            "select user_id from user_identities where issuer = $1 and subject = $2",
        )
        .bind(&identity.issuer)
        .bind(&identity.subject)
        .fetch_one(&mut **tx)
        .await?;
        if linked_to != user {
            return Err(ApiError::FailedPrecondition(
                "this identity of the provider is linked to another account already".into(),
            ));
        }
        Ok(())
    }

    /// The email and security-log entry for a new link, in the transaction that made it.
    pub(super) async fn tell_about_link(
        &self,
        tx: &mut TenantTx,
        user: UserId,
        identity: &Identity,
        proof: Proof,
    ) -> Result<(), ApiError> {
        let email: String = sqlx::query_scalar("select email from users where id = $1")
            .bind(user)
            .fetch_one(&mut **tx)
            .await?;
        let told = EmailRequested {
            message: EmailMessage::SsoIdentityLinked {
                issuer: identity.issuer.clone(),
                proof: proof.as_str(),
                linked_at: Utc::now(),
            },
            to: vec![email],
        };
        outbox::emit(tx, user, outbox::Event::EmailRequested(told)).await?;
        security_log::record(
            tx,
            SecurityEvent {
                kind: "sso.identity_linked",
                actor: &format!("user:{user}"),
                subject: &format!("user:{user}"),
                address: None,
                detail: serde_json::json!({ "issuer": identity.issuer, "proof": proof.as_str() }),
            },
        )
        .await?;
        Ok(())
    }
}
