//! Configuration from `EVENTKIT_*` environment variables (plus the usual `DATABASE_URL`,
//! `REDIS_URL`, `NATS_URL`), with defaults that work on a developer machine. Secrets are
//! wrapped in [`Secret`] so `Debug` output is safe to log.

use crate::rate_limit::RateLimitConfig;
use crate::rpc::client_address::{ForwardedHeader, TrustedProxies};
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

#[derive(Clone, Debug)]
pub struct Config {
    pub database: DatabaseUrls,
    pub db_max_connections: u32,
    pub redis_url: String,
    pub nats_url: String,
    pub tenant_api_addr: SocketAddr,
    pub control_plane_addr: SocketAddr,
    pub workers_addr: SocketAddr,
    /// Largest accepted request body (and gRPC message), in bytes.
    pub max_request_bytes: usize,
    /// Deadline for one request when the client sets none.
    pub request_timeout: Duration,
    /// How long a verified API key stays cached in one process.
    pub api_key_cache_ttl: Duration,
    /// How long a tenant's state (active, suspended, …) stays cached in one process.
    pub tenant_state_cache_ttl: Duration,
    /// Browser origins allowed to call the API (CORS); empty allows none.
    pub cors_origins: Vec<String>,
    /// Proxies whose forwarding header names the client (`EVENTKIT_TRUSTED_PROXIES`: CIDRs;
    /// `EVENTKIT_TRUSTED_PROXY_HEADER`: `x-forwarded-for` or `forwarded`); none by default.
    pub trusted_proxies: TrustedProxies,
    /// Bearer JWTs of another issuer (`EVENTKIT_JWT_JWKS`, `EVENTKIT_JWT_ISSUER`,
    /// `EVENTKIT_JWT_AUDIENCE`: a key set needs both others). Unset: off.
    pub jwt: Option<ExternalJwt>,
    /// `json` (default) or `pretty`.
    pub log_format: String,
    /// Internal webhook destinations the operator allows (`EVENTKIT_WEBHOOK_ALLOWLIST`:
    /// comma-separated hosts, host:port or CIDRs); everything private is refused otherwise.
    pub webhook_guard: Guard,
    /// How long a dispatcher's claim on a webhook delivery lasts before another may send it
    /// (after a crash). Keep it above the 15 s request timeout.
    pub webhook_lease: Duration,
    /// Webhook requests one dispatcher has in flight at once (`EVENTKIT_WEBHOOK_CONCURRENCY`).
    pub webhook_concurrency: usize,
    /// Of those, the most for one tenant (`EVENTKIT_WEBHOOK_PER_TENANT`), so one tenant's slow
    /// or flooded endpoint cannot hold up the others; raise it for a single-tenant install.
    pub webhook_per_tenant: usize,
    /// How long a consumer may hold an event unacked before JetStream redelivers it.
    pub job_ack_wait: Duration,
    /// How often the workers refresh the jobs gauges (stream lag, dead letters, outbox
    /// backlog) on their `/metrics` (`EVENTKIT_JOBS_METRICS_MS`, default 15 s).
    pub jobs_metrics_every: Duration,
    /// PEM file of extra certificate authorities trusted for SMTP over TLS and STARTTLS
    /// (`EVENTKIT_SMTP_CA_FILE`), for a mail server with a private CA; the system roots
    /// stay trusted and verification is never turned off.
    pub smtp_ca_file: Option<std::path::PathBuf>,
    /// Where email goes: `smtp://host:25` (plain), `smtp://user:pass@host:587?tls=required`
    /// (STARTTLS) or `smtps://user:pass@host:465` (TLS). Unset: emails are written as `.eml`
    /// files to `mail_dir` (local development).
    pub smtp_url: Option<Secret<String>>,
    pub mail_dir: std::path::PathBuf,
    /// The sender of every email, e.g. `EventKit <no-reply@example.com>`.
    pub mail_from: String,
    /// Where users reach EventKit (links in emails).
    pub public_url: String,
    /// Object storage (exports).
    pub storage: StorageConfig,
    /// How long an export worker's claim lasts without a heartbeat (`EVENTKIT_EXPORT_LEASE_MS`);
    /// a killed worker's export is started again after it ran out.
    pub export_lease: Duration,
    /// Where export workers write the ZIP before uploading it (`EVENTKIT_EXPORT_WORK_DIR`;
    /// default the system's temporary folder).
    pub export_work_dir: std::path::PathBuf,
    /// How long published outbox events (and sent account emails) are kept before the workers'
    /// retention sweep deletes them (`EVENTKIT_OUTBOX_RETENTION_HOURS`, default 7 days).
    pub outbox_retention: Duration,
    // Rate limits and hardening (issue 5).
    /// Rate limits of the tenant API (`EVENTKIT_RATE_LIMIT*`, see `rate_limit::config`).
    pub rate_limits: RateLimitConfig,
    /// `Strict-Transport-Security` max-age in seconds (`EVENTKIT_HSTS_MAX_AGE`); by default one
    /// year when `EVENTKIT_PUBLIC_URL` is `https://`, else none; `0` turns it off.
    pub hsts_max_age: Option<u64>,
    /// The platform's OpenID Connect provider (`EVENTKIT_OIDC_ISSUER`, `EVENTKIT_OIDC_CLIENT_ID`,
    /// `EVENTKIT_OIDC_CLIENT_SECRET`): people with an account sign in with it. Unset: off.
    pub oidc: Option<PlatformOidc>,
    /// `EVENTKIT_DEV_MODE` (`1`/`on`; off by default; `eventkit up` turns it on): the
    /// development defaults (built-in download signing key, role passwords equal to role
    /// names) are accepted with a loud warning; otherwise the deployables refuse to start
    /// with them ([`crate::development`]).
    pub dev_mode: bool,
    /// `EVENTKIT_METRICS_TOKEN`: the bearer token for `/metrics` and the detailed `/health`.
    /// Unset, `/metrics` is off and `/health` says only up or down ([`crate::rpc::diagnostics`]).
    pub metrics_token: Option<Secret<String>>,
    /// Name servers for the DNS TXT proofs of SSO domains (`EVENTKIT_DNS_SERVERS`:
    /// comma-separated `ip:port`); empty: the system's (`/etc/resolv.conf`).
    pub dns_servers: Vec<SocketAddr>,
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

#[derive(Debug, Clone)]
pub struct PlatformOidc {
    pub issuer_url: String,
    pub client_id: String,
    pub client_secret: Secret<String>,
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

impl StorageConfig {
    /// Whether objects are kept in a folder, whose download links this process signs or checks
    /// with [`signing_key`](Self::signing_key) (S3 presigns its own).
    pub fn signs_links(&self) -> bool {
        self.url.trim().starts_with("file://")
    }
}

/// The signing key used when `EVENTKIT_DOWNLOAD_SIGNING_KEY` is unset; anyone can read it here,
/// so only development mode accepts it.
pub const DEV_SIGNING_KEY: &str = "eventkit-development-download-signing-key";

/// Errors in configuration name the variable.
#[derive(Debug, thiserror::Error)]
#[error("{var}: {message}")]
pub struct ConfigError {
    pub var: &'static str,
    pub message: String,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(std::env::vars().collect())
    }

    /// Reads a given set of variables (tests use this instead of mutating the process env).
    pub fn from_vars(vars: HashMap<String, String>) -> Result<Self, ConfigError> {
        let get = |k: &str| vars.get(k).filter(|v| !v.is_empty()).cloned();
        let app = get("DATABASE_URL").unwrap_or_else(|| {
            "postgres://eventkit_app:eventkit_app@127.0.0.1:5432/eventkit".into()
        });
        let with_role = |role: &str| with_user(&app, role, role);
        let database = DatabaseUrls {
            control: Secret::new(
                get("EVENTKIT_CONTROL_DATABASE_URL")
                    .unwrap_or_else(|| with_role("eventkit_control")),
            ),
            owner: Secret::new(
                get("EVENTKIT_OWNER_DATABASE_URL").unwrap_or_else(|| with_role("eventkit_owner")),
            ),
            admin: Secret::new(
                get("EVENTKIT_DATABASE_ADMIN_URL")
                    .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".into()),
            ),
            app: Secret::new(app),
        };
        let control_plane_addr: SocketAddr = parse(
            &vars,
            "EVENTKIT_CONTROL_PLANE_ADDR",
            "127.0.0.1:8081".parse().unwrap(),
        )?;
        let storage = StorageConfig {
            url: get("EVENTKIT_STORAGE_URL").unwrap_or_else(|| "file://.data/objects".into()),
            s3_endpoint: get("EVENTKIT_S3_ENDPOINT"),
            s3_region: get("EVENTKIT_S3_REGION")
                .or_else(|| get("AWS_REGION"))
                .unwrap_or_else(|| "us-east-1".into()),
            s3_access_key_id: get("AWS_ACCESS_KEY_ID").map(Secret::new),
            s3_secret_access_key: get("AWS_SECRET_ACCESS_KEY").map(Secret::new),
            s3_session_token: get("AWS_SESSION_TOKEN").map(Secret::new),
            download_base_url: get("EVENTKIT_DOWNLOAD_URL")
                .unwrap_or_else(|| format!("http://{control_plane_addr}"))
                .trim_end_matches('/')
                .to_owned(),
            signing_key: Secret::new(
                get("EVENTKIT_DOWNLOAD_SIGNING_KEY").unwrap_or_else(|| DEV_SIGNING_KEY.into()),
            ),
        };
        Ok(Self {
            database,
            db_max_connections: parse(&vars, "EVENTKIT_DB_MAX_CONNECTIONS", 32)?,
            redis_url: get("REDIS_URL").unwrap_or_else(|| "redis://127.0.0.1:6379".into()),
            nats_url: get("NATS_URL").unwrap_or_else(|| "nats://127.0.0.1:4222".into()),
            tenant_api_addr: parse(
                &vars,
                "EVENTKIT_TENANT_API_ADDR",
                "127.0.0.1:8080".parse().unwrap(),
            )?,
            control_plane_addr,
            workers_addr: parse(
                &vars,
                "EVENTKIT_WORKERS_ADDR",
                "127.0.0.1:8082".parse().unwrap(),
            )?,
            max_request_bytes: parse(&vars, "EVENTKIT_MAX_REQUEST_BYTES", 4 * 1024 * 1024)?,
            request_timeout: Duration::from_millis(parse(
                &vars,
                "EVENTKIT_REQUEST_TIMEOUT_MS",
                30_000,
            )?),
            api_key_cache_ttl: Duration::from_millis(parse(
                &vars,
                "EVENTKIT_API_KEY_CACHE_MS",
                30_000,
            )?),
            tenant_state_cache_ttl: Duration::from_millis(parse(
                &vars,
                "EVENTKIT_TENANT_STATE_CACHE_MS",
                5_000,
            )?),
            cors_origins: parse_origins(&get("EVENTKIT_CORS_ORIGINS").unwrap_or_default())
                .map_err(|message| ConfigError {
                    var: "EVENTKIT_CORS_ORIGINS",
                    message,
                })?,
            trusted_proxies: trusted_proxies(&get)?,
            jwt: match get("EVENTKIT_JWT_JWKS") {
                None => None,
                Some(jwks) => {
                    let needed = |var: &'static str| {
                        get(var).ok_or(ConfigError {
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
            log_format: get("EVENTKIT_LOG_FORMAT").unwrap_or_else(|| "json".into()),
            webhook_guard: Guard::parse(&get("EVENTKIT_WEBHOOK_ALLOWLIST").unwrap_or_default())
                .map_err(|message| ConfigError {
                    var: "EVENTKIT_WEBHOOK_ALLOWLIST",
                    message,
                })?,
            webhook_lease: Duration::from_millis(parse(
                &vars,
                "EVENTKIT_WEBHOOK_LEASE_MS",
                60_000,
            )?),
            webhook_concurrency: at_least_one(
                "EVENTKIT_WEBHOOK_CONCURRENCY",
                parse(&vars, "EVENTKIT_WEBHOOK_CONCURRENCY", 128)?,
            )?,
            webhook_per_tenant: at_least_one(
                "EVENTKIT_WEBHOOK_PER_TENANT",
                parse(&vars, "EVENTKIT_WEBHOOK_PER_TENANT", 32)?,
            )?,
            job_ack_wait: Duration::from_millis(parse(&vars, "EVENTKIT_JOB_ACK_WAIT_MS", 60_000)?),
            jobs_metrics_every: Duration::from_millis(parse(
                &vars,
                "EVENTKIT_JOBS_METRICS_MS",
                15_000,
            )?),
            smtp_ca_file: get("EVENTKIT_SMTP_CA_FILE").map(Into::into),
            smtp_url: get("EVENTKIT_SMTP_URL").map(Secret::new),
            mail_dir: get("EVENTKIT_MAIL_DIR")
                .unwrap_or_else(|| ".data/mail".into())
                .into(),
            mail_from: get("EVENTKIT_MAIL_FROM")
                .unwrap_or_else(|| "EventKit <no-reply@eventkit.localhost>".into()),
            public_url: get("EVENTKIT_PUBLIC_URL")
                .unwrap_or_else(|| "http://127.0.0.1:8080".into())
                .trim_end_matches('/')
                .to_owned(),
            oidc: match get("EVENTKIT_OIDC_ISSUER") {
                None => None,
                Some(issuer_url) => Some(PlatformOidc {
                    issuer_url,
                    client_id: get("EVENTKIT_OIDC_CLIENT_ID").ok_or(ConfigError {
                        var: "EVENTKIT_OIDC_CLIENT_ID",
                        message: "is required when EVENTKIT_OIDC_ISSUER is set".into(),
                    })?,
                    client_secret: Secret::new(get("EVENTKIT_OIDC_CLIENT_SECRET").ok_or(
                        ConfigError {
                            var: "EVENTKIT_OIDC_CLIENT_SECRET",
                            message: "is required when EVENTKIT_OIDC_ISSUER is set".into(),
                        },
                    )?),
                }),
            },
            rate_limits: RateLimitConfig::from_vars(&vars)?,
            dev_mode: flag(&vars, "EVENTKIT_DEV_MODE", false)?,
            metrics_token: get("EVENTKIT_METRICS_TOKEN").map(Secret::new),
            hsts_max_age: match get("EVENTKIT_HSTS_MAX_AGE") {
                Some(_) => Some(parse(&vars, "EVENTKIT_HSTS_MAX_AGE", 0u64)?).filter(|s| *s > 0),
                None => get("EVENTKIT_PUBLIC_URL")
                    .filter(|u| u.starts_with("https://"))
                    .map(|_| 31_536_000),
            },
            storage,
            export_lease: Duration::from_millis(parse(&vars, "EVENTKIT_EXPORT_LEASE_MS", 30_000)?),
            dns_servers: get("EVENTKIT_DNS_SERVERS")
                .unwrap_or_default()
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse().map_err(|e| ConfigError {
                        var: "EVENTKIT_DNS_SERVERS",
                        message: format!("{s:?}: {e} (give ip:port, e.g. 10.0.0.2:53)"),
                    })
                })
                .collect::<Result<_, _>>()?,
            export_work_dir: get("EVENTKIT_EXPORT_WORK_DIR")
                .map(Into::into)
                .unwrap_or_else(std::env::temp_dir),
            outbox_retention: Duration::from_secs(
                3600 * at_least_one(
                    "EVENTKIT_OUTBOX_RETENTION_HOURS",
                    parse(&vars, "EVENTKIT_OUTBOX_RETENTION_HOURS", 168)?,
                )? as u64,
            ),
        })
    }
}

/// Parses `EVENTKIT_CORS_ORIGINS` (comma-separated): each entry must be an origin exactly as a
/// browser sends it, `http(s)://host[:port]`, with no path, wildcard or `null`. Normalised to
/// lower case.
pub fn parse_origins(raw: &str) -> Result<Vec<String>, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|origin| {
            let lower = origin.to_ascii_lowercase();
            let host = lower
                .strip_prefix("https://")
                .or_else(|| lower.strip_prefix("http://"))
                .ok_or_else(|| format!("{origin:?}: an origin starts with https:// or http://"))?;
            let valid = !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c))
                && http::HeaderValue::from_str(&lower).is_ok();
            if !valid {
                return Err(format!(
                    "{origin:?}: an origin is scheme://host[:port] exactly, without path, wildcard or trailing slash"
                ));
            }
            Ok(lower)
        })
        .collect()
}

/// An on/off switch: `1`, `on`, `true`, `yes` or `0`, `off`, `false`, `no`.
fn flag(
    vars: &HashMap<String, String>,
    var: &'static str,
    default: bool,
) -> Result<bool, ConfigError> {
    match vars
        .get(var)
        .map(|v| v.trim().to_ascii_lowercase())
        .as_deref()
    {
        None | Some("") => Ok(default),
        Some("1" | "on" | "true" | "yes") => Ok(true),
        Some("0" | "off" | "false" | "no") => Ok(false),
        Some(other) => Err(ConfigError {
            var,
            message: format!("{other:?}: use 1 or 0"),
        }),
    }
}

fn trusted_proxies(get: &impl Fn(&str) -> Option<String>) -> Result<TrustedProxies, ConfigError> {
    let header = get("EVENTKIT_TRUSTED_PROXY_HEADER").unwrap_or_default();
    let header = ForwardedHeader::parse(&header).ok_or_else(|| ConfigError {
        var: "EVENTKIT_TRUSTED_PROXY_HEADER",
        message: format!("{header:?}: use x-forwarded-for or forwarded"),
    })?;
    TrustedProxies::parse(&get("EVENTKIT_TRUSTED_PROXIES").unwrap_or_default(), header).map_err(
        |message| ConfigError {
            var: "EVENTKIT_TRUSTED_PROXIES",
            message,
        },
    )
}

/// A count that must be positive (zero would stop the work it sizes).
fn at_least_one(var: &'static str, value: usize) -> Result<usize, ConfigError> {
    if value == 0 {
        return Err(ConfigError {
            var,
            message: "must be at least 1".into(),
        });
    }
    Ok(value)
}

fn parse<T: std::str::FromStr>(
    vars: &HashMap<String, String>,
    var: &'static str,
    default: T,
) -> Result<T, ConfigError>
where
    T::Err: fmt::Display,
{
    match vars.get(var).filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(raw) => raw.parse().map_err(|e: T::Err| ConfigError {
            var,
            message: format!("{raw:?}: {e}"),
        }),
    }
}

/// The same URL with other credentials (the role URLs default to the app URL's host and database).
pub fn with_user(url: &str, user: &str, password: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    format!("{scheme}://{user}:{password}@{host}")
}

/// The database name in a Postgres URL (`eventkit` in `postgres://u@h:5432/eventkit?x=y`).
pub fn database_name(url: &str) -> Option<&str> {
    let path = url.split_once("://")?.1.split_once('/')?.1;
    let name = path.split('?').next()?;
    (!name.is_empty()).then_some(name)
}

/// The same URL pointing at another database.
pub fn with_database(url: &str, database: &str) -> String {
    let (before, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let authority = before.find("://").map_or(0, |i| i + 3);
    let base = before[authority..]
        .find('/')
        .map_or(before, |i| &before[..authority + i]);
    match query {
        Some(q) => format!("{base}/{database}?{q}"),
        None => format!("{base}/{database}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_work_locally_and_roles_share_the_host() {
        let c = Config::from_vars(HashMap::new()).unwrap();
        assert_eq!(c.tenant_api_addr.port(), 8080);
        assert_eq!(
            c.database.owner.expose(),
            "postgres://eventkit_owner:eventkit_owner@127.0.0.1:5432/eventkit"
        );
        assert!(
            !format!("{c:?}").contains("eventkit_owner@"),
            "passwords are redacted in Debug"
        );
    }

    #[test]
    fn a_jwt_key_set_needs_its_issuer_and_audience() {
        let with = |pairs: &[(&str, &str)]| {
            Config::from_vars(
                pairs
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            )
        };
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
    fn bad_values_name_the_variable() {
        let vars = HashMap::from([("EVENTKIT_TENANT_API_ADDR".to_owned(), "nope".to_owned())]);
        assert_eq!(
            Config::from_vars(vars).unwrap_err().var,
            "EVENTKIT_TENANT_API_ADDR"
        );
        let vars = HashMap::from([(
            "EVENTKIT_WEBHOOK_ALLOWLIST".to_owned(),
            "10.0.0.0/99".to_owned(),
        )]);
        assert_eq!(
            Config::from_vars(vars).unwrap_err().var,
            "EVENTKIT_WEBHOOK_ALLOWLIST"
        );
        for (var, value) in [
            ("EVENTKIT_TRUSTED_PROXIES", "10.0.0.0/8,proxy"),
            ("EVENTKIT_TRUSTED_PROXY_HEADER", "x-real-ip"),
        ] {
            let vars = HashMap::from([(var.to_owned(), value.to_owned())]);
            assert_eq!(Config::from_vars(vars).unwrap_err().var, var);
        }
        let vars = HashMap::from([("EVENTKIT_WEBHOOK_PER_TENANT".to_owned(), "0".to_owned())]);
        let err = Config::from_vars(vars).unwrap_err();
        assert_eq!(
            (err.var, err.message.as_str()),
            ("EVENTKIT_WEBHOOK_PER_TENANT", "must be at least 1")
        );
    }

    #[test]
    fn development_mode_is_off_unless_asked_for() {
        let mode = |value: &str| {
            Config::from_vars(HashMap::from([(
                "EVENTKIT_DEV_MODE".to_owned(),
                value.to_owned(),
            )]))
        };
        assert!(!Config::from_vars(HashMap::new()).unwrap().dev_mode);
        assert!(mode("1").unwrap().dev_mode);
        assert!(mode("ON").unwrap().dev_mode);
        assert!(!mode("0").unwrap().dev_mode);
        assert_eq!(mode("maybe").unwrap_err().var, "EVENTKIT_DEV_MODE");
    }

    #[test]
    fn url_helpers() {
        assert_eq!(
            database_name("postgres://u:p@h:1/db?sslmode=disable"),
            Some("db")
        );
        assert_eq!(database_name("postgres://u@h:1"), None);
        assert_eq!(
            with_database("postgres://u:p@h:1/db?x=1", "other"),
            "postgres://u:p@h:1/other?x=1"
        );
        assert_eq!(
            with_database("postgres://u@h:1", "other"),
            "postgres://u@h:1/other"
        );
        assert_eq!(
            with_user("postgres://a:b@h/db", "c", "d"),
            "postgres://c:d@h/db"
        );
    }

    #[test]
    fn origins_are_exact() {
        assert_eq!(
            parse_origins(" https://App.Example.com , http://localhost:5173").unwrap(),
            ["https://app.example.com", "http://localhost:5173"]
        );
        assert_eq!(parse_origins("").unwrap(), Vec::<String>::new());
        for bad in [
            "*",
            "null",
            "app.example.com",
            "https://*.example.com",
            "https://app.example.com/",
            "https://app.example.com/path",
            "ftp://app.example.com",
            "https://",
        ] {
            assert!(parse_origins(bad).is_err(), "{bad} accepted");
        }
    }
}
