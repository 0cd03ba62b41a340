//! The in-process layer: per bucket key a `governor` limiter with the bucket's budget, charged
//! only with requests the shared budget admitted here, and the instant until which Redis last
//! said the bucket refuses. Both only ever refuse what Redis would certainly refuse (see the
//! module above). Buckets live in a bounded cache and are evicted when idle, so memory stays
//! flat however many principals call.

use super::Bucket;
use governor::{
    Quota, RateLimiter,
    clock::{Clock, DefaultClock},
    state::{InMemoryState, NotKeyed},
};
use moka::sync::Cache;
use std::{
    num::NonZeroU32,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

type Governor = RateLimiter<NotKeyed, InMemoryState, DefaultClock>;

struct LocalBucket {
    budget: Bucket,
    governor: Governor,
    /// Nanoseconds after `Local::epoch` until which the bucket refuses.
    blocked_until: AtomicU64,
}

/// Local state of every bucket this process has seen recently.
#[derive(Clone)]
pub(super) struct Local {
    buckets: Cache<String, Arc<LocalBucket>>,
    epoch: Instant,
}

impl Local {
    /// At most `max_buckets` buckets, each dropped after `idle` without requests.
    pub(super) fn new(max_buckets: u64, idle: Duration) -> Self {
        Self {
            buckets: Cache::builder()
                .max_capacity(max_buckets)
                .time_to_idle(idle)
                .build(),
            epoch: Instant::now(),
        }
    }

    fn bucket(&self, key: &str, budget: Bucket) -> Arc<LocalBucket> {
        let make = || {
            let quota = Quota::with_period(budget.interval.max(Duration::from_nanos(1)))
                .expect("a positive period")
                .allow_burst(NonZeroU32::new(budget.burst).unwrap_or(NonZeroU32::MIN));
            Arc::new(LocalBucket {
                budget,
                governor: RateLimiter::direct(quota),
                blocked_until: AtomicU64::new(0),
            })
        };
        let found = self.buckets.get_with_by_ref(key, make);
        if found.budget == budget {
            return found;
        }
        // The plan changed: start over with the new budget.
        let fresh = make();
        self.buckets.insert(key.to_owned(), fresh.clone());
        fresh
    }

    fn now(&self) -> u64 {
        self.epoch.elapsed().as_nanos() as u64
    }

    /// How long this process already knows `key` refuses, if it does.
    pub(super) fn refuses(&self, key: &str, budget: Bucket) -> Option<Duration> {
        let until = self
            .bucket(key, budget)
            .blocked_until
            .load(Ordering::Relaxed);
        let now = self.now();
        (until > now).then(|| Duration::from_nanos(until - now))
    }

    /// Remembers that `key` refuses for `wait` from now.
    pub(super) fn block(&self, key: &str, budget: Bucket, wait: Duration) {
        let until = self.now().saturating_add(wait.as_nanos() as u64);
        self.bucket(key, budget)
            .blocked_until
            .fetch_max(until, Ordering::Relaxed);
    }

    /// Charges one admitted request to `key`'s governor; when it has no room, this process
    /// alone used the budget, so the bucket is blocked until the governor has room again.
    /// Returns that wait, if any.
    pub(super) fn charge(&self, key: &str, budget: Bucket) -> Option<Duration> {
        let bucket = self.bucket(key, budget);
        match bucket.governor.check() {
            Ok(()) => None,
            Err(not_until) => {
                let wait = not_until.wait_time_from(bucket.governor.clock().now());
                self.block(key, budget, wait);
                Some(wait)
            }
        }
    }

    /// Number of buckets held (tests: eviction keeps it bounded).
    #[cfg(test)]
    pub(super) fn len(&self) -> u64 {
        self.buckets.run_pending_tasks();
        self.buckets.entry_count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_governor_blocks_once_this_process_used_the_burst() {
        let local = Local::new(100, Duration::from_secs(60));
        let budget = Bucket::per_second(1, 3);
        assert_eq!(local.refuses("k", budget), None);
        for _ in 0..3 {
            assert_eq!(local.charge("k", budget), None);
        }
        let wait = local.charge("k", budget).expect("fourth is over the burst");
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(1));
        assert!(local.refuses("k", budget).is_some());
        assert_eq!(local.refuses("other", budget), None, "buckets are separate");
    }

    #[test]
    fn blocks_from_redis_expire_and_a_new_budget_starts_over() {
        let local = Local::new(100, Duration::from_secs(60));
        let budget = Bucket::per_second(1, 1);
        // Long enough that a busy CI machine cannot let it run out before the first check.
        local.block("k", budget, Duration::from_millis(500));
        assert!(local.refuses("k", budget).is_some());
        std::thread::sleep(Duration::from_millis(600));
        assert_eq!(local.refuses("k", budget), None);
        local.block("k", budget, Duration::from_secs(5));
        assert_eq!(local.refuses("k", Bucket::per_second(2, 2)), None);
    }

    #[test]
    fn memory_is_bounded() {
        let local = Local::new(50, Duration::from_secs(60));
        let budget = Bucket::per_second(1, 1);
        for i in 0..1000 {
            local.charge(&format!("k{i}"), budget);
        }
        assert!(local.len() <= 50, "{} buckets kept", local.len());
    }
}
