//! Entity history: every change to a tracked entity, however it was made, is listed field by
//! field (old → new, who, when) by HistoryService.ListEntityHistory, oldest first; derived
//! columns are left out; the app role cannot rewrite history.

use eventkit_tests::{
    TestEnv,
    client::{As, period},
};
use serde_json::{Value, json};
use sqlx::{Connection, Executor};

/// `(operation, field, old, new)` of an entity's history.
async fn history(t: &As<'_>, entity_type: &str, id: &str) -> Vec<(String, String, Value, Value)> {
    let body = t
        .ok(
            "HistoryService/ListEntityHistory",
            json!({"entityType": format!("ENTITY_TYPE_{entity_type}"), "entityId": id, "page": {"pageSize": 500}}),
        )
        .await;
    body["changes"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|c| {
            let op = c["operation"]
                .as_str()
                .unwrap()
                .trim_start_matches("CHANGE_OPERATION_");
            (
                op.to_owned(),
                c["field"].as_str().unwrap().to_owned(),
                c.get("oldValue").cloned().unwrap_or(Value::Null),
                c.get("newValue").cloned().unwrap_or(Value::Null),
            )
        })
        .collect()
}

#[tokio::test]
async fn every_change_is_listed_field_by_field_with_its_actor() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Rental Co").await;
    let t = env.as_tenant(&tenant);
    let product = t
        .id(
            "InventoryService/CreateProduct",
            json!({"name": "Lamp"}),
            "product",
        )
        .await;
    let event = t
        .id(
            "PlanningService/CreateEvent",
            json!({"name": "Gig", "venue": "Hall", "period": period((1, 0), (2, 0))}),
            "event",
        )
        .await;
    t.ok(
        "PlanningService/UpdateEvent",
        json!({"event": {"id": event, "venue": "Park"}, "updateMask": "venue"}),
    )
    .await;
    t.ok(
        "PlanningService/TransitionEvent",
        json!({"id": event, "status": "EVENT_STATUS_PROVISIONAL"}),
    )
    .await;
    let line = t
        .id(
            "PlanningService/AddPullListLine",
            json!({"eventId": event, "productId": product, "quantity": 3}),
            "line",
        )
        .await;
    t.ok("PlanningService/RemovePullListLine", json!({"id": line}))
        .await;

    let changes = history(&t, "EVENT", &event).await;
    let created: Vec<&str> = changes
        .iter()
        .filter(|c| c.0 == "CREATE")
        .map(|c| c.1.as_str())
        .collect();
    for field in ["name", "venue", "status", "period"] {
        assert!(created.contains(&field), "{field} in {created:?}");
    }
    assert!(!created.contains(&"updated_at") && !created.contains(&"prep_at"));
    let updates: Vec<_> = changes.iter().filter(|c| c.0 == "UPDATE").collect();
    assert_eq!(
        updates
            .iter()
            .map(|c| (c.1.as_str(), c.2.clone(), c.3.clone()))
            .collect::<Vec<_>>(),
        [
            ("venue", json!("Hall"), json!("Park")),
            ("status", json!("enquiry"), json!("provisional")),
        ],
        "only what changed, in order"
    );
    let raw = t
        .ok(
            "HistoryService/ListEntityHistory",
            json!({"entityType": "ENTITY_TYPE_EVENT", "entityId": event}),
        )
        .await;
    let actor = raw["changes"][0]["actor"].as_str().unwrap();
    assert!(actor.starts_with("api_key:"), "{actor}");
    assert!(raw["changes"][0]["createTime"].is_string());

    let line_history = history(&t, "PULL_LIST_LINE", &line).await;
    assert!(
        line_history
            .iter()
            .any(|c| c.0 == "DELETE" && c.1 == "quantity" && c.2.as_f64() == Some(3.0))
    );
    assert!(
        !line_history
            .iter()
            .any(|c| c.1 == "reserves" || c.1 == "period"),
        "copies of the event's state are not history: {line_history:?}"
    );

    let bad = t
        .fails(
            "HistoryService/ListEntityHistory",
            json!({"entityId": "x", "entityType": 99}),
            "invalid_argument",
        )
        .await;
    let mut fields = bad.violated_fields();
    fields.sort();
    assert_eq!(fields, ["entity_id", "entity_type"]);
    let feed = t
        .ok(
            "HistoryService/ListEntityHistory",
            json!({"page": {"pageSize": 500}}),
        )
        .await;
    let types: std::collections::BTreeSet<&str> = feed["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["entityType"].as_str().unwrap())
        .collect();
    assert_eq!(
        types.into_iter().collect::<Vec<_>>(),
        [
            "ENTITY_TYPE_EVENT",
            "ENTITY_TYPE_PRODUCT",
            "ENTITY_TYPE_PULL_LIST_LINE"
        ],
        "without filters: the tenant's whole history"
    );

    // The app role can add history, never change or remove it.
    let mut conn = env.app_connection().await;
    let mut tx = conn.begin().await.unwrap();
    tx.execute(format!("select set_config('app.tenant_id', '{}', true)", tenant.id).as_str())
        .await
        .unwrap();
    let err = tx
        .execute("delete from entity_changes")
        .await
        .expect_err("history is insert-only");
    assert_eq!(
        err.as_database_error().unwrap().code().as_deref(),
        Some("42501")
    );
}

#[tokio::test]
async fn erasure_as_the_control_plane_leaves_no_history_behind() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Leaving Co").await;
    let t = env.as_tenant(&tenant);
    let event = t
        .id(
            "PlanningService/CreateEvent",
            json!({"name": "Last gig", "period": period((1, 0), (2, 0))}),
            "event",
        )
        .await;
    let product = t
        .id(
            "InventoryService/CreateProduct",
            json!({"name": "Lamp"}),
            "product",
        )
        .await;
    t.ok(
        "PlanningService/AddPullListLine",
        json!({"eventId": event, "productId": product}),
    )
    .await;
    // As the control plane's erasure does: the tenant's rows in some order, history first.
    let mut conn = sqlx::PgConnection::connect(env.config.database.control.expose())
        .await
        .unwrap();
    let mut tx = conn.begin().await.unwrap();
    tx.execute(format!("select set_config('app.tenant_id', '{}', true)", tenant.id).as_str())
        .await
        .unwrap();
    for table in [
        "entity_changes",
        "outbox",
        "event_lines",
        "events",
        "products",
    ] {
        sqlx::query(&format!("delete from {table} where tenant_id = $1"))
            .bind(tenant.id)
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    let left: i64 = sqlx::query_scalar("select count(*) from entity_changes where tenant_id = $1")
        .bind(tenant.id)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(
        left, 0,
        "deleting as the control plane records no new history"
    );
    tx.commit().await.unwrap();
}
