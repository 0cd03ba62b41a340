//! Single sign-on with OpenID Connect (the `openidconnect` crate): Authorization Code with PKCE,
//! discovery, state and nonce, and ID-token validation (signature against the provider's JWKS,
//! issuer, audience, expiry, nonce). Two kinds of provider: a tenant's own (enterprise SSO, set
//! by its admins, where people with a verified email in an allowed domain join on their first
//! sign-in) and the platform's (`EVENTKIT_OIDC_*`, for people who have an account already).
//! Every call to a provider goes through the SSRF-guarded clients, since tenants choose the URL.

use super::{Answer, Auth, Caller, Cookies};
use chrono::{Duration, Utc};
use eventkit_domain::{email::parse_account_email, permissions::BuiltinRole, quota::QuotaKey};
use eventkit_platform::{
    ApiError,
    db::{Actor, TenantTx},
    identity::{
        memberships,
        security_log::{self, SecurityEvent},
        tokens,
    },
    outbound::{GuardedClients, describe},
    quota,
};
use eventkit_proto::eventkit::v1::*;
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    TokenResponse,
    core::{CoreAuthenticationFlow, CoreClient, CoreIdToken, CoreProviderMetadata},
};
use std::str::FromStr;
use uuid::Uuid;

const FLOW_VALID_FOR: Duration = Duration::minutes(10);

/// A client made from discovery: authorization and token endpoints known, user info maybe.
pub type DiscoveredClient = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Where a provider is and who we are to it.
#[derive(Clone)]
pub struct Provider {
    pub issuer_url: String,
    pub client_id: String,
    pub client_secret: String,
}

/// A person as a provider vouched for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
}

/// Provider calls through the SSRF guard, and the platform's own provider if configured.
#[derive(Clone)]
pub struct Sso {
    clients: GuardedClients,
    platform: Option<Provider>,
    redirect_uri: String,
}

impl Sso {
    pub fn new(clients: GuardedClients, platform: Option<Provider>, public_url: &str) -> Self {
        Self {
            clients,
            platform,
            redirect_uri: format!("{}/sso/callback", public_url.trim_end_matches('/')),
        }
    }

    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// A client of `provider`, from its discovery document, that returns people to us.
    pub async fn client(&self, provider: &Provider) -> Result<DiscoveredClient, ApiError> {
        let metadata = self.discover(&provider.issuer_url).await?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(provider.client_id.clone()),
            Some(ClientSecret::new(provider.client_secret.clone())),
        )
        .set_redirect_uri(
            RedirectUrl::new(self.redirect_uri.clone())
                .map_err(|e| ApiError::Internal(anyhow::anyhow!("redirect URI: {e}")))?,
        ))
    }

    /// The provider's discovery document (and signing keys).
    pub async fn discover(&self, issuer_url: &str) -> Result<CoreProviderMetadata, ApiError> {
        let unavailable = |why: String| {
            ApiError::FailedPrecondition(format!(
                "the identity provider {issuer_url} cannot be used: {why}"
            ))
        };
        let issuer =
            IssuerUrl::new(issuer_url.to_owned()).map_err(|e| unavailable(e.to_string()))?;
        let http = self.clients.pick(issuer_url).map_err(unavailable)?;
        CoreProviderMetadata::discover_async(issuer, http)
            .await
            .map_err(|e| unavailable(describe(&e)))
    }
}

/// Checks a raw ID token from `metadata`'s provider for `client_id`: signature, issuer,
/// audience, expiry and `nonce`.
pub fn verify_id_token(
    metadata: &CoreProviderMetadata,
    client_id: &str,
    raw: &str,
    nonce: &str,
) -> Result<Identity, String> {
    let client = CoreClient::from_provider_metadata(
        metadata.clone(),
        ClientId::new(client_id.to_owned()),
        None,
    );
    let token = CoreIdToken::from_str(raw).map_err(|e| format!("malformed ID token: {e}"))?;
    identity_of(&token, &client.id_token_verifier(), nonce)
}

fn identity_of(
    token: &CoreIdToken,
    verifier: &openidconnect::core::CoreIdTokenVerifier<'_>,
    nonce: &str,
) -> Result<Identity, String> {
    let claims = token
        .claims(verifier, &Nonce::new(nonce.to_owned()))
        .map_err(|e| describe(&e))?;
    Ok(Identity {
        issuer: claims.issuer().to_string(),
        subject: claims.subject().to_string(),
        email: claims.email().map(|e| e.to_string()),
        email_verified: claims.email_verified().unwrap_or(false),
    })
}

/// A tenant's SSO settings as stored.
#[derive(sqlx::FromRow)]
pub(crate) struct TenantSso {
    pub issuer_url: String,
    pub client_id: String,
    pub client_secret: String,
    pub allowed_domains: Vec<String>,
    pub default_role_id: Option<Uuid>,
    pub enabled: bool,
}

pub(crate) const TENANT_SSO_COLUMNS: &str =
    "issuer_url, client_id, client_secret, allowed_domains, default_role_id, enabled";

impl Auth {
    /// The provider for `tenant` (its enabled SSO settings) or the platform's.
    async fn provider_for(
        &self,
        tenant: Option<Uuid>,
    ) -> Result<(Provider, Option<TenantSso>), ApiError> {
        let Some(tenant_id) = tenant else {
            let platform = self.sso.platform.clone().ok_or_else(|| {
                ApiError::FailedPrecondition(
                    "no platform identity provider is configured (EVENTKIT_OIDC_ISSUER)".into(),
                )
            })?;
            return Ok((platform, None));
        };
        let mut tx = self.db.tenant_tx(tenant_id, &Actor::system("sso")).await?;
        let settings: Option<TenantSso> =
            sqlx::query_as(&format!("select {TENANT_SSO_COLUMNS} from sso_settings"))
                .fetch_optional(&mut *tx)
                .await?;
        tx.commit().await?;
        let settings = settings
            .filter(|s| s.enabled)
            .ok_or_else(|| ApiError::not_found("single sign-on of tenant", tenant_id))?;
        Ok((
            Provider {
                issuer_url: settings.issuer_url.clone(),
                client_id: settings.client_id.clone(),
                client_secret: settings.client_secret.clone(),
            },
            Some(settings),
        ))
    }

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
        sqlx::query(
            "insert into sso_sign_ins (state_hash, sso_tenant, issuer_url, pkce_verifier, nonce, expires_at) \
             values ($1, $2, $3, $4, $5, $6)",
        )
        .bind(tokens::hash(state.secret()))
        .bind(tenant)
        .bind(&provider.issuer_url)
        .bind(verifier.secret())
        .bind(nonce.secret())
        .bind(Utc::now() + FLOW_VALID_FOR)
        .execute(self.db.pool())
        .await?;
        Ok(Answer {
            body: StartSsoSignInResponse {
                authorization_url: url.to_string(),
            },
            cookies: Cookies::Keep,
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
        let flow: Option<(Option<Uuid>, String, String, String)> = sqlx::query_as(
            "update sso_sign_ins set used_at = now() \
             where state_hash = $1 and used_at is null and expires_at > now() \
             returning sso_tenant, issuer_url, pkce_verifier, nonce",
        )
        .bind(tokens::hash(request.state.trim()))
        .fetch_optional(self.db.pool())
        .await?;
        let (tenant, issuer_url, verifier, nonce) = flow.ok_or_else(|| {
            ApiError::invalid("state", "unknown, used or expired sign-in: start again")
        })?;
        let (provider, settings) = self.provider_for(tenant).await?;
        if provider.issuer_url != issuer_url {
            return Err(ApiError::FailedPrecondition(
                "the identity provider changed during the sign-in: start again".into(),
            ));
        }
        let client = self.sso.client(&provider).await?;
        let refused =
            |why: String| ApiError::Unauthenticated(format!("single sign-on failed: {why}"));
        let exchange = client
            .exchange_code(AuthorizationCode::new(request.code.trim().to_owned()))
            .map_err(|e| refused(describe(&e)))?
            .set_pkce_verifier(PkceCodeVerifier::new(verifier));
        let token_url = client
            .token_uri()
            .map(|u| u.to_string())
            .unwrap_or_default();
        let http = self.sso_clients().pick(&token_url).map_err(refused)?;
        let response = exchange
            .request_async(http)
            .await
            .map_err(|e| refused(format!("the provider refused the code: {}", describe(&e))))?;
        let id_token = response
            .id_token()
            .ok_or_else(|| refused("the provider sent no ID token".into()))?;
        let identity = identity_of(id_token, &client.id_token_verifier(), &nonce)
            .map_err(|e| refused(format!("the ID token is not valid: {e}")))?;
        let user_id = self
            .person_for(&identity, tenant.zip(settings.as_ref()))
            .await?;
        let (tenant_id, tenants) = self
            .pick_tenant(
                user_id,
                "tenant_id",
                &tenant.map(|t| t.to_string()).unwrap_or_default(),
            )
            .await?;
        // A tenant's own provider vouches for that tenant only.
        let session = match tenant {
            Some(_) => self.sessions.start_limited_to(user_id, tenant_id).await?,
            None => self.sessions.start(user_id, tenant_id).await?,
        };
        self.log(
            tenant_id,
            SecurityEvent {
                kind: "sign_in.succeeded",
                actor: &format!("user:{user_id}"),
                subject: &format!("user:{user_id}"),
                address: caller.address.as_deref(),
                detail: serde_json::json!({ "method": "sso", "issuer": identity.issuer }),
            },
        )
        .await?;
        Ok(Answer {
            body: FinishSsoSignInResponse {
                session: Some(Self::session_pb(&session, caller.cookies)),
                tenants: Self::tenants_pb(&tenants),
            },
            cookies: Cookies::Set(session),
        })
    }

    fn sso_clients(&self) -> &GuardedClients {
        &self.sso.clients
    }

    /// The person an identity stands for: linked before, or found by verified email; with a
    /// tenant's provider, made a member (and an account made) when the verified email's domain
    /// is allowed.
    async fn person_for(
        &self,
        identity: &Identity,
        tenant: Option<(Uuid, &TenantSso)>,
    ) -> Result<Uuid, ApiError> {
        let linked: Option<Uuid> = sqlx::query_scalar(
            "select user_id from user_identities where issuer = $1 and subject = $2",
        )
        .bind(&identity.issuer)
        .bind(&identity.subject)
        .fetch_optional(self.db.pool())
        .await?;
        let verified_email = match (&identity.email, identity.email_verified) {
            (Some(email), true) => Some(parse_account_email("email", email).map_err(|_| {
                ApiError::Unauthenticated("the provider's email address is not usable".into())
            })?),
            _ => None,
        };
        let existing = match (linked, &verified_email) {
            (Some(user), _) => Some(user),
            (None, Some(email)) => {
                sqlx::query_scalar("select id from users where email = $1")
                    .bind(email)
                    .fetch_optional(self.db.pool())
                    .await?
            }
            (None, None) => None,
        };
        let Some((tenant_id, settings)) = tenant else {
            // The platform's provider signs in people who have an account already.
            let user = existing.ok_or_else(|| {
                ApiError::PermissionDenied(
                    "no account for this identity: ask a tenant admin for an invitation".into(),
                )
            })?;
            self.link(identity, user).await?;
            return Ok(user);
        };
        let mut tx = self.db.tenant_tx(tenant_id, &Actor::system("sso")).await?;
        let member = match existing {
            Some(user) => memberships::permissions_in(&mut tx, user).await?.is_some(),
            None => false,
        };
        // A tenant's provider speaks for its allowed domains only: it may not take over an
        // account of another domain by naming its email (a linked identity was checked then).
        if linked.is_none()
            && let Some(email) = &verified_email
            && !domain_allowed(email, &settings.allowed_domains)
        {
            return Err(ApiError::PermissionDenied(format!(
                "people from {} may not sign in with this tenant's identity provider: use your password",
                email.rsplit('@').next().unwrap_or_default()
            )));
        }
        let user = if member {
            existing.expect("members exist")
        } else {
            let email = verified_email.ok_or_else(|| {
                ApiError::PermissionDenied(
                    "the identity provider did not vouch for an email address: ask for an invitation"
                        .into(),
                )
            })?;
            if !domain_allowed(&email, &settings.allowed_domains) {
                return Err(ApiError::PermissionDenied(format!(
                    "people from {} may not join this tenant by single sign-on: ask for an invitation",
                    email.rsplit('@').next().unwrap_or_default()
                )));
            }
            self.join_just_in_time(&mut tx, existing, &email, settings)
                .await?
        };
        tx.commit().await?;
        self.link(identity, user).await?;
        Ok(user)
    }

    /// Makes the account (if needed) and the membership with the SSO default role.
    async fn join_just_in_time(
        &self,
        tx: &mut TenantTx,
        existing: Option<Uuid>,
        email: &str,
        settings: &TenantSso,
    ) -> Result<Uuid, ApiError> {
        quota::reserve(tx, QuotaKey::Seats, 1).await?;
        let user = match existing {
            Some(user) => user,
            None => {
                let id = Uuid::now_v7();
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

    async fn link(&self, identity: &Identity, user: Uuid) -> Result<(), ApiError> {
        sqlx::query(
            "insert into user_identities (issuer, subject, user_id) values ($1, $2, $3) \
             on conflict (issuer, subject) do nothing",
        )
        .bind(&identity.issuer)
        .bind(&identity.subject)
        .bind(user)
        .execute(self.db.pool())
        .await?;
        Ok(())
    }
}

fn domain_allowed(email: &str, allowed: &[String]) -> bool {
    let domain = email.rsplit('@').next().unwrap_or_default();
    allowed.iter().any(|d| d.eq_ignore_ascii_case(domain))
}

fn parse_optional_tenant(raw: &str) -> Result<Option<Uuid>, ApiError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    Uuid::try_parse(raw)
        .map(Some)
        .map_err(|_| ApiError::invalid("tenant_id", "must be a tenant id (UUID) or empty"))
}
