//! Sections of configuration that more than one deployable reads, each parsed by one function:
//! the database URLs (every deployable and `eventkit migrate`), object storage (control plane
//! and workers), the checks of tenant credentials (tenant API and control plane), the public URL
//! and the guard on outbound requests. A deployable's configuration is [`super::Config`] plus
//! the sections it uses plus its own settings, so it parses nothing it does not use.

use super::{ConfigError, Vars, urls::with_user};
use crate::secret::{Secret, redact_url};
use eventkit_domain::webhooks::destination::Guard;
use std::{collections::HashMap, fmt, net::SocketAddr, time::Duration};

/// Where a role's database connection goes.
#[derive(Clone)]
pub struct DatabaseUrls {
    /// `eventkit_app`: tenant-api and workers.
    pub app: Secret<String>,
    /// `eventkit_control`: the control plane.
    pub control: Secret<String>,
    /// `eventkit_owner`: migrations only.
    pub owner: Secret<String>,
    /// A superuser, used only by `eventkit migrate` to create roles and the database.
    pub admin: Secret<String>,
}

impl fmt::Debug for DatabaseUrls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseUrls")
            .field("app", &redact_url(self.app.expose()))
            .field("control", &redact_url(self.control.expose()))
            .field("owner", &redact_url(self.owner.expose()))
            .field("admin", &redact_url(self.admin.expose()))
            .finish()
    }
}

impl DatabaseUrls {
    /// `DATABASE_URL`, `EVENTKIT_CONTROL_DATABASE_URL`, `EVENTKIT_OWNER_DATABASE_URL` (both
    /// default to the app URL's host and database with the role's name as user and password)
    /// and `EVENTKIT_DATABASE_ADMIN_URL`.
    pub fn from_vars(vars: &HashMap<String, String>) -> Self {
        let vars = Vars(vars);
        let app = vars.get("DATABASE_URL").unwrap_or_else(|| {
            "postgres://eventkit_app:eventkit_app@127.0.0.1:5432/eventkit".into()
        });
        let with_role = |role: &str| with_user(&app, role, role);
        Self {
            control: Secret::new(
                vars.get("EVENTKIT_CONTROL_DATABASE_URL")
                    .unwrap_or_else(|| with_role("eventkit_control")),
            ),
            owner: Secret::new(
                vars.get("EVENTKIT_OWNER_DATABASE_URL")
                    .unwrap_or_else(|| with_role("eventkit_owner")),
            ),
            admin: Secret::new(
                vars.get("EVENTKIT_DATABASE_ADMIN_URL")
                    .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".into()),
            ),
            app: Secret::new(app),
        }
    }
}

/// Where objects (exports) are kept and how their download links are made.
#[derive(Clone, Debug)]
pub struct StorageConfig {
    /// `EVENTKIT_STORAGE_URL`: `file:///var/lib/eventkit/objects` (a folder; relative paths as
    /// `file://.data/objects`, the default) or `s3://bucket[/prefix]`.
    pub url: String,
    /// `EVENTKIT_S3_ENDPOINT`: an S3-compatible endpoint (path-style); unset means AWS.
    pub s3_endpoint: Option<String>,
    /// `EVENTKIT_S3_REGION` (else `AWS_REGION`, else `us-east-1`).
    pub s3_region: String,
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`.
    pub s3_access_key_id: Option<Secret<String>>,
    pub s3_secret_access_key: Option<Secret<String>>,
    pub s3_session_token: Option<Secret<String>>,
    /// `EVENTKIT_DOWNLOAD_URL`: where users reach the control plane's download route (filesystem
    /// backend); defaults to `http://<EVENTKIT_CONTROL_PLANE_ADDR>`.
    pub download_base_url: String,
    /// `EVENTKIT_DOWNLOAD_SIGNING_KEY`: signs filesystem download links; workers and control plane
    /// must share it. The default ([`DEV_SIGNING_KEY`]) is for development mode only.
    pub signing_key: Secret<String>,
}

/// The signing key used when `EVENTKIT_DOWNLOAD_SIGNING_KEY` is unset; anyone can read it here,
/// so only development mode accepts it.
pub const DEV_SIGNING_KEY: &str = "eventkit-development-download-signing-key";

impl StorageConfig {
    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let control_plane_addr = control_plane_addr(vars)?;
        let vars = Vars(vars);
        Ok(Self {
            url: vars
                .get("EVENTKIT_STORAGE_URL")
                .unwrap_or_else(|| "file://.data/objects".into()),
            s3_endpoint: vars.get("EVENTKIT_S3_ENDPOINT"),
            s3_region: vars
                .get("EVENTKIT_S3_REGION")
                .or_else(|| vars.get("AWS_REGION"))
                .unwrap_or_else(|| "us-east-1".into()),
            s3_access_key_id: vars.get("AWS_ACCESS_KEY_ID").map(Secret::new),
            s3_secret_access_key: vars.get("AWS_SECRET_ACCESS_KEY").map(Secret::new),
            s3_session_token: vars.get("AWS_SESSION_TOKEN").map(Secret::new),
            download_base_url: vars
                .get("EVENTKIT_DOWNLOAD_URL")
                .unwrap_or_else(|| format!("http://{control_plane_addr}"))
                .trim_end_matches('/')
                .to_owned(),
            signing_key: Secret::new(
                vars.get("EVENTKIT_DOWNLOAD_SIGNING_KEY")
                    .unwrap_or_else(|| DEV_SIGNING_KEY.into()),
            ),
        })
    }

    /// Whether objects are kept in a folder, whose download links this process signs or checks
    /// with [`signing_key`](Self::signing_key) (S3 presigns its own).
    pub fn signs_links(&self) -> bool {
        self.url.trim().starts_with("file://")
    }
}

/// `EVENTKIT_CONTROL_PLANE_ADDR` (default `127.0.0.1:8081`): where the control plane listens,
/// and so the default host of download links.
pub fn control_plane_addr(vars: &HashMap<String, String>) -> Result<SocketAddr, ConfigError> {
    Vars(vars).addr("EVENTKIT_CONTROL_PLANE_ADDR", "127.0.0.1:8081")
}

/// How a deployable that takes tenant credentials (API keys, bearer JWTs) checks them.
#[derive(Clone, Debug)]
pub struct TenantAuth {
    /// How long a verified API key stays cached in one process (`EVENTKIT_API_KEY_CACHE_MS`).
    pub api_key_cache_ttl: Duration,
    /// How long a tenant's state (active, suspended, …) stays cached in one process
    /// (`EVENTKIT_TENANT_STATE_CACHE_MS`).
    pub tenant_state_cache_ttl: Duration,
    /// Bearer JWTs of another issuer (`EVENTKIT_JWT_JWKS`, `EVENTKIT_JWT_ISSUER`,
    /// `EVENTKIT_JWT_AUDIENCE`: a key set needs both others). Unset: off.
    pub jwt: Option<ExternalJwt>,
}

/// What verifies bearer JWTs of another issuer. Issuer and audience are required: an identity
/// provider's keys sign tokens for many applications, and only those it made for this API, as
/// this issuer, may act here.
#[derive(Debug, Clone)]
pub struct ExternalJwt {
    /// The JSON Web Key Set whose keys sign the tokens.
    pub jwks: Secret<String>,
    /// The `iss` every token must carry.
    pub issuer: String,
    /// The `aud` every token must carry (the name of this API at the issuer).
    pub audience: String,
}

impl TenantAuth {
    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let vars = Vars(vars);
        Ok(Self {
            api_key_cache_ttl: vars.millis("EVENTKIT_API_KEY_CACHE_MS", 30_000)?,
            tenant_state_cache_ttl: vars.millis("EVENTKIT_TENANT_STATE_CACHE_MS", 5_000)?,
            jwt: match vars.get("EVENTKIT_JWT_JWKS") {
                None => None,
                Some(jwks) => {
                    let needed = |var: &'static str| {
                        vars.get(var).ok_or(ConfigError {
                            var,
                            message: "is required when EVENTKIT_JWT_JWKS is set (else tokens the \
                                      provider made for other applications would be accepted)"
                                .into(),
                        })
                    };
                    Some(ExternalJwt {
                        jwks: Secret::new(jwks),
                        issuer: needed("EVENTKIT_JWT_ISSUER")?,
                        audience: needed("EVENTKIT_JWT_AUDIENCE")?,
                    })
                }
            },
        })
    }
}

/// `EVENTKIT_PUBLIC_URL` (default `http://127.0.0.1:8080`, no trailing slash): where users reach
/// EventKit, for the links in emails and sign-in redirects.
pub fn public_url(vars: &HashMap<String, String>) -> String {
    Vars(vars)
        .get("EVENTKIT_PUBLIC_URL")
        .unwrap_or_else(|| "http://127.0.0.1:8080".into())
        .trim_end_matches('/')
        .to_owned()
}

/// `EVENTKIT_WEBHOOK_ALLOWLIST` (comma-separated hosts, host:port or CIDRs): the internal
/// destinations the operator allows outbound requests (webhooks, identity providers) to reach;
/// everything private is refused otherwise.
pub fn webhook_guard(vars: &HashMap<String, String>) -> Result<Guard, ConfigError> {
    Guard::parse(
        &Vars(vars)
            .get("EVENTKIT_WEBHOOK_ALLOWLIST")
            .unwrap_or_default(),
    )
    .map_err(|message| ConfigError {
        var: "EVENTKIT_WEBHOOK_ALLOWLIST",
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::var_set as vars;

    #[test]
    fn a_jwt_key_set_needs_its_issuer_and_audience() {
        let with = |pairs: &[(&str, &str)]| TenantAuth::from_vars(&vars(pairs));
        let jwks = ("EVENTKIT_JWT_JWKS", r#"{"keys":[]}"#);
        let issuer = ("EVENTKIT_JWT_ISSUER", "https://idp.example");
        let audience = ("EVENTKIT_JWT_AUDIENCE", "eventkit");
        assert_eq!(with(&[jwks]).unwrap_err().var, "EVENTKIT_JWT_ISSUER");
        assert_eq!(
            with(&[jwks, issuer]).unwrap_err().var,
            "EVENTKIT_JWT_AUDIENCE"
        );
        let jwt = with(&[jwks, issuer, audience]).unwrap().jwt.unwrap();
        assert_eq!(
            (jwt.issuer.as_str(), jwt.audience.as_str()),
            (issuer.1, audience.1)
        );
        assert!(
            with(&[issuer]).unwrap().jwt.is_none(),
            "no key set, no JWTs"
        );
    }

    #[test]
    fn roles_share_the_host_and_passwords_are_redacted() {
        let urls = DatabaseUrls::from_vars(&HashMap::new());
        assert_eq!(
            urls.owner.expose(),
            "postgres://eventkit_owner:eventkit_owner@127.0.0.1:5432/eventkit"
        );
        assert!(
            !format!("{urls:?}").contains("eventkit_owner@"),
            "passwords are redacted in Debug"
        );
    }

    #[test]
    fn download_links_default_to_the_control_plane_address() {
        let storage =
            StorageConfig::from_vars(&vars(&[("EVENTKIT_CONTROL_PLANE_ADDR", "10.0.0.5:9000")]))
                .unwrap();
        assert_eq!(storage.download_base_url, "http://10.0.0.5:9000");
        assert!(!format!("{storage:?}").contains(DEV_SIGNING_KEY));
        let bad = vars(&[("EVENTKIT_WEBHOOK_ALLOWLIST", "10.0.0.0/99")]);
        assert_eq!(
            webhook_guard(&bad).unwrap_err().var,
            "EVENTKIT_WEBHOOK_ALLOWLIST"
        );
    }
}
