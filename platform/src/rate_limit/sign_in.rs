//! Sign-in throttling, for the local sign-in (and password reset) code: attempts are limited per
//! account (email) and per client address by the shared GCRA, and repeated failures lock the
//! account or address for an exponentially growing time. The account is keyed by a hash of
//! the normalised email, so Redis holds no addresses, and the answer is the same whether the
//! account exists or not (no enumeration). IPv6 clients are keyed by their /64.
//!
//! Use: `check(email, ip)` before verifying the password (refuse with its `RetryAfter`),
//! then `record_failure(email, ip)` or `record_success(email)`. If Redis is unreachable the
//! throttle admits (fails open), logs a warning and counts
//! `eventkit_rate_limit_redis_errors_total{use="sign_in"}`: password hashing still bounds guessing.

use super::{
    Bucket, RetryAfter,
    script::{Script, ScriptError},
    shared::SharedGcra,
};
use crate::metering::Redis;
use sha2::{Digest, Sha256};
use std::{net::IpAddr, sync::LazyLock, time::Duration};

static BACKOFF: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("backoff.lua")));

/// Budgets and back-off of sign-in.
#[derive(Debug, Clone)]
pub struct SignInThrottleConfig {
    /// Attempts per account (default 10 a minute).
    pub per_account: Bucket,
    /// Attempts per client address (default 60 a minute: offices share addresses).
    pub per_address: Bucket,
    /// Failures an account may have before it is locked (default 5).
    pub account_free_failures: u32,
    /// Failures an address may have before it is locked (default 20).
    pub address_free_failures: u32,
    /// The first lock (default 1 s); each further failure doubles it.
    pub first_lock: Duration,
    /// The longest lock (default 15 min).
    pub longest_lock: Duration,
    /// Failures are forgotten after this long without one (default 1 h).
    pub remember_failures: Duration,
    /// Past this Redis counts as down (default 250 ms).
    pub redis_timeout: Duration,
}

impl Default for SignInThrottleConfig {
    fn default() -> Self {
        Self {
            per_account: Bucket::per(10, Duration::from_secs(60)),
            per_address: Bucket::per(60, Duration::from_secs(60)),
            account_free_failures: 5,
            address_free_failures: 20,
            first_lock: Duration::from_secs(1),
            longest_lock: Duration::from_secs(15 * 60),
            remember_failures: Duration::from_secs(3600),
            redis_timeout: Duration::from_millis(250),
        }
    }
}

/// Throttles sign-in attempts; cheap to clone.
#[derive(Clone)]
pub struct SignInThrottle {
    redis: Redis,
    gcra: SharedGcra,
    config: SignInThrottleConfig,
}

/// Redis keys of one account.
fn account_key(email: &str, what: &str) -> String {
    let normalised = email.trim().to_lowercase();
    let digest = Sha256::digest(normalised.as_bytes());
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("eventkit:signin:account:{hex}:{what}")
}

/// Redis keys of one client address (IPv6 by /64, IPv4-mapped IPv6 as IPv4).
fn address_key(ip: IpAddr, what: &str) -> String {
    let ip = match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
        v4 => v4,
    };
    format!("eventkit:signin:address:{ip}:{what}")
}

fn ms(d: Duration) -> String {
    d.as_millis().max(1).to_string()
}

impl SignInThrottle {
    pub fn new(redis: Redis, config: SignInThrottleConfig) -> Self {
        Self {
            gcra: SharedGcra::new(redis.clone(), config.redis_timeout),
            redis,
            config,
        }
    }

    /// Before checking a password: `Err` while the account or the address is locked or has
    /// used its attempts; the wait is when to try again. Counts as an attempt.
    pub async fn check(&self, email: &str, ip: IpAddr) -> Result<(), RetryAfter> {
        let locks = [account_key(email, "lock"), address_key(ip, "lock")];
        let buckets = [
            (account_key(email, "attempts"), self.config.per_account),
            (address_key(ip, "attempts"), self.config.per_address),
        ];
        match self.gcra.acquire(&locks, &buckets).await {
            Ok(outcome) if outcome.admitted => Ok(()),
            Ok(outcome) => {
                metrics::counter!("eventkit_sign_in_throttled_total").increment(1);
                Err(RetryAfter(outcome.retry_after()))
            }
            Err(err) => {
                fail_open(&err);
                Ok(())
            }
        }
    }

    /// After a failed sign-in (wrong password, unknown account, wrong second factor): counts
    /// the failure for the account and the address and locks them past their free failures.
    /// Returns the lock now in force, if this failure set one.
    pub async fn record_failure(&self, email: &str, ip: IpAddr) -> Option<RetryAfter> {
        let c = &self.config;
        let keys = [
            account_key(email, "failures"),
            account_key(email, "lock"),
            address_key(ip, "failures"),
            address_key(ip, "lock"),
        ];
        let remember = c.remember_failures.max(c.longest_lock);
        let args = [
            c.account_free_failures.to_string(),
            ms(c.first_lock),
            ms(c.longest_lock),
            ms(remember),
            c.address_free_failures.to_string(),
            ms(c.first_lock),
            ms(c.longest_lock),
            ms(remember),
        ];
        match BACKOFF
            .run::<u64>(&self.redis, c.redis_timeout, &keys, &args)
            .await
        {
            Ok(0) => None,
            Ok(lock_ms) => Some(RetryAfter(Duration::from_millis(lock_ms))),
            Err(err) => {
                fail_open(&err);
                None
            }
        }
    }

    /// After a successful sign-in: the account's failures and lock are forgotten (the
    /// address's are not: one good password from an address says nothing about the others).
    pub async fn record_success(&self, email: &str) {
        let keys = [account_key(email, "failures"), account_key(email, "lock")];
        let forget = async {
            let mut conn = self.redis.connection().await?;
            redis::cmd("DEL")
                .arg(&keys)
                .query_async::<()>(&mut conn)
                .await
                .map_err(ScriptError::from)
        };
        let outcome = tokio::time::timeout(self.config.redis_timeout, forget)
            .await
            .unwrap_or(Err(ScriptError::Timeout(self.config.redis_timeout)));
        if let Err(err) = outcome {
            fail_open(&err);
        }
    }
}

fn fail_open(err: &ScriptError) {
    tracing::warn!(error = %err, "sign-in throttle: redis unreachable; admitting");
    metrics::counter!("eventkit_rate_limit_redis_errors_total", "use" => "sign_in").increment(1);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_are_hashed_and_normalised() {
        let a = account_key(" Alice@Example.COM ", "lock");
        assert_eq!(a, account_key("alice@example.com", "lock"));
        assert!(!a.contains("alice"), "{a}");
    }

    #[test]
    fn ipv6_clients_share_their_64() {
        let a = address_key("2001:db8:1:2:aaaa::1".parse().unwrap(), "lock");
        let b = address_key("2001:db8:1:2:bbbb::9".parse().unwrap(), "lock");
        let c = address_key("2001:db8:1:3::1".parse().unwrap(), "lock");
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(
            address_key("::ffff:192.0.2.7".parse().unwrap(), "x"),
            address_key("192.0.2.7".parse().unwrap(), "x")
        );
    }
}
