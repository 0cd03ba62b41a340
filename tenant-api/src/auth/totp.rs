//! Enrolling and removing the TOTP second factor of the signed-in person. Enrollment becomes
//! active only once a code from the app is confirmed, and answers ten recovery codes, shown once.
//! Removing it needs the password and a current code (or a recovery code): a session and a
//! password alone, which can both leak, do not take the second factor away.

use super::{
    Answer, Auth, Caller, Cookies,
    sign_in::{ACCOUNT, Account},
};
use eventkit_domain::ids::UserId;
use eventkit_platform::{
    ApiError,
    identity::{
        second_factor::{self, Factor, Proof},
        totp,
    },
};
use eventkit_proto::eventkit::v1::*;

impl Auth {
    pub async fn start_totp_enrollment(
        &self,
        caller: &Caller,
        _request: StartTotpEnrollmentRequest,
    ) -> Result<Answer<StartTotpEnrollmentResponse>, ApiError> {
        let (user_id, _) = caller.user()?;
        let secret = totp::new_secret();
        let email: Option<String> = sqlx::query_scalar(
            "update users set totp_secret = $2, updated_at = now() \
             where id = $1 and totp_enabled_at is null returning email",
        )
        .bind(user_id)
        .bind(&secret)
        .fetch_optional(self.accounts.pool())
        .await?;
        let email = email.ok_or_else(|| {
            ApiError::FailedPrecondition(
                "the second factor is enabled already: disable it first to enroll a new one".into(),
            )
        })?;
        Ok(Answer {
            body: StartTotpEnrollmentResponse {
                secret: totp::base32(&secret),
                otpauth_uri: totp::otpauth_uri(&secret, "EventKit", &email),
            },
            cookies: Cookies::Keep,
        })
    }

    pub async fn confirm_totp_enrollment(
        &self,
        caller: &Caller,
        request: ConfirmTotpEnrollmentRequest,
    ) -> Result<Answer<ConfirmTotpEnrollmentResponse>, ApiError> {
        let (user_id, principal) = caller.user()?;
        let mut tx = self.accounts.pool().begin().await?;
        let pending: Option<(Option<Vec<u8>>, bool)> = sqlx::query_as(
            "select totp_secret, totp_enabled_at is not null from users where id = $1 for update",
        )
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?;
        let secret = match pending {
            Some((Some(secret), false)) => secret,
            Some((_, true)) => {
                return Err(ApiError::FailedPrecondition(
                    "the second factor is enabled already".into(),
                ));
            }
            _ => {
                return Err(ApiError::FailedPrecondition(
                    "start the enrollment first (StartTotpEnrollment)".into(),
                ));
            }
        };
        let step = totp::verify(&secret, &request.code, chrono::Utc::now().timestamp(), None)
            .ok_or_else(|| {
                ApiError::invalid("code", "is not the current code of the authenticator app")
            })?;
        sqlx::query(
            "update users set totp_enabled_at = now(), totp_last_step = $2, updated_at = now() where id = $1",
        )
        .bind(user_id)
        .bind(step)
        .execute(&mut *tx)
        .await?;
        let codes = totp::new_recovery_codes();
        replace_recovery_codes(&mut tx, user_id, &codes).await?;
        tx.commit().await?;
        self.log_own(principal, "totp.enabled", caller).await?;
        Ok(Answer {
            body: ConfirmTotpEnrollmentResponse {
                recovery_codes: codes,
            },
            cookies: Cookies::Keep,
        })
    }

    pub async fn disable_totp(
        &self,
        caller: &Caller,
        request: DisableTotpRequest,
    ) -> Result<Answer<DisableTotpResponse>, ApiError> {
        let (user_id, principal) = caller.user()?;
        let mut tx = self.accounts.pool().begin().await?;
        let account: Account = sqlx::query_as(&format!("{ACCOUNT} where id = $1 for update"))
            .bind(user_id)
            .fetch_one(&mut *tx)
            .await?;
        let stored = account.password_hash.clone();
        if !self
            .check_password(caller, &account.email, stored, request.password)
            .await?
        {
            return Err(ApiError::invalid(
                "password",
                "is not the password of this account",
            ));
        }
        // Whoever holds a session and the password (both can leak) must still hold the factor.
        if account.totp_enabled {
            let factor = Factor {
                user_id,
                secret: account.totp_secret.as_deref().unwrap_or_default(),
                last_step: account.totp_last_step,
            };
            match second_factor::prove(&mut tx, &factor, &request.totp_code, &request.recovery_code)
                .await?
            {
                Proof::Accepted => {}
                Proof::Missing => {
                    return Err(ApiError::invalid(
                        "totp_code",
                        "is required: send the current code of the authenticator app (or a \
                         recovery_code) to turn the second factor off",
                    ));
                }
                Proof::Refused => {
                    self.count_password_failure(caller, &account.email).await?;
                    return Err(ApiError::invalid(
                        "totp_code",
                        "is not the current code of the authenticator app (or was used already)",
                    ));
                }
            }
        }
        sqlx::query(
            "update users set totp_secret = null, totp_enabled_at = null, totp_last_step = null, \
             updated_at = now() where id = $1",
        )
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        replace_recovery_codes(&mut tx, user_id, &[]).await?;
        tx.commit().await?;
        self.log_own(principal, "totp.disabled", caller).await?;
        Ok(Answer {
            body: DisableTotpResponse {},
            cookies: Cookies::Keep,
        })
    }
}

async fn replace_recovery_codes(
    tx: &mut sqlx::PgConnection,
    user_id: UserId,
    codes: &[String],
) -> Result<(), ApiError> {
    sqlx::query("delete from recovery_codes where user_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    let hashes: Vec<Vec<u8>> = codes.iter().map(|c| totp::recovery_code_hash(c)).collect();
    sqlx::query("insert into recovery_codes (user_id, code_hash) select $1, unnest($2::bytea[])")
        .bind(user_id)
        .bind(&hashes)
        .execute(&mut *tx)
        .await?;
    Ok(())
}
