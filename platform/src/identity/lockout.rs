//! Lockout with back-off after repeated wrong passwords for one account, kept in Postgres so
//! every tenant-api process sees the same count and a restart or a Redis flush forgets nothing.
//! Unknown emails are counted like known ones, so a lockout reveals no account. Every password
//! check counts (signing in, accepting an invitation as an existing account, disabling the
//! second factor). Client addresses are not locked: they are throttled
//! ([`crate::rate_limit::PerClient::PasswordFailures`]), so one client behind a shared address
//! slows itself down without locking everyone else out for an hour.

use crate::{ApiError, db::Db, rate_limit::RetryAfter};
use chrono::{DateTime, Utc};

/// Failures before an account is locked; each further failure doubles the lock (30 s, 60 s, …,
/// at most an hour). A day without failures starts the count again.
pub const ACCOUNT_THRESHOLD: i32 = 5;

fn key(email: &str) -> String {
    format!("email:{email}")
}

/// Refuses with `resource_exhausted` (and when to retry, as `RetryInfo` and `Retry-After`) while
/// the account is locked.
pub async fn check(db: &Db, email: &str) -> Result<(), ApiError> {
    let until: Option<DateTime<Utc>> = sqlx::query_scalar(
        "select locked_until from sign_in_failures where key = $1 and locked_until > now()",
    )
    .bind(key(email))
    .fetch_optional(db.pool())
    .await?;
    match until {
        Some(until) => {
            let retry = RetryAfter((until - Utc::now()).to_std().unwrap_or_default());
            Err(ApiError::RateLimited {
                message: format!(
                    "too many failed sign-ins: try again in {} seconds",
                    retry.header_seconds()
                ),
                retry,
            })
        }
        None => Ok(()),
    }
}

/// Counts a failure for the account.
pub async fn record_failure(db: &Db, email: &str) -> Result<(), ApiError> {
    sqlx::query(
        "insert into sign_in_failures as f (key, failures, last_failed_at) values ($1, 1, now()) \
         on conflict (key) do update set \
           failures = case when f.last_failed_at < now() - interval '1 day' then 1 else f.failures + 1 end, \
           last_failed_at = now(), \
           locked_until = case when f.last_failed_at >= now() - interval '1 day' and f.failures + 1 >= $2 \
             then now() + least(interval '1 hour', interval '30 seconds' * power(2, f.failures + 1 - $2)) \
             else null end",
    )
    .bind(key(email))
    .bind(ACCOUNT_THRESHOLD)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// A successful sign-in (or password reset) clears the account's count.
pub async fn clear(db: &Db, email: &str) -> Result<(), ApiError> {
    sqlx::query("delete from sign_in_failures where key = $1")
        .bind(key(email))
        .execute(db.pool())
        .await?;
    Ok(())
}
