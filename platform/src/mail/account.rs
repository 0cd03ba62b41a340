//! Emails about a person's account. A person is global (docs/adr/0012) and belongs to no tenant,
//! so neither do these emails: they are queued in `account_emails` (no `tenant_id`, in the same
//! transaction as what they are about), sent by the workers' account mailer under EventKit's own
//! name and recorded there — never in a tenant's outbox, email log or branding (docs/adr/0033).

use eventkit_domain::ids::UserId;
use sqlx::PgConnection;
use uuid::Uuid;

/// Wakes the account mailer (notified at commit by a trigger on `account_emails`).
pub const CHANNEL: &str = "eventkit_account_email";

/// The account emails there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountMessage {
    PasswordReset,
}

impl AccountMessage {
    pub const ALL: [Self; 1] = [Self::PasswordReset];

    /// The email message's name (its template).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PasswordReset => "password_reset",
        }
    }

    pub fn of(message: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == message)
    }
}

/// One email to queue.
pub struct AccountEmail<'a> {
    pub user_id: UserId,
    pub message: AccountMessage,
    pub recipient: &'a str,
    /// The language asked for (`de`, `en-GB`, …); empty for English.
    pub locale: &'a str,
    /// The template's variables; never a secret (links go through [`super::links`]).
    pub vars: serde_json::Value,
    /// The id the email's link was kept under ([`super::links::keep`]), if it carries one.
    pub link_id: Option<Uuid>,
}

/// Queues `email`; the account mailer sends it once the transaction has committed.
pub async fn queue(conn: &mut PgConnection, email: AccountEmail<'_>) -> Result<Uuid, sqlx::Error> {
    let id = eventkit_domain::id::new_id();
    sqlx::query(
        "insert into account_emails (id, user_id, message, recipient, locale, vars, link_id) \
         values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(email.user_id)
    .bind(email.message.as_str())
    .bind(email.recipient)
    .bind(email.locale)
    .bind(email.vars)
    .bind(email.link_id)
    .execute(conn)
    .await?;
    Ok(id)
}
