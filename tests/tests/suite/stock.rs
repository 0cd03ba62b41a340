//! Bulk stock and kits through the API: stock levels per location count in availability next to
//! serialised assets, `stock.low` is emitted when usable stock crosses the reorder level, and a
//! kit books (and is available through) its components, one level deep.

use eventkit_tests::{
    TestEnv,
    client::{As, period},
};
use serde_json::{Value, json};

async fn low_events(env: &TestEnv) -> i64 {
    sqlx::query_scalar("select count(*) from outbox where event_type = 'stock.low'")
        .fetch_one(&env.admin_pool().await)
        .await
        .unwrap()
}

async fn location(t: &As<'_>, name: &str) -> String {
    t.id(
        "InventoryService/CreateLocation",
        json!({"name": name, "kind": "LOCATION_KIND_WAREHOUSE"}),
        "location",
    )
    .await
}

async fn product(t: &As<'_>, name: &str, bulk: bool) -> String {
    let mode = if bulk {
        "TRACKING_MODE_BULK"
    } else {
        "TRACKING_MODE_SERIALISED"
    };
    t.id(
        "InventoryService/CreateProduct",
        json!({"name": name, "trackingMode": mode}),
        "product",
    )
    .await
}

async fn set_level(t: &As<'_>, product: &str, location: &str, body: Value) -> Value {
    let mut request = json!({"productId": product, "locationId": location});
    request
        .as_object_mut()
        .unwrap()
        .extend(body.as_object().cloned().unwrap());
    t.ok("InventoryService/SetStockLevel", request).await
}

async fn confirmed_event(t: &As<'_>, name: &str, when: Value) -> String {
    let event = t
        .id(
            "PlanningService/CreateEvent",
            json!({"name": name, "period": when}),
            "event",
        )
        .await;
    t.ok(
        "PlanningService/TransitionEvent",
        json!({"id": event, "status": "EVENT_STATUS_CONFIRMED"}),
    )
    .await;
    event
}

fn num(v: &Value, field: &str) -> i64 {
    v[field].as_i64().unwrap_or(0)
}

#[tokio::test]
async fn bulk_stock_counts_per_location_and_warns_when_low() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Rental Co").await;
    let t = env.as_tenant(&tenant);
    let north = location(&t, "North").await;
    let south = location(&t, "South").await;
    let cable = product(&t, "Cable 10m", true).await;
    let level = set_level(
        &t,
        &cable,
        &north,
        json!({"quantity": 100, "inRepairQuantity": 5}),
    )
    .await;
    assert_eq!(level["stockLevel"]["quantity"], 100);
    set_level(&t, &cable, &south, json!({"quantity": 50})).await;

    let check = |quantity: i64, location: &str| {
        let body = json!({"productId": cable, "period": period((1, 0), (2, 0)),
                          "quantity": quantity, "locationId": location});
        let t = &t;
        async move { t.ok("PlanningService/CheckAvailability", body).await }
    };
    let all = check(140, "").await;
    assert_eq!(
        (num(&all, "ownedQuantity"), num(&all, "inRepairQuantity")),
        (150, 5)
    );
    assert_eq!(num(&all, "availableQuantity"), 145, "{all}");
    assert_eq!(num(&check(1, &north).await, "ownedQuantity"), 100);

    let gig = confirmed_event(&t, "Gig", period((1, 0), (3, 0))).await;
    t.ok(
        "PlanningService/AddPullListLine",
        json!({"eventId": gig, "productId": cable, "quantity": 120}),
    )
    .await;
    let short = check(30, "").await;
    assert_eq!(num(&short, "shortQuantity"), 5, "{short}");

    let listed = t
        .ok(
            "InventoryService/ListStockLevels",
            json!({"productId": cable, "locationId": south}),
        )
        .await;
    assert_eq!(listed["stockLevels"].as_array().unwrap().len(), 1);

    // stock.low fires when usable stock crosses the reorder level, not again while it stays low.
    let events: Vec<String> = sqlx::query_scalar(
        "select event_type from outbox where event_type like 'stock_level.%' order by id",
    )
    .fetch_all(&env.admin_pool().await)
    .await
    .unwrap();
    assert_eq!(events, ["stock_level.created", "stock_level.created"]);
    assert_eq!(low_events(&env).await, 0);
    for (quantity, expected) in [(12, 0), (10, 1), (9, 1), (50, 1), (5, 2)] {
        set_level(
            &t,
            &cable,
            &south,
            json!({"quantity": quantity, "reorderLevel": 10}),
        )
        .await;
        assert_eq!(low_events(&env).await, expected, "after setting {quantity}");
    }

    let lamp = product(&t, "Lamp", false).await;
    t.fails(
        "InventoryService/SetStockLevel",
        json!({"productId": lamp, "locationId": north, "quantity": 1}),
        "failed_precondition",
    )
    .await;
    let bad = t
        .fails(
            "InventoryService/SetStockLevel",
            json!({"productId": cable, "locationId": north, "quantity": 2, "inRepairQuantity": 3, "reorderLevel": -1}),
            "invalid_argument",
        )
        .await;
    let mut fields = bad.violated_fields();
    fields.sort();
    assert_eq!(fields, ["in_repair_quantity", "reorder_level"]);
}

#[tokio::test]
async fn a_kit_books_and_is_available_through_its_components() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Rental Co").await;
    let t = env.as_tenant(&tenant);
    let store = location(&t, "Store").await;
    let head = product(&t, "Moving head", false).await;
    for n in 0..4 {
        t.ok(
            "InventoryService/CreateAsset",
            json!({"productId": head, "code": format!("MH-{n}")}),
        )
        .await;
    }
    let clamp = product(&t, "Clamp", true).await;
    set_level(&t, &clamp, &store, json!({"quantity": 10})).await;
    let kit = product(&t, "Two-head kit", false).await;
    let set = t
        .ok(
            "InventoryService/SetKitComponents",
            json!({"productId": kit, "components": [
                {"productId": head, "quantity": 2}, {"productId": clamp, "quantity": 4}]}),
        )
        .await;
    assert_eq!(set["kit"]["components"].as_array().unwrap().len(), 2);
    let got = t
        .ok("InventoryService/GetKit", json!({"productId": kit}))
        .await;
    assert_eq!(got["kit"], set["kit"]);

    let when = period((1, 0), (2, 0));
    let check = |product: &str, quantity: i64| {
        let body = json!({"productId": product, "period": when, "quantity": quantity});
        let t = &t;
        async move { t.ok("PlanningService/CheckAvailability", body).await }
    };
    let two = check(&kit, 2).await;
    assert!(two["available"].as_bool().unwrap_or(false), "{two}");
    assert_eq!(num(&two, "availableQuantity"), 2, "heads allow two kits");
    let three = check(&kit, 3).await;
    assert!(three.get("available").is_none(), "{three}");
    assert_eq!(num(&three, "shortQuantity"), 1);
    let components = three["components"].as_array().unwrap();
    let head_part = components
        .iter()
        .find(|c| c["productId"] == head.as_str())
        .unwrap();
    assert_eq!(num(head_part, "shortQuantity"), 2, "{three}");

    // Booking one kit reserves two heads and four clamps; the kit product itself is never short.
    let gig = confirmed_event(&t, "Gig", when.clone()).await;
    t.ok(
        "PlanningService/AddPullListLine",
        json!({"eventId": gig, "productId": kit, "quantity": 1}),
    )
    .await;
    let heads = check(&head, 3).await;
    assert_eq!(num(&heads, "reservedQuantity"), 2, "{heads}");
    assert_eq!(num(&heads, "shortQuantity"), 1);
    assert_eq!(heads["bookings"][0]["eventId"], gig);
    let other = confirmed_event(&t, "Other", when.clone()).await;
    t.ok(
        "PlanningService/AddPullListLine",
        json!({"eventId": other, "productId": kit, "quantity": 2}),
    )
    .await;
    let shortages = t
        .ok(
            "PlanningService/ListShortages",
            json!({"period": period((1, 0), (30, 0))}),
        )
        .await;
    let short: Vec<&str> = shortages["shortages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["productName"].as_str().unwrap())
        .collect();
    assert_eq!(
        short,
        ["Moving head", "Clamp"],
        "the kit product itself is never short: {shortages}"
    );

    // Kits are one level deep, and never contain themselves.
    let big = product(&t, "Big kit", false).await;
    t.fails(
        "InventoryService/SetKitComponents",
        json!({"productId": big, "components": [{"productId": kit, "quantity": 1}]}),
        "failed_precondition",
    )
    .await;
    let own = t
        .fails(
            "InventoryService/SetKitComponents",
            json!({"productId": kit, "components": [{"productId": kit, "quantity": 1}]}),
            "invalid_argument",
        )
        .await;
    assert_eq!(own.violated_fields(), ["components[0].product_id"]);
}

/// A consumable goes out on an event and what does not come back is used up when the event is
/// marked returned: counted on the line (not "missing"), taken off stock (most-stocked location
/// first), `stock.low` where a level falls to its reorder level, and named in
/// `event.status_changed`. A bulk product that is not a consumable stays missing. Only bulk
/// products can be consumables.
#[tokio::test]
async fn consumables_not_returned_are_used_up_and_taken_off_stock() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Rental Co").await;
    let t = env.as_tenant(&tenant);
    let north = location(&t, "North").await;
    let south = location(&t, "South").await;
    let tape = t
        .id(
            "InventoryService/CreateProduct",
            json!({"name": "Gaffer tape", "sku": "TAPE-50", "trackingMode": "TRACKING_MODE_BULK", "consumable": true}),
            "product",
        )
        .await;
    let cable = t
        .id(
            "InventoryService/CreateProduct",
            json!({"name": "Cable 5m", "sku": "CAB-5", "trackingMode": "TRACKING_MODE_BULK"}),
            "product",
        )
        .await;
    set_level(
        &t,
        &tape,
        &north,
        json!({"quantity": 15, "reorderLevel": 8}),
    )
    .await;
    set_level(&t, &tape, &south, json!({"quantity": 5})).await;
    set_level(&t, &cable, &north, json!({"quantity": 10})).await;

    let gig = confirmed_event(&t, "Gig", period((1, 0), (2, 0))).await;
    for (product, quantity) in [(&tape, 12), (&cable, 4)] {
        t.ok(
            "PlanningService/AddPullListLine",
            json!({"eventId": gig, "productId": product, "quantity": quantity}),
        )
        .await;
    }
    let scan = |method: &str, id: &str, code: &str, quantity: i64| {
        let body = json!({"clientScanId": id, "eventId": gig, "code": code, "quantity": quantity});
        let (t, method) = (&t, format!("ScanningService/{method}"));
        async move {
            let reply = t.ok(&method, body).await;
            assert_eq!(reply["result"]["outcome"], "SCAN_OUTCOME_DONE", "{reply}");
        }
    };
    scan("CheckOut", "o1", "TAPE-50", 12).await;
    scan("CheckOut", "o2", "CAB-5", 4).await;
    for status in ["EVENT_STATUS_PREPPED", "EVENT_STATUS_OUT"] {
        t.ok(
            "PlanningService/TransitionEvent",
            json!({"id": gig, "status": status}),
        )
        .await;
    }
    scan("CheckIn", "i1", "TAPE-50", 3).await;
    scan("CheckIn", "i2", "CAB-5", 3).await;
    let lows_before = low_events(&env).await;
    t.ok(
        "PlanningService/TransitionEvent",
        json!({"id": gig, "status": "EVENT_STATUS_RETURNED"}),
    )
    .await;

    let progress = t
        .ok("ScanningService/GetEventProgress", json!({"eventId": gig}))
        .await;
    let line = |product: &str| {
        progress["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["productId"] == product)
            .cloned()
            .unwrap()
    };
    let (tape_line, cable_line) = (line(&tape), line(&cable));
    assert_eq!(num(&tape_line, "consumedQuantity"), 9, "{tape_line}");
    assert_eq!(num(&tape_line, "missingQuantity"), 0, "{tape_line}");
    assert_eq!(num(&cable_line, "consumedQuantity"), 0, "{cable_line}");
    assert_eq!(
        num(&cable_line, "missingQuantity"),
        1,
        "not a consumable: still missing"
    );

    let levels = t
        .ok(
            "InventoryService/ListStockLevels",
            json!({"productId": tape}),
        )
        .await;
    let quantity_at = |location: &str| {
        levels["stockLevels"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["locationId"] == location)
            .map(|l| num(l, "quantity"))
            .unwrap()
    };
    assert_eq!(
        (quantity_at(&north), quantity_at(&south)),
        (6, 5),
        "9 used, taken from North (the most stocked)"
    );
    assert_eq!(
        low_events(&env).await,
        lows_before + 1,
        "North fell from 15 to 6, below its reorder level of 8"
    );
    let changed: Value = sqlx::query_scalar(
        "select payload from outbox where event_type = 'event.status_changed' \
         and payload->>'to' = 'returned' and subject_id = $1::uuid",
    )
    .bind(&gig)
    .fetch_one(&env.admin_pool().await)
    .await
    .unwrap();
    assert_eq!(
        changed["consumed"],
        json!([{"productId": tape, "quantity": 9}]),
        "{changed}"
    );

    // Only bulk products are consumables; nothing is written otherwise.
    let refused = t
        .fails(
            "InventoryService/CreateProduct",
            json!({"name": "Lamp", "consumable": true}),
            "invalid_argument",
        )
        .await;
    assert_eq!(refused.violated_fields(), ["consumable"]);
    let refused = t
        .fails(
            "InventoryService/UpdateProduct",
            json!({"product": {"id": tape, "trackingMode": "TRACKING_MODE_SERIALISED"},
                   "updateMask": "trackingMode"}),
            "invalid_argument",
        )
        .await;
    assert_eq!(refused.violated_fields(), ["product.tracking_mode"]);
    let still = t
        .ok("InventoryService/GetProduct", json!({"id": tape}))
        .await;
    assert_eq!(still["product"]["trackingMode"], "TRACKING_MODE_BULK");
    assert_eq!(still["product"]["consumable"], true);
    let lamps: i64 = sqlx::query_scalar("select count(*) from products where name = 'Lamp'")
        .fetch_one(&env.admin_pool().await)
        .await
        .unwrap();
    assert_eq!(lamps, 0);
}
