//! Cases in cases: a permanent case holds other cases (never in a loop, never in a temporary
//! case); booking the outer case holds everything inside it, so the inner case cannot be booked
//! elsewhere at the same time; scanning the outer case out takes every asset at any depth.

use eventkit_tests::{TestEnv, client::period};
use serde_json::json;

#[tokio::test]
async fn a_rack_of_drawers_is_booked_and_scanned_as_one() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Racks").await;
    let t = env.as_tenant(&tenant);
    let mic = t
        .id(
            "InventoryService/CreateProduct",
            json!({"name": "Radio mic"}),
            "product",
        )
        .await;
    let case = |code: &'static str, kind: &'static str| {
        let t = &t;
        async move {
            t.id(
                "InventoryService/CreateCase",
                json!({"code": code, "name": code, "kind": kind}),
                "case",
            )
            .await
        }
    };
    let rack = case("RACK-1", "CASE_KIND_PERMANENT").await;
    let drawer = case("DRAWER-1", "CASE_KIND_PERMANENT").await;
    let tray = case("TRAY-1", "CASE_KIND_PERMANENT").await;
    let bag = case("BAG-1", "CASE_KIND_TEMPORARY").await;
    let mut mics = Vec::new();
    for (n, holder) in [(1, &drawer), (2, &drawer), (3, &tray)] {
        let asset = t
            .id(
                "InventoryService/CreateAsset",
                json!({"productId": mic, "code": format!("MIC-{n}")}),
                "asset",
            )
            .await;
        t.ok(
            "InventoryService/AddAssetToCase",
            json!({"caseId": holder, "assetId": asset}),
        )
        .await;
        mics.push(asset);
    }
    let nest = |outer: &str, child: &str| {
        let body = json!({"caseId": outer, "childCaseId": child});
        let t = &t;
        async move { t.call("InventoryService/AddCaseToCase", body).await }
    };
    // tray in drawer in rack.
    assert_eq!(nest(&drawer, &tray).await.code(), "ok");
    let shown = nest(&rack, &drawer).await;
    assert_eq!(shown.ok()["case"]["caseIds"], json!([drawer]));
    let got = t
        .ok("InventoryService/GetCase", json!({"id": drawer}))
        .await;
    assert_eq!(got["case"]["parentCaseId"], rack);
    // No loops, no holding oneself, nothing inside a temporary case.
    assert_eq!(nest(&tray, &rack).await.code(), "failed_precondition");
    assert_eq!(
        nest(&rack, &rack).await.violated_fields(),
        ["child_case_id"]
    );
    assert_eq!(nest(&bag, &tray).await.code(), "failed_precondition");
    assert_eq!(
        nest(&rack, "0190d0c8-0000-7000-8000-000000000000")
            .await
            .code(),
        "not_found"
    );

    // The rack on one event holds the tray: another overlapping event cannot book the tray.
    let show = t.confirmed_event("Show", period((1, 0), (5, 0))).await;
    t.ok(
        "PlanningService/AddPullListLine",
        json!({"eventId": show, "caseId": rack}),
    )
    .await;
    let rival = t.confirmed_event("Rival", period((1, 0), (5, 0))).await;
    let clash = t
        .call(
            "PlanningService/AddPullListLine",
            json!({"eventId": rival, "caseId": tray}),
        )
        .await;
    assert_eq!(clash.code(), "failed_precondition", "{}", clash.body);

    // Scanning the rack takes all three mics, two levels down.
    let out = t
        .ok(
            "ScanningService/CheckOut",
            json!({"clientScanId": "r1", "eventId": show, "code": "RACK-1"}),
        )
        .await;
    let mut taken: Vec<String> = serde_json::from_value(out["result"]["assetIds"].clone()).unwrap();
    taken.sort();
    let mut expected = mics.clone();
    expected.sort();
    assert_eq!(taken, expected, "{out}");

    // Out of the rack again: the drawer stands alone.
    let removed = t
        .ok(
            "InventoryService/RemoveCaseFromCase",
            json!({"caseId": rack, "childCaseId": drawer}),
        )
        .await;
    assert_eq!(removed["case"].get("caseIds"), None);
    let again = t
        .call(
            "InventoryService/RemoveCaseFromCase",
            json!({"caseId": rack, "childCaseId": drawer}),
        )
        .await;
    assert_eq!(again.code(), "failed_precondition");
}
