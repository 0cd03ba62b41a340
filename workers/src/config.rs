//! The workers' configuration: the shared settings plus what only background work reads — its
//! address, the webhook dispatcher (guard, lease, concurrency), the JetStream consumers, email
//! (SMTP or files), object storage and the exporter, and the retention of published events. The
//! SMTP settings are parsed here and nowhere else, so a bad one stops the workers (which send
//! mail) and not the tenant API or the control plane.

use eventkit_domain::webhooks::destination::Guard;
use eventkit_platform::{
    config::{Config, ConfigError, StorageConfig, Vars, webhook_guard},
    secret::Secret,
};
use std::{collections::HashMap, net::SocketAddr, path::PathBuf, time::Duration};

#[derive(Clone, Debug)]
pub struct WorkersConfig {
    pub shared: Config,
    /// `EVENTKIT_WORKERS_ADDR` (default `127.0.0.1:8082`): health and metrics.
    pub addr: SocketAddr,
    /// Internal webhook destinations the operator allows (`EVENTKIT_WEBHOOK_ALLOWLIST`:
    /// comma-separated hosts, host:port or CIDRs); everything private is refused otherwise.
    pub webhook_guard: Guard,
    /// How long a dispatcher's claim on a webhook delivery lasts before another may send it
    /// (after a crash; `EVENTKIT_WEBHOOK_LEASE_MS`). Keep it above the 15 s request timeout.
    pub webhook_lease: Duration,
    /// Webhook requests one dispatcher has in flight at once (`EVENTKIT_WEBHOOK_CONCURRENCY`).
    pub webhook_concurrency: usize,
    /// Of those, the most for one tenant (`EVENTKIT_WEBHOOK_PER_TENANT`), so one tenant's slow
    /// or flooded endpoint cannot hold up the others; raise it for a single-tenant install.
    pub webhook_per_tenant: usize,
    /// How long a consumer may hold an event unacked before JetStream redelivers it
    /// (`EVENTKIT_JOB_ACK_WAIT_MS`).
    pub job_ack_wait: Duration,
    /// How often the workers refresh the jobs gauges (stream lag, dead letters, outbox
    /// backlog) on their `/metrics` (`EVENTKIT_JOBS_METRICS_MS`, default 15 s).
    pub jobs_metrics_every: Duration,
    pub mail: MailConfig,
    /// Object storage (exports).
    pub storage: StorageConfig,
    /// How long an export worker's claim lasts without a heartbeat (`EVENTKIT_EXPORT_LEASE_MS`);
    /// a killed worker's export is started again after it ran out.
    pub export_lease: Duration,
    /// Where export workers write the ZIP before uploading it (`EVENTKIT_EXPORT_WORK_DIR`;
    /// default the system's temporary folder).
    pub export_work_dir: PathBuf,
    /// How long published outbox events (and sent account emails) are kept before the
    /// retention sweep deletes them (`EVENTKIT_OUTBOX_RETENTION_HOURS`, default 7 days).
    pub outbox_retention: Duration,
}

/// Where email goes.
#[derive(Clone, Debug)]
pub struct MailConfig {
    /// `EVENTKIT_SMTP_URL`: `smtp://host:25` (plain), `smtp://user:pass@host:587?tls=required`
    /// (STARTTLS) or `smtps://user:pass@host:465` (TLS). Unset: emails are written as `.eml`
    /// files to `mail_dir` (local development). Checked to be an `smtp://` or `smtps://` URL
    /// with a host when read.
    pub smtp_url: Option<Secret<String>>,
    /// PEM file of extra certificate authorities trusted for SMTP over TLS and STARTTLS
    /// (`EVENTKIT_SMTP_CA_FILE`), for a mail server with a private CA; the system roots
    /// stay trusted and verification is never turned off.
    pub smtp_ca_file: Option<PathBuf>,
    /// `EVENTKIT_MAIL_DIR` (default `.data/mail`).
    pub mail_dir: PathBuf,
    /// The sender of every email (`EVENTKIT_MAIL_FROM`), e.g. `EventKit <no-reply@example.com>`.
    pub mail_from: String,
}

impl MailConfig {
    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let v = Vars(vars);
        let smtp_url = v.get("EVENTKIT_SMTP_URL");
        if let Some(url) = &smtp_url {
            smtp_url_checked(url)?;
        }
        Ok(Self {
            smtp_url: smtp_url.map(Secret::new),
            smtp_ca_file: v.get("EVENTKIT_SMTP_CA_FILE").map(Into::into),
            mail_dir: v
                .get("EVENTKIT_MAIL_DIR")
                .unwrap_or_else(|| ".data/mail".into())
                .into(),
            mail_from: v
                .get("EVENTKIT_MAIL_FROM")
                .unwrap_or_else(|| "EventKit <no-reply@eventkit.localhost>".into()),
        })
    }
}

/// Refuses an SMTP URL that is not `smtp://` or `smtps://` with a host; the message never
/// repeats the URL, which may hold a password.
fn smtp_url_checked(url: &str) -> Result<(), ConfigError> {
    let refused = |message: String| ConfigError {
        var: "EVENTKIT_SMTP_URL",
        message,
    };
    let parsed = url::Url::parse(url).map_err(|e| refused(format!("not a URL ({e})")))?;
    if !matches!(parsed.scheme(), "smtp" | "smtps") {
        return Err(refused(format!(
            "the scheme is {:?}; use smtp:// or smtps://",
            parsed.scheme()
        )));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(refused("names no host".into()));
    }
    Ok(())
}

impl WorkersConfig {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(&eventkit_platform::config::env_vars())
    }

    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let v = Vars(vars);
        Ok(Self {
            shared: Config::from_vars(vars)?,
            addr: v.addr("EVENTKIT_WORKERS_ADDR", "127.0.0.1:8082")?,
            webhook_guard: webhook_guard(vars)?,
            webhook_lease: v.millis("EVENTKIT_WEBHOOK_LEASE_MS", 60_000)?,
            webhook_concurrency: v.count("EVENTKIT_WEBHOOK_CONCURRENCY", 128)?,
            webhook_per_tenant: v.count("EVENTKIT_WEBHOOK_PER_TENANT", 32)?,
            job_ack_wait: v.millis("EVENTKIT_JOB_ACK_WAIT_MS", 60_000)?,
            jobs_metrics_every: v.millis("EVENTKIT_JOBS_METRICS_MS", 15_000)?,
            mail: MailConfig::from_vars(vars)?,
            storage: StorageConfig::from_vars(vars)?,
            export_lease: v.millis("EVENTKIT_EXPORT_LEASE_MS", 30_000)?,
            export_work_dir: v
                .get("EVENTKIT_EXPORT_WORK_DIR")
                .map(Into::into)
                .unwrap_or_else(std::env::temp_dir),
            outbox_retention: Duration::from_secs(
                3600 * v.count("EVENTKIT_OUTBOX_RETENTION_HOURS", 168)? as u64,
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eventkit_platform::config::var_set as vars;

    #[test]
    fn bad_values_name_the_variable() {
        let c = WorkersConfig::from_vars(&HashMap::new()).unwrap();
        assert_eq!((c.addr.port(), c.webhook_per_tenant), (8082, 32));
        let err =
            WorkersConfig::from_vars(&vars(&[("EVENTKIT_WEBHOOK_PER_TENANT", "0")])).unwrap_err();
        assert_eq!(
            (err.var, err.message.as_str()),
            ("EVENTKIT_WEBHOOK_PER_TENANT", "must be at least 1")
        );
        for (var, value) in [
            ("EVENTKIT_WORKERS_ADDR", "nope"),
            ("EVENTKIT_WEBHOOK_ALLOWLIST", "10.0.0.0/99"),
            ("EVENTKIT_JOB_ACK_WAIT_MS", "soon"),
        ] {
            assert_eq!(
                WorkersConfig::from_vars(&vars(&[(var, value)]))
                    .unwrap_err()
                    .var,
                var
            );
        }
    }

    #[test]
    fn smtp_urls_are_checked_without_repeating_them() {
        for good in [
            "smtp://mail:25",
            "smtp://u:p@mail:587?tls=required",
            "smtps://u:p@mail:465",
        ] {
            assert!(
                MailConfig::from_vars(&vars(&[("EVENTKIT_SMTP_URL", good)])).is_ok(),
                "{good}"
            );
        }
        for bad in ["mail.example.com:25", "http://u:s3cret@mail:25", "smtp://"] {
            let err = MailConfig::from_vars(&vars(&[("EVENTKIT_SMTP_URL", bad)])).unwrap_err();
            assert_eq!(err.var, "EVENTKIT_SMTP_URL", "{bad}");
            assert!(!err.to_string().contains("s3cret"), "{err}");
        }
    }
}
