//! The tenant API's side: a per-process tally of calls per tenant and day, bumped under a
//! short lock on the request path and added to Redis (`INCRBY`, with an expiry) every second by
//! a background task. Counts that fail to reach Redis are kept for the next round.

use super::{Redis, TTL_SECS, counter_key};
use crate::auth::Principal;
use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};
use chrono::Utc;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

/// How often a process adds its tally to Redis.
const PUSH_EVERY: Duration = Duration::from_secs(1);

#[derive(Clone)]
pub struct ApiCallMeter {
    tally: Arc<Mutex<HashMap<String, i64>>>,
}

impl ApiCallMeter {
    /// A meter whose tally goes to `redis` every second, for as long as the process runs.
    pub fn start(redis: Redis) -> Self {
        let meter = Self {
            tally: Arc::default(),
        };
        let tally = meter.tally.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(PUSH_EVERY);
            loop {
                tick.tick().await;
                push(&tally, &redis).await;
            }
        });
        meter
    }

    fn count(&self, key: String) {
        *self
            .tally
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(key)
            .or_default() += 1;
    }
}

async fn push(tally: &Mutex<HashMap<String, i64>>, redis: &Redis) {
    let taken = std::mem::take(&mut *tally.lock().unwrap_or_else(|e| e.into_inner()));
    if taken.is_empty() {
        return;
    }
    let mut pipe = redis::pipe();
    for (key, n) in &taken {
        pipe.incr(key, *n).ignore().expire(key, TTL_SECS).ignore();
    }
    let pushed = async {
        let mut conn = redis.connection().await?;
        pipe.query_async::<()>(&mut conn).await
    };
    if let Err(err) = pushed.await {
        tracing::warn!(error = %err, "adding API-call counts to Redis failed; keeping them for the next try");
        let mut tally = tally.lock().unwrap_or_else(|e| e.into_inner());
        for (key, n) in taken {
            *tally.entry(key).or_default() += n;
        }
    }
}

/// Axum middleware (inside authentication): counts the call for the principal's tenant.
pub async fn count_api_call(
    State(meter): State<ApiCallMeter>,
    request: Request,
    next: Next,
) -> Response {
    if let Some(principal) = request.extensions().get::<Principal>() {
        meter.count(counter_key(principal.tenant_id, Utc::now().date_naive()));
    }
    next.run(request).await
}
