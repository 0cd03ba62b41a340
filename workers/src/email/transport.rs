//! Where emails go: SMTP through lettre (`EVENTKIT_SMTP_URL`: `smtp://` plain, `?tls=required`
//! for STARTTLS, `smtps://` for TLS, credentials in the URL), or, when no SMTP server is
//! configured (local development), `.eml` files in `EVENTKIT_MAIL_DIR`. Certificates are always
//! verified: a mail server with a private CA is trusted by naming that CA's PEM file in
//! `EVENTKIT_SMTP_CA_FILE` (added to the system roots), never by turning verification off.

use lettre::{
    AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    transport::smtp::client::{Certificate, Tls, TlsParameters},
};
use std::{path::Path, time::Duration};

pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>, Security),
    Files(AsyncFileTransport<Tokio1Executor>, std::path::PathBuf),
}

/// How the SMTP connection is protected, as the URL asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// `smtp://host` without `tls`: plain text.
    Plain,
    /// `smtp://host?tls=opportunistic`: STARTTLS when the server offers it.
    Opportunistic,
    /// `smtp://host?tls=required`: STARTTLS or fail.
    StartTls,
    /// `smtps://host`: TLS from the first byte.
    Tls,
}

impl Security {
    /// The mode of an SMTP URL (lettre's rules for `EVENTKIT_SMTP_URL`).
    pub fn of(url: &url::Url) -> Self {
        let tls = url
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.into_owned());
        match (url.scheme(), tls.as_deref()) {
            ("smtps", _) => Security::Tls,
            (_, Some("required")) => Security::StartTls,
            (_, Some("opportunistic")) => Security::Opportunistic,
            _ => Security::Plain,
        }
    }
}

impl Transport {
    pub fn from_config(config: &crate::config::MailConfig) -> anyhow::Result<Self> {
        match &config.smtp_url {
            Some(url) => smtp(url.expose(), config.smtp_ca_file.as_deref()),
            None => {
                std::fs::create_dir_all(&config.mail_dir)?;
                Ok(Transport::Files(
                    AsyncFileTransport::new(&config.mail_dir),
                    config.mail_dir.clone(),
                ))
            }
        }
    }

    pub async fn send(&self, message: Message) -> anyhow::Result<()> {
        match self {
            Transport::Smtp(smtp, _) => {
                smtp.send(message).await?;
            }
            Transport::Files(files, _) => {
                files.send(message).await?;
            }
        }
        Ok(())
    }

    /// Where mail goes, for the startup log (never the credentials).
    pub fn describe(&self) -> String {
        match self {
            Transport::Smtp(_, security) => format!("SMTP (EVENTKIT_SMTP_URL), {security:?}"),
            Transport::Files(_, dir) => format!("files in {}", dir.display()),
        }
    }
}

/// The SMTP transport for `url`, trusting the CAs in `ca_file` as well as the system's.
fn smtp(url: &str, ca_file: Option<&Path>) -> anyhow::Result<Transport> {
    let parsed = url::Url::parse(url).map_err(|e| anyhow::anyhow!("EVENTKIT_SMTP_URL: {e}"))?;
    let security = Security::of(&parsed);
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
        .map_err(|e| anyhow::anyhow!("EVENTKIT_SMTP_URL: {e}"))?
        .timeout(Some(Duration::from_secs(30)));
    if let Some(ca_file) = ca_file {
        let pem = std::fs::read(ca_file)
            .map_err(|e| anyhow::anyhow!("EVENTKIT_SMTP_CA_FILE {}: {e}", ca_file.display()))?;
        if !pem
            .windows(b"-----BEGIN CERTIFICATE-----".len())
            .any(|w| w == b"-----BEGIN CERTIFICATE-----")
        {
            anyhow::bail!(
                "EVENTKIT_SMTP_CA_FILE {}: holds no PEM certificate",
                ca_file.display()
            );
        }
        let ca = Certificate::from_pem(&pem)
            .map_err(|e| anyhow::anyhow!("EVENTKIT_SMTP_CA_FILE {}: {e}", ca_file.display()))?;
        let host = parsed
            .host_str()
            .unwrap_or_default()
            .trim_matches(['[', ']']);
        let params = TlsParameters::builder(host.to_owned())
            .add_root_certificate(ca)
            .build()
            .map_err(|e| anyhow::anyhow!("SMTP TLS settings: {e}"))?;
        builder = builder.tls(match security {
            Security::Plain => Tls::None,
            Security::Opportunistic => Tls::Opportunistic(params),
            Security::StartTls => Tls::Required(params),
            Security::Tls => Tls::Wrapper(params),
        });
    }
    Ok(Transport::Smtp(builder.build(), security))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_picks_the_protection() {
        let of = |u: &str| Security::of(&url::Url::parse(u).unwrap());
        assert_eq!(of("smtp://mail:25"), Security::Plain);
        assert_eq!(of("smtp://u:p@mail:587?tls=required"), Security::StartTls);
        assert_eq!(of("smtp://mail?tls=opportunistic"), Security::Opportunistic);
        assert_eq!(of("smtps://u:p@mail:465"), Security::Tls);
    }
}
