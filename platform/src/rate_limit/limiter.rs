//! The decision for one request of one principal: its bucket and its tenant's bucket, first
//! against what this process already knows refuses, then against the shared budget in Redis.

use super::{
    Bucket, RateLimitConfig, RetryAfter, TenantRateLimits, local::Local, shared::SharedGcra,
};
use crate::{auth::Principal, db::Db, metering::Redis};
use eventkit_domain::ids::TenantId;
use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

/// What the limiter decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Admitted; `remaining` more would be admitted right now (`None`: no limit applies, or
    /// Redis was not asked), the budget is full again after `reset`.
    Admitted {
        remaining: Option<u64>,
        reset: Duration,
    },
    Refused(RetryAfter),
}

/// Rate limits of the tenant API.
#[derive(Clone)]
pub struct RateLimiter {
    enabled: bool,
    limits: TenantRateLimits,
    local: Local,
    shared: SharedGcra,
    outage: Outage,
}

/// After Redis failed, requests skip it for a while (the local limits alone decide), so an
/// outage costs one request the Redis timeout per second, not every request.
#[derive(Clone)]
struct Outage {
    epoch: Instant,
    /// Milliseconds after `epoch` until which Redis is not asked.
    skip_until: Arc<AtomicU64>,
}

impl Outage {
    const SKIP: Duration = Duration::from_secs(1);

    fn now_ms(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    fn ongoing(&self) -> bool {
        self.now_ms() < self.skip_until.load(Ordering::Relaxed)
    }

    fn started(&self) {
        let until = self.now_ms() + Self::SKIP.as_millis() as u64;
        self.skip_until.store(until, Ordering::Relaxed);
    }
}

/// The Redis key of a tenant's bucket. `{tenant}` is a hash tag: a tenant's buckets share a
/// Redis Cluster slot, so one script may touch them together.
fn tenant_key(tenant_id: TenantId) -> String {
    format!("eventkit:ratelimit:{{{tenant_id}}}:tenant")
}

fn principal_key(tenant_id: TenantId, subject: &str) -> String {
    format!("eventkit:ratelimit:{{{tenant_id}}}:principal:{subject}")
}

impl RateLimiter {
    pub fn new(db: Db, redis: Redis, config: &RateLimitConfig) -> Self {
        Self {
            enabled: config.enabled,
            limits: TenantRateLimits::new(db, config.limits_cache_ttl),
            local: Local::new(config.local_buckets, config.local_idle),
            shared: SharedGcra::new(redis, config.redis_timeout),
            outage: Outage {
                epoch: Instant::now(),
                skip_until: Arc::new(AtomicU64::new(0)),
            },
        }
    }

    /// The same limiter with the shared script under another source (tests).
    pub fn with_shared(mut self, shared: SharedGcra) -> Self {
        self.shared = shared;
        self
    }

    /// Decides whether `principal` may make one more request, and charges it if so.
    /// Admits everything when rate limits are off (`EVENTKIT_RATE_LIMITS=off`).
    pub async fn check(&self, principal: &Principal) -> Decision {
        if !self.enabled {
            return Decision::Admitted {
                remaining: None,
                reset: Duration::ZERO,
            };
        }
        let limits = match self.limits.get(principal.tenant_id).await {
            Ok(limits) => limits,
            Err(err) => {
                // The tenant gate just read the database; failing here is rare and
                // transient. Admit rather than refuse everything.
                tracing::warn!(error = %err, "rate limits unreadable; admitting");
                metrics::counter!("eventkit_rate_limit_errors_total", "cause" => "limits")
                    .increment(1);
                return Decision::Admitted {
                    remaining: None,
                    reset: Duration::ZERO,
                };
            }
        };
        let buckets: Vec<(String, Bucket)> = [
            limits
                .principal
                .map(|b| (principal_key(principal.tenant_id, &principal.subject), b)),
            limits.tenant.map(|b| (tenant_key(principal.tenant_id), b)),
        ]
        .into_iter()
        .flatten()
        .collect();
        self.check_buckets(&buckets).await
    }

    /// The decision for a set of buckets charged together (all admitted when rate limits are
    /// off).
    pub async fn check_buckets(&self, buckets: &[(String, Bucket)]) -> Decision {
        if buckets.is_empty() || !self.enabled {
            return Decision::Admitted {
                remaining: None,
                reset: Duration::ZERO,
            };
        }
        if let Some(wait) = buckets
            .iter()
            .filter_map(|(key, b)| self.local.refuses(key, *b))
            .max()
        {
            refused("local");
            return Decision::Refused(RetryAfter(wait));
        }
        let outcome = if self.outage.ongoing() {
            Err(None)
        } else {
            self.shared.acquire(&[], buckets).await.map_err(Some)
        };
        match outcome {
            Ok(outcome) if outcome.admitted => {
                for (key, bucket) in buckets {
                    self.local.charge(key, *bucket);
                }
                Decision::Admitted {
                    remaining: Some(outcome.remaining),
                    reset: outcome.reset,
                }
            }
            Ok(outcome) => {
                for ((key, bucket), wait) in buckets.iter().zip(&outcome.waits) {
                    if !wait.is_zero() {
                        self.local.block(key, *bucket, *wait);
                    }
                }
                refused("shared");
                Decision::Refused(RetryAfter(outcome.retry_after()))
            }
            Err(error) => {
                if let Some(err) = error {
                    self.outage.started();
                    tracing::warn!(
                        error = %err,
                        "rate limiting: redis unreachable; failing open to this process's limits"
                    );
                    metrics::counter!("eventkit_rate_limit_redis_errors_total", "use" => "api")
                        .increment(1);
                }
                let wait = buckets
                    .iter()
                    .filter_map(|(key, b)| self.local.charge(key, *b))
                    .max();
                match wait {
                    Some(wait) => {
                        refused("local_fallback");
                        Decision::Refused(RetryAfter(wait))
                    }
                    None => Decision::Admitted {
                        remaining: None,
                        reset: Duration::ZERO,
                    },
                }
            }
        }
    }
}

impl RateLimiter {
    /// How long the next request in bucket `key` would wait, charging nothing (`None`: it would
    /// be admitted). What this process knows refuses answers first; if Redis cannot be reached,
    /// only that (so it fails open, like [`Self::check_buckets`], whose fallback charges the
    /// local limiter and blocks it once full).
    pub async fn peek(&self, key: &str, bucket: Bucket) -> Option<RetryAfter> {
        if !self.enabled {
            return None;
        }
        if let Some(wait) = self.local.refuses(key, bucket) {
            refused("local");
            return Some(RetryAfter(wait));
        }
        if self.outage.ongoing() {
            return None;
        }
        match self.shared.peek(&[(key.to_owned(), bucket)]).await {
            Ok(wait) if wait.is_zero() => None,
            Ok(wait) => {
                self.local.block(key, bucket, wait);
                refused("shared");
                Some(RetryAfter(wait))
            }
            Err(err) => {
                self.outage.started();
                tracing::warn!(
                    error = %err,
                    "rate limiting: redis unreachable; failing open to this process's limits"
                );
                metrics::counter!("eventkit_rate_limit_redis_errors_total", "use" => "throttle")
                    .increment(1);
                None
            }
        }
    }
}

fn refused(by: &'static str) {
    metrics::counter!("eventkit_rate_limit_refusals_total", "by" => by).increment(1);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_share_the_tenant_hash_tag() {
        let t = TenantId::from_uuid(uuid::Uuid::nil());
        assert_eq!(
            tenant_key(t),
            "eventkit:ratelimit:{00000000-0000-0000-0000-000000000000}:tenant"
        );
        assert!(principal_key(t, "api_key:x").contains("{00000000-0000-0000-0000-000000000000}"));
    }
}
