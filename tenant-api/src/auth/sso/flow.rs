//! The sign-in itself: StartSsoSignIn stores the flow (state hashed, PKCE verifier, nonce, and
//! the hash of the browser's `ek_sso` nonce) and sends the browser to the provider;
//! FinishSsoSignIn takes the flow back only from that browser, trades the code for a checked ID
//! token and applies [`decide`](super::decide) for a tenant's provider.

use super::{
    FLOW_VALID_FOR, Identity, Provider, TenantSso,
    decide::{self, Decision, Facts, Link, Proof, Who},
    domains, identity_of, parse_optional_tenant,
};
use crate::auth::{Answer, Auth, Caller, Cookies};
use chrono::Utc;
use eventkit_domain::ids::{TenantId, UserId};
use eventkit_domain::{email::parse_account_email, permissions::BuiltinRole, quota::QuotaKey};
use eventkit_platform::{
    ApiError,
    db::{Actor, TenantTx},
    identity::{
        memberships,
        security_log::{self, SecurityEvent},
        sessions::{AccountAccess, IssuedSession},
        tokens,
    },
    outbound::describe,
    quota,
};
use eventkit_proto::eventkit::v1::*;
use openidconnect::{
    AuthorizationCode, CsrfToken, Nonce, PkceCodeChallenge, PkceCodeVerifier, Scope, TokenResponse,
    core::CoreAuthenticationFlow,
};
use subtle::ConstantTimeEq;
use uuid::Uuid;

/// Refusal of a flow or link request without the browser's `ek_sso` cookie.
pub(super) const OTHER_BROWSER: &str = "this single sign-on was started in another browser (the \
     ek_sso cookie is missing or does not match): start it again from this browser";

/// A flow taken back by FinishSsoSignIn.
struct Flow {
    tenant: Option<TenantId>,
    issuer_url: String,
    verifier: String,
    nonce: String,
}

/// The outcome of a tenant provider's sign-in.
enum Outcome {
    SignedIn {
        user: UserId,
        account: AccountAccess,
    },
    LinkRequired(SsoLinkRequired),
}

/// Whether `cookie` is the browser a flow was bound to (`bound`: the stored hash).
pub(super) fn same_browser(cookie: Option<&str>, bound: &[u8]) -> bool {
    cookie
        .filter(|c| !c.is_empty())
        .is_some_and(|c| bool::from(tokens::hash(c).as_slice().ct_eq(bound)))
}

impl Auth {
    pub async fn start_sso_sign_in(
        &self,
        caller: &Caller,
        request: StartSsoSignInRequest,
    ) -> Result<Answer<StartSsoSignInResponse>, ApiError> {
        self.throttles
            .admit_client(
                eventkit_platform::rate_limit::PerClient::SsoStarts,
                caller.client,
            )
            .await?;
        let tenant = parse_optional_tenant(&request.tenant_id)?;
        let hint = request.login_hint.trim();
        if hint.chars().count() > 254 {
            return Err(ApiError::invalid(
                "login_hint",
                "must be at most 254 characters",
            ));
        }
        let (provider, _) = self.provider_for(tenant).await?;
        let client = self.sso.client(&provider).await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut authorize = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .set_pkce_challenge(challenge);
        if !hint.is_empty() {
            authorize = authorize.add_extra_param("login_hint", hint.to_owned());
        }
        let (url, state, nonce) = authorize.url();
        let browser = tokens::generate("");
        sqlx::query(
            "insert into sso_sign_ins (state_hash, sso_tenant, issuer_url, pkce_verifier, nonce, expires_at, browser_hash) \
             values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(tokens::hash(state.secret()))
        .bind(tenant)
        .bind(&provider.issuer_url)
        .bind(verifier.secret())
        .bind(nonce.secret())
        .bind(Utc::now() + FLOW_VALID_FOR)
        .bind(tokens::hash(&browser))
        .execute(self.accounts.pool())
        .await?;
        Ok(Answer {
            body: StartSsoSignInResponse {
                authorization_url: url.to_string(),
            },
            cookies: Cookies::SsoFlow(browser),
        })
    }

    pub async fn finish_sso_sign_in(
        &self,
        caller: &Caller,
        request: FinishSsoSignInRequest,
    ) -> Result<Answer<FinishSsoSignInResponse>, ApiError> {
        if request.code.trim().is_empty() {
            return Err(ApiError::invalid("code", "is required"));
        }
        let flow = self.take_flow(caller, request.state.trim()).await?;
        let (provider, settings) = self.provider_for(flow.tenant).await?;
        if provider.issuer_url != flow.issuer_url {
            return Err(ApiError::FailedPrecondition(
                "the identity provider changed during the sign-in: start again".into(),
            ));
        }
        let identity = self
            .identity_for_code(&provider, &request.code, &flow)
            .await?;
        let session = match flow.tenant.zip(settings) {
            None => {
                let (user_id, new_link) = self.platform_person(&identity).await?;
                let (tenant_id, _) = self.pick_tenant(user_id, "tenant_id", "").await?;
                if new_link {
                    let mut tx = self.tenants.tx(&(tenant_id, &Actor::system("sso"))).await?;
                    self.tell_about_link(&mut tx, user_id, &identity, Proof::Platform)
                        .await?;
                    tx.commit().await?;
                }
                self.sessions.start(user_id, tenant_id).await?
            }
            Some((tenant_id, settings)) => {
                let outcome = self
                    .tenant_person(tenant_id, &provider, &settings, &identity, caller)
                    .await?;
                let (user_id, account) = match outcome {
                    Outcome::SignedIn { user, account } => (user, account),
                    Outcome::LinkRequired(link_required) => {
                        return Ok(Answer {
                            body: FinishSsoSignInResponse {
                                session: None,
                                tenants: Vec::new(),
                                link_required: Some(link_required),
                            },
                            cookies: Cookies::Keep,
                        });
                    }
                };
                // A tenant's own provider vouches for that tenant only.
                self.sessions
                    .start_limited_to(user_id, tenant_id, account)
                    .await?
            }
        };
        let tenants = self.signed_in_by_sso(&session, &identity, caller).await?;
        Ok(Answer {
            body: FinishSsoSignInResponse {
                session: Some(Self::session_pb(&session, caller.cookies)),
                tenants: Self::tenants_pb(&tenants),
                link_required: None,
            },
            cookies: Cookies::Set(session),
        })
    }

    /// Records the sign-in in its tenant and answers the person's tenants.
    pub(super) async fn signed_in_by_sso(
        &self,
        session: &IssuedSession,
        identity: &Identity,
        caller: &Caller,
    ) -> Result<Vec<memberships::TenantOfUser>, ApiError> {
        let user_id = session.user_id;
        self.log(
            session.tenant_id,
            SecurityEvent {
                kind: "sign_in.succeeded",
                actor: &format!("user:{user_id}"),
                subject: &format!("user:{user_id}"),
                address: caller.address.as_deref(),
                detail: serde_json::json!({ "method": "sso", "issuer": identity.issuer }),
            },
        )
        .await?;
        memberships::tenants_of(self.accounts.db(), user_id).await
    }

    /// Uses up the flow of `state`, if this is the browser that started it.
    async fn take_flow(&self, caller: &Caller, state: &str) -> Result<Flow, ApiError> {
        let unknown =
            || ApiError::invalid("state", "unknown, used or expired sign-in: start again");
        let state_hash = tokens::hash(state);
        let bound: Option<Vec<u8>> = sqlx::query_scalar(
            "select browser_hash from sso_sign_ins \
             where state_hash = $1 and used_at is null and expires_at > now()",
        )
        .bind(&state_hash)
        .fetch_optional(self.accounts.pool())
        .await?;
        let bound = bound.ok_or_else(unknown)?;
        if !same_browser(caller.sso_flow.as_deref(), &bound) {
            return Err(ApiError::PermissionDenied(OTHER_BROWSER.into()));
        }
        let flow: Option<(Option<TenantId>, String, String, String)> = sqlx::query_as(
            "update sso_sign_ins set used_at = now() \
             where state_hash = $1 and used_at is null and expires_at > now() \
             returning sso_tenant, issuer_url, pkce_verifier, nonce",
        )
        .bind(&state_hash)
        .fetch_optional(self.accounts.pool())
        .await?;
        let (tenant, issuer_url, verifier, nonce) = flow.ok_or_else(unknown)?;
        Ok(Flow {
            tenant,
            issuer_url,
            verifier,
            nonce,
        })
    }

    /// Trades the code for the provider's ID token and checks it.
    async fn identity_for_code(
        &self,
        provider: &Provider,
        code: &str,
        flow: &Flow,
    ) -> Result<Identity, ApiError> {
        let client = self.sso.client(provider).await?;
        let refused =
            |why: String| ApiError::Unauthenticated(format!("single sign-on failed: {why}"));
        let exchange = client
            .exchange_code(AuthorizationCode::new(code.trim().to_owned()))
            .map_err(|e| refused(describe(&e)))?
            .set_pkce_verifier(PkceCodeVerifier::new(flow.verifier.clone()));
        let token_url = client
            .token_uri()
            .map(|u| u.to_string())
            .unwrap_or_default();
        let http = self.sso.clients.pick(&token_url).map_err(refused)?;
        let response = exchange
            .request_async(http)
            .await
            .map_err(|e| refused(format!("the provider refused the code: {}", describe(&e))))?;
        let id_token = response
            .id_token()
            .ok_or_else(|| refused("the provider sent no ID token".into()))?;
        identity_of(id_token, &client.id_token_verifier(), &flow.nonce)
            .map_err(|e| refused(format!("the ID token is not valid: {e}")))
    }

    /// The verified email the provider vouched for, if any.
    fn verified_email(identity: &Identity) -> Result<Option<String>, ApiError> {
        match (&identity.email, identity.email_verified) {
            (Some(email), true) => Ok(Some(parse_account_email("email", email).map_err(|_| {
                ApiError::Unauthenticated("the provider's email address is not usable".into())
            })?)),
            _ => Ok(None),
        }
    }

    /// The platform's provider signs in people who have an account already: linked before, or
    /// found by verified email (then linked). Answers the person and whether the link is new.
    async fn platform_person(&self, identity: &Identity) -> Result<(UserId, bool), ApiError> {
        let linked: Option<UserId> = sqlx::query_scalar(
            "select user_id from user_identities where issuer = $1 and subject = $2",
        )
        .bind(&identity.issuer)
        .bind(&identity.subject)
        .fetch_optional(self.accounts.pool())
        .await?;
        if let Some(user) = linked {
            return Ok((user, false));
        }
        let by_email: Option<UserId> = match Self::verified_email(identity)? {
            Some(email) => {
                sqlx::query_scalar("select id from users where email = $1")
                    .bind(email)
                    .fetch_optional(self.accounts.pool())
                    .await?
            }
            None => None,
        };
        let user = by_email.ok_or_else(|| {
            ApiError::PermissionDenied(
                "no account for this identity: ask a tenant admin for an invitation".into(),
            )
        })?;
        let inserted = sqlx::query(
            "insert into user_identities (issuer, subject, user_id, proof) values ($1, $2, $3, $4) \
             on conflict (issuer, subject) do nothing",
        )
        .bind(&identity.issuer)
        .bind(&identity.subject)
        .bind(user)
        .bind(Proof::Platform.as_str())
        .execute(self.accounts.pool())
        .await?
        .rows_affected();
        Ok((user, inserted == 1))
    }

    /// With a tenant's provider: who the identity is, by [`decide`].
    async fn tenant_person(
        &self,
        tenant_id: TenantId,
        provider: &Provider,
        settings: &TenantSso,
        identity: &Identity,
        caller: &Caller,
    ) -> Result<Outcome, ApiError> {
        let link: Option<(UserId, String)> = sqlx::query_as(
            "select user_id, proof from user_identities where issuer = $1 and subject = $2",
        )
        .bind(&identity.issuer)
        .bind(&identity.subject)
        .fetch_optional(self.accounts.pool())
        .await?;
        let linked = link
            .map(|(user, proof)| (user, Proof::parse(&proof)))
            .filter(|(_, proof)| *proof != Proof::Unproven);
        let email = Self::verified_email(identity)?;
        let by_email: Option<UserId> = match (&linked, &email) {
            (None, Some(email)) => {
                sqlx::query_scalar("select id from users where email = $1")
                    .bind(email)
                    .fetch_optional(self.accounts.pool())
                    .await?
            }
            _ => None,
        };
        let mut tx = self.tenants.tx(&(tenant_id, &Actor::system("sso"))).await?;
        let member = match linked.map(|(user, _)| user).or(by_email) {
            Some(user) => memberships::permissions_in(&mut tx, user).await?.is_some(),
            None => false,
        };
        let domain = match &email {
            Some(email) => Some(domains::standing(&mut tx, settings, email).await?),
            None => None,
        };
        let facts = Facts {
            linked,
            by_email,
            member,
            domain,
        };
        let (who, link) = match decide::decide(&facts) {
            Decision::Refuse(why) => return Err(ApiError::PermissionDenied(why.message())),
            Decision::LinkRequired { user } => {
                tx.commit().await?;
                let pending = self
                    .request_link(tenant_id, provider, identity, user, caller)
                    .await?;
                return Ok(Outcome::LinkRequired(pending));
            }
            Decision::Admit { who, link } => (who, link),
        };
        let user = match (who, &email) {
            (Who::Member(user), _) => user,
            (Who::Joins(account), Some(email)) => {
                self.join_just_in_time(&mut tx, account, email, settings)
                    .await?
            }
            (Who::Joins(_), None) => {
                return Err(ApiError::PermissionDenied(
                    decide::Refusal::NoVerifiedEmail.message(),
                ));
            }
        };
        if let Link::New(proof) = link {
            self.record_link(&mut tx, identity, user, proof).await?;
        }
        tx.commit().await?;
        Ok(Outcome::SignedIn {
            user,
            account: link.proof().account_access(),
        })
    }

    /// Makes the account (if needed) and the membership with the SSO default role.
    pub(super) async fn join_just_in_time(
        &self,
        tx: &mut TenantTx,
        existing: Option<UserId>,
        email: &str,
        settings: &TenantSso,
    ) -> Result<UserId, ApiError> {
        quota::reserve(tx, QuotaKey::Seats, 1).await?;
        let user = match existing {
            Some(user) => user,
            None => {
                let id = UserId::new();
                sqlx::query(
                    "insert into users (id, email, email_verified_at) values ($1, $2, now())",
                )
                .bind(id)
                .bind(email)
                .execute(&mut **tx)
                .await?;
                id
            }
        };
        let role: Uuid = match settings.default_role_id {
            Some(role) => role,
            None => {
                sqlx::query_scalar("select id from roles where builtin = $1")
                    .bind(BuiltinRole::ReadOnly.key())
                    .fetch_one(&mut **tx)
                    .await?
            }
        };
        sqlx::query("insert into memberships (tenant_id, user_id) values ($1, $2)")
            .bind(tx.tenant_id())
            .bind(user)
            .execute(&mut **tx)
            .await?;
        sqlx::query(
            "insert into membership_roles (tenant_id, user_id, role_id) values ($1, $2, $3)",
        )
        .bind(tx.tenant_id())
        .bind(user)
        .bind(role)
        .execute(&mut **tx)
        .await?;
        security_log::record(
            tx,
            SecurityEvent {
                kind: "user.joined_by_sso",
                actor: &format!("user:{user}"),
                subject: &format!("user:{user}"),
                address: None,
                detail: serde_json::json!({ "email": email, "roleId": role }),
            },
        )
        .await?;
        Ok(user)
    }
}
