//! Health endpoints: `/health/live` (the process answers), `/health/ready` (Postgres, Redis and
//! NATS all answer within a bound — what a load balancer should route on) and `/health` (the
//! same checks; the per-dependency detail and the version only for operators, see
//! [`crate::rpc::diagnostics`]).

use axum::{Json, extract::State, http::StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;
use std::{
    sync::Arc,
    time::{Duration, Instant},
};

const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Clone)]
pub struct Health {
    inner: Arc<Dependencies>,
}

struct Dependencies {
    postgres: PgPool,
    redis: redis::Client,
    nats: async_nats::Client,
}

impl Health {
    pub fn new(postgres: PgPool, redis: redis::Client, nats: async_nats::Client) -> Self {
        Self {
            inner: Arc::new(Dependencies {
                postgres,
                redis,
                nats,
            }),
        }
    }

    /// Runs every check concurrently; `(all ok, detail)`.
    pub async fn check(&self) -> (bool, Value) {
        let d = &self.inner;
        let (pg, redis, nats) = tokio::join!(
            timed(async {
                sqlx::query("select 1")
                    .execute(&d.postgres)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }),
            timed(async {
                let mut conn = d
                    .redis
                    .get_multiplexed_async_connection()
                    .await
                    .map_err(|e| e.to_string())?;
                redis::cmd("PING")
                    .query_async::<String>(&mut conn)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }),
            timed(async {
                // A client that connects in the background gets the check's time to do so.
                while d.nats.connection_state() != async_nats::connection::State::Connected {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                d.nats.flush().await.map_err(|e| e.to_string())
            }),
        );
        let ok = pg.0 && redis.0 && nats.0;
        (
            ok,
            json!({ "postgres": pg.1, "redis": redis.1, "nats": nats.1 }),
        )
    }
}

async fn timed(check: impl std::future::Future<Output = Result<(), String>>) -> (bool, Value) {
    let started = Instant::now();
    let result = tokio::time::timeout(CHECK_TIMEOUT, check)
        .await
        .unwrap_or_else(|_| Err("timed out".into()));
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    match result {
        Ok(()) => (true, json!({ "ok": true, "latencyMs": ms })),
        Err(error) => (
            false,
            json!({ "ok": false, "latencyMs": ms, "error": error }),
        ),
    }
}

pub async fn live() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

pub async fn ready(State(health): State<Health>) -> (StatusCode, Json<Value>) {
    let (ok, _) = health.check().await;
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(json!({ "status": if ok { "ok" } else { "unavailable" } })),
    )
}

/// `/health` with each dependency's result (errors included) and the version.
pub async fn detail(health: &Health) -> (StatusCode, Json<Value>) {
    let (ok, checks) = health.check().await;
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = json!({
        "status": if ok { "ok" } else { "unavailable" },
        "version": env!("CARGO_PKG_VERSION"),
        "checks": checks,
    });
    (status, Json(body))
}

/// Connects the clients the health checks (and services) share, without failing when a
/// dependency is down at start: the process comes up and reports not-ready instead.
pub async fn clients(
    redis_url: &str,
    nats_url: &str,
) -> anyhow::Result<(redis::Client, async_nats::Client)> {
    let redis = redis::Client::open(redis_url)?;
    let nats = async_nats::ConnectOptions::new()
        .retry_on_initial_connect()
        .connection_timeout(Duration::from_secs(2))
        .connect(nats_url)
        .await?;
    Ok((redis, nats))
}
