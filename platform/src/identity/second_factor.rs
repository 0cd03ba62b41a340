//! Using a person's second factor: a current TOTP code (each time step at most once) or one of
//! their unused recovery codes (each works once). Signing in, resetting the password of an
//! account with TOTP and turning TOTP off all ask for one, through this one check.

use super::totp;
use eventkit_domain::ids::UserId;
use sqlx::PgConnection;

/// What the person sent as their second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof {
    /// Neither a code nor a recovery code.
    Missing,
    /// A current code not used before, or an unused recovery code (now used up).
    Accepted,
    /// A wrong, stale or already used code.
    Refused,
}

/// The TOTP state of an account, as stored in `users`.
pub struct Factor<'a> {
    pub user_id: UserId,
    pub secret: &'a [u8],
    pub last_step: Option<i64>,
}

/// Checks `code` (preferred) or else `recovery_code` against `factor`, and uses it up when it
/// is right: the code's step is stored (only a newer step may be, so two requests racing with
/// one code get one acceptance) or the recovery code is marked used.
pub async fn prove(
    conn: &mut PgConnection,
    factor: &Factor<'_>,
    code: &str,
    recovery_code: &str,
) -> Result<Proof, sqlx::Error> {
    let accepted = if !code.trim().is_empty() {
        match totp::verify(
            factor.secret,
            code,
            chrono::Utc::now().timestamp(),
            factor.last_step,
        ) {
            Some(step) => {
                sqlx::query(
                    "update users set totp_last_step = $2 where id = $1 \
                     and (totp_last_step is null or totp_last_step < $2)",
                )
                .bind(factor.user_id)
                .bind(step)
                .execute(&mut *conn)
                .await?
                .rows_affected()
                    == 1
            }
            None => false,
        }
    } else if !recovery_code.trim().is_empty() {
        sqlx::query(
            "update recovery_codes set used_at = now() \
             where user_id = $1 and code_hash = $2 and used_at is null",
        )
        .bind(factor.user_id)
        .bind(totp::recovery_code_hash(recovery_code))
        .execute(&mut *conn)
        .await?
        .rows_affected()
            == 1
    } else {
        return Ok(Proof::Missing);
    };
    Ok(if accepted {
        Proof::Accepted
    } else {
        Proof::Refused
    })
}
