//! The connections one-shot reads ([`super::one_shot`]) run on, kept apart from sqlx's pool.
//!
//! sqlx's pool checks every connection handed back to it with a `Sync` round trip, from a task
//! it spawns for that, and offers no way to skip it. For a read that is itself one round trip
//! that doubles the conversations with PostgreSQL (bench/history/get-asset.md: ~5 % of the tenant-api's
//! CPU per `GetAsset`, plus the database's share). A one-shot read that completed — rows or an
//! SQL error — leaves its connection idle and in step (the answer ends with `ReadyForQuery`, and
//! sqlx drains what an error left pending before its next query), so here it goes straight
//! back. A read that did not complete (cancelled, I/O error) closes its connection instead.
//!
//! Connections open on demand up to the limit, are reused newest first, and are closed after
//! [`IDLE_TIMEOUT`] unused or [`MAX_LIFETIME`] in all, as sqlx's pool does by default.

use sqlx::{
    Connection, Executor, PgConnection,
    postgres::{PgConnectOptions, PgRow},
};
use std::{
    collections::VecDeque,
    sync::Mutex,
    time::{Duration, Instant},
};
use tokio::sync::Semaphore;

/// An idle connection unused this long is closed.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(10 * 60);
/// A connection this old is closed rather than reused.
pub const MAX_LIFETIME: Duration = Duration::from_secs(30 * 60);

#[derive(Debug)]
pub struct ReadPool {
    options: PgConnectOptions,
    idle: Mutex<VecDeque<Pooled>>,
    permits: Semaphore,
    acquire_timeout: Duration,
    /// Each new connection runs [`super::role_check::refuse_climbing`] first (service pools).
    check_role: bool,
}

#[derive(Debug)]
struct Pooled {
    conn: PgConnection,
    opened: Instant,
    idle_since: Instant,
}

impl ReadPool {
    /// A pool of at most `max` connections; nothing connects until the first read.
    pub fn new(options: PgConnectOptions, max: u32, acquire_timeout: Duration) -> Self {
        Self {
            options,
            idle: Mutex::new(VecDeque::new()),
            permits: Semaphore::new(max.max(1) as usize),
            acquire_timeout,
            check_role: false,
        }
    }

    /// The same pool, whose every new connection checks its role before its first read.
    pub fn checking_role(self) -> Self {
        Self {
            check_role: true,
            ..self
        }
    }

    /// Runs `sql` (simple protocol: no parameters) on a pooled connection.
    pub async fn fetch_all(&self, sql: &str) -> Result<Vec<PgRow>, sqlx::Error> {
        let _permit = tokio::time::timeout(self.acquire_timeout, self.permits.acquire())
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)?
            .map_err(|_| sqlx::Error::PoolClosed)?;
        let pooled = match self.take_idle() {
            Some(pooled) => pooled,
            None => {
                let mut conn = PgConnection::connect_with(&self.options).await?;
                if self.check_role {
                    super::role_check::refuse_climbing(&mut conn).await?;
                }
                Pooled {
                    conn,
                    opened: Instant::now(),
                    idle_since: Instant::now(),
                }
            }
        };
        // Put back only when the read ran to its end; dropped mid-read, the guard closes it.
        let mut checkout = Checkout {
            pool: self,
            pooled: Some(pooled),
            in_step: false,
        };
        let conn = &mut checkout.pooled.as_mut().expect("just set").conn;
        // `Executor::fetch_all(conn, raw_sql)`, not `raw_sql.fetch_all(conn)`: the latter trips
        // "Executor is not general enough" in callers' `Send` futures (sqlx issue 3150).
        let result = conn.fetch_all(sqlx::raw_sql(sql)).await;
        checkout.in_step = matches!(&result, Ok(_) | Err(sqlx::Error::Database(_)));
        result
    }

    /// The most recently used idle connection that is not too old; connections idle for
    /// longer than [`IDLE_TIMEOUT`] (the oldest, at the front) are closed on the way.
    fn take_idle(&self) -> Option<Pooled> {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        while idle
            .front()
            .is_some_and(|p| p.idle_since.elapsed() > IDLE_TIMEOUT)
        {
            idle.pop_front();
        }
        while let Some(pooled) = idle.pop_back() {
            if pooled.opened.elapsed() < MAX_LIFETIME {
                return Some(pooled);
            }
        }
        None
    }

    /// Idle connections right now (tests).
    pub fn idle_count(&self) -> usize {
        self.idle.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

/// A connection out of the pool for one read.
struct Checkout<'a> {
    pool: &'a ReadPool,
    pooled: Option<Pooled>,
    /// The read completed, so the connection waits for the next query.
    in_step: bool,
}

impl Drop for Checkout<'_> {
    fn drop(&mut self) {
        if let Some(mut pooled) = self.pooled.take()
            && self.in_step
        {
            pooled.idle_since = Instant::now();
            let mut idle = self.pool.idle.lock().unwrap_or_else(|e| e.into_inner());
            idle.push_back(pooled);
        }
    }
}
