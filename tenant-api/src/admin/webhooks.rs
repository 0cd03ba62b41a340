//! Webhook endpoints and their deliveries, for integrators: register a URL with the event types
//! wanted (checked against the SSRF rules; IP literals at once, host names on every delivery),
//! get the `whsec_` secret once, rotate it (the old one signs for 24 more hours), send a test
//! event, read every attempt, replay. The workers do the sending (crate eventkit-workers).

use super::Admin;
use crate::{inventory::input::update_mask, paging::Page, wire::timestamp};
use chrono::{DateTime, Utc};
use eventkit_domain::ids::{WebhookDeliveryId, WebhookEndpointId};
use eventkit_domain::{
    FieldViolation, Violations,
    events::payloads::WebhookTest,
    id,
    quota::QuotaKey,
    text::TextRule,
    webhooks::{self, ROTATION_OVERLAP},
};
use eventkit_platform::{
    ApiError,
    auth::Principal,
    db::TenantTx,
    outbox, quota,
    webhooks::{body, enqueue, signing::new_secret},
};
use eventkit_proto::eventkit::v1::{self as pb, *};
use std::collections::HashMap;
use uuid::Uuid;

const DESCRIPTION: TextRule = TextRule::multiline(500);
const UPDATABLE: &[&str] = &["url", "description", "event_types", "enabled"];
const COLUMNS: &str = "id, url, description, event_types, enabled, disabled_reason, failing_since, \
     previous_secret_expires_at, created_at, updated_at";
const DELIVERY_COLUMNS: &str =
    "id, endpoint_id, event_id, event_type, status, next_attempt_at, created_at";

#[derive(sqlx::FromRow)]
struct EndpointRow {
    id: WebhookEndpointId,
    url: String,
    description: String,
    event_types: Vec<String>,
    enabled: bool,
    disabled_reason: String,
    failing_since: Option<DateTime<Utc>>,
    previous_secret_expires_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<EndpointRow> for pb::WebhookEndpoint {
    fn from(r: EndpointRow) -> Self {
        Self {
            id: r.id.to_string(),
            url: r.url,
            description: r.description,
            event_types: r.event_types,
            enabled: r.enabled,
            disabled_reason: r.disabled_reason,
            failing_since_time: r.failing_since.map(timestamp),
            previous_secret_expire_time: r
                .previous_secret_expires_at
                .filter(|t| *t > Utc::now())
                .map(timestamp),
            create_time: Some(timestamp(r.created_at)),
            update_time: Some(timestamp(r.updated_at)),
        }
    }
}

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    id: WebhookDeliveryId,
    endpoint_id: WebhookEndpointId,
    event_id: Uuid,
    event_type: String,
    status: String,
    next_attempt_at: DateTime<Utc>,
    created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct AttemptRow {
    delivery_id: WebhookDeliveryId,
    attempted_at: DateTime<Utc>,
    status_code: Option<i32>,
    latency_ms: i32,
    response_excerpt: String,
    error: String,
}

fn delivery_status(db: &str) -> WebhookDeliveryStatus {
    match db {
        "pending" => WebhookDeliveryStatus::Pending,
        "delivered" => WebhookDeliveryStatus::Delivered,
        _ => WebhookDeliveryStatus::Failed,
    }
}

fn delivery_pb(r: DeliveryRow, attempts: Vec<pb::WebhookAttempt>) -> pb::WebhookDelivery {
    let status = delivery_status(&r.status);
    pb::WebhookDelivery {
        id: r.id.to_string(),
        endpoint_id: r.endpoint_id.to_string(),
        event_id: r.event_id.to_string(),
        event_type: r.event_type,
        status: status as i32,
        next_attempt_time: (status == WebhookDeliveryStatus::Pending)
            .then(|| timestamp(r.next_attempt_at)),
        create_time: Some(timestamp(r.created_at)),
        attempts,
    }
}

/// Parses `Period` bounds for the replay range.
fn parse_period(
    field: &str,
    period: Option<&pb::Period>,
) -> Result<(DateTime<Utc>, DateTime<Utc>), FieldViolation> {
    let time = |name: &str, t: Option<&prost_types::Timestamp>| {
        let t = t.ok_or_else(|| FieldViolation::new(format!("{field}.{name}"), "is required"))?;
        DateTime::from_timestamp(t.seconds, t.nanos.max(0) as u32)
            .ok_or_else(|| FieldViolation::new(format!("{field}.{name}"), "is not a valid time"))
    };
    let period =
        period.ok_or_else(|| FieldViolation::new(field, "is required with endpoint_id"))?;
    let (start, end) = (
        time("start", period.start.as_ref())?,
        time("end", period.end.as_ref())?,
    );
    if end <= start {
        return Err(FieldViolation::new(
            format!("{field}.end"),
            "must be after start",
        ));
    }
    Ok((start, end))
}

async fn fetch(tx: &mut TenantTx, id: WebhookEndpointId) -> Result<EndpointRow, ApiError> {
    sqlx::query_as(&format!(
        "select {COLUMNS} from webhook_endpoints where tenant_id = $1 and id = $2 and deleted_at is null for update"
    ))
    .bind(tx.tenant_id())
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| ApiError::not_found("webhook endpoint", id))
}

async fn emit(
    tx: &mut TenantTx,
    event: fn(pb::WebhookEndpoint) -> outbox::Event,
    endpoint: &pb::WebhookEndpoint,
) -> Result<(), ApiError> {
    let id = Uuid::parse_str(&endpoint.id).expect("own id");
    outbox::emit(tx, id, event(endpoint.clone())).await?;
    Ok(())
}

impl Admin {
    pub async fn create_webhook_endpoint(
        &self,
        p: &Principal,
        req: CreateWebhookEndpointRequest,
    ) -> Result<CreateWebhookEndpointResponse, ApiError> {
        let mut v = Violations::new();
        let url = v.check(self.webhook_guard.check_url("url", &req.url));
        let event_types = v.check(webhooks::parse_event_types("event_types", &req.event_types));
        let description = v.check(DESCRIPTION.parse("description", &req.description));
        v.finish()?;
        let secret = new_secret();
        let mut tx = self.tx(p).await?;
        quota::reserve(&mut tx, QuotaKey::WebhookEndpoints, 1).await?;
        let row: EndpointRow = sqlx::query_as(&format!(
            "insert into webhook_endpoints (tenant_id, id, url, description, event_types, enabled, secret) \
             values ($1, $2, $3, $4, $5, $6, $7) returning {COLUMNS}"
        ))
        .bind(tx.tenant_id())
        .bind(id::new_id())
        .bind(url.unwrap().as_str())
        .bind(description.unwrap())
        .bind(event_types.unwrap())
        .bind(req.enabled.unwrap_or(true))
        .bind(&secret)
        .fetch_one(&mut *tx)
        .await?;
        let endpoint = pb::WebhookEndpoint::from(row);
        emit(&mut tx, outbox::Event::WebhookEndpointCreated, &endpoint).await?;
        tx.commit().await?;
        Ok(CreateWebhookEndpointResponse {
            endpoint: Some(endpoint),
            secret,
        })
    }

    pub async fn get_webhook_endpoint(
        &self,
        p: &Principal,
        req: GetWebhookEndpointRequest,
    ) -> Result<GetWebhookEndpointResponse, ApiError> {
        let id = WebhookEndpointId::parse("id", &req.id)?;
        let mut tx = self.tx(p).await?;
        let row = fetch(&mut tx, id).await?;
        tx.commit().await?;
        Ok(GetWebhookEndpointResponse {
            endpoint: Some(row.into()),
        })
    }

    pub async fn list_webhook_endpoints(
        &self,
        p: &Principal,
        req: ListWebhookEndpointsRequest,
    ) -> Result<ListWebhookEndpointsResponse, ApiError> {
        let page = Page::parse(req.page.as_ref())?;
        let mut tx = self.tx(p).await?;
        let mut sql = page.select(COLUMNS, "webhook_endpoints", tx.tenant_id());
        sql.push(" and deleted_at is null");
        let (rows, page) = page.fetch(sql, &mut tx, |r: &EndpointRow| r.id).await?;
        tx.commit().await?;
        Ok(ListWebhookEndpointsResponse {
            endpoints: rows.into_iter().map(Into::into).collect(),
            page,
        })
    }

    pub async fn update_webhook_endpoint(
        &self,
        p: &Principal,
        req: UpdateWebhookEndpointRequest,
    ) -> Result<UpdateWebhookEndpointResponse, ApiError> {
        let endpoint = req
            .endpoint
            .ok_or_else(|| ApiError::invalid("endpoint", "is required"))?;
        let id = WebhookEndpointId::parse("endpoint.id", &endpoint.id)?;
        let paths = update_mask(req.update_mask.as_ref(), UPDATABLE)?;
        let mut v = Violations::new();
        let mut set = sqlx::QueryBuilder::<sqlx::Postgres>::new(
            "update webhook_endpoints set updated_at = now()",
        );
        for path in &paths {
            match *path {
                "url" => {
                    if let Some(url) =
                        v.check(self.webhook_guard.check_url("endpoint.url", &endpoint.url))
                    {
                        set.push(", url = ").push_bind(url.to_string());
                    }
                }
                "description" => {
                    if let Some(d) =
                        v.check(DESCRIPTION.parse("endpoint.description", &endpoint.description))
                    {
                        set.push(", description = ").push_bind(d);
                    }
                }
                "event_types" => {
                    if let Some(t) = v.check(webhooks::parse_event_types(
                        "endpoint.event_types",
                        &endpoint.event_types,
                    )) {
                        set.push(", event_types = ").push_bind(t);
                    }
                }
                "enabled" => {
                    set.push(", enabled = ").push_bind(endpoint.enabled);
                    if endpoint.enabled {
                        // A fresh start: the failure clock and the system's reason are cleared.
                        set.push(", failing_since = null, disabled_reason = ''");
                    }
                }
                _ => unreachable!("update_mask checked the paths"),
            }
        }
        v.finish()?;
        let mut tx = self.tx(p).await?;
        fetch(&mut tx, id).await?;
        set.push(" where tenant_id = ").push_bind(tx.tenant_id());
        set.push(" and id = ").push_bind(id);
        set.push(format!(" returning {COLUMNS}"));
        let row: EndpointRow = set.build_query_as().fetch_one(&mut *tx).await?;
        let updated = pb::WebhookEndpoint::from(row);
        emit(&mut tx, outbox::Event::WebhookEndpointUpdated, &updated).await?;
        tx.commit().await?;
        Ok(UpdateWebhookEndpointResponse {
            endpoint: Some(updated),
        })
    }

    pub async fn delete_webhook_endpoint(
        &self,
        p: &Principal,
        req: DeleteWebhookEndpointRequest,
    ) -> Result<DeleteWebhookEndpointResponse, ApiError> {
        let id = WebhookEndpointId::parse("id", &req.id)?;
        let mut tx = self.tx(p).await?;
        fetch(&mut tx, id).await?;
        let row: EndpointRow = sqlx::query_as(&format!(
            "update webhook_endpoints set deleted_at = now(), updated_at = now(), enabled = false \
             where tenant_id = $1 and id = $2 returning {COLUMNS}"
        ))
        .bind(tx.tenant_id())
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "update webhook_deliveries set status = 'failed', last_error = 'endpoint deleted', finished_at = now() \
             where tenant_id = $1 and endpoint_id = $2 and status = 'pending'",
        )
        .bind(tx.tenant_id())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        emit(&mut tx, outbox::Event::WebhookEndpointDeleted, &row.into()).await?;
        tx.commit().await?;
        Ok(DeleteWebhookEndpointResponse {})
    }

    pub async fn rotate_webhook_secret(
        &self,
        p: &Principal,
        req: RotateWebhookSecretRequest,
    ) -> Result<RotateWebhookSecretResponse, ApiError> {
        let id = WebhookEndpointId::parse("id", &req.id)?;
        let secret = new_secret();
        let mut tx = self.tx(p).await?;
        fetch(&mut tx, id).await?;
        let row: EndpointRow = sqlx::query_as(&format!(
            "update webhook_endpoints set previous_secret = secret, secret = $3, \
             previous_secret_expires_at = now() + $4 * interval '1 second', updated_at = now() \
             where tenant_id = $1 and id = $2 returning {COLUMNS}"
        ))
        .bind(tx.tenant_id())
        .bind(id)
        .bind(&secret)
        .bind(ROTATION_OVERLAP.as_secs() as f64)
        .fetch_one(&mut *tx)
        .await?;
        let endpoint = pb::WebhookEndpoint::from(row);
        emit(
            &mut tx,
            outbox::Event::WebhookEndpointSecretRotated,
            &endpoint,
        )
        .await?;
        tx.commit().await?;
        Ok(RotateWebhookSecretResponse {
            endpoint: Some(endpoint),
            secret,
        })
    }

    pub async fn send_test_webhook(
        &self,
        p: &Principal,
        req: SendTestWebhookRequest,
    ) -> Result<SendTestWebhookResponse, ApiError> {
        let endpoint_id = WebhookEndpointId::parse("endpoint_id", &req.endpoint_id)?;
        let mut tx = self.tx(p).await?;
        let endpoint = fetch(&mut tx, endpoint_id).await?;
        if !endpoint.enabled {
            return Err(ApiError::FailedPrecondition(format!(
                "webhook endpoint {endpoint_id} is disabled; enable it first"
            )));
        }
        let event_id = id::new_id();
        let test = outbox::Event::WebhookTest(WebhookTest {
            endpoint_id,
            message: "A test event from EventKit.".into(),
        });
        let body = body(
            tx.tenant_id(),
            test.event_type(),
            Utc::now(),
            Some(endpoint_id.into()),
            &test.data(),
        );
        let delivery_id = enqueue(
            &mut tx,
            endpoint_id.into(),
            event_id,
            test.event_type(),
            &body,
        )
        .await?
        .expect("a new event id is never a repeat");
        let mut deliveries = self.deliveries(&mut tx, &[delivery_id]).await?;
        tx.commit().await?;
        Ok(SendTestWebhookResponse {
            delivery: deliveries.pop(),
        })
    }

    pub async fn list_webhook_deliveries(
        &self,
        p: &Principal,
        req: ListWebhookDeliveriesRequest,
    ) -> Result<ListWebhookDeliveriesResponse, ApiError> {
        let page = Page::parse(req.page.as_ref())?.newest_first();
        let mut v = Violations::new();
        let endpoint_id = if req.endpoint_id.is_empty() {
            None
        } else {
            v.check(WebhookEndpointId::parse("endpoint_id", &req.endpoint_id))
        };
        let status = match WebhookDeliveryStatus::try_from(req.status) {
            Ok(WebhookDeliveryStatus::Unspecified) => None,
            Ok(s) => Some(
                s.as_str_name()
                    .trim_start_matches("WEBHOOK_DELIVERY_STATUS_")
                    .to_ascii_lowercase(),
            ),
            Err(_) => {
                v.push(FieldViolation::new(
                    "status",
                    format!("{} is not a delivery status", req.status),
                ));
                None
            }
        };
        v.finish()?;
        let mut tx = self.tx(p).await?;
        let mut sql = page.select(DELIVERY_COLUMNS, "webhook_deliveries", tx.tenant_id());
        if let Some(endpoint_id) = endpoint_id {
            sql.push(" and endpoint_id = ").push_bind(endpoint_id);
        }
        if let Some(status) = status {
            sql.push(" and status = ").push_bind(status);
        }
        let (rows, page) = page.fetch(sql, &mut tx, |r: &DeliveryRow| r.id).await?;
        let deliveries = self.with_attempts(&mut tx, rows).await?;
        tx.commit().await?;
        Ok(ListWebhookDeliveriesResponse { deliveries, page })
    }

    pub async fn replay_webhook_deliveries(
        &self,
        p: &Principal,
        req: ReplayWebhookDeliveriesRequest,
    ) -> Result<ReplayWebhookDeliveriesResponse, ApiError> {
        const RESET: &str = "update webhook_deliveries d set status = 'pending', attempts = 0, \
             next_attempt_at = now(), lease_until = null, finished_at = null, last_error = '' \
             from webhook_endpoints e where d.tenant_id = $1 and e.tenant_id = d.tenant_id \
             and e.id = d.endpoint_id";
        let mut tx;
        let replayed = match req.target {
            None => {
                return Err(ApiError::invalid(
                    "target",
                    "give delivery_id, or failed with endpoint_id and period",
                ));
            }
            Some(replay_webhook_deliveries_request::Target::DeliveryId(raw)) => {
                let delivery_id = WebhookDeliveryId::parse("delivery_id", &raw)?;
                tx = self.tx(p).await?;
                let endpoint_id: WebhookEndpointId = sqlx::query_scalar(
                    "select endpoint_id from webhook_deliveries where tenant_id = $1 and id = $2 for update",
                )
                .bind(tx.tenant_id())
                .bind(delivery_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| ApiError::not_found("webhook delivery", delivery_id))?;
                self.require_enabled(&mut tx, endpoint_id).await?;
                sqlx::query(&format!("{RESET} and d.id = $2"))
                    .bind(tx.tenant_id())
                    .bind(delivery_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
            }
            Some(replay_webhook_deliveries_request::Target::Failed(failed)) => {
                let mut v = Violations::new();
                let endpoint_id = v.check(WebhookEndpointId::parse(
                    "failed.endpoint_id",
                    &failed.endpoint_id,
                ));
                let period = v.check(parse_period("failed.period", failed.period.as_ref()));
                v.finish()?;
                let (endpoint_id, (start, end)) = (endpoint_id.unwrap(), period.unwrap());
                tx = self.tx(p).await?;
                self.require_enabled(&mut tx, endpoint_id).await?;
                sqlx::query(&format!(
                    "{RESET} and d.endpoint_id = $2 and d.status = 'failed' and d.created_at >= $3 and d.created_at < $4"
                ))
                .bind(tx.tenant_id())
                .bind(endpoint_id)
                .bind(start)
                .bind(end)
                .execute(&mut *tx)
                .await?
                .rows_affected()
            }
        };
        tx.commit().await?;
        Ok(ReplayWebhookDeliveriesResponse {
            replayed: replayed as i32,
        })
    }

    async fn require_enabled(
        &self,
        tx: &mut TenantTx,
        endpoint_id: WebhookEndpointId,
    ) -> Result<(), ApiError> {
        let endpoint = fetch(tx, endpoint_id).await?;
        if endpoint.enabled {
            Ok(())
        } else {
            Err(ApiError::FailedPrecondition(format!(
                "webhook endpoint {endpoint_id} is disabled; enable it before replaying"
            )))
        }
    }

    async fn deliveries(
        &self,
        tx: &mut TenantTx,
        ids: &[Uuid],
    ) -> Result<Vec<pb::WebhookDelivery>, ApiError> {
        let rows: Vec<DeliveryRow> = sqlx::query_as(&format!(
            "select {DELIVERY_COLUMNS} from webhook_deliveries where tenant_id = $1 and id = any($2) order by id desc"
        ))
        .bind(tx.tenant_id())
        .bind(ids)
        .fetch_all(&mut **tx)
        .await?;
        self.with_attempts(tx, rows).await
    }

    async fn with_attempts(
        &self,
        tx: &mut TenantTx,
        rows: Vec<DeliveryRow>,
    ) -> Result<Vec<pb::WebhookDelivery>, ApiError> {
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id.into()).collect();
        let attempts: Vec<AttemptRow> = sqlx::query_as(
            "select delivery_id, attempted_at, status_code, latency_ms, response_excerpt, error \
             from webhook_attempts where tenant_id = $1 and delivery_id = any($2) order by id",
        )
        .bind(tx.tenant_id())
        .bind(&ids)
        .fetch_all(&mut **tx)
        .await?;
        let mut by_delivery: HashMap<WebhookDeliveryId, Vec<pb::WebhookAttempt>> = HashMap::new();
        for a in attempts {
            by_delivery
                .entry(a.delivery_id)
                .or_default()
                .push(pb::WebhookAttempt {
                    attempt_time: Some(timestamp(a.attempted_at)),
                    status_code: a.status_code.unwrap_or(0),
                    latency_ms: a.latency_ms,
                    response_excerpt: a.response_excerpt,
                    error: a.error,
                });
        }
        Ok(rows
            .into_iter()
            .map(|r| {
                let attempts = by_delivery.remove(&r.id).unwrap_or_default();
                delivery_pb(r, attempts)
            })
            .collect())
    }
}
