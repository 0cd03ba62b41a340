//! Password reset by a single-use emailed link (valid one hour). Asking answers the same
//! whether or not the address has an account; using the link sets the password, clears the
//! lockout and ends every session of the account.

use super::{Answer, Auth, Caller, Cookies};
use chrono::{Duration, Utc};
use eventkit_domain::email::parse_account_email;
use eventkit_platform::{
    ApiError,
    db::Actor,
    identity::{
        lockout, memberships,
        password::{self, NewPassword},
        tokens,
    },
    outbox,
    rate_limit::{PerClient, PerEmail},
};
use eventkit_proto::eventkit::v1::*;
use uuid::Uuid;

const VALID_FOR: Duration = Duration::hours(1);

impl Auth {
    pub async fn request_password_reset(
        &self,
        caller: &Caller,
        request: RequestPasswordResetRequest,
    ) -> Result<Answer<RequestPasswordResetResponse>, ApiError> {
        let email = parse_account_email("email", &request.email)?;
        // Counted before the account is looked up, so a refusal tells nothing about it.
        self.throttles
            .admit_client(PerClient::ResetEmails, caller.client)
            .await?;
        self.throttles
            .admit_email(PerEmail::ResetEmails, &email)
            .await?;
        let user: Option<Uuid> = sqlx::query_scalar("select id from users where email = $1")
            .bind(&email)
            .fetch_optional(self.db.pool())
            .await?;
        // The email goes out under the branding of one of the person's tenants; a person in no
        // tenant has nothing to sign in to.
        if let Some(user_id) = user
            && let Some(tenant) = memberships::tenants_of(&self.db, user_id).await?.first()
        {
            let token = tokens::generate("ekp_");
            let expires_at = Utc::now() + VALID_FOR;
            let mut tx = self
                .db
                .tenant_tx(tenant.tenant_id, &Actor::system("password_reset"))
                .await?;
            sqlx::query(
                "insert into user_tokens (id, user_id, purpose, token_hash, expires_at) \
                 values ($1, $2, 'password_reset', $3, $4)",
            )
            .bind(Uuid::now_v7())
            .bind(user_id)
            .bind(tokens::hash(&token))
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
            let reset_url = format!(
                "{}/reset-password?token={token}",
                self.public_url.trim_end_matches('/')
            );
            outbox::emit(
                &mut tx,
                "email.requested",
                user_id,
                serde_json::json!({
                    "message": "password_reset",
                    "to": [email],
                    "vars": {
                        "resetUrl": reset_url,
                        "expiresAt": expires_at.format("%Y-%m-%d %H:%M UTC").to_string(),
                    },
                }),
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
        let mut tx = self.db.pool().begin().await?;
        let found: Option<(Uuid, Uuid, String)> = sqlx::query_as(
            "select t.id, u.id, u.email from user_tokens t join users u on u.id = t.user_id \
             where t.token_hash = $1 and t.purpose = 'password_reset' and t.used_at is null \
             and t.expires_at > now() for update of t",
        )
        .bind(tokens::hash(token))
        .fetch_optional(&mut *tx)
        .await?;
        let (token_id, user_id, email) = found.ok_or_else(invalid)?;
        let new = NewPassword::parse("new_password", &request.new_password, &email)?;
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
        tx.commit().await?;
        lockout::clear(&self.db, &email).await?;
        self.sessions.revoke_all(user_id).await?;
        self.log_everywhere(user_id, "password.reset", caller.address.as_deref())
            .await?;
        Ok(Answer {
            body: ResetPasswordResponse {},
            cookies: Cookies::Clear,
        })
    }
}
