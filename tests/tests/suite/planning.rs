//! PlanningService end to end over Connect JSON: projects, the event lifecycle (create, get,
//! update by mask, list with filters, soft delete and restore), every status move through the
//! API, pull lists, the outbox rows each change writes, bad input naming its field with nothing
//! written, and another tenant's ids answering `not_found`.

use eventkit_domain::ids::TenantId;
use eventkit_tests::{
    TestEnv,
    client::{at, period},
};
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

async fn outbox_types(pool: &PgPool, tenant: TenantId) -> Vec<String> {
    sqlx::query_scalar("select event_type from outbox where tenant_id = $1 order by id")
        .bind(tenant)
        .fetch_all(pool)
        .await
        .unwrap()
}

async fn row_counts(pool: &PgPool) -> Vec<i64> {
    let mut out = Vec::new();
    for table in ["projects", "events", "event_lines", "sub_rents", "outbox"] {
        out.push(
            sqlx::query_scalar(&format!("select count(*) from {table}"))
                .fetch_one(pool)
                .await
                .unwrap(),
        );
    }
    out
}

fn ids(list: &Value, field: &str) -> Vec<String> {
    list[field]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn an_event_walks_its_lifecycle() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Rental Co").await;
    let t = env.as_tenant(&tenant);
    let project = t
        .id(
            "PlanningService/CreateProject",
            json!({"name": "Summer tour", "clientName": "Band"}),
            "project",
        )
        .await;
    let created = t
        .ok(
            "PlanningService/CreateEvent",
            json!({"name": "Open air", "clientName": "City", "venue": "Park", "projectId": project,
                   "prepTime": at(1, 8), "period": period((2, 8), (5, 18))}),
        )
        .await;
    let event = created["event"]["id"].as_str().unwrap().to_owned();
    assert_eq!(created["event"]["status"], "EVENT_STATUS_ENQUIRY");
    assert_eq!(created["event"]["period"], period((2, 8), (5, 18)));
    assert_eq!(created["event"]["prepTime"], at(1, 8));

    let updated = t
        .ok(
            "PlanningService/UpdateEvent",
            json!({"event": {"id": event, "venue": "Stadium", "name": "ignored"},
                   "updateMask": "venue,period", }),
        )
        .await;
    assert_eq!(updated["event"]["venue"], "Stadium");
    assert_eq!(
        updated["event"]["name"], "Open air",
        "fields outside the mask stay"
    );
    assert!(
        updated["event"].get("period").is_none(),
        "an unset period in the mask clears it (allowed for an enquiry)"
    );
    t.ok(
        "PlanningService/UpdateEvent",
        json!({"event": {"id": event, "period": period((2, 8), (5, 18))}, "updateMask": "period"}),
    )
    .await;
    let got = t.ok("PlanningService/GetEvent", json!({"id": event})).await;
    assert_eq!(got["event"]["period"], period((2, 8), (5, 18)));
    assert_eq!(got["event"]["projectId"], project);
    assert_eq!(got["event"]["venue"], "Stadium");

    // The whole happy path, then nothing after completed.
    for status in [
        "PROVISIONAL",
        "CONFIRMED",
        "PREPPED",
        "OUT",
        "RETURNED",
        "COMPLETED",
    ] {
        let moved = t
            .ok(
                "PlanningService/TransitionEvent",
                json!({"id": event, "status": format!("EVENT_STATUS_{status}")}),
            )
            .await;
        assert_eq!(moved["event"]["status"], format!("EVENT_STATUS_{status}"));
    }
    let refused = t
        .fails(
            "PlanningService/TransitionEvent",
            json!({"id": event, "status": "EVENT_STATUS_ENQUIRY"}),
            "failed_precondition",
        )
        .await;
    assert!(
        refused.body["message"]
            .as_str()
            .unwrap()
            .contains("completed")
    );

    let pool = env.admin_pool().await;
    let types = outbox_types(&pool, tenant.id).await;
    assert_eq!(
        types
            .iter()
            .filter(|t| *t == "event.status_changed")
            .count(),
        6
    );
    assert!(
        types.contains(&"event.created".to_owned())
            && types.contains(&"project.created".to_owned())
    );
    let payload: Value = sqlx::query_scalar(
        "select payload from outbox where event_type = 'event.status_changed' order by id limit 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(payload["from"], "enquiry");
    assert_eq!(payload["to"], "provisional");
}

#[tokio::test]
async fn forbidden_moves_and_missing_dates_are_refused_without_writing() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Rental Co").await;
    let t = env.as_tenant(&tenant);
    let event = t
        .id(
            "PlanningService/CreateEvent",
            json!({"name": "No dates yet"}),
            "event",
        )
        .await;
    let pool = env.admin_pool().await;
    let before = row_counts(&pool).await;
    let reply = t
        .fails(
            "PlanningService/TransitionEvent",
            json!({"id": event, "status": "EVENT_STATUS_CONFIRMED"}),
            "failed_precondition",
        )
        .await;
    assert!(reply.body["message"].as_str().unwrap().contains("period"));
    for status in ["OUT", "RETURNED", "COMPLETED", "PREPPED"] {
        t.fails(
            "PlanningService/TransitionEvent",
            json!({"id": event, "status": format!("EVENT_STATUS_{status}")}),
            "failed_precondition",
        )
        .await;
    }
    assert_eq!(
        row_counts(&pool).await,
        before,
        "refused moves write nothing"
    );

    // Cancel and reopen are allowed without dates.
    t.ok(
        "PlanningService/TransitionEvent",
        json!({"id": event, "status": "EVENT_STATUS_CANCELLED"}),
    )
    .await;
    t.ok(
        "PlanningService/TransitionEvent",
        json!({"id": event, "status": "EVENT_STATUS_ENQUIRY"}),
    )
    .await;

    // A confirmed event keeps its period.
    t.ok(
        "PlanningService/UpdateEvent",
        json!({"event": {"id": event, "period": period((1, 0), (2, 0))}, "updateMask": "period"}),
    )
    .await;
    t.ok(
        "PlanningService/TransitionEvent",
        json!({"id": event, "status": "EVENT_STATUS_CONFIRMED"}),
    )
    .await;
    t.fails(
        "PlanningService/UpdateEvent",
        json!({"event": {"id": event}, "updateMask": "period"}),
        "failed_precondition",
    )
    .await;
}

#[tokio::test]
async fn lists_filter_by_status_project_and_period_and_hide_deleted() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Rental Co").await;
    let t = env.as_tenant(&tenant);
    let project = t
        .id(
            "PlanningService/CreateProject",
            json!({"name": "Tour"}),
            "project",
        )
        .await;
    let early = t
        .id(
            "PlanningService/CreateEvent",
            json!({"name": "Early", "projectId": project, "period": period((1, 0), (3, 0))}),
            "event",
        )
        .await;
    let late = t
        .id(
            "PlanningService/CreateEvent",
            json!({"name": "Late", "period": period((10, 0), (12, 0))}),
            "event",
        )
        .await;
    t.ok(
        "PlanningService/TransitionEvent",
        json!({"id": late, "status": "EVENT_STATUS_CONFIRMED"}),
    )
    .await;

    let tr = &t;
    let list = |body: Value| async move {
        ids(&tr.ok("PlanningService/ListEvents", body).await, "events")
    };
    assert_eq!(list(json!({})).await, [early.clone(), late.clone()]);
    assert_eq!(
        list(json!({"projectId": project})).await,
        vec![early.clone()]
    );
    assert_eq!(
        list(json!({"statuses": ["EVENT_STATUS_CONFIRMED"]})).await,
        vec![late.clone()]
    );
    // Half-open periods: an event back at 3 June 00:00 does not overlap one from that instant.
    assert_eq!(
        list(json!({"period": period((3, 0), (10, 1))})).await,
        vec![late.clone()]
    );
    let page = t
        .ok(
            "PlanningService/ListEvents",
            json!({"page": {"pageSize": 1}}),
        )
        .await;
    assert_eq!(ids(&page, "events"), vec![early.clone()]);
    let token = page["page"]["nextPageToken"].as_str().unwrap();
    assert_eq!(
        list(json!({"page": {"pageSize": 1, "pageToken": token}})).await,
        vec![late.clone()]
    );

    let deleted = t
        .ok("PlanningService/DeleteEvent", json!({"id": early}))
        .await;
    assert!(deleted["event"]["deleteTime"].is_string());
    assert_eq!(list(json!({})).await, vec![late.clone()]);
    assert_eq!(list(json!({"showDeleted": true})).await.len(), 2);
    t.fails(
        "PlanningService/UpdateEvent",
        json!({"event": {"id": early, "name": "x"}, "updateMask": "name"}),
        "failed_precondition",
    )
    .await;
    t.ok("PlanningService/RestoreEvent", json!({"id": early}))
        .await;
    assert_eq!(list(json!({})).await.len(), 2);
    let projects = t.ok("PlanningService/ListProjects", json!({})).await;
    assert_eq!(ids(&projects, "projects"), [project]);
}

#[tokio::test]
async fn pull_lists_hold_products_assets_and_cases() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Rental Co").await;
    let t = env.as_tenant(&tenant);
    let product = t
        .id(
            "InventoryService/CreateProduct",
            json!({"name": "Moving head"}),
            "product",
        )
        .await;
    let asset = t
        .id(
            "InventoryService/CreateAsset",
            json!({"productId": product, "code": "MH-1"}),
            "asset",
        )
        .await;
    let case = t
        .id(
            "InventoryService/CreateCase",
            json!({"code": "C-1", "name": "Case"}),
            "case",
        )
        .await;
    let event = t
        .id(
            "PlanningService/CreateEvent",
            json!({"name": "Gig", "period": period((1, 0), (2, 0))}),
            "event",
        )
        .await;
    let line = t
        .ok(
            "PlanningService/AddPullListLine",
            json!({"eventId": event, "productId": product, "quantity": 4}),
        )
        .await;
    assert_eq!(line["line"]["quantity"], 4);
    assert_eq!(line["line"]["productId"], product);
    let line_id = line["line"]["id"].as_str().unwrap().to_owned();
    let changed = t
        .ok(
            "PlanningService/UpdatePullListLine",
            json!({"line": {"id": line_id, "quantity": 6}, "updateMask": "quantity"}),
        )
        .await;
    assert_eq!(changed["line"]["quantity"], 6);
    let bad = t
        .fails(
            "PlanningService/UpdatePullListLine",
            json!({"line": {"id": line_id, "quantity": 0}, "updateMask": "quantity"}),
            "invalid_argument",
        )
        .await;
    assert_eq!(bad.violated_fields(), ["line.quantity"]);
    t.ok(
        "PlanningService/AddPullListLine",
        json!({"eventId": event, "assetId": asset}),
    )
    .await;
    let case_line = t
        .id(
            "PlanningService/AddPullListLine",
            json!({"eventId": event, "caseId": case}),
            "line",
        )
        .await;
    let dup = t
        .fails(
            "PlanningService/AddPullListLine",
            json!({"eventId": event, "productId": product, "quantity": 1}),
            "already_exists",
        )
        .await;
    assert_eq!(dup.violated_fields(), ["product_id"]);
    let lines = t
        .ok(
            "PlanningService/ListPullListLines",
            json!({"eventId": event}),
        )
        .await;
    assert_eq!(lines["lines"].as_array().unwrap().len(), 3);
    t.ok(
        "PlanningService/RemovePullListLine",
        json!({"id": case_line}),
    )
    .await;
    t.fails(
        "PlanningService/RemovePullListLine",
        json!({"id": case_line}),
        "not_found",
    )
    .await;
    let pool = env.admin_pool().await;
    let types = outbox_types(&pool, tenant.id).await;
    assert_eq!(
        types
            .iter()
            .filter(|t| *t == "pull_list_line.created")
            .count(),
        3
    );
    assert_eq!(
        types
            .iter()
            .filter(|t| *t == "pull_list_line.deleted")
            .count(),
        1
    );

    // Closed events take no more lines.
    t.ok(
        "PlanningService/TransitionEvent",
        json!({"id": event, "status": "EVENT_STATUS_CANCELLED"}),
    )
    .await;
    t.fails(
        "PlanningService/AddPullListLine",
        json!({"eventId": event, "caseId": case}),
        "failed_precondition",
    )
    .await;
}

#[tokio::test]
async fn bad_input_names_each_field_and_writes_nothing() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Rental Co").await;
    let t = env.as_tenant(&tenant);
    let event = t
        .id(
            "PlanningService/CreateEvent",
            json!({"name": "Gig", "period": period((2, 0), (3, 0))}),
            "event",
        )
        .await;
    let pool = env.admin_pool().await;
    let before = row_counts(&pool).await;
    let cases: Vec<(&str, Value, Vec<&str>)> = vec![
        (
            "PlanningService/CreateEvent",
            json!({"name": ""}),
            vec!["name"],
        ),
        (
            "PlanningService/CreateEvent",
            json!({"name": "x", "venue": "v".repeat(501), "projectId": "nope"}),
            vec!["venue", "project_id"],
        ),
        (
            "PlanningService/CreateEvent",
            json!({"name": "x", "period": period((3, 0), (2, 0))}),
            vec!["period.end"],
        ),
        (
            "PlanningService/CreateEvent",
            json!({"name": "x", "period": {"start": at(1, 0)}}),
            vec!["period.end"],
        ),
        (
            "PlanningService/CreateEvent",
            json!({"name": "x", "prepTime": at(5, 0), "period": period((2, 0), (3, 0))}),
            vec!["prep_time"],
        ),
        (
            "PlanningService/UpdateEvent",
            json!({"event": {"id": event, "prepTime": at(9, 0)}, "updateMask": "prepTime"}),
            vec!["event.prep_time"],
        ),
        (
            "PlanningService/UpdateEvent",
            json!({"event": {"id": event}, "updateMask": "status"}),
            vec!["update_mask"],
        ),
        (
            "PlanningService/TransitionEvent",
            json!({"id": event}),
            vec!["status"],
        ),
        (
            "PlanningService/AddPullListLine",
            json!({"eventId": event}),
            vec!["item"],
        ),
        (
            "PlanningService/AddPullListLine",
            json!({"eventId": event, "productId": Uuid::now_v7().to_string(), "quantity": -2}),
            vec!["quantity"],
        ),
        (
            "PlanningService/AddPullListLine",
            json!({"eventId": "x", "assetId": Uuid::now_v7().to_string(), "quantity": 3}),
            vec!["event_id", "quantity"],
        ),
        (
            "PlanningService/CreateSubRent",
            json!({"productId": Uuid::now_v7().to_string(), "quantity": 0}),
            vec!["supplier", "quantity", "period"],
        ),
        (
            "PlanningService/CheckAvailability",
            json!({"productId": Uuid::now_v7().to_string(), "period": period((1, 0), (2, 0))}),
            vec!["quantity"],
        ),
        (
            "PlanningService/ListShortages",
            json!({"period": {"start": "2030-01-01T00:00:00Z", "end": "2032-01-01T00:00:00Z"}}),
            vec!["period"],
        ),
        (
            "PlanningService/ListEvents",
            json!({"statuses": ["EVENT_STATUS_OUT", 42]}),
            vec!["statuses[1]"],
        ),
        (
            "PlanningService/UpdatePlanningSettings",
            json!({"reservingStatuses": ["EVENT_STATUS_OUT"]}),
            vec!["reserving_statuses"],
        ),
    ];
    for (method, body, fields) in cases {
        let reply = t.fails(method, body.clone(), "invalid_argument").await;
        let mut named = reply.violated_fields();
        named.sort();
        let mut want: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
        want.sort();
        assert_eq!(named, want, "{method} {body}");
    }
    assert_eq!(row_counts(&pool).await, before, "bad input writes nothing");
}

#[tokio::test]
async fn another_tenants_ids_are_not_found() {
    let env = TestEnv::start().await;
    let a = env.create_tenant("A").await;
    let b = env.create_tenant("B").await;
    let (ta, tb) = (env.as_tenant(&a), env.as_tenant(&b));
    let product = ta
        .id(
            "InventoryService/CreateProduct",
            json!({"name": "Lamp"}),
            "product",
        )
        .await;
    let asset = ta
        .id(
            "InventoryService/CreateAsset",
            json!({"productId": product, "code": "L-1"}),
            "asset",
        )
        .await;
    let own_event = tb
        .id(
            "PlanningService/CreateEvent",
            json!({"name": "B's gig", "period": period((1, 0), (2, 0))}),
            "event",
        )
        .await;
    for body in [
        json!({"eventId": own_event, "assetId": asset}),
        json!({"eventId": own_event, "productId": product}),
    ] {
        let reply = tb
            .fails("PlanningService/AddPullListLine", body, "not_found")
            .await;
        assert!(!reply.body["message"].as_str().unwrap().contains("Lamp"));
    }
    tb.fails(
        "PlanningService/CheckAvailability",
        json!({"productId": product, "period": period((1, 0), (2, 0)), "quantity": 1}),
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn a_recurrence_rule_makes_a_series_of_events() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Rental Co").await;
    let t = env.as_tenant(&tenant);
    // Wednesday 5 June 2030, 18:00 to 23:00, prepared from 14:00.
    let made = t
        .ok(
            "PlanningService/CreateRecurringEvents",
            json!({"name": "Club night", "venue": "Basement", "prepTime": at(5, 14),
                   "period": period((5, 18), (5, 23)), "rrule": "FREQ=WEEKLY;BYDAY=FR,SA;COUNT=3"}),
        )
        .await;
    let events = made["events"].as_array().unwrap();
    let series = made["seriesId"].as_str().unwrap();
    let starts: Vec<(&str, &str, &str)> = events
        .iter()
        .map(|e| {
            assert_eq!(e["seriesId"], series);
            assert_eq!(e["venue"], "Basement");
            (
                e["prepTime"].as_str().unwrap(),
                e["period"]["start"].as_str().unwrap(),
                e["period"]["end"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        starts,
        [
            (
                "2030-06-07T14:00:00Z",
                "2030-06-07T18:00:00Z",
                "2030-06-07T23:00:00Z"
            ),
            (
                "2030-06-08T14:00:00Z",
                "2030-06-08T18:00:00Z",
                "2030-06-08T23:00:00Z"
            ),
            (
                "2030-06-14T14:00:00Z",
                "2030-06-14T18:00:00Z",
                "2030-06-14T23:00:00Z"
            ),
        ],
        "Fridays and Saturdays from the first start on, same hours and lead"
    );
    t.ok("PlanningService/CreateEvent", json!({"name": "One-off"}))
        .await;
    let listed = t
        .ok("PlanningService/ListEvents", json!({"seriesId": series}))
        .await;
    assert_eq!(
        listed["events"].as_array().unwrap().len(),
        3,
        "only the series"
    );
    let pool = env.admin_pool().await;
    let before = row_counts(&pool).await;
    for (body, field) in [
        (
            json!({"name": "x", "period": period((5, 18), (5, 23)), "rrule": "FREQ=YEARLY;COUNT=2"}),
            "rrule",
        ),
        (
            json!({"name": "x", "period": period((5, 18), (5, 23)), "rrule": "FREQ=DAILY;UNTIL=20400101"}),
            "rrule",
        ),
        (
            json!({"name": "x", "rrule": "FREQ=DAILY;COUNT=2"}),
            "period",
        ),
    ] {
        let reply = t
            .fails(
                "PlanningService/CreateRecurringEvents",
                body,
                "invalid_argument",
            )
            .await;
        assert_eq!(reply.violated_fields(), [field]);
    }
    assert_eq!(
        row_counts(&pool).await,
        before,
        "a refused series writes nothing"
    );
}
