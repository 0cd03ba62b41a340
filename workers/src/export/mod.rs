//! Tenant exports, as a consumer of `export.requested` events: the worker claims the export
//! (a lease on the `exports` row, fenced by the attempt number), reads every tenant table in one
//! read-only snapshot under the tenant's row-level security ([`tables`]), writes the ZIP to a
//! local temporary file as it reads ([`archive`]), uploads it to object storage (where it appears
//! whole or not at all), and marks the export ready with an `export.ready` event — which mails the
//! tenant's admin the download link, kept for the mailer outside tenant data — in one transaction.
//!
//! The upload and the ready mark run while the attempt holds its `exports` row locked, which is
//! the fence against an erasure: the erasure deletes every export row, so it waits for an upload
//! under way (and then removes the object with the tenant's other objects), and once it has
//! committed an attempt finds no row and uploads nothing.
//!
//! Idempotent by export id: a ready or failed export is not done again. A worker killed at any
//! point loses nothing: its lease runs out and the redelivered event starts the export again from
//! the beginning, overwriting the object key with a complete ZIP; a stale attempt can no longer
//! mark the export ready. A second delivery while the lease is held is retried later.

pub mod archive;
pub mod tables;

use crate::{
    consumer::{Failure, Handler},
    event::Event,
};
use archive::{Archive, Manifest};
use chrono::{Duration as TimeDelta, Utc};
use eventkit_domain::events::{
    EventType,
    payloads::{ExportFailed, ExportReady},
};
use eventkit_domain::ids::ExportId;
use eventkit_domain::ids::TenantId;
use eventkit_platform::{
    db::{Actor, Db},
    mail::links::{self, LinkedMessage},
    outbox,
    storage::{LINK_TTL, Storage, export_key},
};
use std::{
    path::PathBuf,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicI32, AtomicI64, Ordering},
    },
    time::Duration,
};
use uuid::Uuid;

pub const CONSUMER: &str = "export";

/// Attempts before an export is marked failed for good.
pub const MAX_ATTEMPTS: i32 = 5;

/// How often a running export writes its progress and renews its lease.
const HEARTBEAT: Duration = Duration::from_secs(1);

pub struct Exporter {
    db: Db,
    storage: Storage,
    work_dir: PathBuf,
    lease: Duration,
}

enum Claim {
    /// This worker runs attempt n.
    Run(i32),
    /// Ready, failed or gone: nothing to do.
    Done,
    /// Another worker holds the lease.
    Busy,
}

/// Progress shared between the export loop and its heartbeat.
#[derive(Default)]
struct Progress {
    tables_done: AtomicI32,
    rows_done: AtomicI64,
    lost: AtomicBool,
}

fn actor() -> Actor {
    Actor::system(CONSUMER)
}

impl Exporter {
    pub fn new(db: Db, storage: Storage, work_dir: PathBuf, lease: Duration) -> Self {
        Self {
            db,
            storage,
            work_dir,
            lease,
        }
    }

    fn lease_ms(&self) -> i64 {
        self.lease.as_millis() as i64
    }

    async fn claim(&self, tenant_id: TenantId, export_id: Uuid) -> Result<Claim, sqlx::Error> {
        let mut tx = self.db.tenant_tx(tenant_id, &actor()).await?;
        let attempt: Option<i32> = sqlx::query_scalar(
            "update exports set status = 'running', attempts = attempts + 1, \
                 lease_until = now() + $3 * interval '1 millisecond', started_at = coalesce(started_at, now()), \
                 tables_done = 0, rows_done = 0, error = null, updated_at = now() \
             where tenant_id = $1 and id = $2 \
               and (status = 'queued' or (status = 'running' and lease_until < now())) \
             returning attempts",
        )
        .bind(tenant_id)
        .bind(export_id)
        .bind(self.lease_ms())
        .fetch_optional(&mut *tx)
        .await?;
        let claim = match attempt {
            Some(n) => Claim::Run(n),
            None => {
                let status: Option<String> = sqlx::query_scalar(
                    "select status from exports where tenant_id = $1 and id = $2",
                )
                .bind(tenant_id)
                .bind(export_id)
                .fetch_optional(&mut *tx)
                .await?;
                match status.as_deref() {
                    Some("running") => Claim::Busy,
                    _ => Claim::Done,
                }
            }
        };
        tx.commit().await?;
        Ok(claim)
    }

    /// Writes progress and renews the lease; false when this attempt lost the export.
    async fn heartbeat(
        db: &Db,
        tenant_id: TenantId,
        export_id: Uuid,
        attempt: i32,
        lease_ms: i64,
        progress: &Progress,
    ) -> Result<bool, sqlx::Error> {
        let mut tx = db.tenant_tx(tenant_id, &actor()).await?;
        let kept = sqlx::query(
            "update exports set tables_done = $4, rows_done = $5, \
                 lease_until = now() + $6 * interval '1 millisecond', updated_at = now() \
             where tenant_id = $1 and id = $2 and attempts = $3 and status = 'running'",
        )
        .bind(tenant_id)
        .bind(export_id)
        .bind(attempt)
        .bind(progress.tables_done.load(Ordering::Relaxed))
        .bind(progress.rows_done.load(Ordering::Relaxed))
        .bind(lease_ms)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        tx.commit().await?;
        Ok(kept)
    }

    /// Writes the ZIP of every tenant table into `file` (in `work_dir`); returns the row count.
    async fn write_zip(
        &self,
        tenant_id: TenantId,
        export_id: Uuid,
        attempt: i32,
        file: std::fs::File,
        progress: &Progress,
    ) -> anyhow::Result<i64> {
        let mut snapshot = self.db.tenant_snapshot_tx(tenant_id, &actor()).await?;
        let tables = tables::tenant_tables(&mut snapshot).await?;
        let mut counts = Vec::with_capacity(tables.len());
        for table in &tables {
            counts.push(tables::count(&mut snapshot, table).await?);
        }
        let rows_total: i64 = counts.iter().sum();
        let mut tx = self.db.tenant_tx(tenant_id, &actor()).await?;
        sqlx::query(
            "update exports set tables_total = $4, rows_total = $5, updated_at = now() \
             where tenant_id = $1 and id = $2 and attempts = $3",
        )
        .bind(tenant_id)
        .bind(export_id)
        .bind(attempt)
        .bind(tables.len() as i32)
        .bind(rows_total)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;

        let work_dir = self.work_dir.clone();
        let mut archive = Some(Archive::create(file, &work_dir));
        // Runs one step of archive writing on a blocking thread.
        async fn step(
            archive: &mut Option<Archive>,
            f: impl FnOnce(&mut Archive) -> anyhow::Result<u64> + Send + 'static,
        ) -> anyhow::Result<u64> {
            let mut a = archive.take().expect("archive is back after every step");
            let (a, out) = tokio::task::spawn_blocking(move || {
                let out = f(&mut a);
                (a, out)
            })
            .await?;
            *archive = Some(a);
            out
        }
        for (table, expected) in tables.iter().zip(&counts) {
            let (name, columns) = (table.name.clone(), table.columns.clone());
            step(&mut archive, move |a| {
                a.begin_table(&name, &columns).map(|()| 0)
            })
            .await?;
            tables::open(&mut snapshot, table).await?;
            loop {
                if progress.lost.load(Ordering::Relaxed) {
                    anyhow::bail!("another attempt took the export over");
                }
                let rows = tables::next_batch(&mut snapshot).await?;
                if rows.is_empty() {
                    break;
                }
                let n = rows.len() as i64;
                step(&mut archive, move |a| a.write_rows(&rows).map(|()| 0)).await?;
                progress.rows_done.fetch_add(n, Ordering::Relaxed);
            }
            tables::close(&mut snapshot).await?;
            let written = step(&mut archive, |a| a.end_table()).await?;
            anyhow::ensure!(
                written as i64 == *expected,
                "{}: wrote {written} rows but the snapshot counted {expected}",
                table.name
            );
            progress.tables_done.fetch_add(1, Ordering::Relaxed);
        }
        snapshot.commit().await?;
        let manifest = Manifest {
            format: "eventkit-export",
            format_version: 2,
            export_id: export_id.to_string(),
            tenant_id: tenant_id.to_string(),
            schema_version: eventkit_platform::db::bootstrap::MIGRATOR
                .iter()
                .map(|m| m.version)
                .max()
                .unwrap_or_default(),
            created_at: Utc::now().to_rfc3339(),
            tables: Vec::new(),
            left_out: tables::LEFT_OUT.iter().map(|t| t.to_string()).collect(),
            redacted: tables::REDACTED
                .iter()
                .map(|(t, columns)| {
                    (
                        t.to_string(),
                        columns.iter().map(|c| c.to_string()).collect(),
                    )
                })
                .collect(),
        };
        let archive = archive.take().expect("archive");
        tokio::task::spawn_blocking(move || archive.finish(manifest)).await??;
        Ok(rows_total)
    }

    /// One attempt, start to finish: the ZIP, the upload, the ready mark and its event.
    async fn run(
        &self,
        tenant_id: TenantId,
        export_id: Uuid,
        attempt: i32,
        progress: Arc<Progress>,
    ) -> anyhow::Result<()> {
        tokio::fs::create_dir_all(&self.work_dir).await?;
        let zip = tempfile::Builder::new()
            .prefix(&format!("export-{export_id}-"))
            .suffix(".zip")
            .tempfile_in(&self.work_dir)?;
        let file = zip.as_file().try_clone()?;
        let rows = self
            .write_zip(tenant_id, export_id, attempt, file, &progress)
            .await?;
        // The erasure fence: the upload happens only while this attempt holds its export row
        // locked, until the ready mark commits. An erasure deletes (and so first locks) every
        // export row before it commits, so it waits for an upload under way and then removes
        // what landed; once it has committed, the row is gone and nothing is uploaded.
        let mut tx = self.db.tenant_tx(tenant_id, &actor()).await?;
        let ours: Option<bool> = sqlx::query_scalar(
            "select true from exports \
             where tenant_id = $1 and id = $2 and attempts = $3 and status = 'running' for update",
        )
        .bind(tenant_id)
        .bind(export_id)
        .bind(attempt)
        .fetch_optional(&mut *tx)
        .await?;
        if ours.is_none() {
            // Erased meanwhile, or a later attempt owns the export now and writes it itself.
            return Ok(());
        }
        let key = export_key(tenant_id, export_id);
        let size = self.storage.store.put_file(&key, zip.path()).await?;
        drop(zip);
        let expires_at = Utc::now() + TimeDelta::from_std(LINK_TTL)?;
        let url = self.storage.store.download_url(&key, expires_at).await?;

        let marked = sqlx::query(
            "update exports set status = 'ready', object_key = $4, size_bytes = $5, expires_at = $6, \
                 tables_done = tables_total, rows_done = $7, lease_until = null, finished_at = now(), updated_at = now() \
             where tenant_id = $1 and id = $2 and attempts = $3 and status = 'running'",
        )
        .bind(tenant_id)
        .bind(export_id)
        .bind(attempt)
        .bind(&key)
        .bind(size as i64)
        .bind(expires_at)
        .bind(rows)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        anyhow::ensure!(marked == 1, "export {export_id} changed under its row lock");
        // The download link grants the whole tenant's data: it waits for the mailer outside
        // tenant data, found by the export's id (docs/adr/0033), never in the outbox.
        links::keep(
            &mut tx,
            export_id,
            LinkedMessage::ExportReady,
            &url,
            expires_at,
        )
        .await?;
        let ready = ExportReady {
            export_id: ExportId::from_uuid(export_id),
            expires_at,
            size_bytes: size,
            rows,
        };
        outbox::emit(&mut tx, export_id, outbox::Event::ExportReady(ready)).await?;
        tx.commit().await?;
        metrics::counter!("eventkit_exports_total", "outcome" => "ready").increment(1);
        Ok(())
    }

    /// After a failed attempt: give up for good at the last attempt, else free the export for
    /// the redelivered event at once.
    async fn after_failure(
        &self,
        tenant_id: TenantId,
        export_id: Uuid,
        attempt: i32,
        err: &anyhow::Error,
    ) -> Result<bool, sqlx::Error> {
        let last = attempt >= MAX_ATTEMPTS;
        let mut tx = self.db.tenant_tx(tenant_id, &actor()).await?;
        let sql = if last {
            "update exports set status = 'failed', error = $4, lease_until = null, finished_at = now(), updated_at = now() \
             where tenant_id = $1 and id = $2 and attempts = $3 and status = 'running'"
        } else {
            "update exports set error = $4, lease_until = now(), updated_at = now() \
             where tenant_id = $1 and id = $2 and attempts = $3 and status = 'running'"
        };
        let changed = sqlx::query(sql)
            .bind(tenant_id)
            .bind(export_id)
            .bind(attempt)
            .bind(format!("{err:#}"))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if last && changed == 1 {
            let failed = ExportFailed {
                export_id: ExportId::from_uuid(export_id),
                error: format!("{err:#}"),
            };
            outbox::emit(&mut tx, export_id, outbox::Event::ExportFailed(failed)).await?;
            metrics::counter!("eventkit_exports_total", "outcome" => "failed").increment(1);
        }
        tx.commit().await?;
        Ok(last)
    }
}

impl Handler for Exporter {
    async fn handle(&self, event: Event) -> Result<(), Failure> {
        if event.kind() != Some(EventType::ExportRequested) {
            return Ok(());
        }
        let export_id: Uuid = event.data["exportId"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| {
                Failure::Permanent(anyhow::anyhow!("export.requested without an exportId"))
            })?;
        let tenant_id = event.tenant_id;
        let attempt = match self.claim(tenant_id, export_id).await? {
            Claim::Run(n) => n,
            Claim::Done => return Ok(()),
            Claim::Busy => {
                return Err(Failure::Retry(anyhow::anyhow!(
                    "export {export_id} is being written by another worker; checking again later"
                )));
            }
        };
        let progress = Arc::new(Progress::default());
        let beat = {
            let (db, progress, lease_ms) = (self.db.clone(), progress.clone(), self.lease_ms());
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(HEARTBEAT);
                loop {
                    tick.tick().await;
                    match Self::heartbeat(&db, tenant_id, export_id, attempt, lease_ms, &progress)
                        .await
                    {
                        Ok(true) => {}
                        Ok(false) => {
                            progress.lost.store(true, Ordering::Relaxed);
                            return;
                        }
                        Err(err) => {
                            tracing::warn!(%export_id, error = %err, "export heartbeat failed")
                        }
                    }
                }
            })
        };
        let outcome = self.run(tenant_id, export_id, attempt, progress).await;
        beat.abort();
        match outcome {
            Ok(()) => Ok(()),
            Err(err) => {
                tracing::warn!(%export_id, attempt, error = format!("{err:#}"), "export attempt failed");
                if self
                    .after_failure(tenant_id, export_id, attempt, &err)
                    .await?
                {
                    Ok(())
                } else {
                    Err(Failure::Retry(err))
                }
            }
        }
    }
}
