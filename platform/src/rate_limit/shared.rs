//! The shared budget: buckets in Redis, checked and charged together by one Lua script
//! (`gcra.lua`), so every process of a pool draws on the same budget and two buckets (a
//! principal's and its tenant's) are charged all or nothing.

use super::{
    Bucket,
    script::{Script, ScriptError},
};
use crate::metering::Redis;
use std::{sync::LazyLock, time::Duration};

static GCRA: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("gcra.lua")));
static PEEK: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("gcra_peek.lua")));

/// What Redis decided for a set of buckets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedOutcome {
    pub admitted: bool,
    /// The fewest requests any bucket still admits right away (after this one).
    pub remaining: u64,
    /// Until every bucket is full again.
    pub reset: Duration,
    /// Per bucket, in the order given: how long it refuses (zero if it had room).
    pub waits: Vec<Duration>,
}

impl SharedOutcome {
    /// When to retry: the longest wait of any bucket (or of a lock, which `reset` carries
    /// when the refusal came from one).
    pub fn retry_after(&self) -> Duration {
        let longest = self.waits.iter().copied().max().unwrap_or_default();
        if self.admitted {
            longest
        } else {
            longest.max(self.reset)
        }
    }
}

/// The Redis side of rate limiting.
#[derive(Clone)]
pub struct SharedGcra {
    redis: Redis,
    timeout: Duration,
    script: Script,
    peek: Script,
}

impl SharedGcra {
    pub fn new(redis: Redis, timeout: Duration) -> Self {
        Self {
            redis,
            timeout,
            script: GCRA.clone(),
            peek: PEEK.clone(),
        }
    }

    /// The same with another copy of the script source (tests: a source Redis has not cached).
    pub fn with_script_suffix(mut self, suffix: &str) -> Self {
        self.script = Script::new(format!("{}\n-- {suffix}\n", include_str!("gcra.lua")));
        self
    }

    pub fn script(&self) -> &Script {
        &self.script
    }

    /// Checks and charges `buckets` (Redis key and budget) together; while any of `locks`
    /// exists nothing is charged and the answer waits for the lock.
    pub async fn acquire(
        &self,
        locks: &[String],
        buckets: &[(String, Bucket)],
    ) -> Result<SharedOutcome, ScriptError> {
        let keys: Vec<String> = locks
            .iter()
            .cloned()
            .chain(buckets.iter().map(|(k, _)| k.clone()))
            .collect();
        let mut args = vec![locks.len().to_string()];
        for (_, bucket) in buckets {
            args.push(bucket.interval_us().to_string());
            args.push(bucket.capacity_us().to_string());
        }
        let reply: Vec<i64> = self
            .script
            .run(&self.redis, self.timeout, &keys, &args)
            .await?;
        let us = |v: i64| Duration::from_micros(v.max(0) as u64);
        Ok(SharedOutcome {
            admitted: reply.first() == Some(&1),
            remaining: reply.get(1).copied().unwrap_or(0).max(0) as u64,
            reset: us(reply.get(2).copied().unwrap_or(0)),
            waits: reply.iter().skip(3).copied().map(us).collect(),
        })
    }

    /// How long the next request would wait in `buckets`, charging nothing (zero: it would be
    /// admitted).
    pub async fn peek(&self, buckets: &[(String, Bucket)]) -> Result<Duration, ScriptError> {
        let keys: Vec<String> = buckets.iter().map(|(k, _)| k.clone()).collect();
        let args: Vec<String> = buckets
            .iter()
            .flat_map(|(_, b)| [b.interval_us().to_string(), b.capacity_us().to_string()])
            .collect();
        let wait: i64 = self
            .peek
            .run(&self.redis, self.timeout, &keys, &args)
            .await?;
        Ok(Duration::from_micros(wait.max(0) as u64))
    }
}
