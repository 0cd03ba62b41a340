//! Throttles for the paths that have no principal to charge (the request-path gate admits them
//! uncharged): signing in, password-reset and sign-up emails, single sign-on starts, and
//! credentials that turn out not to exist. Each throttle is a bucket in the same shared GCRA
//! as the tenant budgets ([`super::RateLimiter`]), per client address or per email address, so
//! a pool of processes shares it and a Redis outage fails open like every other limit.
//!
//! Two ways to count. Requests that cost something whatever their outcome (an email, an
//! outbound discovery fetch) are charged up front: [`Throttles::admit_client`],
//! [`Throttles::admit_email`]. Guessing is counted by its failures only, so people who get it
//! right are never slowed: [`Throttles::refuse_while_failing`] looks without charging,
//! [`Throttles::count_failure`] charges after a failure.
//!
//! Keys are `eventkit:throttle:<database>:<throttle>:<subject>`: the database name keeps two
//! installations on one Redis apart, emails are hashed (no personal data in Redis), client
//! addresses are kept as they are (IPv6 by /64, [`ClientAddress::throttle_key`]).

use super::{Bucket, Decision, RateLimiter, RetryAfter};
use crate::{ApiError, config::database_name, rpc::client_address::ClientAddress};
use sha2::{Digest, Sha256};
use std::time::Duration;

const MINUTE: Duration = Duration::from_secs(60);

/// Throttles per client address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PerClient {
    /// Wrong passwords (and second factors) in any password check: 20, then one a minute.
    PasswordFailures,
    /// API keys, operator tokens and verification tokens that do not exist: 30, then one a
    /// second.
    CredentialFailures,
    /// Password-reset requests: 10, then one every 3 minutes (at most 30 an hour).
    ResetEmails,
    /// Self-service sign-ups: 10, then one every 6 minutes (at most 20 an hour).
    SignUps,
    /// Single sign-on starts: 30, then one every 2 seconds.
    SsoStarts,
}

/// Throttles per email address, counted whether or not an account has that address (so a
/// refusal tells nothing about accounts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PerEmail {
    /// Password-reset emails to one address: 3, then one every 30 minutes (at most 5 an hour).
    ResetEmails,
    /// Sign-up verification emails to one address: the same.
    SignUps,
}

impl PerClient {
    fn bucket(self) -> Bucket {
        let (interval, burst) = match self {
            Self::PasswordFailures => (MINUTE, 20),
            Self::CredentialFailures => (Duration::from_secs(1), 30),
            Self::ResetEmails => (3 * MINUTE, 10),
            Self::SignUps => (6 * MINUTE, 10),
            Self::SsoStarts => (Duration::from_secs(2), 30),
        };
        Bucket { interval, burst }
    }

    fn name(self) -> &'static str {
        match self {
            Self::PasswordFailures => "password_failures",
            Self::CredentialFailures => "credential_failures",
            Self::ResetEmails => "reset_emails",
            Self::SignUps => "sign_ups",
            Self::SsoStarts => "sso_starts",
        }
    }

    fn refusal(self) -> &'static str {
        match self {
            Self::PasswordFailures => "too many failed sign-ins from your address",
            Self::CredentialFailures => "too many invalid credentials from your address",
            Self::ResetEmails => "too many password-reset requests from your address",
            Self::SignUps => "too many sign-ups from your address",
            Self::SsoStarts => "too many single sign-on starts from your address",
        }
    }
}

impl PerEmail {
    fn bucket(self) -> Bucket {
        Bucket {
            interval: 30 * MINUTE,
            burst: 3,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::ResetEmails => "reset_emails_to",
            Self::SignUps => "sign_ups_to",
        }
    }

    fn refusal(self) -> &'static str {
        match self {
            Self::ResetEmails => "too many password-reset emails were asked for this address",
            Self::SignUps => "too many sign-ups were made for this address",
        }
    }
}

/// The throttles of one installation.
#[derive(Clone)]
pub struct Throttles {
    limiter: RateLimiter,
    namespace: String,
}

impl Throttles {
    /// Throttles on `limiter`'s budgets, keyed under the name of the database `database_url`
    /// points at.
    pub fn for_database(limiter: RateLimiter, database_url: &str) -> Self {
        Self {
            limiter,
            namespace: database_name(database_url).unwrap_or("eventkit").to_owned(),
        }
    }

    fn client_key(&self, kind: PerClient, client: ClientAddress) -> String {
        format!(
            "eventkit:throttle:{}:{}:{}",
            self.namespace,
            kind.name(),
            client.throttle_key()
        )
    }

    fn email_key(&self, kind: PerEmail, email: &str) -> String {
        let digest = Sha256::digest(email.trim().to_lowercase().as_bytes());
        let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        format!("eventkit:throttle:{}:{}:{hex}", self.namespace, kind.name())
    }

    /// Charges one request of `client` (no address known: not throttled).
    pub async fn admit_client(
        &self,
        kind: PerClient,
        client: Option<ClientAddress>,
    ) -> Result<(), ApiError> {
        let Some(client) = client else {
            return Ok(());
        };
        let key = self.client_key(kind, client);
        self.charge(&key, kind.bucket(), kind.refusal()).await
    }

    /// Charges one request for `email`.
    pub async fn admit_email(&self, kind: PerEmail, email: &str) -> Result<(), ApiError> {
        let key = self.email_key(kind, email);
        self.charge(&key, kind.bucket(), kind.refusal()).await
    }

    /// Refuses while `client` has used up its failures, charging nothing.
    pub async fn refuse_while_failing(
        &self,
        kind: PerClient,
        client: Option<ClientAddress>,
    ) -> Result<(), ApiError> {
        let Some(client) = client else {
            return Ok(());
        };
        match self
            .limiter
            .peek(&self.client_key(kind, client), kind.bucket())
            .await
        {
            Some(retry) => Err(refusal(kind.refusal(), retry)),
            None => Ok(()),
        }
    }

    /// Counts one failure of `client`.
    pub async fn count_failure(&self, kind: PerClient, client: Option<ClientAddress>) {
        if let Some(client) = client {
            let key = self.client_key(kind, client);
            self.limiter.check_buckets(&[(key, kind.bucket())]).await;
        }
    }

    async fn charge(&self, key: &str, bucket: Bucket, why: &str) -> Result<(), ApiError> {
        match self
            .limiter
            .check_buckets(&[(key.to_owned(), bucket)])
            .await
        {
            Decision::Admitted { .. } => Ok(()),
            Decision::Refused(retry) => Err(refusal(why, retry)),
        }
    }
}

fn refusal(why: &str, retry: RetryAfter) -> ApiError {
    ApiError::RateLimited {
        message: format!("{why}: try again in {} seconds", retry.header_seconds()),
        retry,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_budgets_allow_at_most_five_an_hour() {
        for kind in [PerEmail::ResetEmails, PerEmail::SignUps] {
            let b = kind.bucket();
            // In any hour: the burst plus what refills meanwhile.
            let most = u64::from(b.burst) + (60 * MINUTE).as_secs() / b.interval.as_secs();
            assert_eq!(most, 5, "{kind:?}");
        }
        let reset = PerClient::ResetEmails.bucket();
        assert_eq!(u64::from(reset.burst) + 3600 / reset.interval.as_secs(), 30);
        let sign_ups = PerClient::SignUps.bucket();
        assert_eq!(
            u64::from(sign_ups.burst) + 3600 / sign_ups.interval.as_secs(),
            20
        );
    }
}
