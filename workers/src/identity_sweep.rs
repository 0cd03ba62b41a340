//! Retention of the global identity tables, which belong to no tenant and so are not part of
//! the per-tenant sweeps in [`crate::retention`]. Every unauthenticated call may add a row
//! (a single sign-on start, a failed sign-in for any email, a reset token), so without this
//! they would grow with the number of requests. What is removed no longer decides anything:
//!
//! - `sso_sign_ins`, `sso_link_requests` and `user_tokens` a week after they expired (expired
//!   flows and links are refused anyway; the week leaves them for an investigation);
//! - `refresh_tokens` by whole families, a week after the family's newest token expired, so
//!   reuse detection (a used token presented again ends its family) works for as long as any
//!   token of the family could still be used;
//! - `sign_in_failures` a day after the last failure (the count starts again after a day
//!   without failures, and a lock lasts at most an hour, so such a row counts as no row).
//!
//! Deletes go in batches so no pass holds many row locks or a long transaction; the columns they
//! select by are indexed (migration 0043).

use eventkit_platform::db::Db;

const BATCH: i64 = 5_000;

/// The rule of each table: what one batch deletes (`$1`: the batch size).
const RULES: [(&str, &str); 5] = [
    (
        "sso_sign_ins",
        "delete from sso_sign_ins where state_hash in (select state_hash from sso_sign_ins \
         where expires_at < now() - interval '7 days' limit $1)",
    ),
    (
        "sso_link_requests",
        "delete from sso_link_requests where token_hash in (select token_hash from sso_link_requests \
         where expires_at < now() - interval '7 days' limit $1)",
    ),
    (
        "user_tokens",
        "delete from user_tokens where id in (select id from user_tokens \
         where expires_at < now() - interval '7 days' limit $1)",
    ),
    (
        "refresh_tokens",
        "delete from refresh_tokens where id in (select r.id from refresh_tokens r \
         where r.expires_at < now() - interval '7 days' and not exists (select 1 from refresh_tokens l \
         where l.family_id = r.family_id and l.expires_at >= now() - interval '7 days') limit $1)",
    ),
    (
        "sign_in_failures",
        "delete from sign_in_failures where key in (select key from sign_in_failures \
         where last_failed_at < now() - interval '1 day' limit $1)",
    ),
];

/// Rows removed per table by one pass.
pub type Swept = Vec<(&'static str, u64)>;

/// One pass over every global identity table, batch after batch until nothing is due.
pub async fn sweep_identity_tables(db: &Db) -> Result<Swept, sqlx::Error> {
    let mut swept = Vec::with_capacity(RULES.len());
    for (table, delete) in RULES {
        let mut removed = 0;
        loop {
            let n = sqlx::query(delete)
                .bind(BATCH)
                .execute(db.pool())
                .await?
                .rows_affected();
            removed += n;
            if n == 0 {
                break;
            }
        }
        swept.push((table, removed));
    }
    Ok(swept)
}
