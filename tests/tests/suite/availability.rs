//! Availability through the API: CheckAvailability counts owned stock, repairs, sub-rents and
//! the bookings of reserving events (directly, by asset and by case contents); ListShortages
//! finds over-booked stretches; ListConflicts and the double-booking guard keep a serialised
//! asset or case off two overlapping reserving events; the reserving statuses follow the tenant
//! setting; and the availability lookup is a GiST index scan, not a table scan.

use eventkit_tests::{
    Tenant, TestEnv,
    client::{As, period},
};
use serde_json::{Value, json};

struct Shop<'a> {
    t: As<'a>,
    product: String,
}

impl<'a> Shop<'a> {
    /// A tenant with one product.
    async fn open(env: &'a TestEnv, tenant: &'a Tenant) -> Shop<'a> {
        let t = As { env, tenant };
        let product = t
            .id(
                "InventoryService/CreateProduct",
                json!({"name": "Moving head"}),
                "product",
            )
            .await;
        Shop { t, product }
    }

    async fn asset(&self, code: &str, extra: Value) -> String {
        let mut body = json!({"productId": self.product, "code": code});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().cloned().unwrap_or_default());
        self.t
            .id("InventoryService/CreateAsset", body, "asset")
            .await
    }

    /// An event over `when` moved to `status` (through the allowed path).
    async fn event(&self, name: &str, when: Value, status: &str) -> String {
        let id = self
            .t
            .id(
                "PlanningService/CreateEvent",
                json!({"name": name, "period": when}),
                "event",
            )
            .await;
        if status != "ENQUIRY" {
            self.move_to(&id, status).await;
        }
        id
    }

    async fn move_to(&self, event: &str, status: &str) -> Value {
        self.t
            .ok(
                "PlanningService/TransitionEvent",
                json!({"id": event, "status": format!("EVENT_STATUS_{status}")}),
            )
            .await
    }

    async fn line(&self, event: &str, item: Value) -> eventkit_tests::ConnectReply {
        let mut body = json!({"eventId": event});
        body.as_object_mut()
            .unwrap()
            .extend(item.as_object().cloned().unwrap());
        self.t.call("PlanningService/AddPullListLine", body).await
    }

    async fn check(&self, when: Value, quantity: i32, location: Option<&str>) -> Value {
        self.t
            .ok(
                "PlanningService/CheckAvailability",
                json!({"productId": self.product, "period": when, "quantity": quantity,
                       "locationId": location.unwrap_or_default()}),
            )
            .await
    }
}

/// A bool field of an answer (false is the default, so it is left out).
fn flag(v: &Value, field: &str) -> bool {
    v[field].as_bool().unwrap_or(false)
}

fn num(v: &Value, field: &str) -> i64 {
    v[field].as_i64().unwrap_or(0)
}

fn event_ids(bookings: &Value) -> Vec<String> {
    let mut ids: Vec<String> = bookings
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|b| b["eventId"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

#[tokio::test]
async fn check_availability_counts_stock_repairs_sub_rents_and_reserving_bookings() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Rental Co").await;
    let s = Shop::open(&env, &tenant).await;
    s.asset("MH-1", json!({})).await;
    s.asset("MH-2", json!({})).await;
    s.asset("MH-3", json!({"status": "ASSET_STATUS_IN_REPAIR"}))
        .await;
    s.asset("MH-4", json!({"status": "ASSET_STATUS_LOST"}))
        .await;

    let confirmed = s
        .event("Confirmed", period((1, 0), (5, 0)), "CONFIRMED")
        .await;
    s.line(&confirmed, json!({"productId": s.product, "quantity": 1}))
        .await
        .ok();
    let enquiry = s.event("Enquiry", period((2, 0), (4, 0)), "ENQUIRY").await;
    s.line(&enquiry, json!({"productId": s.product, "quantity": 2}))
        .await
        .ok();

    let one = s.check(period((2, 0), (3, 0)), 1, None).await;
    assert!(flag(&one, "available"), "{one}");
    assert_eq!(
        (
            num(&one, "ownedQuantity"),
            num(&one, "inRepairQuantity"),
            num(&one, "reservedQuantity"),
            num(&one, "availableQuantity"),
        ),
        (3, 1, 1, 1),
        "lost units are not owned, the enquiry reserves nothing: {one}"
    );
    let two = s.check(period((2, 0), (3, 0)), 2, None).await;
    assert!(!flag(&two, "available"));
    assert_eq!(num(&two, "shortQuantity"), 1);
    assert_eq!(event_ids(&two["bookings"]), vec![confirmed.clone()]);

    // A sub-rent adds stock for its own dates only.
    s.t.ok(
        "PlanningService/CreateSubRent",
        json!({"productId": s.product, "supplier": "Hire Co", "quantity": 1,
               "period": period((2, 0), (3, 0)), "cost": {"amountMinor": "5000", "currency": "EUR"}}),
    )
    .await;
    let covered = s.check(period((2, 0), (3, 0)), 2, None).await;
    assert!(flag(&covered, "available"), "{covered}");
    assert_eq!(num(&covered, "subRentedQuantity"), 1);
    let beyond = s.check(period((2, 0), (4, 0)), 2, None).await;
    assert!(!flag(&beyond, "available"), "{beyond}");
    assert_eq!(beyond["tightest"], period((3, 0), (4, 0)));

    // The tenant setting decides whether enquiries reserve.
    s.t.ok(
        "PlanningService/UpdatePlanningSettings",
        json!({"reservingStatuses": ["EVENT_STATUS_ENQUIRY", "EVENT_STATUS_PROVISIONAL", "EVENT_STATUS_CONFIRMED"]}),
    )
    .await;
    let now = s.check(period((3, 0), (4, 0)), 1, None).await;
    assert_eq!(num(&now, "reservedQuantity"), 3, "{now}");
    assert_eq!(num(&now, "shortQuantity"), 2);
    assert_eq!(
        event_ids(&now["bookings"]),
        sorted(vec![confirmed.clone(), enquiry.clone()])
    );
    let settings =
        s.t.ok("PlanningService/GetPlanningSettings", json!({}))
            .await;
    assert_eq!(
        settings["settings"]["reservingStatuses"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    s.t.ok("PlanningService/UpdatePlanningSettings", json!({}))
        .await;
    let nothing_configured = s.check(period((3, 0), (4, 0)), 1, None).await;
    assert_eq!(
        num(&nothing_configured, "reservedQuantity"),
        0,
        "confirmed no longer reserves"
    );
    s.move_to(&confirmed, "PREPPED").await;
    let prepped = s.check(period((3, 0), (4, 0)), 1, None).await;
    assert_eq!(
        num(&prepped, "reservedQuantity"),
        1,
        "prepped always reserves"
    );

    // Cancelled and deleted events stop reserving.
    s.move_to(&confirmed, "CANCELLED").await;
    let free = s.check(period((3, 0), (4, 0)), 2, None).await;
    assert!(flag(&free, "available"), "{free}");
}

#[tokio::test]
async fn assets_cases_and_locations_count_where_they_should() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Rental Co").await;
    let s = Shop::open(&env, &tenant).await;
    let warehouse =
        s.t.id(
            "InventoryService/CreateLocation",
            json!({"name": "North", "kind": "LOCATION_KIND_WAREHOUSE"}),
            "location",
        )
        .await;
    let zone =
        s.t.id(
            "InventoryService/CreateLocation",
            json!({"name": "Rack", "kind": "LOCATION_KIND_ZONE", "parentId": warehouse}),
            "location",
        )
        .await;
    let other =
        s.t.id(
            "InventoryService/CreateLocation",
            json!({"name": "South", "kind": "LOCATION_KIND_WAREHOUSE"}),
            "location",
        )
        .await;
    let a1 = s.asset("MH-1", json!({"locationId": warehouse})).await;
    let a2 = s.asset("MH-2", json!({"locationId": zone})).await;
    let a3 = s.asset("MH-3", json!({"locationId": other})).await;
    let case =
        s.t.id(
            "InventoryService/CreateCase",
            json!({"code": "C-1", "name": "Pair"}),
            "case",
        )
        .await;
    for asset in [&a2, &a3] {
        s.t.ok(
            "InventoryService/AddAssetToCase",
            json!({"caseId": case, "assetId": asset}),
        )
        .await;
    }
    assert_eq!(
        num(
            &s.check(period((1, 0), (2, 0)), 1, Some(&warehouse)).await,
            "ownedQuantity"
        ),
        2,
        "a warehouse counts what is in its zones"
    );
    assert_eq!(
        num(
            &s.check(period((1, 0), (2, 0)), 1, Some(&other)).await,
            "ownedQuantity"
        ),
        1
    );

    let by_asset = s
        .event("Asset gig", period((1, 0), (2, 0)), "CONFIRMED")
        .await;
    s.line(&by_asset, json!({"assetId": a1})).await.ok();
    let by_case = s
        .event("Case gig", period((1, 12), (3, 0)), "PROVISIONAL")
        .await;
    s.line(&by_case, json!({"caseId": case})).await.ok();
    let both = s.check(period((1, 12), (2, 0)), 1, None).await;
    assert_eq!(
        num(&both, "reservedQuantity"),
        3,
        "one asset and a case of two: {both}"
    );
    assert!(!flag(&both, "available"));
    assert_eq!(
        event_ids(&both["bookings"]),
        sorted(vec![by_asset.clone(), by_case.clone()])
    );
}

#[tokio::test]
async fn shortages_show_over_booked_stretches_until_a_sub_rent_covers_them() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Rental Co").await;
    let s = Shop::open(&env, &tenant).await;
    s.asset("MH-1", json!({})).await;
    s.asset("MH-2", json!({})).await;
    let first = s.event("First", period((1, 0), (5, 0)), "CONFIRMED").await;
    s.line(&first, json!({"productId": s.product, "quantity": 2}))
        .await
        .ok();
    let second = s
        .event("Second", period((3, 0), (7, 0)), "PROVISIONAL")
        .await;
    s.line(&second, json!({"productId": s.product, "quantity": 1}))
        .await
        .ok();

    let month = json!({"period": period((1, 0), (30, 0))});
    let found = s.t.ok("PlanningService/ListShortages", month.clone()).await;
    let shortages = found["shortages"].as_array().unwrap();
    assert_eq!(shortages.len(), 1, "{found}");
    assert_eq!(shortages[0]["productId"], s.product);
    assert_eq!(shortages[0]["productName"], "Moving head");
    assert_eq!(shortages[0]["period"], period((3, 0), (5, 0)));
    assert_eq!(num(&shortages[0], "shortQuantity"), 1);
    assert_eq!(
        event_ids(&shortages[0]["bookings"]),
        sorted(vec![first.clone(), second.clone()])
    );
    let later =
        s.t.ok(
            "PlanningService/ListShortages",
            json!({"period": period((5, 0), (30, 0))}),
        )
        .await;
    assert!(later["shortages"].as_array().is_none(), "{later}");

    let sub = s
        .t
        .id(
            "PlanningService/CreateSubRent",
            json!({"productId": s.product, "supplier": "Hire Co", "quantity": 1, "period": period((3, 0), (5, 0))}),
            "subRent",
        )
        .await;
    let covered = s.t.ok("PlanningService/ListShortages", month.clone()).await;
    assert!(covered["shortages"].as_array().is_none(), "{covered}");
    let listed =
        s.t.ok(
            "PlanningService/ListSubRents",
            json!({"productId": s.product}),
        )
        .await;
    assert_eq!(listed["subRents"][0]["id"], sub);
    s.t.ok("PlanningService/DeleteSubRent", json!({"id": sub}))
        .await;
    let back = s.t.ok("PlanningService/ListShortages", month).await;
    assert_eq!(back["shortages"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_serialised_asset_or_case_is_never_reserved_twice() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Rental Co").await;
    let s = Shop::open(&env, &tenant).await;
    let asset = s.asset("MH-1", json!({})).await;
    let packed = s.asset("MH-2", json!({})).await;
    let case =
        s.t.id(
            "InventoryService/CreateCase",
            json!({"code": "C-1", "name": "Case"}),
            "case",
        )
        .await;
    s.t.ok(
        "InventoryService/AddAssetToCase",
        json!({"caseId": case, "assetId": packed}),
    )
    .await;
    let booked = s.event("Booked", period((1, 0), (5, 0)), "CONFIRMED").await;
    s.line(&booked, json!({"assetId": asset})).await.ok();
    s.line(&booked, json!({"caseId": case})).await.ok();

    // An enquiry may ask for the same asset: a conflict to see, not a double booking.
    let enquiry = s.event("Maybe", period((4, 0), (8, 0)), "ENQUIRY").await;
    s.line(&enquiry, json!({"assetId": asset})).await.ok();
    let conflicts =
        s.t.ok(
            "PlanningService/ListConflicts",
            json!({"period": period((1, 0), (30, 0))}),
        )
        .await;
    let list = conflicts["conflicts"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{conflicts}");
    assert_eq!(list[0]["assetId"], asset);
    assert!(list[0].get("doubleBooked").is_none(), "{conflicts}");
    assert_eq!(
        sorted(vec![
            list[0]["first"]["eventId"].as_str().unwrap().to_owned(),
            list[0]["second"]["eventId"].as_str().unwrap().to_owned()
        ]),
        sorted(vec![booked.clone(), enquiry.clone()])
    );

    // Making it reserve would double-book: refused, with the other event named.
    let refused =
        s.t.fails(
            "PlanningService/TransitionEvent",
            json!({"id": enquiry, "status": "EVENT_STATUS_PROVISIONAL"}),
            "failed_precondition",
        )
        .await;
    assert!(
        refused.body["message"].as_str().unwrap().contains("Booked"),
        "{}",
        refused.body
    );
    let still =
        s.t.ok("PlanningService/GetEvent", json!({"id": enquiry}))
            .await;
    assert_eq!(
        still["event"]["status"], "EVENT_STATUS_ENQUIRY",
        "nothing changed"
    );
    // ... and so would letting enquiries reserve.
    s.t.fails(
        "PlanningService/UpdatePlanningSettings",
        json!({"reservingStatuses": ["EVENT_STATUS_ENQUIRY", "EVENT_STATUS_CONFIRMED"]}),
        "failed_precondition",
    )
    .await;

    // An asset inside a booked case is booked too; a case is booked as a unit.
    let other = s.event("Other", period((2, 0), (3, 0)), "CONFIRMED").await;
    for item in [
        json!({"assetId": packed}),
        json!({"caseId": case}),
        json!({"assetId": asset}),
    ] {
        let reply = s.line(&other, item.clone()).await;
        assert_eq!(
            reply.code(),
            "failed_precondition",
            "{item}: {}",
            reply.body
        );
    }
    // Half-open periods: back at 5 June 00:00, out again at that instant, is fine.
    let next = s.event("Next", period((5, 0), (6, 0)), "CONFIRMED").await;
    s.line(&next, json!({"assetId": asset})).await.ok();
    // Moving an event onto another's dates is refused too.
    s.t.fails(
        "PlanningService/UpdateEvent",
        json!({"event": {"id": next, "period": period((4, 0), (6, 0))}, "updateMask": "period"}),
        "failed_precondition",
    )
    .await;

    // Deleting the booked event frees everything it held.
    s.t.ok("PlanningService/DeleteEvent", json!({"id": booked}))
        .await;
    s.t.ok(
        "PlanningService/UpdateEvent",
        json!({"event": {"id": enquiry, "period": period((6, 0), (8, 0))}, "updateMask": "period"}),
    )
    .await;
    s.move_to(&enquiry, "PROVISIONAL").await;
    s.line(&other, json!({"caseId": case})).await.ok();
    s.t.fails(
        "PlanningService/RestoreEvent",
        json!({"id": booked}),
        "failed_precondition",
    )
    .await;
}

#[tokio::test]
async fn the_availability_lookup_is_an_index_scan() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Rental Co").await;
    let pool = env.admin_pool().await;
    // Twenty-two years of daily events (8,000) with one product line each, for this tenant.
    sqlx::query(
        "insert into products (tenant_id, id, name) values ($1, '00000000-0000-7000-8000-000000000001', 'Lamp')",
    )
    .bind(tenant.id)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "with days as (select n, gen_random_uuid() as id, \
                tstzrange(timestamptz '2030-01-01' + n * interval '1 day', timestamptz '2030-01-03' + n * interval '1 day') as period \
             from generate_series(0, 7999) n), \
         ev as (insert into events (tenant_id, id, name, status, period) \
             select $1, id, 'Day ' || n, 'confirmed', period from days returning id, period) \
         insert into event_lines (tenant_id, id, event_id, product_id, quantity, period, reserves) \
             select $1, gen_random_uuid(), id, '00000000-0000-7000-8000-000000000001', 1, period, true from ev",
    )
    .bind(tenant.id)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("analyze events, event_lines, assets, sub_rents")
        .execute(&pool)
        .await
        .unwrap();
    // As the app role, under row-level security: only leakproof operators make index conditions.
    use sqlx::{Connection, Executor};
    let mut conn = env.app_connection().await;
    let mut tx = conn.begin().await.unwrap();
    tx.execute(format!("select set_config('app.tenant_id', '{}', true)", tenant.id).as_str())
        .await
        .unwrap();
    let at = |s: &str| s.parse::<chrono::DateTime<chrono::Utc>>().unwrap();
    let plan: Vec<String> = sqlx::query_scalar(&format!(
        "explain {}",
        eventkit_tenant_api::planning::DEMAND_SQL
    ))
    .bind(tenant.id)
    .bind(at("2031-03-01T00:00:00Z"))
    .bind(at("2031-03-04T00:00:00Z"))
    .bind(None::<uuid::Uuid>)
    .fetch_all(&mut *tx)
    .await
    .unwrap();
    let plan = plan.join("\n");
    assert!(
        (plan.contains("Index Scan on event_lines_reserving_idx")
            || plan.contains("Index Scan on event_lines_period_idx"))
            && plan.contains("Index Cond: ((tenant_id = ")
            && plan.contains("(starts_at < ")
            && !plan.contains("Seq Scan on event_lines"),
        "the reserving lines of a period come from the GiST index, bounded by the period:\n{plan}"
    );
}

#[tokio::test]
async fn the_database_refuses_a_double_booking_the_code_did_not_catch() {
    use sqlx::{Connection, Executor};
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Rental Co").await;
    let s = Shop::open(&env, &tenant).await;
    let asset = s.asset("MH-1", json!({})).await;
    let mut conn = env.app_connection().await;
    let mut tx = conn.begin().await.unwrap();
    tx.execute(format!("select set_config('app.tenant_id', '{}', true)", tenant.id).as_str())
        .await
        .unwrap();
    for day in [1, 2] {
        let event = uuid::Uuid::now_v7();
        sqlx::query(
            "insert into events (tenant_id, id, name, status, period) \
             values ($1, $2, 'Raw', 'confirmed', tstzrange($3::timestamptz, $3::timestamptz + interval '2 days'))",
        )
        .bind(tenant.id)
        .bind(event)
        .bind(format!("2030-06-{day:02}T00:00:00Z"))
        .execute(&mut *tx)
        .await
        .unwrap();
        sqlx::query(
            "insert into event_lines (tenant_id, id, event_id, asset_id, quantity, period, reserves) \
             select $1, $2, id, $3::uuid, 1, period, true from events where tenant_id = $1 and id = $4",
        )
        .bind(tenant.id)
        .bind(uuid::Uuid::now_v7())
        .bind(&asset)
        .bind(event)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    let err = tx.commit().await.expect_err("the commit is refused");
    let db = err.as_database_error().expect("a database error");
    assert_eq!(db.code().as_deref(), Some("23P01"));
    assert_eq!(db.constraint(), Some("event_lines_asset_double_booked"));
}

#[tokio::test]
async fn concurrent_bookings_of_one_asset_through_a_case_and_directly_let_one_win() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Rental Co").await;
    let s = Shop::open(&env, &tenant).await;
    for round in 0..8 {
        let asset = s.asset(&format!("MH-{round}"), json!({})).await;
        let case =
            s.t.id(
                "InventoryService/CreateCase",
                json!({"code": format!("C-{round}"), "name": "Case"}),
                "case",
            )
            .await;
        s.t.ok(
            "InventoryService/AddAssetToCase",
            json!({"caseId": case, "assetId": asset}),
        )
        .await;
        let first = s.event("First", period((1, 0), (5, 0)), "CONFIRMED").await;
        let second = s.event("Second", period((2, 0), (6, 0)), "CONFIRMED").await;
        // The exclusion constraint cannot see an asset inside a case: the service's lock must.
        let (a, b) = tokio::join!(
            s.line(&first, json!({"caseId": case})),
            s.line(&second, json!({"assetId": asset}))
        );
        let mut codes = [a.code().to_owned(), b.code().to_owned()];
        codes.sort();
        assert_eq!(
            codes,
            ["failed_precondition", "ok"],
            "round {round}: {} {}",
            a.body,
            b.body
        );
    }
}

#[tokio::test]
async fn packing_a_booked_asset_into_a_case_booked_elsewhere_is_refused() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Rental Co").await;
    let s = Shop::open(&env, &tenant).await;
    let asset = s.asset("MH-1", json!({})).await;
    let case =
        s.t.id(
            "InventoryService/CreateCase",
            json!({"code": "C-1", "name": "Case"}),
            "case",
        )
        .await;
    let by_asset = s
        .event("By asset", period((1, 0), (5, 0)), "CONFIRMED")
        .await;
    s.line(&by_asset, json!({"assetId": asset})).await.ok();
    let by_case = s
        .event("By case", period((3, 0), (8, 0)), "CONFIRMED")
        .await;
    s.line(&by_case, json!({"caseId": case})).await.ok();
    let refused =
        s.t.fails(
            "InventoryService/AddAssetToCase",
            json!({"caseId": case, "assetId": asset}),
            "failed_precondition",
        )
        .await;
    assert!(refused.body["message"].as_str().unwrap().contains("By "));
    let still =
        s.t.ok("InventoryService/GetCase", json!({"id": case}))
            .await;
    assert!(
        still["case"].get("assetIds").is_none(),
        "nothing was packed"
    );
    // Once the other booking is gone, it packs.
    s.move_to(&by_asset, "CANCELLED").await;
    s.t.ok(
        "InventoryService/AddAssetToCase",
        json!({"caseId": case, "assetId": asset}),
    )
    .await;
}
