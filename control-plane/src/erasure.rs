//! Erasure of a tenant pending deletion — at an operator's explicit request, or by the sweep
//! once the grace period has ended: every row with the
//! tenant's id in every table that has a `tenant_id` column (found in the catalog, so a new
//! table is covered without a code change) is deleted in foreign-key order, in one
//! transaction under the tenant's row-level security; a second scan of the same tables must
//! then find nothing, or the whole erasure rolls back. The registry row stays as the erasure
//! record: state `erased`, the time and the per-table counts, and no name or email. Its emailed
//! links still waiting for the mailer go with the rows, and people who belonged only to this
//! tenant are deleted with it. What lies outside the database — the
//! tenant's messages in the JetStream streams and its objects in storage — is recorded as
//! cleanups in the same transaction and removed after the commit, retried by the sweep until
//! done ([`crate::erasure_cleanup`]). The erasure first takes every export row of the tenant,
//! which waits for an export upload under way and keeps new ones out (the fence is described
//! in the workers' export module). An operator's erasure first makes the tenant due, so one
//! killed half-way is finished by the next sweep.

use crate::{
    ControlPlane,
    audit::{self, parse_reason},
    erasure_cleanup,
    erasure_progress::{Phase, Reporter},
    lifecycle::operator_actor,
    registry::{self, TENANT_COLUMNS, TenantRow},
};
use eventkit_domain::ids::TenantId;
use eventkit_domain::{
    FieldViolation, Violations,
    lifecycle::{TenantState, Transition},
};
use eventkit_platform::auth::Operator;
use eventkit_platform::{
    ApiError,
    db::{Actor, TenantTx},
    mail::links,
};
use eventkit_proto::controlplane::v1::*;
use serde_json::json;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Tables ordered so that every table comes before the tables it references (children first).
pub fn deletion_order(tables: &[String], references: &[(String, String)]) -> Vec<String> {
    let mut left: Vec<String> = tables.to_vec();
    let mut order = Vec::new();
    while !left.is_empty() {
        let ready: Vec<String> = left
            .iter()
            .filter(|t| {
                !references
                    .iter()
                    .any(|(child, parent)| parent == *t && child != *t && left.contains(child))
            })
            .cloned()
            .collect();
        // A reference cycle cannot be ordered; delete the rest together and let the
        // transaction fail loudly if a constraint objects.
        let ready = if ready.is_empty() {
            left.clone()
        } else {
            ready
        };
        left.retain(|t| !ready.contains(t));
        order.extend(ready);
    }
    order
}

async fn tenant_tables(tx: &mut TenantTx) -> Result<Vec<String>, sqlx::Error> {
    let tables: Vec<String> = sqlx::query_scalar(
        "select c.relname::text from pg_class c join pg_namespace n on n.oid = c.relnamespace \
         where n.nspname = 'public' and c.relkind in ('r', 'p') \
           and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped) \
         order by 1",
    )
    .fetch_all(&mut **tx)
    .await?;
    let references: Vec<(String, String)> = sqlx::query_as(
        "select conrelid::regclass::text, confrelid::regclass::text from pg_constraint where contype = 'f'",
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(deletion_order(&tables, &references))
}

fn quoted(table: &str) -> String {
    format!("\"{}\"", table.replace('"', "\"\""))
}

/// What a committed erasure leaves: the registry row as its record and the rows deleted per
/// table.
struct Erased {
    record: TenantRow,
    deleted: BTreeMap<String, i64>,
}

async fn count_rows(
    tx: &mut TenantTx,
    table: &str,
    tenant_id: TenantId,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(&format!(
        "select count(*) from {} where tenant_id = $1",
        quoted(table)
    ))
    .bind(tenant_id)
    .fetch_one(&mut **tx)
    .await
}

impl ControlPlane {
    pub async fn erase_tenant(
        &self,
        op: &Operator,
        req: EraseTenantRequest,
    ) -> Result<EraseTenantResponse, ApiError> {
        let mut v = Violations::new();
        let tenant_id = v.check(registry::parse_tenant_id(&req.tenant_id));
        if req.confirm_tenant_id.trim() != req.tenant_id.trim()
            || req.confirm_tenant_id.trim().is_empty()
        {
            v.push(FieldViolation::new(
                "confirm_tenant_id",
                "must repeat tenant_id: erasure deletes every row of the tenant and cannot be undone",
            ));
        }
        let reason = v.check(parse_reason(&req.reason, true));
        v.finish()?;
        let (tenant_id, reason) = (tenant_id.unwrap(), reason.unwrap());
        // Due now, committed before the erasure starts: if this process dies half-way (the
        // erasure's transaction rolls back), the sweep finishes it within minutes rather than
        // at the end of the grace period.
        sqlx::query(
            "update tenants set deletion_due_at = now(), updated_at = now() \
             where id = $1 and state = 'pending_deletion' and deletion_due_at > now()",
        )
        .bind(tenant_id)
        .execute(self.db.pool())
        .await?;
        let (tenant, deleted) = self.erase(tenant_id, Some((op, &reason))).await?;
        Ok(EraseTenantResponse {
            tenant: Some(tenant.into()),
            deleted_rows: deleted.into_iter().collect(),
        })
    }

    /// Erases every tenant whose deletion grace period has ended; returns their ids.
    pub async fn erase_due(&self) -> Result<Vec<TenantId>, ApiError> {
        let due: Vec<TenantId> = sqlx::query_scalar(
            "select id from tenants where state = 'pending_deletion' and deletion_due_at <= now() order by id",
        )
        .fetch_all(self.db.pool())
        .await?;
        let mut erased = Vec::new();
        for tenant_id in due {
            match self.erase(tenant_id, None).await {
                Ok(_) => erased.push(tenant_id),
                // Cancelled in the meantime, or erased by another control plane.
                Err(ApiError::FailedPrecondition(_)) => {}
                Err(err) => return Err(err),
            }
        }
        Ok(erased)
    }

    /// Runs [`erase_due`](Self::erase_due), then retries the cleanups erasures left
    /// ([`clean_up_erasures`](Self::clean_up_erasures)), every `every`, for as long as the
    /// process runs.
    pub fn spawn_erasure_sweep(&self, every: std::time::Duration) {
        let cp = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                match cp.erase_due().await {
                    Ok(ids) if !ids.is_empty() => {
                        tracing::info!(?ids, "erased tenants whose grace period ended")
                    }
                    Ok(_) => {}
                    Err(err) => {
                        tracing::warn!(error = %err, "erasing due tenants failed; retrying later")
                    }
                }
                if let Err(err) = cp.clean_up_erasures().await {
                    tracing::warn!(error = %err, "retrying erasure cleanups failed; retrying later");
                }
            }
        });
    }

    /// Deletes every row of a tenant pending deletion, proves none is left, and keeps the
    /// registry row as the erasure record; `by` is the operator and reason, or `None` when the
    /// grace period ran out.
    async fn erase(
        &self,
        tenant_id: TenantId,
        by: Option<(&Operator, &str)>,
    ) -> Result<(TenantRow, BTreeMap<String, i64>), ApiError> {
        let actor = by.map_or_else(|| Actor::system("erasure"), |(op, _)| operator_actor(op));
        let mut tx = self.db.tenant_tx(tenant_id, &actor).await?;
        // The export fence: an export uploads only while it holds its row locked, so taking
        // every export row waits for an upload under way and keeps new ones out until the rows
        // are deleted. Taken before the registry row, which that upload's commit needs (the
        // foreign key of its outbox event) — the other order would deadlock.
        sqlx::query("select id from exports where tenant_id = $1 for update")
            .bind(tenant_id)
            .fetch_all(&mut *tx)
            .await?;
        let row = registry::fetch(&mut tx, tenant_id, true).await?;
        let from = row.state()?;
        let to = from
            .apply(Transition::Erase)
            .map_err(|e| ApiError::FailedPrecondition(e.to_string()))?;
        let mut progress = Reporter::start(self.redis.clone(), tenant_id).await;
        let erased = self
            .erase_rows(tx, tenant_id, from, to, by, &mut progress)
            .await;
        if let Err(err) = &erased {
            let error = err.to_string();
            progress
                .update(|p| {
                    p.phase = Phase::Failed;
                    p.error = error;
                })
                .await
        }
        let Erased { record, deleted } = erased?;
        self.announce(tenant_id).await;
        progress.update(|p| p.phase = Phase::CleaningUp).await;
        // Committed: what failed now stays recorded for the sweep.
        let finished = match self.clean_up_after(tenant_id).await {
            Ok(swept) => swept.left == 0,
            Err(err) => {
                tracing::warn!(error = %err, %tenant_id, "the erasure's cleanups failed; the sweep retries them");
                false
            }
        };
        if finished {
            progress.update(|p| p.phase = Phase::Finished).await;
        }
        if let Err(err) = eventkit_platform::metering::forget(&self.redis, tenant_id).await {
            tracing::warn!(error = %err, %tenant_id, "removing the erased tenant's Redis counters failed; they expire within 7 days");
        }
        Ok((record, deleted))
    }

    /// The erasure's transaction: counts, deletes and proves nothing is left, reporting each
    /// step, and records what is left to remove outside the database; returns the erasure
    /// record and the rows deleted per table.
    async fn erase_rows(
        &self,
        mut tx: TenantTx,
        tenant_id: TenantId,
        from: TenantState,
        to: TenantState,
        by: Option<(&Operator, &str)>,
        progress: &mut Reporter,
    ) -> Result<Erased, ApiError> {
        let members: Vec<Uuid> = sqlx::query_scalar("select user_id from memberships")
            .fetch_all(&mut *tx)
            .await?;
        // Links still waiting for the mailer (kept outside tenant data, by the id of what they
        // open) go with what they open.
        let linked: Vec<Uuid> = sqlx::query_scalar(
            "select id from invitations union all select id from exports union all select $1",
        )
        .bind(tenant_id)
        .fetch_all(&mut *tx)
        .await?;
        links::forget(&mut tx, &linked).await?;
        let mut deleted = BTreeMap::new();
        let tables = tenant_tables(&mut tx).await?;
        let mut rows_total = 0;
        for table in &tables {
            rows_total += count_rows(&mut tx, table, tenant_id).await?;
        }
        progress
            .update(|p| {
                p.phase = Phase::Deleting;
                p.tables_total = tables.len() as i32;
                p.rows_total = rows_total;
                p.current_table = tables.first().cloned().unwrap_or_default();
            })
            .await;
        // One progress write per table: what it deleted, and which table comes next.
        for (i, table) in tables.iter().enumerate() {
            let n = sqlx::query(&format!(
                "delete from {} where tenant_id = $1",
                quoted(table)
            ))
            .bind(tenant_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            deleted.insert(table.clone(), n as i64);
            let next = tables.get(i + 1).cloned();
            progress
                .update(|p| {
                    p.tables_done += 1;
                    p.rows_done += n as i64;
                    match next {
                        Some(next) => p.current_table = next,
                        None => {
                            p.phase = Phase::Verifying;
                            p.current_table.clear();
                        }
                    }
                })
                .await;
        }
        for table in &tables {
            let left = count_rows(&mut tx, table, tenant_id).await?;
            if left != 0 {
                return Err(ApiError::Internal(anyhow::anyhow!(
                    "{left} rows of {table} survived the erasure"
                )));
            }
        }
        // People the tenant brought who now belong to no tenant go too (their email is
        // personal data); people of other tenants keep their accounts.
        let people = sqlx::query(
            "delete from users where id = any($1) and not ek_user_is_member_anywhere(id)",
        )
        .bind(&members)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        deleted.insert("users (no tenant left)".into(), people as i64);
        let erased: TenantRow = sqlx::query_as(&format!(
            "update tenants set state = $2, name = 'erased', admin_email = null, \
                 admin_email_verification_hash = null, deletion_due_at = null, \
                 erased_at = now(), erased_rows = $3, updated_at = now() \
             where id = $1 returning {TENANT_COLUMNS}"
        ))
        .bind(tenant_id)
        .bind(to.as_str())
        .bind(json!(deleted))
        .fetch_one(&mut *tx)
        .await?;
        erasure_cleanup::record(&mut tx, tenant_id).await?;
        if let Some((operator, reason)) = by {
            let detail =
                json!({ "from": from.as_str(), "to": to.as_str(), "deletedRows": deleted });
            audit::record(
                &mut tx,
                operator,
                "EraseTenant",
                Some(tenant_id),
                reason,
                detail,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(Erased {
            record: erased,
            deleted,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_are_deleted_before_their_parents() {
        let s = |v: &[&str]| v.iter().map(|t| t.to_string()).collect::<Vec<_>>();
        let tables = s(&["assets", "cases", "locations", "products", "outbox"]);
        let refs: Vec<(String, String)> = [
            ("assets", "products"),
            ("assets", "cases"),
            ("assets", "locations"),
            ("cases", "locations"),
            ("locations", "locations"),
            ("assets", "tenants"),
        ]
        .iter()
        .map(|(c, p)| (c.to_string(), p.to_string()))
        .collect();
        let order = deletion_order(&tables, &refs);
        let at = |t: &str| order.iter().position(|o| o == t).unwrap();
        assert_eq!(order.len(), tables.len());
        assert!(at("assets") < at("products") && at("assets") < at("cases"));
        assert!(at("cases") < at("locations"));
    }
}
