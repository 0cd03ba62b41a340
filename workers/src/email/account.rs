//! The account mailer: sends the emails about a person's account queued in `account_emails`
//! (`eventkit_platform::mail::account`; today the password reset). They belong to no tenant, so
//! they carry EventKit's own brand, come in the language the person asked for, and are recorded
//! in their queue row, never in a tenant's email log (docs/adr/0033).
//!
//! Woken by `LISTEN eventkit_account_email`, with a periodic poll as the fallback. Emails are
//! claimed with `FOR UPDATE SKIP LOCKED` and a lease (the claim moves `not_before` ahead), so
//! workers side by side never send one email twice while they live, and one killed mid-send
//! leaves it to be sent again once the lease has run out (at least once). A failed send is
//! retried with growing pauses and given up after [`MAX_ATTEMPTS`], the row keeping the error;
//! an email whose link is gone (used or expired before it could be mailed) is given up at once.

use super::{
    compose,
    render::{Brand, Lang, Templates},
    sender,
    transport::Transport,
};
use crate::consumer::Failure;
use eventkit_platform::{
    db::Db,
    mail::{
        account::{AccountMessage, CHANNEL},
        links::{self, LinkedMessage},
    },
};
use lettre::message::Mailbox;
use serde_json::Value;
use sqlx::postgres::PgListener;
use std::{sync::Arc, time::Duration};
use uuid::Uuid;

/// Sends before an email is given up.
pub const MAX_ATTEMPTS: i32 = 8;

/// How long a claim keeps other workers off an email (a send takes at most the SMTP timeout).
const LEASE_SECONDS: i64 = 120;

/// Emails claimed at a time.
const BATCH: i64 = 20;

#[derive(sqlx::FromRow)]
struct Due {
    id: Uuid,
    message: String,
    recipient: String,
    locale: String,
    vars: Value,
    link_id: Option<Uuid>,
    attempts: i32,
}

pub struct AccountMailer {
    db: Db,
    templates: Templates,
    transport: Transport,
    from: Mailbox,
}

impl AccountMailer {
    pub fn new(db: Db, transport: Transport, from: &str) -> anyhow::Result<Self> {
        Ok(Self {
            db,
            templates: Templates::default(),
            transport,
            from: sender(from)?,
        })
    }

    /// Sends every email due now; returns how many went out.
    pub async fn send_due(&self) -> anyhow::Result<usize> {
        let mut sent = 0;
        loop {
            let due = self.claim().await?;
            let claimed = due.len();
            for email in due {
                match self.send(&email).await {
                    Ok(()) => sent += 1,
                    Err(failure) => self.record_failure(&email, failure).await?,
                }
            }
            if (claimed as i64) < BATCH {
                return Ok(sent);
            }
        }
    }

    async fn claim(&self) -> Result<Vec<Due>, sqlx::Error> {
        sqlx::query_as(
            "update account_emails set attempts = attempts + 1, \
                 not_before = now() + $2 * interval '1 second' \
             where id in (select id from account_emails \
                 where sent_at is null and failed_at is null and not_before <= now() \
                 order by not_before limit $1 for update skip locked) \
             returning id, message, recipient, locale, vars, link_id, attempts",
        )
        .bind(BATCH)
        .bind(LEASE_SECONDS)
        .fetch_all(self.db.pool())
        .await
    }

    /// Renders and sends one email, then marks it sent and forgets its link.
    async fn send(&self, email: &Due) -> Result<(), Failure> {
        let message = AccountMessage::of(&email.message).ok_or_else(|| {
            Failure::Permanent(anyhow::anyhow!("unknown account email {:?}", email.message))
        })?;
        let link_url = match (LinkedMessage::of(message.as_str()), email.link_id) {
            (Some(linked), Some(id)) => Some(
                links::find(&mut *self.db.pool().acquire().await?, id, linked)
                    .await?
                    .ok_or_else(|| {
                        Failure::Permanent(anyhow::anyhow!(
                            "its link is no longer kept: used or expired before it was mailed"
                        ))
                    })?,
            ),
            (Some(_), None) => {
                return Err(Failure::Permanent(anyhow::anyhow!(
                    "{} needs a link and names none",
                    email.message
                )));
            }
            (None, _) => None,
        };
        let lang = Lang::from_locale(&email.locale);
        let rendered = self
            .templates
            .render(
                message.as_str(),
                lang,
                &Brand::eventkit(),
                &email.vars,
                minijinja::context! { link_url => link_url.unwrap_or_default() },
            )
            .map_err(Failure::Permanent)?;
        let to: Mailbox = email.recipient.parse().map_err(|e| {
            Failure::Permanent(anyhow::anyhow!(
                "recipient {:?} is not an address: {e}",
                email.recipient
            ))
        })?;
        let composed = compose(&self.from, to, email.id, message.as_str(), &rendered)?;
        self.transport.send(composed).await?;
        let mut tx = self.db.pool().begin().await?;
        sqlx::query("update account_emails set sent_at = now(), error = null where id = $1")
            .bind(email.id)
            .execute(&mut *tx)
            .await?;
        if let Some(id) = email.link_id {
            links::forget(&mut tx, &[id]).await?;
        }
        tx.commit().await?;
        metrics::counter!("eventkit_emails_sent_total", "message" => email.message.clone())
            .increment(1);
        Ok(())
    }

    /// Schedules the next try (30 s, doubling up to 30 min) or gives the email up.
    async fn record_failure(&self, email: &Due, failure: Failure) -> Result<(), sqlx::Error> {
        let (error, last) = match failure {
            Failure::Permanent(e) => (e, true),
            Failure::Retry(e) => (e, email.attempts >= MAX_ATTEMPTS),
        };
        let error = format!("{error:#}");
        tracing::warn!(email_id = %email.id, attempts = email.attempts, last, error, "account email failed");
        let pause = 30 * 2i64.pow(email.attempts.clamp(1, 7) as u32 - 1);
        sqlx::query(
            "update account_emails set error = $2, \
                 failed_at = case when $3 then now() end, \
                 not_before = now() + least($4, 1800) * interval '1 second' \
             where id = $1",
        )
        .bind(email.id)
        .bind(error)
        .bind(last)
        .bind(pause)
        .execute(self.db.pool())
        .await?;
        if last {
            metrics::counter!("eventkit_account_emails_failed_total").increment(1);
        }
        Ok(())
    }

    /// Runs until the process ends: sends when notified, and every `poll`.
    pub fn spawn(self: Arc<Self>, database_url: String, poll: Duration) {
        crate::spawn_forever("account mailer", move || {
            let (mailer, url) = (self.clone(), database_url.clone());
            async move { mailer.run(&url, poll).await }
        });
    }

    async fn run(&self, database_url: &str, poll: Duration) -> anyhow::Result<()> {
        let mut listener = PgListener::connect(database_url).await?;
        listener.listen(CHANNEL).await?;
        let mut ticks = tokio::time::interval(poll);
        loop {
            self.send_due().await?;
            tokio::select! {
                notification = listener.recv() => { notification?; }
                _ = ticks.tick() => {}
            }
        }
    }
}
