//! ScanningService end to end: a warehouse worker checks an event's pull list out (assets, a
//! case with its contents, bulk units), gets an exact answer for every scan that cannot count,
//! checks part of it back in (damage goes to repair), sees what is missing, and replays an
//! offline queue without anything counting twice.

use eventkit_tests::{
    TestEnv,
    client::{As, period},
};
use serde_json::{Value, json};
use sqlx::PgPool;

struct Warehouse<'a> {
    t: As<'a>,
    event: String,
}

impl Warehouse<'_> {
    async fn scan(&self, method: &str, id: &str, code: &str, extra: Value) -> Value {
        let mut body = json!({"clientScanId": id, "eventId": self.event, "code": code});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().cloned().unwrap_or_default());
        self.t.ok(&format!("ScanningService/{method}"), body).await["result"].clone()
    }

    async fn out(&self, id: &str, code: &str, extra: Value) -> Value {
        self.scan("CheckOut", id, code, extra).await
    }

    async fn back(&self, id: &str, code: &str, extra: Value) -> Value {
        self.scan("CheckIn", id, code, extra).await
    }

    async fn progress(&self) -> Value {
        self.t
            .ok(
                "ScanningService/GetEventProgress",
                json!({"eventId": self.event}),
            )
            .await
    }
}

fn outcome(result: &Value) -> String {
    result["outcome"]
        .as_str()
        .unwrap_or_default()
        .trim_start_matches("SCAN_OUTCOME_")
        .to_owned()
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

/// Rows that a counted scan writes: scans, assets out, status log, bulk units, outbox.
async fn footprint(pool: &PgPool) -> Vec<i64> {
    vec![
        count(pool, "select count(*) from scans").await,
        count(
            pool,
            "select count(*) from event_assets where returned_at is null",
        )
        .await,
        count(pool, "select count(*) from asset_status_log").await,
        count(
            pool,
            "select coalesce(sum(out_quantity + returned_quantity), 0)::bigint from event_lines",
        )
        .await,
        count(pool, "select count(*) from outbox").await,
    ]
}

fn by_item<'v>(progress: &'v Value, field: &str, id: &str) -> &'v Value {
    progress["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l[field] == id)
        .unwrap_or_else(|| panic!("no line for {id} in {progress}"))
}

fn num(v: &Value, field: &str) -> i64 {
    v[field].as_i64().unwrap_or(0)
}

#[tokio::test]
async fn a_whole_event_goes_out_and_partly_comes_back() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Rental Co").await;
    let t = env.as_tenant(&tenant);
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
                json!({"productId": head, "code": format!("H{n}")}),
                "asset",
            )
            .await,
        );
    }
    let case = t
        .id(
            "InventoryService/CreateCase",
            json!({"code": "CASE-1", "name": "Head case"}),
            "case",
        )
        .await;
    t.ok(
        "InventoryService/AddAssetToCase",
        json!({"caseId": case, "assetId": heads[2]}),
    )
    .await;
    let cable = t
        .id(
            "InventoryService/CreateProduct",
            json!({"name": "Cable", "sku": "CAB-10", "trackingMode": "TRACKING_MODE_BULK"}),
            "product",
        )
        .await;
    let store = t
        .id(
            "InventoryService/CreateLocation",
            json!({"name": "Store", "kind": "LOCATION_KIND_WAREHOUSE"}),
            "location",
        )
        .await;
    t.ok(
        "InventoryService/SetStockLevel",
        json!({"productId": cable, "locationId": store, "quantity": 20}),
    )
    .await;

    let event = t.confirmed_event("Festival", period((1, 0), (5, 0))).await;
    for line in [
        json!({"productId": head, "quantity": 1}),
        json!({"caseId": case}),
        json!({"productId": cable, "quantity": 10}),
    ] {
        let mut body = line;
        body["eventId"] = json!(event);
        t.ok("PlanningService/AddPullListLine", body).await;
    }
    let rival = t.confirmed_event("Rival", period((3, 0), (8, 0))).await;
    t.ok(
        "PlanningService/AddPullListLine",
        json!({"eventId": rival, "assetId": heads[1]}),
    )
    .await;

    let w = Warehouse {
        t: env.as_tenant(&tenant),
        event: event.clone(),
    };
    let pool = env.admin_pool().await;

    // Out.
    let first = w.out("s1", "H1", json!({})).await;
    assert_eq!(outcome(&first), "DONE", "{first}");
    assert_eq!(first["assetIds"], json!([heads[0]]));
    assert_eq!(outcome(&w.out("s2", "H1", json!({})).await), "ALREADY_OUT");
    let rival_scan = w.out("s3", "H2", json!({})).await;
    assert_eq!(outcome(&rival_scan), "OTHER_EVENT", "{rival_scan}");
    assert_eq!(rival_scan["otherEventId"], rival);
    assert_eq!(
        outcome(&w.out("s4", "NOPE-1", json!({})).await),
        "UNKNOWN_CODE"
    );
    let packed = w.out("s5", "CASE-1", json!({})).await;
    assert_eq!(outcome(&packed), "DONE", "{packed}");
    assert_eq!(packed["assetIds"], json!([heads[2]]));
    assert_eq!(
        num(
            &w.out("s6", "CAB-10", json!({"quantity": 6})).await,
            "quantity"
        ),
        6
    );
    assert_eq!(
        outcome(&w.out("s7", "CAB-10", json!({"quantity": 5})).await),
        "TOO_MANY"
    );
    assert_eq!(
        outcome(&w.out("s8", "CAB-10", json!({"quantity": 4})).await),
        "DONE"
    );
    assert_eq!(
        outcome(&w.out("s9", "CAB-10", json!({})).await),
        "ALREADY_OUT"
    );
    let cable_line = w.progress().await["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["productId"] == cable.as_str())
        .unwrap()["lineId"]
        .clone();
    t.fails(
        "PlanningService/UpdatePullListLine",
        json!({"line": {"id": cable_line, "quantity": 8}, "updateMask": "quantity"}),
        "failed_precondition",
    )
    .await;
    let asset = t
        .ok("InventoryService/GetAsset", json!({"id": heads[0]}))
        .await;
    assert_eq!(asset["asset"]["status"], "ASSET_STATUS_CHECKED_OUT");

    // The offline queue is replayed: same answers, nothing counted again.
    let before = footprint(&pool).await;
    let again = w.out("s1", "H1", json!({})).await;
    assert_eq!(again["replayed"], true);
    assert_eq!(outcome(&again), "DONE");
    assert_eq!(again["assetIds"], first["assetIds"]);
    assert_eq!(
        num(
            &w.out("s6", "CAB-10", json!({"quantity": 6})).await,
            "quantity"
        ),
        6
    );
    assert_eq!(footprint(&pool).await, before, "a replay writes nothing");
    let reused =
        w.t.fails(
            "ScanningService/CheckOut",
            json!({"clientScanId": "s1", "eventId": event, "code": "H2"}),
            "invalid_argument",
        )
        .await;
    assert_eq!(reused.violated_fields(), ["client_scan_id"]);

    let out = w.progress().await;
    assert_eq!(num(by_item(&out, "productId", &cable), "outQuantity"), 10);
    assert_eq!(num(by_item(&out, "productId", &head), "outQuantity"), 1);
    assert_eq!(num(by_item(&out, "caseId", &case), "missingQuantity"), 1);
    assert_eq!(out["missingAssetIds"].as_array().unwrap().len(), 2);

    // Back, partly; one head damaged.
    assert_eq!(outcome(&w.back("b1", "H1", json!({})).await), "DONE");
    // H1's place on the head line is free again: a replacement may go out.
    assert_eq!(outcome(&w.out("r1", "H1", json!({})).await), "DONE");
    assert_eq!(outcome(&w.back("r2", "H1", json!({})).await), "DONE");
    let damaged = w
        .back("b2", "H3", json!({"damaged": true, "note": "lens cracked"}))
        .await;
    assert_eq!(outcome(&damaged), "DONE", "{damaged}");
    assert_eq!(
        outcome(&w.back("b3", "CAB-10", json!({"quantity": 7})).await),
        "DONE"
    );
    assert_eq!(
        outcome(&w.back("b4", "CAB-10", json!({"quantity": 4})).await),
        "TOO_MANY"
    );
    assert_eq!(
        outcome(&w.back("b5", "H1", json!({})).await),
        "ALREADY_RETURNED"
    );
    assert_eq!(outcome(&w.back("b6", "H2", json!({})).await), "NOT_OUT");
    let before = footprint(&pool).await;
    for (id, code, extra) in [
        ("b1", "H1", json!({})),
        ("b2", "H3", json!({"damaged": true, "note": "lens cracked"})),
        ("b3", "CAB-10", json!({"quantity": 7})),
    ] {
        let replay = w.back(id, code, extra).await;
        assert_eq!(
            (outcome(&replay).as_str(), replay["replayed"].as_bool()),
            ("DONE", Some(true))
        );
    }
    assert_eq!(
        footprint(&pool).await,
        before,
        "a replayed queue counts nothing twice"
    );

    let after = w.progress().await;
    let cables = by_item(&after, "productId", &cable);
    assert_eq!(
        (
            num(cables, "returnedQuantity"),
            num(cables, "missingQuantity")
        ),
        (7, 3)
    );
    assert!(after.get("missingAssetIds").is_none(), "{after}");
    let still_packed = t.ok("InventoryService/GetCase", json!({"id": case})).await;
    assert_eq!(
        still_packed["case"]["assetIds"],
        json!([heads[2]]),
        "a permanent case stays packed"
    );
    let repaired = t
        .ok("InventoryService/GetAsset", json!({"id": heads[2]}))
        .await;
    assert_eq!(repaired["asset"]["status"], "ASSET_STATUS_IN_REPAIR");
    let log = t
        .ok(
            "ScanningService/ListAssetStatusLog",
            json!({"assetId": heads[2]}),
        )
        .await;
    let reasons: Vec<(&str, &str)> = log["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["toStatus"].as_str().unwrap(),
                c["reason"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        reasons,
        [
            ("ASSET_STATUS_CHECKED_OUT", "check_out"),
            ("ASSET_STATUS_IN_REPAIR", "damaged")
        ]
    );
    let note: String =
        sqlx::query_scalar("select note from asset_status_log where reason = 'damaged'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(note, "lens cracked");
    assert_eq!(
        count(
            &pool,
            "select count(*) from outbox where event_type = 'asset.status_changed'"
        )
        .await,
        6,
        "H1 out, H3 out in its case, H1 in, out again, in again, H3 damaged"
    );

    // The damaged head has a maintenance record from the event; closing it makes it available.
    let open = t
        .ok(
            "InventoryService/ListMaintenanceRecords",
            json!({"assetId": heads[2], "openOnly": true}),
        )
        .await;
    let record = &open["records"][0];
    assert_eq!(
        (record["note"].as_str(), record["eventId"].as_str()),
        (Some("lens cracked"), Some(event.as_str()))
    );
    t.ok(
        "InventoryService/CloseMaintenanceRecord",
        json!({"id": record["id"], "note": "new lens"}),
    )
    .await;
    let fixed = t
        .ok("InventoryService/GetAsset", json!({"id": heads[2]}))
        .await;
    assert_eq!(fixed["asset"]["status"], "ASSET_STATUS_AVAILABLE");
    t.fails(
        "InventoryService/CloseMaintenanceRecord",
        json!({"id": record["id"]}),
        "failed_precondition",
    )
    .await;
    // By hand: only an available asset goes to repair, once.
    t.ok(
        "InventoryService/OpenMaintenanceRecord",
        json!({"assetId": heads[0], "note": "check the fan"}),
    )
    .await;
    t.fails(
        "InventoryService/OpenMaintenanceRecord",
        json!({"assetId": heads[0]}),
        "failed_precondition",
    )
    .await;
}

#[tokio::test]
async fn scans_need_a_live_event_that_can_go_out_and_see_only_their_tenant() {
    let env = TestEnv::start().await;
    let a = env.create_tenant("A").await;
    let b = env.create_tenant("B").await;
    let ta = env.as_tenant(&a);
    let tb = env.as_tenant(&b);
    let product = ta
        .id(
            "InventoryService/CreateProduct",
            json!({"name": "Lamp"}),
            "product",
        )
        .await;
    ta.ok(
        "InventoryService/CreateAsset",
        json!({"productId": product, "code": "A-LAMP"}),
    )
    .await;
    let enquiry = tb
        .id(
            "PlanningService/CreateEvent",
            json!({"name": "Maybe", "period": period((1, 0), (2, 0))}),
            "event",
        )
        .await;
    let scan = json!({"clientScanId": "x1", "eventId": enquiry, "code": "A-LAMP"});
    tb.fails(
        "ScanningService/CheckOut",
        scan.clone(),
        "failed_precondition",
    )
    .await;
    tb.ok(
        "PlanningService/TransitionEvent",
        json!({"id": enquiry, "status": "EVENT_STATUS_CONFIRMED"}),
    )
    .await;
    let result = tb.ok("ScanningService/CheckOut", scan).await;
    assert_eq!(
        result["result"]["outcome"], "SCAN_OUTCOME_UNKNOWN_CODE",
        "another tenant's codes are unknown: {result}"
    );
    let bad = tb
        .fails(
            "ScanningService/CheckIn",
            json!({"clientScanId": "", "eventId": "nope", "code": "", "quantity": -1}),
            "invalid_argument",
        )
        .await;
    let mut fields = bad.violated_fields();
    fields.sort();
    assert_eq!(fields, ["client_scan_id", "code", "event_id", "quantity"]);
}

#[tokio::test]
async fn the_same_scan_sent_many_times_at_once_counts_once() {
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
    t.ok(
        "InventoryService/CreateAsset",
        json!({"productId": product, "code": "L-1"}),
    )
    .await;
    let event = t
        .id(
            "PlanningService/CreateEvent",
            json!({"name": "Gig", "period": period((1, 0), (2, 0))}),
            "event",
        )
        .await;
    t.ok(
        "PlanningService/TransitionEvent",
        json!({"id": event, "status": "EVENT_STATUS_CONFIRMED"}),
    )
    .await;
    t.ok(
        "PlanningService/AddPullListLine",
        json!({"eventId": event, "productId": product}),
    )
    .await;
    let w = Warehouse {
        t: env.as_tenant(&tenant),
        event,
    };
    let answers = futures::future::join_all((0..8).map(|_| w.out("same", "L-1", json!({})))).await;
    assert!(answers.iter().all(|a| outcome(a) == "DONE"), "{answers:?}");
    let first = answers
        .iter()
        .filter(|a| a.get("replayed").is_none())
        .count();
    assert_eq!(first, 1, "exactly one scan counted: {answers:?}");
    let pool = env.admin_pool().await;
    assert_eq!(count(&pool, "select count(*) from scans").await, 1);
    assert_eq!(count(&pool, "select count(*) from event_assets").await, 1);
}

#[tokio::test]
async fn a_stocktake_finds_what_is_missing_and_what_is_out_of_place() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Rental Co").await;
    let t = env.as_tenant(&tenant);
    let location = |name: &'static str, kind: &'static str, parent: Option<String>| {
        let t = &t;
        async move {
            t.id(
                "InventoryService/CreateLocation",
                json!({"name": name, "kind": kind, "parentId": parent.unwrap_or_default()}),
                "location",
            )
            .await
        }
    };
    let north = location("North", "LOCATION_KIND_WAREHOUSE", None).await;
    let rack = location("Rack", "LOCATION_KIND_ZONE", Some(north.clone())).await;
    let south = location("South", "LOCATION_KIND_WAREHOUSE", None).await;
    let product = t
        .id(
            "InventoryService/CreateProduct",
            json!({"name": "Lamp"}),
            "product",
        )
        .await;
    let mut assets = Vec::new();
    for (code, place, status) in [
        ("L-1", &rack, "ASSET_STATUS_AVAILABLE"),
        ("L-2", &north, "ASSET_STATUS_AVAILABLE"),
        ("L-3", &rack, "ASSET_STATUS_LOST"),
        ("L-4", &south, "ASSET_STATUS_AVAILABLE"),
    ] {
        assets.push(
            t.id(
                "InventoryService/CreateAsset",
                json!({"productId": product, "code": code, "locationId": place, "status": status}),
                "asset",
            )
            .await,
        );
    }
    let started = t
        .ok(
            "ScanningService/StartStocktake",
            json!({"locationId": north}),
        )
        .await;
    assert_eq!(started["stocktake"]["expectedCount"], 2, "{started}");
    let stocktake = started["stocktake"]["id"].as_str().unwrap().to_owned();
    let scan = |id: &'static str, code: &'static str| {
        let (t, stocktake) = (&t, stocktake.clone());
        async move {
            t.ok(
                "ScanningService/StocktakeScan",
                json!({"clientScanId": id, "stocktakeId": stocktake, "code": code}),
            )
            .await["result"]
                .clone()
        }
    };
    assert_eq!(outcome(&scan("t1", "L-1").await), "DONE");
    assert_eq!(outcome(&scan("t2", "L-1").await), "ALREADY_COUNTED");
    assert_eq!(outcome(&scan("t3", "L-4").await), "NOT_EXPECTED");
    assert_eq!(outcome(&scan("t4", "NOPE").await), "UNKNOWN_CODE");
    let replay = scan("t1", "L-1").await;
    assert_eq!(
        (outcome(&replay).as_str(), replay["replayed"].as_bool()),
        ("DONE", Some(true))
    );

    let closed = t
        .ok("ScanningService/CloseStocktake", json!({"id": stocktake}))
        .await;
    let s = &closed["stocktake"];
    assert_eq!(s["status"], "STOCKTAKE_STATUS_CLOSED");
    assert_eq!(s["countedCount"], 1);
    assert_eq!(
        s["missingAssetIds"],
        json!([assets[1]]),
        "L-2 was expected, not found"
    );
    assert_eq!(
        s["unexpectedAssetIds"],
        json!([assets[3]]),
        "L-4 belongs elsewhere"
    );
    t.fails(
        "ScanningService/StocktakeScan",
        json!({"clientScanId": "t5", "stocktakeId": stocktake, "code": "L-2"}),
        "failed_precondition",
    )
    .await;
    t.fails(
        "ScanningService/CloseStocktake",
        json!({"id": stocktake}),
        "failed_precondition",
    )
    .await;
    let got = t
        .ok("ScanningService/GetStocktake", json!({"id": stocktake}))
        .await;
    assert_eq!(got["stocktake"], closed["stocktake"]);
}
