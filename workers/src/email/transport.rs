//! Where emails go: SMTP through lettre (`EVENTKIT_SMTP_URL`: `smtp://` plain, `?tls=required`
//! for STARTTLS, `smtps://` for TLS, credentials in the URL), or, when no SMTP server is
//! configured (local development), `.eml` files in `EVENTKIT_MAIL_DIR`.

use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>, std::path::PathBuf),
}

impl Transport {
    pub fn from_config(config: &eventkit_platform::config::Config) -> anyhow::Result<Self> {
        match &config.smtp_url {
            Some(url) => Ok(Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
                    .map_err(|e| anyhow::anyhow!("EVENTKIT_SMTP_URL: {e}"))?
                    .timeout(Some(Duration::from_secs(30)))
                    .build(),
            )),
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
            Transport::Smtp(smtp) => {
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
            Transport::Smtp(_) => "SMTP (EVENTKIT_SMTP_URL)".into(),
            Transport::Files(_, dir) => format!("files in {}", dir.display()),
        }
    }
}
