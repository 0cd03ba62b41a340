//! The one password check of the AuthService. Signing in, accepting an invitation as an
//! existing account and disabling the second factor all check a password, and each is a way
//! to guess one, so each honours the account's lockout and the client's failure throttle and
//! counts a wrong password towards both.

use super::{Auth, Caller};
use eventkit_platform::{
    ApiError,
    identity::{lockout, password},
    rate_limit::PerClient,
};

impl Auth {
    /// Whether `password` is the password of the account `email` (`stored`: its hash; `None`
    /// for no account or no password, checked against a dummy hash all the same). Refused while
    /// the account is locked or `caller` has failed too often.
    pub(super) async fn check_password(
        &self,
        caller: &Caller,
        email: &str,
        stored: Option<String>,
        password: String,
    ) -> Result<bool, ApiError> {
        lockout::check(self.accounts.db(), email).await?;
        self.throttles
            .refuse_while_failing(PerClient::PasswordFailures, caller.client)
            .await?;
        let matches = password::verify_blocking(stored, password).await;
        if !matches {
            self.count_password_failure(caller, email).await?;
        }
        Ok(matches)
    }

    /// Counts a wrong password (or second factor) for the account and the client.
    pub(super) async fn count_password_failure(
        &self,
        caller: &Caller,
        email: &str,
    ) -> Result<(), ApiError> {
        lockout::record_failure(self.accounts.db(), email).await?;
        self.throttles
            .count_failure(PerClient::PasswordFailures, caller.client)
            .await;
        Ok(())
    }
}
