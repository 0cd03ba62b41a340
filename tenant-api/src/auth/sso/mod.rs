//! Single sign-on with OpenID Connect (the `openidconnect` crate): Authorization Code with PKCE,
//! discovery, state and nonce, and ID-token validation (signature against the provider's JWKS,
//! issuer, audience, expiry, nonce). Two kinds of provider: a tenant's own (enterprise SSO, set
//! by its admins) and the platform's (`EVENTKIT_OIDC_*`, for people who have an account
//! already). Every call to a provider goes through the SSRF-guarded clients, since tenants
//! choose the URL. A tenant's provider is believed about an existing account only once the
//! person proved it ([`link`]) or the tenant proved it owns the email's domain ([`domains`]);
//! [`decide`] holds those rules, [`flow`] the sign-in itself. Flows are bound to the browser
//! that started them by the `ek_sso` cookie.

mod decide;
pub(crate) mod domains;
mod flow;
mod link;

use super::Auth;
use chrono::Duration;
use eventkit_domain::ids::TenantId;
use eventkit_platform::{
    ApiError,
    db::Actor,
    outbound::{GuardedClients, describe},
};
use openidconnect::{
    ClientId, ClientSecret, EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl, Nonce,
    RedirectUrl,
    core::{CoreClient, CoreIdToken, CoreProviderMetadata},
};
use std::str::FromStr;
use uuid::Uuid;

/// How long a sign-in flow (and a link request) lasts.
pub const FLOW_VALID_FOR: Duration = Duration::minutes(10);

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
        tenant: Option<TenantId>,
    ) -> Result<(Provider, Option<TenantSso>), ApiError> {
        let Some(tenant_id) = tenant else {
            let platform = self.sso.platform.clone().ok_or_else(|| {
                ApiError::FailedPrecondition(
                    "no platform identity provider is configured (EVENTKIT_OIDC_ISSUER)".into(),
                )
            })?;
            return Ok((platform, None));
        };
        let mut tx = self.tenants.tx(&(tenant_id, &Actor::system("sso"))).await?;
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
}

fn parse_optional_tenant(raw: &str) -> Result<Option<TenantId>, ApiError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    Uuid::try_parse(raw)
        .map(|id| Some(TenantId::from_uuid(id)))
        .map_err(|_| ApiError::invalid("tenant_id", "must be a tenant id (UUID) or empty"))
}
