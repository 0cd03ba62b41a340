//! Rate limiting, so one tenant or one credential cannot take the service from everyone else,
//! and so password guessing gets slow.
//!
//! Two layers, one budget. The budget lives in Redis as a GCRA (generic cell rate algorithm,
//! [`shared`], a Lua script) so a pool of tenant-api processes shares it: Redis alone admits a
//! request. In front of it each process keeps a `governor` limiter per bucket ([`local`],
//! bounded: idle buckets are evicted) that refuses without a round trip, and only what Redis
//! would certainly refuse:
//!
//! - after Redis refused a bucket for `w`, the process refuses that bucket locally until `w`
//!   has passed (a GCRA's theoretical arrival time only grows, so Redis refuses until then);
//! - the local limiter has the bucket's rate and burst and is charged only with requests Redis
//!   admitted in this process; when it is full, the process alone used the whole budget, which
//!   Redis (charged with those and everyone else's) also knows, so it refuses until the local
//!   limiter has room again.
//!
//! So a pool never admits more than the shared budget, and the local layer never refuses what
//! Redis would admit (up to one Redis round trip of clock difference). While Redis answers, the
//! first rule does nearly all the local refusing (Redis refuses a bucket before this process
//! alone can fill its governor; the second rule is a safety net for clock skew and budget
//! changes). The governors' main work is the outage: if Redis cannot be reached the limiter
//! fails open to them alone (each process then admits up to the whole budget), logs a warning
//! and counts `eventkit_rate_limit_redis_errors_total`.
//!
//! Limits come from the tenant's plan and its overrides ([`limits`]), cached per process.
//! Paths without a principal (signing in, password reset, sign-up, single sign-on, unknown
//! credentials) are throttled per client address and per email address on the same budgets
//! ([`throttle`]); accounts also lock after repeated wrong passwords (`identity::lockout`).

pub mod config;
mod gate;
mod limiter;
pub mod limits;
mod local;
pub mod script;
pub mod shared;
pub mod throttle;

pub use config::RateLimitConfig;
pub use gate::{Budget, admit};
pub use limiter::{Decision, RateLimiter};
pub use limits::{RateLimits, TenantRateLimits};
pub use throttle::{PerClient, PerEmail, Throttles};

use std::time::Duration;

/// A budget: `burst` requests at once, refilled by one every `interval`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Bucket {
    pub interval: Duration,
    pub burst: u32,
}

impl Bucket {
    /// `per_second` requests a second on average, `burst` at once (both at least 1).
    pub fn per_second(per_second: u64, burst: u64) -> Self {
        let per_second = per_second.clamp(1, 1_000_000);
        Self {
            interval: Duration::from_nanos(1_000_000_000 / per_second),
            burst: burst.clamp(1, u64::from(u32::MAX)) as u32,
        }
    }

    /// `count` requests per `period` on average, all of them at once at most.
    pub fn per(count: u32, period: Duration) -> Self {
        let count = count.max(1);
        Self {
            interval: period / count,
            burst: count,
        }
    }

    fn interval_us(&self) -> u64 {
        (self.interval.as_micros() as u64).max(1)
    }

    fn capacity_us(&self) -> u64 {
        self.interval_us().saturating_mul(u64::from(self.burst))
    }
}

/// A refusal: try again after this long.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many requests; retry after {}", format_delay(*.0))]
pub struct RetryAfter(pub Duration);

impl RetryAfter {
    /// Whole seconds, rounded up, for a `Retry-After` header (at least 1).
    pub fn header_seconds(&self) -> u64 {
        self.0.as_micros().div_ceil(1_000_000).max(1) as u64
    }
}

fn format_delay(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_and_retry_seconds() {
        let b = Bucket::per_second(4, 10);
        assert_eq!(b.interval, Duration::from_millis(250));
        assert_eq!(b.capacity_us(), 2_500_000);
        assert_eq!(Bucket::per_second(0, 0).burst, 1, "clamped to at least 1");
        let m = Bucket::per(10, Duration::from_secs(60));
        assert_eq!((m.interval, m.burst), (Duration::from_secs(6), 10));
        assert_eq!(RetryAfter(Duration::from_millis(1)).header_seconds(), 1);
        assert_eq!(RetryAfter(Duration::from_millis(1001)).header_seconds(), 2);
        assert_eq!(RetryAfter(Duration::from_secs(3)).header_seconds(), 3);
    }
}
