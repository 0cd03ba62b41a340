//! The fan-out consumer: for each event, one delivery per enabled endpoint that subscribed to
//! its type and existed when it happened, queued in one transaction. Deliveries are unique per
//! (endpoint, event), so a redelivered event queues nothing twice.

use crate::{
    consumer::{Failure, Handler},
    event::Event,
};
use eventkit_domain::webhooks::wants;
use eventkit_platform::{
    db::{Actor, Db},
    webhooks::{body, enqueue},
};
use uuid::Uuid;

pub const CONSUMER: &str = "webhooks-fanout";

pub struct Fanout {
    db: Db,
}

impl Fanout {
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

impl Handler for Fanout {
    async fn handle(&self, event: Event) -> Result<(), Failure> {
        let Some(kind) = event.kind() else {
            return Ok(()); // Not in this build's catalogue: nothing subscribes to it.
        };
        let mut tx = self
            .db
            .tenant_tx(event.tenant_id, &Actor::system(CONSUMER))
            .await?;
        let endpoints: Vec<(Uuid, Vec<String>)> = sqlx::query_as(
            "select id, event_types from webhook_endpoints where tenant_id = $1 and enabled \
             and deleted_at is null and created_at <= $2",
        )
        .bind(event.tenant_id)
        .bind(event.occurred_at)
        .fetch_all(&mut *tx)
        .await?;
        let wanted: Vec<Uuid> = endpoints
            .into_iter()
            .filter(|(_, filters)| wants(filters, kind))
            .map(|(id, _)| id)
            .collect();
        if wanted.is_empty() {
            return Ok(());
        }
        let body = body(
            event.tenant_id,
            kind,
            event.occurred_at,
            event.subject_id,
            &event.data,
        );
        for endpoint_id in wanted {
            enqueue(&mut tx, endpoint_id, event.id, kind, &body).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
