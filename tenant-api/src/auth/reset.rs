//! Password reset by a single-use emailed link (valid one hour). Asking answers the same
//! whether or not the address has an account; the email is the person's, not a tenant's: it is
//! queued as an account email and its link kept outside tenant data (docs/adr/0033). Using the
//! link sets the password, clears the lockout and ends every session of the account; an account
//! with TOTP must send a current code (or a recovery code) too, so the link alone is not enough
//! to take it over, and five wrong codes kill the link.

use super::{Answer, Auth, Caller, Cookies};
use chrono::{Duration, Utc};
use eventkit_domain::ids::UserId;
use eventkit_domain::{
    Violations,
    email::{parse_account_email, parse_locale},
};
use eventkit_platform::{
    ApiError,
    identity::{
        lockout, memberships,
        password::{self, NewPassword},
        second_factor::{self, Factor, Proof},
        tokens,
    },
    mail::{
        account::{self, AccountEmail, AccountMessage},
        links::{self, LinkedMessage},
    },
    rate_limit::{PerClient, PerEmail},
};
use eventkit_proto::eventkit::v1::*;
use uuid::Uuid;

const VALID_FOR: Duration = Duration::hours(1);

/// Wrong second-factor codes a reset link survives.
const SECOND_FACTOR_TRIES: i32 = 5;

/// A valid reset token and the account it resets.
#[derive(sqlx::FromRow)]
struct ResetFor {
    token_id: Uuid,
    second_factor_failures: i32,
    user_id: UserId,
    email: String,
    totp_secret: Option<Vec<u8>>,
    totp_enabled: bool,
    totp_last_step: Option<i64>,
}

impl Auth {
    pub async fn request_password_reset(
        &self,
        caller: &Caller,
        request: RequestPasswordResetRequest,
    ) -> Result<Answer<RequestPasswordResetResponse>, ApiError> {
        let mut v = Violations::new();
        let email = v.check(parse_account_email("email", &request.email));
        let locale = v.check(parse_locale("locale", &request.locale));
        v.finish()?;
        let (email, locale) = (email.unwrap(), locale.unwrap());
        // Counted before the account is looked up, so a refusal tells nothing about it.
        self.throttles
            .admit_client(PerClient::ResetEmails, caller.client)
            .await?;
        self.throttles
            .admit_email(PerEmail::ResetEmails, &email)
            .await?;
        let user: Option<UserId> = sqlx::query_scalar("select id from users where email = $1")
            .bind(&email)
            .fetch_optional(self.accounts.pool())
            .await?;
        // A reset belongs to the person, not to any of their tenants: it is queued as an account
        // email (sent under EventKit's name), and the link is kept outside tenant data until it
        // is mailed. A person in no tenant has nothing to sign in to and gets nothing.
        if let Some(user_id) = user
            && !memberships::tenants_of(self.accounts.db(), user_id)
                .await?
                .is_empty()
        {
            let token = tokens::generate("ekp_");
            let token_id = Uuid::now_v7();
            let expires_at = Utc::now() + VALID_FOR;
            let mut tx = self.accounts.pool().begin().await?;
            sqlx::query(
                "insert into user_tokens (id, user_id, purpose, token_hash, expires_at) \
                 values ($1, $2, 'password_reset', $3, $4)",
            )
            .bind(token_id)
            .bind(user_id)
            .bind(tokens::hash(&token))
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
            let reset_url = format!(
                "{}/reset-password?token={token}",
                self.public_url.trim_end_matches('/')
            );
            links::keep(
                &mut tx,
                token_id,
                LinkedMessage::PasswordReset,
                &reset_url,
                expires_at,
            )
            .await?;
            account::queue(
                &mut tx,
                AccountEmail {
                    user_id,
                    message: AccountMessage::PasswordReset,
                    recipient: &email,
                    locale: &locale,
                    vars: serde_json::json!({
                        "expiresAt": expires_at.format("%Y-%m-%d %H:%M UTC").to_string(),
                    }),
                    link_id: Some(token_id),
                },
            )
            .await?;
            tx.commit().await?;
        }
        Ok(Answer {
            body: RequestPasswordResetResponse {},
            cookies: Cookies::Keep,
        })
    }

    pub async fn reset_password(
        &self,
        caller: &Caller,
        request: ResetPasswordRequest,
    ) -> Result<Answer<ResetPasswordResponse>, ApiError> {
        let invalid = || ApiError::invalid("token", "the reset link is not valid or has expired");
        let token = request.token.trim();
        if !token.starts_with("ekp_") {
            return Err(invalid());
        }
        let mut tx = self.accounts.pool().begin().await?;
        let found: Option<ResetFor> = sqlx::query_as(
            "select t.id as token_id, t.second_factor_failures, u.id as user_id, u.email, \
                 u.totp_secret, u.totp_enabled_at is not null as totp_enabled, u.totp_last_step \
             from user_tokens t join users u on u.id = t.user_id \
             where t.token_hash = $1 and t.purpose = 'password_reset' and t.used_at is null \
             and t.expires_at > now() for update of t, u",
        )
        .bind(tokens::hash(token))
        .fetch_optional(&mut *tx)
        .await?;
        let found = found.ok_or_else(invalid)?;
        let (token_id, user_id, email) = (found.token_id, found.user_id, found.email.clone());
        let new = NewPassword::parse("new_password", &request.new_password, &email)?;
        if found.totp_enabled {
            let factor = Factor {
                user_id,
                secret: found.totp_secret.as_deref().unwrap_or_default(),
                last_step: found.totp_last_step,
            };
            match second_factor::prove(&mut tx, &factor, &request.totp_code, &request.recovery_code)
                .await?
            {
                Proof::Accepted => {}
                Proof::Missing => {
                    return Err(ApiError::invalid(
                        "totp_code",
                        "this account has two-step verification: send the current code of the \
                         authenticator app (or a recovery_code) with the new password",
                    ));
                }
                Proof::Refused => {
                    // A link holder without the second factor gets a few tries, not a million.
                    let failures = found.second_factor_failures + 1;
                    sqlx::query(
                        "update user_tokens set second_factor_failures = $2, \
                             used_at = case when $2 >= $3 then now() end where id = $1",
                    )
                    .bind(token_id)
                    .bind(failures)
                    .bind(SECOND_FACTOR_TRIES)
                    .execute(&mut *tx)
                    .await?;
                    tx.commit().await?;
                    return Err(ApiError::invalid(
                        "totp_code",
                        if failures >= SECOND_FACTOR_TRIES {
                            "is wrong; the reset link no longer works after so many wrong codes: \
                             ask for a new one"
                        } else {
                            "is not the current code of the authenticator app (or was used already)"
                        },
                    ));
                }
            }
        }
        let hash = password::hash_blocking(new).await;
        sqlx::query("update users set password_hash = $2, updated_at = now() where id = $1")
            .bind(user_id)
            .bind(hash)
            .execute(&mut *tx)
            .await?;
        sqlx::query("update user_tokens set used_at = now() where id = $1")
            .bind(token_id)
            .execute(&mut *tx)
            .await?;
        links::forget(&mut tx, &[token_id]).await?;
        tx.commit().await?;
        lockout::clear(self.accounts.db(), &email).await?;
        self.sessions.revoke_all(user_id).await?;
        self.log_everywhere(user_id, "password.reset", caller.address.as_deref())
            .await?;
        Ok(Answer {
            body: ResetPasswordResponse {},
            cookies: Cookies::Clear,
        })
    }
}
