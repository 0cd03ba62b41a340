//! Links that grant access — invitation, password-reset, sign-up verification and export
//! download links — on their way to the mailer. They never enter tenant data (DESIGN.md, "No
//! secret in tenant data"; docs/adr/0033): whoever makes one keeps it here, in a global table no
//! tenant reads or exports, in the same transaction as the event that asks for the email, and
//! the event names only the id of what the link opens (its subject). The mailer finds the link
//! by that id and its message, and forgets it once the email went out; a link never mailed is
//! swept once `keep_until` has passed (by then it has stopped working anyway).

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// The emails that carry a link, and so the messages a kept link can belong in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkedMessage {
    Invitation,
    PasswordReset,
    SignupVerification,
    ExportReady,
}

impl LinkedMessage {
    pub const ALL: [Self; 4] = [
        Self::Invitation,
        Self::PasswordReset,
        Self::SignupVerification,
        Self::ExportReady,
    ];

    /// The email message's name (its template).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invitation => "invitation",
            Self::PasswordReset => "password_reset",
            Self::SignupVerification => "signup_verification",
            Self::ExportReady => "export_ready",
        }
    }

    /// The message named `message` if it carries a link; `None` for messages without one.
    pub fn of(message: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == message)
    }
}

/// Keeps `url` for the `message` email about `id` until `keep_until`, replacing an earlier link
/// about the same id (a retried export makes its link again).
pub async fn keep(
    conn: &mut PgConnection,
    id: Uuid,
    message: LinkedMessage,
    url: &str,
    keep_until: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into mail_links (id, message, url, keep_until) values ($1, $2, $3, $4) \
         on conflict (id) do update set message = excluded.message, url = excluded.url, \
             keep_until = excluded.keep_until, created_at = now()",
    )
    .bind(id)
    .bind(message.as_str())
    .bind(url)
    .bind(keep_until)
    .execute(conn)
    .await?;
    Ok(())
}

/// The link kept for the `message` email about `id`; `None` once mailed, swept or never made.
pub async fn find(
    conn: &mut PgConnection,
    id: Uuid,
    message: LinkedMessage,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("select url from mail_links where id = $1 and message = $2")
        .bind(id)
        .bind(message.as_str())
        .fetch_optional(conn)
        .await
}

/// Forgets the links about `ids` (their email went out, or what they open is gone).
pub async fn forget(conn: &mut PgConnection, ids: &[Uuid]) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("delete from mail_links where id = any($1)")
        .bind(ids)
        .execute(conn)
        .await?
        .rows_affected())
}

/// Removes the links kept past their `keep_until`; returns how many.
pub async fn sweep(pool: &PgPool) -> Result<u64, sqlx::Error> {
    Ok(
        sqlx::query("delete from mail_links where keep_until < now()")
            .execute(pool)
            .await?
            .rows_affected(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linked_messages_round_trip_by_name() {
        for message in LinkedMessage::ALL {
            assert_eq!(LinkedMessage::of(message.as_str()), Some(message));
        }
        assert_eq!(LinkedMessage::of("quota_warning"), None);
    }
}
