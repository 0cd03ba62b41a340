//! The isolation suite. For every RPC of every tenant-facing service — found from the descriptors,
//! so new RPCs are covered without edits — tenant B calls with tenant A's ids (and codes) and
//! must get `not_found`; calls that carry none of A's ids must succeed and show none of A's data;
//! and afterwards A's rows are exactly as they were. Request fields are filled by convention:
//! `id` names the entity of the method or message, `<entity>_id` and `parent_id` name A's
//! fixtures, `code` is A's asset code for lookups and a fresh code otherwise; `quantity` is 1
//! and every `Period` two days in 2030. A reference field
//! the suite cannot resolve fails the test, so a new kind of entity must get a fixture here.

use eventkit_tests::{Tenant, TestEnv};
use prost_reflect::{
    DynamicMessage, FieldDescriptor, Kind, MessageDescriptor, MethodDescriptor, ReflectMessage,
    SerializeOptions, Value as PValue,
};
use serde_json::{Value, json};
use sqlx::PgPool;
use std::{
    collections::HashMap,
    sync::atomic::{AtomicU32, Ordering},
};

/// One tenant's fixtures: entity kind → id, plus codes.
struct Fixtures {
    ids: HashMap<&'static str, String>,
    asset_code: String,
    case_code: String,
}

impl Fixtures {
    /// Every value that identifies one of this tenant's rows.
    fn identifiers(&self) -> Vec<String> {
        let mut all: Vec<String> = self.ids.values().cloned().collect();
        all.push(self.asset_code.clone());
        all.push(self.case_code.clone());
        all
    }
}

async fn make_fixtures(env: &TestEnv, tenant: &Tenant, tag: &str) -> Fixtures {
    let key = Some(tenant.api_key.as_str());
    let id = |reply: &eventkit_tests::ConnectReply, field: &str| {
        reply.ok()[field]["id"].as_str().unwrap().to_owned()
    };
    let warehouse = env
        .call(
            key,
            "InventoryService/CreateLocation",
            json!({"name": "Main", "kind": "LOCATION_KIND_WAREHOUSE"}),
        )
        .await;
    let warehouse = id(&warehouse, "location");
    let zone = env
        .call(
            key,
            "InventoryService/CreateLocation",
            json!({"name": "Zone A", "kind": "LOCATION_KIND_ZONE", "parentId": warehouse}),
        )
        .await;
    let zone = id(&zone, "location");
    let product = env
        .call(
            key,
            "InventoryService/CreateProduct",
            json!({"name": format!("Moving head {tag}"), "category": "Lighting"}),
        )
        .await;
    let product = id(&product, "product");
    let case_code = format!("CASE-{tag}");
    let case = env
        .call(
            key,
            "InventoryService/CreateCase",
            json!({"code": case_code, "name": "Flight case", "locationId": zone}),
        )
        .await;
    let case = id(&case, "case");
    let asset_code = format!("ASSET-{tag}");
    let asset = env
        .call(
            key,
            "InventoryService/CreateAsset",
            json!({"productId": product, "code": asset_code, "locationId": zone}),
        )
        .await;
    let asset = id(&asset, "asset");
    env.call(
        key,
        "InventoryService/AddAssetToCase",
        json!({"caseId": case, "assetId": asset}),
    )
    .await
    .ok();
    let api_key = env
        .call(
            key,
            "AdminService/CreateApiKey",
            json!({"name": format!("Integration {tag}"), "scopes": ["inventory:read"]}),
        )
        .await;
    let api_key = id(&api_key, "apiKey");
    let endpoint = env
        .call(
            key,
            "AdminService/CreateWebhookEndpoint",
            json!({"url": format!("https://hooks.example.com/{tag}"), "eventTypes": ["*"]}),
        )
        .await;
    let endpoint = id(&endpoint, "endpoint");
    let delivery = env
        .call(
            key,
            "AdminService/SendTestWebhook",
            json!({"endpointId": endpoint}),
        )
        .await;
    let delivery = id(&delivery, "delivery");
    let period = json!({"start": "2030-01-01T08:00:00Z", "end": "2030-01-03T18:00:00Z"});
    let project = env
        .call(
            key,
            "PlanningService/CreateProject",
            json!({"name": format!("Tour {tag}")}),
        )
        .await;
    let project = id(&project, "project");
    let event = env
        .call(
            key,
            "PlanningService/CreateEvent",
            json!({"name": format!("Festival {tag}"), "projectId": project, "period": period}),
        )
        .await;
    let event = id(&event, "event");
    let line = env
        .call(
            key,
            "PlanningService/AddPullListLine",
            json!({"eventId": event, "productId": product, "quantity": 2}),
        )
        .await;
    let line = id(&line, "line");
    // A scan, so the scanning tables hold A's rows too: a second unit goes out for the event.
    env.call(
        key,
        "InventoryService/CreateAsset",
        json!({"productId": product, "code": format!("{asset_code}-2")}),
    )
    .await
    .ok();
    env.call(
        key,
        "PlanningService/TransitionEvent",
        json!({"id": event, "status": "EVENT_STATUS_CONFIRMED"}),
    )
    .await
    .ok();
    let scanned = env
        .call(
            key,
            "ScanningService/CheckOut",
            json!({"clientScanId": format!("scan-{tag}"), "eventId": event, "code": format!("{asset_code}-2")}),
        )
        .await;
    assert_eq!(scanned.ok()["result"]["outcome"], "SCAN_OUTCOME_DONE");
    let sub_rent = env
        .call(
            key,
            "PlanningService/CreateSubRent",
            json!({"productId": product, "supplier": "Hire Co", "quantity": 1, "period": period}),
        )
        .await;
    let sub_rent = id(&sub_rent, "subRent");
    let stocktake = env
        .call(
            key,
            "ScanningService/StartStocktake",
            json!({"locationId": warehouse}),
        )
        .await;
    let stocktake = id(&stocktake, "stocktake");
    let repair = env
        .call(
            key,
            "InventoryService/OpenMaintenanceRecord",
            json!({"assetId": asset, "note": "Fan noise"}),
        )
        .await;
    let repair = id(&repair, "record");
    let role = env
        .call(
            key,
            "AdminService/CreateRole",
            json!({"name": format!("Counter {tag}"), "permissions": ["inventory:read"]}),
        )
        .await;
    let role = id(&role, "role");
    let member = env
        .as_tenant(tenant)
        .join(
            &format!("member-{}@example.com", tag.to_lowercase()),
            std::slice::from_ref(&role),
        )
        .await;
    let invitation = env
        .call(
            key,
            "AdminService/InviteUser",
            json!({"email": format!("invited-{}@example.com", tag.to_lowercase()), "roleIds": [role]}),
        )
        .await;
    let invitation = id(&invitation, "invitation");
    Fixtures {
        ids: HashMap::from([
            ("role", role),
            ("user", member.user_id),
            ("invitation", invitation),
            ("project", project),
            ("event", event),
            ("line", line),
            ("sub_rent", sub_rent),
            ("stocktake", stocktake),
            ("maintenance_record", repair),
            ("product", product),
            ("location", zone),
            ("warehouse", warehouse),
            ("case", case),
            ("asset", asset),
            ("api_key", api_key),
            ("webhook_endpoint", endpoint),
            ("webhook_delivery", delivery),
        ]),
        asset_code,
        case_code,
    }
}

/// The entity a method is about: `GetProduct` → `product`, `LookupAssetByCode` → `asset`.
fn method_entity(method: &MethodDescriptor) -> Option<&'static str> {
    let name = method.name();
    [
        "Product",
        "Location",
        "Asset",
        "Case",
        "ApiKey",
        "WebhookEndpoint",
        "WebhookSecret",
        "Project",
        "Event",
        "PullListLine",
        "SubRent",
        "Stocktake",
        "MaintenanceRecord",
        "User",
        "Role",
        "Invitation",
    ]
    .into_iter()
    .filter(|noun| name.contains(noun))
    .min_by_key(|noun| name.find(noun))
    .and_then(entity_of_noun)
}

/// The fixture kind of an entity's message name.
fn entity_of_noun(noun: &str) -> Option<&'static str> {
    Some(match noun {
        "Product" => "product",
        "Location" => "location",
        "Asset" => "asset",
        "Case" => "case",
        "ApiKey" => "api_key",
        "Project" => "project",
        "Event" => "event",
        "PullListLine" => "line",
        "SubRent" => "sub_rent",
        "Stocktake" => "stocktake",
        "MaintenanceRecord" => "maintenance_record",
        "WebhookEndpoint" | "WebhookSecret" => "webhook_endpoint",
        // One per tenant, so never named by id; listed so updates are probed field by field.
        "Branding" => "branding",
        "User" => "user",
        "Role" => "role",
        "Invitation" => "invitation",
        _ => return None,
    })
}

/// The entity an `id` field inside an entity message names (`eventkit.v1.Asset.id` → asset).
fn message_entity(message: &MessageDescriptor) -> Option<&'static str> {
    entity_of_noun(message.name())
}

static FRESH: AtomicU32 = AtomicU32::new(0);

/// RPCs whose success needs a system outside the test (an identity provider to discover, and
/// SSO settings made with one for its domains' DNS proofs).
const NEEDS_A_REAL_PROVIDER: &[&str] = &[
    "AdminService/UpdateSsoSettings",
    "AdminService/StartSsoDomainVerification",
    "AdminService/VerifySsoDomain",
];

/// How a string field is filled, and whether the value is one of A's identifiers.
fn string_value(
    method: &MethodDescriptor,
    owner: &MessageDescriptor,
    field: &FieldDescriptor,
    a: &Fixtures,
) -> Option<(String, bool)> {
    let name = field.name();
    let reference = |kind: &str| {
        let id = a
            .ids
            .get(kind)
            .unwrap_or_else(|| panic!("no fixture of kind {kind}"))
            .clone();
        Some((id, true))
    };
    match name {
        "id" => {
            let entity = message_entity(owner).or_else(|| method_entity(method));
            let entity = entity.unwrap_or_else(|| {
                panic!(
                    "{}: cannot tell which entity `id` of {} names",
                    method.full_name(),
                    owner.name()
                )
            });
            reference(entity)
        }
        "parent_id" => reference("warehouse"),
        "product_id" => reference("product"),
        "location_id" => reference("location"),
        "case_id" | "child_case_id" => reference("case"),
        "asset_id" => reference("asset"),
        "endpoint_id" => reference("webhook_endpoint"),
        "delivery_id" => reference("webhook_delivery"),
        "url" => Some(("https://hooks.example.com/probe".into(), false)),
        "project_id" => reference("project"),
        "event_id" => reference("event"),
        "stocktake_id" => reference("stocktake"),
        "user_id" => reference("user"),
        "email" => Some((
            format!(
                "probe-{}@example.com",
                FRESH.fetch_add(1, Ordering::Relaxed)
            ),
            false,
        )),
        // ListEntityHistory: the filler picks the first entity type, PRODUCT.
        "entity_id" => reference("product"),
        "code" if method.name().starts_with("Lookup") => Some((a.asset_code.clone(), true)),
        "client_scan_id" => Some((
            format!("probe-scan-{}", FRESH.fetch_add(1, Ordering::Relaxed)),
            false,
        )),
        "code" => Some((
            format!("PROBE-{}", FRESH.fetch_add(1, Ordering::Relaxed)),
            false,
        )),
        "name" | "supplier" => Some(("Isolation probe".into(), false)),
        "rrule" => Some(("FREQ=DAILY;COUNT=2".into(), false)),
        // Read-only on Event: groups a recurring series, names no row.
        "series_id" => None,
        other if other.ends_with("_id") => {
            panic!(
                "{}: add a fixture for the reference field {other} to the isolation suite",
                method.full_name()
            )
        }
        _ => None,
    }
}

/// Fills `message` by convention; returns whether any of A's identifiers went in. Fields named
/// in `only` (when given) are the only non-id fields set (update-mask variants).
fn fill(
    method: &MethodDescriptor,
    message: &mut DynamicMessage,
    a: &Fixtures,
    only: Option<&str>,
) -> bool {
    let descriptor = message.descriptor();
    let mut uses_a = false;
    for field in descriptor.fields() {
        if only.is_some_and(|o| o != field.name()) && field.name() != "id" {
            continue;
        }
        match field.kind() {
            Kind::String if !field.is_list() => {
                if let Some((value, is_a)) = string_value(method, &descriptor, &field, a) {
                    uses_a |= is_a;
                    message.set_field(&field, PValue::String(value));
                }
            }
            Kind::String if field.name() == "scopes" => {
                message.set_field(
                    &field,
                    PValue::List(vec![PValue::String("inventory:read".into())]),
                );
            }
            Kind::String if field.name() == "permissions" => {
                message.set_field(
                    &field,
                    PValue::List(vec![PValue::String("inventory:read".into())]),
                );
            }
            Kind::String if field.name() == "role_ids" => {
                uses_a = true;
                message.set_field(
                    &field,
                    PValue::List(vec![PValue::String(a.ids["role"].clone())]),
                );
            }
            Kind::String if field.name() == "event_types" => {
                message.set_field(&field, PValue::List(vec![PValue::String("*".into())]));
            }
            Kind::Enum(e) if !field.is_list() => {
                if let Some(first) = e.values().find(|v| v.number() != 0) {
                    message.set_field(&field, PValue::EnumNumber(first.number()));
                }
            }
            Kind::Int32 if field.name() == "quantity" => {
                message.set_field(&field, PValue::I32(1));
            }
            Kind::Message(period) if period.full_name() == "eventkit.v1.Period" => {
                message.set_field(&field, PValue::Message(probe_period(&period)));
            }
            _ => {}
        }
    }
    uses_a
}

/// A period of two days in 2030 (periods are required wherever they appear in a request).
fn probe_period(period: &MessageDescriptor) -> DynamicMessage {
    let mut out = DynamicMessage::new(period.clone());
    for (name, seconds) in [("start", 1_893_456_000), ("end", 1_893_628_800)] {
        let field = period.get_field_by_name(name).expect("period field");
        let mut ts = DynamicMessage::new(field.kind().as_message().unwrap().clone());
        ts.set_field_by_name("seconds", PValue::I64(seconds));
        out.set_field(&field, PValue::Message(ts));
    }
    out
}

/// The request variants of a method: `(request JSON, carries A's ids)`.
fn variants(method: &MethodDescriptor, a: &Fixtures) -> Vec<(Value, bool)> {
    let input = method.input();
    let entity_field = input
        .fields()
        .find(|f| matches!(f.kind(), Kind::Message(m) if message_entity(&m).is_some()));
    let mask_field = input.fields().find(
        |f| matches!(f.kind(), Kind::Message(m) if m.full_name() == "google.protobuf.FieldMask"),
    );
    let mut out = Vec::new();
    match (entity_field, mask_field) {
        (Some(entity), Some(mask)) => {
            // An update: one variant per field of the entity, each with a one-path mask.
            let Kind::Message(entity_message) = entity.kind() else {
                unreachable!()
            };
            for path in entity_message.fields().filter(|f| f.name() != "id") {
                let mut request = DynamicMessage::new(input.clone());
                let mut inner = DynamicMessage::new(entity_message.clone());
                let uses_a = fill(method, &mut inner, a, Some(path.name()));
                request.set_field(&entity, PValue::Message(inner));
                let mut field_mask = DynamicMessage::new(mask.kind().as_message().unwrap().clone());
                field_mask.set_field_by_name(
                    "paths",
                    PValue::List(vec![PValue::String(path.name().to_owned())]),
                );
                request.set_field(&mask, PValue::Message(field_mask));
                out.push((to_json(&request), uses_a));
            }
        }
        _ => {
            let mut request = DynamicMessage::new(input.clone());
            let uses_a = fill(method, &mut request, a, None);
            out.push((to_json(&request), uses_a));
            if method.name().starts_with("List") && uses_a {
                out.push((json!({}), false));
            }
        }
    }
    out
}

fn to_json(message: &DynamicMessage) -> Value {
    message
        .serialize_with_options(serde_json::value::Serializer, &SerializeOptions::new())
        .unwrap()
}

/// A digest of every row tenant A owns, to prove nothing of A's changed.
async fn snapshot(admin: &PgPool, tenant: &Tenant) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    for table in [
        "products",
        "locations",
        "assets",
        "cases",
        "api_keys",
        "idempotency_keys",
        "webhook_endpoints",
        "webhook_deliveries",
        "webhook_attempts",
        "tenant_branding",
        "email_messages",
        "projects",
        "events",
        "event_lines",
        "sub_rents",
        "planning_settings",
        "stock_levels",
        "kit_components",
        "scans",
        "event_assets",
        "asset_status_log",
        "entity_changes",
        "stocktakes",
        "stocktake_items",
        "maintenance_records",
    ] {
        let digest: Option<String> = sqlx::query_scalar(&format!(
            "select md5(string_agg(t::text, '|' order by t::text)) from {table} t where t.tenant_id = $1"
        ))
        .bind(tenant.id)
        .fetch_one(admin)
        .await
        .unwrap();
        out.push((table.to_owned(), digest));
    }
    out
}

#[tokio::test]
async fn tenant_b_cannot_see_or_touch_tenant_a_through_any_rpc() {
    let env = TestEnv::start().await;
    let tenant_a = env.create_tenant("Tenant A").await;
    let tenant_b = env.create_tenant("Tenant B").await;
    let a = make_fixtures(&env, &tenant_a, "A").await;
    let _b = make_fixtures(&env, &tenant_b, "B").await;
    let admin = env.admin_pool().await;
    let before = snapshot(&admin, &tenant_a).await;
    let a_identifiers = a.identifiers();

    let pool = eventkit_proto::descriptor_pool();
    let mut checked = 0;
    let mut failures = Vec::new();
    for service in eventkit_proto::TENANT_SERVICES {
        let service = pool
            .get_service_by_name(service)
            .expect("service in descriptors");
        for method in service.methods() {
            let path = format!("{}/{}", service.name(), method.name());
            for (request, uses_a) in variants(&method, &a) {
                let reply = env
                    .call(Some(&tenant_b.api_key), &path, request.clone())
                    .await;
                let body = reply.body.to_string();
                if reply.violated_fields() == ["update_mask"] && request.get("updateMask").is_some()
                {
                    continue; // that field is not updatable; the other mask variants probe this RPC
                }
                // A's identifiers in the answer that B did not send itself (errors may echo input).
                let sent = request.to_string();
                let leaked: Vec<&String> = a_identifiers
                    .iter()
                    .filter(|id| body.contains(id.as_str()) && !sent.contains(id.as_str()))
                    .collect();
                let list_ok = method.name().starts_with("List") && reply.status == 200;
                let verdict = if !leaked.is_empty() {
                    Some(format!("leaked A's {leaked:?}"))
                } else if uses_a && reply.code() != "not_found" && !list_ok {
                    Some(format!("expected not_found, got {} {}", reply.status, body))
                } else if !uses_a && NEEDS_A_REAL_PROVIDER.contains(&path.as_str()) {
                    // Cannot succeed here (it fetches the provider's discovery document); it
                    // must still refuse cleanly and leak nothing.
                    (reply.code() != "invalid_argument").then(|| {
                        format!("expected invalid_argument, got {} {}", reply.status, body)
                    })
                } else if !uses_a && reply.status != 200 {
                    Some(format!(
                        "expected success without A's ids, got {} {}",
                        reply.status, body
                    ))
                } else {
                    None
                };
                if let Some(v) = verdict {
                    failures.push(format!("{path} {request}: {v}"));
                }
                checked += 1;
            }
        }
    }
    assert!(
        failures.is_empty(),
        "isolation failures:\n{}",
        failures.join("\n")
    );
    let methods: usize = eventkit_proto::TENANT_SERVICES
        .iter()
        .map(|s| pool.get_service_by_name(s).unwrap().methods().len())
        .sum();
    assert!(
        checked >= methods,
        "every method was called at least once ({checked} calls for {methods} methods)"
    );
    assert_eq!(
        snapshot(&admin, &tenant_a).await,
        before,
        "tenant A's rows changed"
    );
}
