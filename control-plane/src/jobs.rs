//! The operators' view of background jobs (`OperatorJobService`, `ekctl jobs`): consumer lag
//! read from JetStream, the stored failures (dead letters) of every tenant, and replaying them
//! to the consumer that gave up — each replay recorded in the operator audit in the same
//! transaction that marks it replayed. The logic both this and the workers need lives in
//! `eventkit_platform::jobs`; the control plane reaches tenant rows only through `TenantTx`.

use crate::{
    ControlPlane,
    audit::{self, parse_reason},
    lifecycle::operator_actor,
    registry,
};
use chrono::Utc;
use eventkit_domain::{FieldViolation, Violations, id::parse_optional_id, ids::TenantId};
use eventkit_platform::auth::Operator;
use eventkit_platform::{
    ApiError,
    jobs::{
        dead_letters::{self, FailureRecord},
        lag,
    },
};
use eventkit_proto::controlplane::v1::*;
use serde_json::json;
use uuid::Uuid;

/// Most dead letters one replay call takes.
pub const MAX_REPLAY: usize = 100;

impl ControlPlane {
    fn jetstream(&self) -> async_nats::jetstream::Context {
        async_nats::jetstream::new(self.nats.clone())
    }

    pub async fn list_consumer_lag(
        &self,
        _: &Operator,
        _: ListConsumerLagRequest,
    ) -> Result<ListConsumerLagResponse, ApiError> {
        let consumers = lag::all(&self.jetstream()).await.map_err(|e| {
            ApiError::Unavailable(format!("reading JetStream consumer info failed: {e:#}"))
        })?;
        let now = Utc::now();
        let as_i64 = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        Ok(ListConsumerLagResponse {
            consumers: consumers
                .into_iter()
                .map(|c| ConsumerLag {
                    oldest_unacked_age_seconds: c.oldest_unacked_age(now),
                    oldest_unacked_time: c.oldest_unacked.map(registry::timestamp),
                    stream: c.stream,
                    consumer: c.consumer,
                    filter_subject: c.filter_subject,
                    pending: as_i64(c.pending),
                    ack_pending: as_i64(c.ack_pending),
                    redelivered: as_i64(c.redelivered),
                })
                .collect(),
        })
    }

    pub async fn list_dead_letters(
        &self,
        op: &Operator,
        req: ListDeadLettersRequest,
    ) -> Result<ListDeadLettersResponse, ApiError> {
        let mut v = Violations::new();
        let tenant = v.check(TenantId::parse_optional("tenant_id", &req.tenant_id));
        let before = v.check(parse_optional_id("page_token", &req.page_token));
        let size = v.check(registry::page_size(req.page_size));
        v.finish()?;
        let (tenant, before, size) = (tenant.unwrap(), before.unwrap(), size.unwrap());
        if let Some(tenant_id) = tenant {
            let mut tx = self.db.tenant_tx(tenant_id, &operator_actor(op)).await?;
            registry::fetch(&mut tx, tenant_id, false).await?;
            tx.commit().await?;
        }
        let rows = dead_letters::list_page(&self.db, tenant, before, size + 1).await?;
        let (rows, next_page_token) = registry::split_page(rows, size, |r| r.id);
        Ok(ListDeadLettersResponse {
            dead_letters: rows.into_iter().map(to_pb).collect(),
            next_page_token,
        })
    }

    pub async fn replay_dead_letters(
        &self,
        op: &Operator,
        req: ReplayDeadLettersRequest,
    ) -> Result<ReplayDeadLettersResponse, ApiError> {
        let mut v = Violations::new();
        let ids = v.check_all(parse_ids(&req.ids));
        let reason = v.check(parse_reason(&req.reason, false));
        v.finish()?;
        let (ids, reason) = (ids.unwrap(), reason.unwrap());
        // Every id is found before anything is sent: an unknown one changes nothing.
        let located = dead_letters::locate(&self.db, &ids).await?;
        let js = self.jetstream();
        let mut replayed = Vec::with_capacity(located.len());
        for (tenant_id, id) in located {
            let mut tx = self.db.tenant_tx(tenant_id, &operator_actor(op)).await?;
            let record = dead_letters::replay_in(&mut tx, &js, id).await?;
            let detail = json!({
                "deadLetterId": id,
                "consumer": record.consumer,
                "eventId": record.event_id,
                "eventType": record.event_type,
            });
            audit::record(
                &mut tx,
                op,
                "ReplayDeadLetter",
                Some(tenant_id),
                &reason,
                detail,
            )
            .await?;
            tx.commit().await?;
            replayed.push(to_pb(record));
        }
        Ok(ReplayDeadLettersResponse {
            dead_letters: replayed,
        })
    }
}

/// 1 to [`MAX_REPLAY`] distinct UUIDs; each bad one named by its index.
fn parse_ids(raw: &[String]) -> Result<Vec<Uuid>, Vec<FieldViolation>> {
    if raw.is_empty() {
        return Err(vec![FieldViolation::new(
            "ids",
            "name at least one dead letter",
        )]);
    }
    if raw.len() > MAX_REPLAY {
        return Err(vec![FieldViolation::new(
            "ids",
            format!("at most {MAX_REPLAY} per call"),
        )]);
    }
    let mut ids = Vec::with_capacity(raw.len());
    let mut bad = Vec::new();
    for (i, r) in raw.iter().enumerate() {
        match eventkit_domain::id::parse_id(&format!("ids[{i}]"), r.trim()) {
            Ok(id) if !ids.contains(&id) => ids.push(id),
            Ok(_) => {}
            Err(violation) => bad.push(violation),
        }
    }
    if bad.is_empty() { Ok(ids) } else { Err(bad) }
}

fn to_pb(r: FailureRecord) -> DeadLetter {
    DeadLetter {
        id: r.id.to_string(),
        tenant_id: r.tenant_id.to_string(),
        consumer: r.consumer,
        event_id: r.event_id.to_string(),
        event_type: r.event_type,
        error: r.error,
        deliveries: r.deliveries,
        fail_time: Some(registry::timestamp(r.failed_at)),
        replay_time: r.replayed_at.map(registry::timestamp),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_ids_are_named_by_index_and_deduplicated() {
        let id = Uuid::now_v7().to_string();
        assert_eq!(parse_ids(&[id.clone(), id.clone()]).unwrap().len(), 1);
        let err = parse_ids(&[id, "nope".into()]).unwrap_err();
        assert_eq!(err[0].field, "ids[1]");
        assert_eq!(parse_ids(&[]).unwrap_err()[0].field, "ids");
        let many: Vec<String> = (0..=MAX_REPLAY)
            .map(|_| Uuid::now_v7().to_string())
            .collect();
        assert_eq!(parse_ids(&many).unwrap_err()[0].field, "ids");
    }
}
