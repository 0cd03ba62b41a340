//! How a tenant's erasure is going, for `GetErasureProgress` and the progress bar of
//! `ekctl tenants erase`. The erasure runs in one transaction, so nothing it writes to the
//! database is visible to others before it commits; its progress goes to Redis instead (one
//! JSON value per tenant, kept for an hour after the last step), where any control-plane
//! process can read it. Progress is a courtesy: failing to write it never stops an erasure.
//! After the commit, what is left to remove outside the database is read from the erasure's
//! cleanup rows ([`crate::erasure_cleanup`]), which outlive the hour in Redis: while any is
//! pending the phase is `cleaning_up`, and `finished` only once none is.

use crate::{ControlPlane, erasure_cleanup, registry};
use chrono::{DateTime, Utc};
use eventkit_domain::Violations;
use eventkit_domain::ids::TenantId;
use eventkit_platform::auth::Operator;
use eventkit_platform::{ApiError, metering::Redis};
use eventkit_proto::controlplane::v1::*;
use redis::AsyncCommands;
use serde::{Deserialize, Serialize};

/// How long a finished (or abandoned) erasure's progress stays readable.
const KEEP_SECONDS: u64 = 3600;

fn key(tenant_id: TenantId) -> String {
    format!("eventkit:erasure:{tenant_id}")
}

/// One erasure's progress, as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Progress {
    pub phase: Phase,
    pub tables_total: i32,
    pub tables_done: i32,
    pub rows_total: i64,
    pub rows_done: i64,
    pub current_table: String,
    pub started_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub error: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Counting,
    Deleting,
    Verifying,
    /// Committed; removing what lies outside the database.
    CleaningUp,
    Finished,
    Failed,
}

impl From<Phase> for ErasurePhase {
    fn from(phase: Phase) -> Self {
        match phase {
            Phase::Counting => ErasurePhase::Counting,
            Phase::Deleting => ErasurePhase::Deleting,
            Phase::Verifying => ErasurePhase::Verifying,
            Phase::CleaningUp => ErasurePhase::CleaningUp,
            Phase::Finished => ErasurePhase::Finished,
            Phase::Failed => ErasurePhase::Failed,
        }
    }
}

/// Writes one erasure's progress as it goes.
pub struct Reporter {
    redis: Redis,
    tenant_id: TenantId,
    pub progress: Progress,
}

impl Reporter {
    /// A reporter for an erasure starting now (in the counting phase).
    pub async fn start(redis: Redis, tenant_id: TenantId) -> Self {
        let now = Utc::now();
        let mut reporter = Self {
            redis,
            tenant_id,
            progress: Progress {
                phase: Phase::Counting,
                tables_total: 0,
                tables_done: 0,
                rows_total: 0,
                rows_done: 0,
                current_table: String::new(),
                started_at: now,
                updated_at: now,
                error: String::new(),
            },
        };
        reporter.save().await;
        reporter
    }

    /// Changes the progress and stores it.
    pub async fn update(&mut self, change: impl FnOnce(&mut Progress)) {
        change(&mut self.progress);
        self.save().await;
    }

    async fn save(&mut self) {
        self.progress.updated_at = Utc::now();
        let Ok(value) = serde_json::to_string(&self.progress) else {
            return;
        };
        let saved = async {
            let mut conn = self.redis.connection().await?;
            conn.set_ex::<_, _, ()>(key(self.tenant_id), value, KEEP_SECONDS)
                .await
        }
        .await;
        if let Err(err) = saved {
            tracing::debug!(tenant_id = %self.tenant_id, error = %err, "erasure progress not stored");
        }
    }
}

/// The stored progress of a tenant's erasure, if one started within the last hour.
pub async fn read(redis: &Redis, tenant_id: TenantId) -> Result<Option<Progress>, ApiError> {
    let unavailable = |e: redis::RedisError| {
        ApiError::Unavailable(format!("erasure progress is unavailable: {e}"))
    };
    let mut conn = redis.connection().await.map_err(unavailable)?;
    let raw: Option<String> = conn.get(key(tenant_id)).await.map_err(unavailable)?;
    Ok(raw.and_then(|raw| serde_json::from_str(&raw).ok()))
}

impl ControlPlane {
    pub async fn get_erasure_progress(
        &self,
        _: &Operator,
        req: GetErasureProgressRequest,
    ) -> Result<GetErasureProgressResponse, ApiError> {
        let mut v = Violations::new();
        let tenant_id = v.check(registry::parse_tenant_id(&req.tenant_id));
        v.finish()?;
        let tenant_id = tenant_id.unwrap();
        let mut conn = self.db.pool().acquire().await?;
        registry::fetch(&mut conn, tenant_id, false).await?;
        let cleanup = erasure_cleanup::pending(&mut conn, tenant_id).await?;
        drop(conn);
        let mut progress = match read(&self.redis, tenant_id).await? {
            Some(p) => ErasureProgress {
                tenant_id: tenant_id.to_string(),
                phase: ErasurePhase::from(p.phase) as i32,
                tables_total: p.tables_total,
                tables_done: p.tables_done,
                rows_total: p.rows_total,
                rows_done: p.rows_done,
                current_table: p.current_table,
                start_time: Some(registry::timestamp(p.started_at)),
                update_time: Some(registry::timestamp(p.updated_at)),
                error: p.error,
                ..Default::default()
            },
            None => ErasureProgress {
                tenant_id: tenant_id.to_string(),
                phase: ErasurePhase::None as i32,
                ..Default::default()
            },
        };
        // The cleanup rows decide once the erasure has committed: Redis may say `cleaning_up`
        // after the sweep finished (or have forgotten the erasure while cleanups are pending).
        if cleanup.count > 0 {
            progress.phase = ErasurePhase::CleaningUp as i32;
            progress.cleanup_pending = cleanup.count;
            if let Some((error, at)) = cleanup.last_error {
                progress.cleanup_error = error;
                progress.cleanup_attempt_time = Some(registry::timestamp(at));
            }
        } else if progress.phase == ErasurePhase::CleaningUp as i32 {
            progress.phase = ErasurePhase::Finished as i32;
        }
        Ok(GetErasureProgressResponse {
            progress: Some(progress),
        })
    }
}
