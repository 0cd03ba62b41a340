//! The "done when", as one story through the API: a planner plans an event, finds the
//! shortage, sub-rents to cover it, packs a case; a warehouse worker scans it out, scans part of
//! it back, and both see what is still missing.

use eventkit_tests::{TestEnv, client::period};
use serde_json::{Value, json};

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|x| x.as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_planner_and_a_warehouse_worker_run_a_whole_event() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Rental Co").await;
    let t = env.as_tenant(&tenant);
    // Stock: three moving heads (one packed in a case) and 40 cables.
    let store = t
        .id(
            "InventoryService/CreateLocation",
            json!({"name": "Store", "kind": "LOCATION_KIND_WAREHOUSE"}),
            "location",
        )
        .await;
    let head = t
        .id(
            "InventoryService/CreateProduct",
            json!({"name": "Moving head"}),
            "product",
        )
        .await;
    let mut heads = Vec::new();
    for n in 1..=3 {
        heads.push(
            t.id(
                "InventoryService/CreateAsset",
                json!({"productId": head, "code": format!("MH-{n}"), "locationId": store}),
                "asset",
            )
            .await,
        );
    }
    let cable = t
        .id(
            "InventoryService/CreateProduct",
            json!({"name": "Cable", "sku": "CAB", "trackingMode": "TRACKING_MODE_BULK"}),
            "product",
        )
        .await;
    t.ok(
        "InventoryService/SetStockLevel",
        json!({"productId": cable, "locationId": store, "quantity": 40}),
    )
    .await;

    // Plan: a festival wants four heads and 30 cables; another job already holds one head.
    let when = period((10, 8), (13, 18));
    let job = |name: &'static str, heads: i32| {
        let (t, when, head) = (&t, when.clone(), head.clone());
        async move {
            let id = t
                .id(
                    "PlanningService/CreateEvent",
                    json!({"name": name, "period": when}),
                    "event",
                )
                .await;
            t.ok(
                "PlanningService/AddPullListLine",
                json!({"eventId": id, "productId": head, "quantity": heads}),
            )
            .await;
            t.ok(
                "PlanningService/TransitionEvent",
                json!({"id": id, "status": "EVENT_STATUS_CONFIRMED"}),
            )
            .await;
            id
        }
    };
    job("Corporate", 1).await;
    let festival = job("Festival", 4).await;
    t.ok(
        "PlanningService/AddPullListLine",
        json!({"eventId": festival, "productId": cable, "quantity": 30}),
    )
    .await;

    // Find the shortage: five heads booked, three owned.
    let month = json!({"period": period((1, 0), (30, 0))});
    let found = t.ok("PlanningService/ListShortages", month.clone()).await;
    let shortage = &found["shortages"][0];
    assert_eq!(shortage["productName"], "Moving head");
    assert_eq!(shortage["shortQuantity"], 2, "{found}");
    let check = t
        .ok(
            "PlanningService/CheckAvailability",
            json!({"productId": head, "period": when, "quantity": 1}),
        )
        .await;
    assert_eq!(
        check["shortQuantity"], 3,
        "one more needs the two already over-booked as well: {check}"
    );
    assert_eq!(check["bookings"].as_array().unwrap().len(), 2);

    // Sub-rent two heads for the festival's dates: no shortage left.
    t.ok(
        "PlanningService/CreateSubRent",
        json!({"productId": head, "supplier": "Hire Co", "quantity": 2, "period": when,
               "cost": {"amountMinor": "24000", "currency": "EUR"}}),
    )
    .await;
    let covered = t.ok("PlanningService/ListShortages", month).await;
    assert!(covered.get("shortages").is_none(), "{covered}");

    // Pack a temporary case with one head, put it on the festival's pull list, prep the festival.
    let case = t
        .id(
            "InventoryService/CreateCase",
            json!({"code": "FC-1", "name": "Flight case", "kind": "CASE_KIND_TEMPORARY"}),
            "case",
        )
        .await;
    t.ok(
        "InventoryService/AddAssetToCase",
        json!({"caseId": case, "assetId": heads[2]}),
    )
    .await;
    t.ok(
        "PlanningService/AddPullListLine",
        json!({"eventId": festival, "caseId": case}),
    )
    .await;
    t.ok(
        "PlanningService/TransitionEvent",
        json!({"id": festival, "status": "EVENT_STATUS_PREPPED"}),
    )
    .await;

    // Scan out: two loose heads, the case, 30 cables; the other job's head is not ours.
    let scan = |method: &'static str, id: &'static str, code: &'static str, extra: Value| {
        let (t, festival) = (&t, festival.clone());
        async move {
            let mut body = json!({"clientScanId": id, "eventId": festival, "code": code});
            body.as_object_mut()
                .unwrap()
                .extend(extra.as_object().cloned().unwrap());
            let reply = t.ok(&format!("ScanningService/{method}"), body).await;
            reply["result"]["outcome"]
                .as_str()
                .unwrap()
                .trim_start_matches("SCAN_OUTCOME_")
                .to_owned()
        }
    };
    assert_eq!(scan("CheckOut", "o1", "MH-1", json!({})).await, "DONE");
    assert_eq!(scan("CheckOut", "o2", "MH-2", json!({})).await, "DONE");
    assert_eq!(scan("CheckOut", "o3", "FC-1", json!({})).await, "DONE");
    assert_eq!(
        scan("CheckOut", "o4", "CAB", json!({"quantity": 30})).await,
        "DONE"
    );
    t.ok(
        "PlanningService/TransitionEvent",
        json!({"id": festival, "status": "EVENT_STATUS_OUT"}),
    )
    .await;

    // Back, partly: one head, the case, 25 cables (one head and 5 cables are missing).
    assert_eq!(scan("CheckIn", "i1", "MH-1", json!({})).await, "DONE");
    assert_eq!(scan("CheckIn", "i2", "FC-1", json!({})).await, "DONE");
    let unpacked = t.ok("InventoryService/GetCase", json!({"id": case})).await;
    assert!(
        unpacked["case"].get("assetIds").is_none(),
        "a temporary case is emptied when it comes back: {unpacked}"
    );
    assert_eq!(
        scan("CheckIn", "i3", "CAB", json!({"quantity": 25})).await,
        "DONE"
    );
    // The scanner was offline: its whole queue arrives again and changes nothing.
    assert_eq!(
        scan("CheckIn", "i3", "CAB", json!({"quantity": 25})).await,
        "DONE"
    );
    let progress = t
        .ok(
            "ScanningService/GetEventProgress",
            json!({"eventId": festival}),
        )
        .await;
    assert_eq!(ids(&progress["missingAssetIds"]), [heads[1].clone()]);
    let cables = progress["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["productId"] == cable.as_str())
        .unwrap();
    assert_eq!(cables["missingQuantity"], 5, "{progress}");
    t.ok(
        "PlanningService/TransitionEvent",
        json!({"id": festival, "status": "EVENT_STATUS_RETURNED"}),
    )
    .await;
    t.fails(
        "PlanningService/DeleteEvent",
        json!({"id": festival}),
        "failed_precondition",
    )
    .await;
}
