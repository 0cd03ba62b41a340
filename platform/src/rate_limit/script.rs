//! Runs our Lua scripts on Redis the cheap way: `EVALSHA` with the script's SHA-1, and `EVAL`
//! with the full source only when Redis answers `NOSCRIPT` (after a restart, a failover or a
//! `SCRIPT FLUSH`), which also caches it again. Every call has a deadline, so a Redis that hangs
//! costs a request at most that long.

use crate::metering::Redis;
use redis::{ErrorKind, FromRedisValue};
use sha1::{Digest, Sha1};
use std::time::Duration;

/// Why a script could not run.
#[derive(Debug, thiserror::Error)]
pub enum ScriptError {
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("redis did not answer within {0:?}")]
    Timeout(Duration),
}

/// A Lua script and its SHA-1.
#[derive(Clone, Debug)]
pub struct Script {
    source: String,
    sha: String,
}

impl Script {
    pub fn new(source: impl Into<String>) -> Self {
        let source = source.into();
        let sha = Sha1::digest(source.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Self { source, sha }
    }

    /// The SHA-1 Redis knows the script by.
    pub fn sha(&self) -> &str {
        &self.sha
    }

    /// Runs the script with `keys` and `args`, within `timeout` overall.
    pub async fn run<T: FromRedisValue>(
        &self,
        redis: &Redis,
        timeout: Duration,
        keys: &[String],
        args: &[String],
    ) -> Result<T, ScriptError> {
        tokio::time::timeout(timeout, self.run_untimed(redis, keys, args))
            .await
            .map_err(|_| ScriptError::Timeout(timeout))?
    }

    async fn run_untimed<T: FromRedisValue>(
        &self,
        redis: &Redis,
        keys: &[String],
        args: &[String],
    ) -> Result<T, ScriptError> {
        let mut conn = redis.connection().await?;
        let call = |command: &str, body: &str| {
            let mut cmd = redis::cmd(command);
            cmd.arg(body).arg(keys.len()).arg(keys).arg(args);
            cmd
        };
        match call("EVALSHA", &self.sha).query_async(&mut conn).await {
            Err(e) if e.kind() == ErrorKind::NoScriptError => {
                tracing::debug!(sha = self.sha, "script not cached in redis; sending it");
                Ok(call("EVAL", &self.source).query_async(&mut conn).await?)
            }
            other => Ok(other?),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sha_is_the_one_redis_computes() {
        // `redis-cli SCRIPT LOAD "return 1"` answers this SHA-1.
        assert_eq!(
            Script::new("return 1").sha(),
            "e0e1f9fabfc9d4800c877a703b823ac0578ff8db"
        );
    }
}
