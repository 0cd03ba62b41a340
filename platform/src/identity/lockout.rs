//! Lockout with back-off after repeated failed sign-ins, per account and per client address,
//! kept in Postgres so every tenant-api process sees the same count and a restart forgets
//! nothing. Unknown emails are counted like known ones, so a lockout reveals no account.

use crate::{ApiError, db::Db};
use chrono::{DateTime, Utc};

/// Failures before an account is locked; each further failure doubles the lock (30 s, 60 s, …,
/// at most an hour). A day without failures starts the count again.
pub const ACCOUNT_THRESHOLD: i32 = 5;
/// Addresses get more room (offices share one address).
pub const ADDRESS_THRESHOLD: i32 = 20;

fn keys(email: &str, address: Option<&str>) -> Vec<(String, i32)> {
    let mut keys = vec![(format!("email:{email}"), ACCOUNT_THRESHOLD)];
    if let Some(address) = address {
        keys.push((format!("address:{address}"), ADDRESS_THRESHOLD));
    }
    keys
}

/// Refuses with `resource_exhausted` (and when to retry) while the account or address is locked.
pub async fn check(db: &Db, email: &str, address: Option<&str>) -> Result<(), ApiError> {
    let names: Vec<String> = keys(email, address).into_iter().map(|(k, _)| k).collect();
    let until: Option<DateTime<Utc>> = sqlx::query_scalar(
        "select max(locked_until) from sign_in_failures where key = any($1) and locked_until > now()",
    )
    .bind(&names)
    .fetch_one(db.pool())
    .await?;
    match until {
        Some(until) => {
            let seconds = (until - Utc::now()).num_seconds().max(1);
            Err(ApiError::ResourceExhausted(format!(
                "too many failed sign-ins: try again in {seconds} seconds"
            )))
        }
        None => Ok(()),
    }
}

/// Counts a failure for the account and the address.
pub async fn record_failure(db: &Db, email: &str, address: Option<&str>) -> Result<(), ApiError> {
    for (key, threshold) in keys(email, address) {
        sqlx::query(
            "insert into sign_in_failures as f (key, failures, last_failed_at) values ($1, 1, now()) \
             on conflict (key) do update set \
               failures = case when f.last_failed_at < now() - interval '1 day' then 1 else f.failures + 1 end, \
               last_failed_at = now(), \
               locked_until = case when f.last_failed_at >= now() - interval '1 day' and f.failures + 1 >= $2 \
                 then now() + least(interval '1 hour', interval '30 seconds' * power(2, f.failures + 1 - $2)) \
                 else null end",
        )
        .bind(&key)
        .bind(threshold)
        .execute(db.pool())
        .await?;
    }
    Ok(())
}

/// A successful sign-in (or password reset) clears the account's count.
pub async fn clear(db: &Db, email: &str) -> Result<(), ApiError> {
    sqlx::query("delete from sign_in_failures where key = $1")
        .bind(format!("email:{email}"))
        .execute(db.pool())
        .await?;
    Ok(())
}
