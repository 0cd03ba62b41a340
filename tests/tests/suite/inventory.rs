//! InventoryService behaviour end to end over Connect JSON: the product lifecycle (create, get,
//! update by mask, soft delete, restore), the location hierarchy, assets with tenant-unique
//! codes, cases, keyset paging, full-text search, and the outbox row every mutation writes in
//! its own transaction. Database state is checked with the superuser pool, which bypasses RLS.

use eventkit_domain::ids::TenantId;
use eventkit_tests::{ConnectReply, Tenant, TestEnv};
use serde_json::{Value, json};
use sqlx::PgPool;
use std::collections::HashSet;
use uuid::Uuid;

/// Calls `InventoryService/<method>` as `tenant`.
async fn call(env: &TestEnv, tenant: &Tenant, method: &str, body: Value) -> ConnectReply {
    env.call(
        Some(&tenant.api_key),
        &format!("InventoryService/{method}"),
        body,
    )
    .await
}

/// Calls and expects success; returns the body.
async fn ok(env: &TestEnv, tenant: &Tenant, method: &str, body: Value) -> Value {
    let reply = call(env, tenant, method, body).await;
    assert_eq!(
        reply.status, 200,
        "{method} failed: {} {}",
        reply.status, reply.body
    );
    reply.body
}

/// Calls and expects the Connect error `code`; returns the reply.
async fn fails(
    env: &TestEnv,
    tenant: &Tenant,
    method: &str,
    body: Value,
    code: &str,
) -> ConnectReply {
    let reply = call(env, tenant, method, body).await;
    assert_eq!(
        reply.code(),
        code,
        "{method}: expected {code}, got {} {}",
        reply.status,
        reply.body
    );
    reply
}

fn id_of(body: &Value, entity: &str) -> String {
    body[entity]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no {entity}.id in {body}"))
        .to_owned()
}

async fn create_product(env: &TestEnv, tenant: &Tenant, body: Value) -> String {
    id_of(&ok(env, tenant, "CreateProduct", body).await, "product")
}

/// `(event_type, subject_id)` of the tenant's outbox rows, oldest first.
async fn outbox(pool: &PgPool, tenant: TenantId) -> Vec<(String, Option<Uuid>)> {
    sqlx::query_as("select event_type, subject_id from outbox where tenant_id = $1 order by id")
        .bind(tenant)
        .fetch_all(pool)
        .await
        .expect("outbox rows")
}

async fn events_of(pool: &PgPool, tenant: TenantId, event: &str) -> Vec<Option<Uuid>> {
    outbox(pool, tenant)
        .await
        .into_iter()
        .filter(|(e, _)| e == event)
        .map(|(_, s)| s)
        .collect()
}

fn uuid(raw: &str) -> Uuid {
    Uuid::parse_str(raw).unwrap_or_else(|_| panic!("{raw:?} is not a UUID"))
}

/// Every object key in `value`, recursively.
fn keys(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                out.push(k.clone());
                keys(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| keys(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn create_product_answers_canonical_json() {
    let env = TestEnv::start().await;
    let t = env.create_tenant("Rental Co").await;
    let body = ok(
        &env,
        &t,
        "CreateProduct",
        json!({
            "name": "  Moving head XYZ  ",
            "description": "Beam 7R",
            "category": "Lighting",
            "sku": "MH-XYZ",
            "trackingMode": "TRACKING_MODE_BULK",
            "dailyRate": {"amountMinor": "1250", "currency": "EUR"},
        }),
    )
    .await;
    let p = &body["product"];
    let id = uuid(p["id"].as_str().unwrap());
    assert_eq!(id.get_version_num(), 7, "ids are UUIDv7");
    assert_eq!(p["name"], "Moving head XYZ", "names are trimmed");
    assert_eq!(p["description"], "Beam 7R");
    assert_eq!(p["category"], "Lighting");
    assert_eq!(p["sku"], "MH-XYZ");
    assert_eq!(p["trackingMode"], "TRACKING_MODE_BULK");
    assert_eq!(
        p["dailyRate"],
        json!({"amountMinor": "1250", "currency": "EUR"}),
        "int64 is a JSON string"
    );
    for field in ["createTime", "updateTime"] {
        let t = p[field]
            .as_str()
            .unwrap_or_else(|| panic!("{field} missing: {p}"));
        assert!(
            t.ends_with('Z') && t.contains('T'),
            "{field} is RFC 3339 UTC: {t}"
        );
    }
    assert!(
        p.get("deleteTime").is_none(),
        "a live product has no deleteTime: {p}"
    );
    let mut all = Vec::new();
    keys(&body, &mut all);
    assert!(
        all.iter().all(|k| !k.contains('_')),
        "JSON keys are lowerCamelCase: {all:?}"
    );

    // What was stored, and what Get answers.
    let admin = env.admin_pool().await;
    let row: (TenantId, String, Option<i64>, Option<String>, String) = sqlx::query_as(
        "select tenant_id, name, daily_rate_minor, daily_rate_currency, tracking_mode from products where id = $1",
    )
    .bind(id)
    .fetch_one(&admin)
    .await
    .unwrap();
    assert_eq!(
        row,
        (
            t.id,
            "Moving head XYZ".into(),
            Some(1250),
            Some("EUR".into()),
            "bulk".into()
        )
    );
    let got = ok(&env, &t, "GetProduct", json!({"id": id.to_string()})).await;
    assert_eq!(got["product"], body["product"]);

    // Defaults: serialised tracking, no price.
    let plain = ok(&env, &t, "CreateProduct", json!({"name": "Speaker"})).await;
    assert_eq!(plain["product"]["trackingMode"], "TRACKING_MODE_SERIALISED");
    assert!(plain["product"].get("dailyRate").is_none());

    // Unknown ids are not_found (HTTP 404).
    let missing = fails(
        &env,
        &t,
        "GetProduct",
        json!({"id": Uuid::now_v7().to_string()}),
        "not_found",
    )
    .await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn update_product_changes_only_the_masked_fields() {
    let env = TestEnv::start().await;
    let t = env.create_tenant("Rental Co").await;
    let created = ok(
        &env,
        &t,
        "CreateProduct",
        json!({"name": "Moving head", "description": "old", "category": "Lighting", "sku": "MH-1",
               "dailyRate": {"amountMinor": "1000", "currency": "EUR"}}),
    )
    .await;
    let id = id_of(&created, "product");

    let updated = ok(
        &env,
        &t,
        "UpdateProduct",
        json!({
            "product": {"id": id, "name": "Moving head v2", "description": "ignored", "category": "Sound",
                        "sku": "ignored", "dailyRate": {"amountMinor": "2500", "currency": "USD"}},
            "updateMask": "name,category,dailyRate",
        }),
    )
    .await;
    let p = &updated["product"];
    assert_eq!(p["name"], "Moving head v2");
    assert_eq!(p["category"], "Sound");
    assert_eq!(
        p["dailyRate"],
        json!({"amountMinor": "2500", "currency": "USD"})
    );
    assert_eq!(p["description"], "old", "description is not in the mask");
    assert_eq!(p["sku"], "MH-1", "sku is not in the mask");
    assert_eq!(p["createTime"], created["product"]["createTime"]);
    assert_ne!(
        p["updateTime"], created["product"]["updateTime"],
        "updateTime moves"
    );
    let got = ok(&env, &t, "GetProduct", json!({"id": id})).await;
    assert_eq!(&got["product"], p, "the update is stored");

    // An unknown path names update_mask and changes nothing.
    let bad = fails(
        &env,
        &t,
        "UpdateProduct",
        json!({"product": {"id": id, "name": "Hacked"}, "updateMask": "name,id"}),
        "invalid_argument",
    )
    .await;
    assert_eq!(bad.violated_fields(), vec!["update_mask"], "{}", bad.body);
    assert!(
        bad.body["message"].as_str().unwrap().contains("\"id\""),
        "{}",
        bad.body
    );

    // No mask at all.
    let none = fails(
        &env,
        &t,
        "UpdateProduct",
        json!({"product": {"id": id, "name": "Hacked"}}),
        "invalid_argument",
    )
    .await;
    assert_eq!(none.violated_fields(), vec!["update_mask"]);

    // A masked field with a bad value names the field under `product.`.
    let empty = fails(
        &env,
        &t,
        "UpdateProduct",
        json!({"product": {"id": id, "name": "  "}, "updateMask": "name"}),
        "invalid_argument",
    )
    .await;
    assert_eq!(empty.violated_fields(), vec!["product.name"]);

    // Clearing a price through the mask.
    let cleared = ok(
        &env,
        &t,
        "UpdateProduct",
        json!({"product": {"id": id}, "updateMask": "dailyRate"}),
    )
    .await;
    assert!(
        cleared["product"].get("dailyRate").is_none(),
        "{}",
        cleared["product"]
    );

    let after = ok(&env, &t, "GetProduct", json!({"id": id})).await;
    assert_eq!(
        after["product"]["name"], "Moving head v2",
        "failed updates changed nothing"
    );
    let admin = env.admin_pool().await;
    assert_eq!(
        events_of(&admin, t.id, "product.updated").await.len(),
        2,
        "one event per successful update"
    );

    // Unknown product.
    fails(
        &env,
        &t,
        "UpdateProduct",
        json!({"product": {"id": Uuid::now_v7().to_string(), "name": "x"}, "updateMask": "name"}),
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn delete_is_soft_and_restore_brings_products_back() {
    let env = TestEnv::start().await;
    let t = env.create_tenant("Rental Co").await;
    let keep = create_product(&env, &t, json!({"name": "Keeper"})).await;
    let id = create_product(&env, &t, json!({"name": "Doomed"})).await;
    let listed = |body: &Value| -> Vec<String> {
        body["products"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| p["id"].as_str().unwrap().to_owned())
            .collect()
    };

    let deleted = ok(&env, &t, "DeleteProduct", json!({"id": id})).await;
    assert!(deleted["product"]["deleteTime"].is_string(), "{deleted}");
    let got = ok(&env, &t, "GetProduct", json!({"id": id})).await;
    assert_eq!(
        got["product"]["deleteTime"], deleted["product"]["deleteTime"],
        "Get still answers, with deleteTime"
    );
    assert_eq!(got["product"]["name"], "Doomed");

    let list = ok(&env, &t, "ListProducts", json!({})).await;
    assert_eq!(
        listed(&list),
        vec![keep.clone()],
        "List hides deleted products"
    );
    let list = ok(&env, &t, "ListProducts", json!({"showDeleted": true})).await;
    assert_eq!(
        listed(&list),
        vec![keep.clone(), id.clone()],
        "showDeleted shows them"
    );

    let again = fails(
        &env,
        &t,
        "DeleteProduct",
        json!({"id": id}),
        "failed_precondition",
    )
    .await;
    assert_eq!(again.status, 400);
    fails(
        &env,
        &t,
        "UpdateProduct",
        json!({"product": {"id": id, "name": "Zombie"}, "updateMask": "name"}),
        "failed_precondition",
    )
    .await;
    let still: String = sqlx::query_scalar("select name from products where id = $1")
        .bind(uuid(&id))
        .fetch_one(&env.admin_pool().await)
        .await
        .unwrap();
    assert_eq!(still, "Doomed", "the refused update wrote nothing");

    let restored = ok(&env, &t, "RestoreProduct", json!({"id": id})).await;
    assert!(
        restored["product"].get("deleteTime").is_none(),
        "{restored}"
    );
    fails(
        &env,
        &t,
        "RestoreProduct",
        json!({"id": id}),
        "failed_precondition",
    )
    .await;
    let list = ok(&env, &t, "ListProducts", json!({})).await;
    assert_eq!(listed(&list), vec![keep, id.clone()]);
    ok(
        &env,
        &t,
        "UpdateProduct",
        json!({"product": {"id": id, "name": "Alive"}, "updateMask": "name"}),
    )
    .await;

    let admin = env.admin_pool().await;
    assert_eq!(
        events_of(&admin, t.id, "product.deleted").await,
        vec![Some(uuid(&id))]
    );
    assert_eq!(
        events_of(&admin, t.id, "product.restored").await,
        vec![Some(uuid(&id))]
    );
    fails(
        &env,
        &t,
        "DeleteProduct",
        json!({"id": Uuid::now_v7().to_string()}),
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn locations_follow_warehouse_zone_bin() {
    let env = TestEnv::start().await;
    let t = env.create_tenant("Rental Co").await;
    let create = |body: Value| call(&env, &t, "CreateLocation", body);
    let warehouse = create(json!({"name": "Main", "kind": "LOCATION_KIND_WAREHOUSE"})).await;
    let warehouse = warehouse.ok()["location"].clone();
    assert_eq!(warehouse["kind"], "LOCATION_KIND_WAREHOUSE");
    assert!(warehouse.get("parentId").is_none());
    let wid = warehouse["id"].as_str().unwrap().to_owned();
    let zone =
        create(json!({"name": "Zone A", "kind": "LOCATION_KIND_ZONE", "parentId": wid})).await;
    let zone = zone.ok()["location"].clone();
    assert_eq!(zone["parentId"], wid.as_str());
    let zid = zone["id"].as_str().unwrap().to_owned();
    let bin = create(json!({"name": "Bin 1", "kind": "LOCATION_KIND_BIN", "parentId": zid})).await;
    let bin = bin.ok()["location"].clone();
    assert_eq!(bin["kind"], "LOCATION_KIND_BIN");
    assert_eq!(bin["parentId"], zid.as_str());
    let got = ok(&env, &t, "GetLocation", json!({"id": bin["id"]})).await;
    assert_eq!(got["location"], bin);
    let children = ok(&env, &t, "ListLocations", json!({"parentId": wid})).await;
    assert_eq!(
        children["locations"].as_array().unwrap().len(),
        1,
        "only the direct children: {children}"
    );
    assert_eq!(children["locations"][0]["id"], zid.as_str());

    let admin = env.admin_pool().await;
    let count = || async {
        sqlx::query_scalar::<_, i64>("select count(*) from locations")
            .fetch_one(&admin)
            .await
            .unwrap()
    };
    assert_eq!(count().await, 3);
    let bin_in_warehouse =
        create(json!({"name": "Bin 2", "kind": "LOCATION_KIND_BIN", "parentId": wid})).await;
    assert_eq!(
        bin_in_warehouse.code(),
        "invalid_argument",
        "{}",
        bin_in_warehouse.body
    );
    assert_eq!(bin_in_warehouse.violated_fields(), vec!["parent_id"]);
    let orphan_zone = create(json!({"name": "Zone B", "kind": "LOCATION_KIND_ZONE"})).await;
    assert_eq!(
        orphan_zone.code(),
        "invalid_argument",
        "{}",
        orphan_zone.body
    );
    assert_eq!(orphan_zone.violated_fields(), vec!["parent_id"]);
    let nested_warehouse =
        create(json!({"name": "WH 2", "kind": "LOCATION_KIND_WAREHOUSE", "parentId": zid})).await;
    assert_eq!(
        nested_warehouse.violated_fields(),
        vec!["parent_id"],
        "{}",
        nested_warehouse.body
    );
    let no_kind = create(json!({"name": "Somewhere"})).await;
    assert_eq!(no_kind.violated_fields(), vec!["kind"], "{}", no_kind.body);
    let unknown_parent =
        create(json!({"name": "Zone C", "kind": "LOCATION_KIND_ZONE", "parentId": Uuid::now_v7().to_string()})).await;
    assert_eq!(
        unknown_parent.code(),
        "not_found",
        "{}",
        unknown_parent.body
    );
    assert_eq!(count().await, 3, "refused locations wrote nothing");
    assert_eq!(events_of(&admin, t.id, "location.created").await.len(), 3);
}

/// A product, a warehouse and a zone in it; returns (product id, zone id).
async fn asset_fixtures(env: &TestEnv, t: &Tenant, product_name: &str) -> (String, String) {
    let product = create_product(env, t, json!({"name": product_name})).await;
    let wh = ok(
        env,
        t,
        "CreateLocation",
        json!({"name": "Main", "kind": "LOCATION_KIND_WAREHOUSE"}),
    )
    .await;
    let zone = ok(
        env,
        t,
        "CreateLocation",
        json!({"name": "A", "kind": "LOCATION_KIND_ZONE", "parentId": id_of(&wh, "location")}),
    )
    .await;
    (product, id_of(&zone, "location"))
}

#[tokio::test]
async fn assets_have_codes_unique_per_tenant() {
    let env = TestEnv::start().await;
    let t = env.create_tenant("Rental Co").await;
    let other = env.create_tenant("Other Co").await;
    let (product, zone) = asset_fixtures(&env, &t, "Moving head").await;

    let created = ok(
        &env,
        &t,
        "CreateAsset",
        json!({"productId": product, "code": "MH-0001", "serialNumber": "SN-42", "locationId": zone}),
    )
    .await;
    let a = &created["asset"];
    assert_eq!(a["productId"], product.as_str());
    assert_eq!(a["locationId"], zone.as_str());
    assert_eq!(a["code"], "MH-0001");
    assert_eq!(a["serialNumber"], "SN-42");
    assert_eq!(
        a["status"], "ASSET_STATUS_AVAILABLE",
        "status defaults to available"
    );
    assert!(a.get("caseId").is_none());
    let asset_id = a["id"].as_str().unwrap().to_owned();
    assert_eq!(
        ok(&env, &t, "GetAsset", json!({"id": asset_id})).await["asset"],
        *a
    );
    assert_eq!(
        ok(&env, &t, "LookupAssetByCode", json!({"code": "MH-0001"})).await["asset"],
        *a
    );
    fails(
        &env,
        &t,
        "LookupAssetByCode",
        json!({"code": "MH-9999"}),
        "not_found",
    )
    .await;

    let dup = fails(
        &env,
        &t,
        "CreateAsset",
        json!({"productId": product, "code": "MH-0001"}),
        "already_exists",
    )
    .await;
    assert_eq!(dup.status, 409);
    assert_eq!(dup.violated_fields(), vec!["code"], "{}", dup.body);

    // Another tenant may use the same code, and its lookup finds its own asset.
    let (other_product, _) = asset_fixtures(&env, &other, "Speaker").await;
    let theirs = ok(
        &env,
        &other,
        "CreateAsset",
        json!({"productId": other_product, "code": "MH-0001"}),
    )
    .await;
    assert_ne!(theirs["asset"]["id"], a["id"]);
    let found = ok(
        &env,
        &other,
        "LookupAssetByCode",
        json!({"code": "MH-0001"}),
    )
    .await;
    assert_eq!(found["asset"]["id"], theirs["asset"]["id"]);
    // ... but cannot attach an asset to this tenant's product.
    let foreign = fails(
        &env,
        &other,
        "CreateAsset",
        json!({"productId": product, "code": "X-1"}),
        "not_found",
    )
    .await;
    assert_eq!(foreign.status, 404);

    let admin = env.admin_pool().await;
    let count: i64 = sqlx::query_scalar("select count(*) from assets")
        .fetch_one(&admin)
        .await
        .unwrap();
    assert_eq!(
        count, 2,
        "the duplicate and the cross-tenant attempt wrote nothing"
    );
    assert_eq!(
        events_of(&admin, t.id, "asset.created").await,
        vec![Some(uuid(&asset_id))]
    );
}

#[tokio::test]
async fn asset_status_changes_write_an_event() {
    let env = TestEnv::start().await;
    let t = env.create_tenant("Rental Co").await;
    let other = env.create_tenant("Other Co").await;
    let (product, _) = asset_fixtures(&env, &t, "Moving head").await;
    let asset = id_of(
        &ok(
            &env,
            &t,
            "CreateAsset",
            json!({"productId": product, "code": "MH-1"}),
        )
        .await,
        "asset",
    );

    let updated = ok(
        &env,
        &t,
        "UpdateAsset",
        json!({"asset": {"id": asset, "status": "ASSET_STATUS_IN_REPAIR", "code": "ignored"}, "updateMask": "status"}),
    )
    .await;
    assert_eq!(updated["asset"]["status"], "ASSET_STATUS_IN_REPAIR");
    assert_eq!(updated["asset"]["code"], "MH-1", "code is not in the mask");

    let admin = env.admin_pool().await;
    let rows: Vec<(TenantId, Option<Uuid>, Value)> =
        sqlx::query_as("select tenant_id, subject_id, payload from outbox where event_type = 'asset.status_changed'")
            .fetch_all(&admin)
            .await
            .unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    let (tenant, subject, payload) = &rows[0];
    assert_eq!(*tenant, t.id, "the event belongs to the asset's tenant");
    assert_eq!(*subject, Some(uuid(&asset)));
    assert_eq!(payload["from"], "available");
    assert_eq!(payload["to"], "in_repair");
    assert_eq!(
        events_of(&admin, other.id, "asset.status_changed")
            .await
            .len(),
        0
    );
    let status: String = sqlx::query_scalar("select status from assets where id = $1")
        .bind(uuid(&asset))
        .fetch_one(&admin)
        .await
        .unwrap();
    assert_eq!(status, "in_repair");

    // Setting the same status again is an update but not a status change.
    ok(
        &env,
        &t,
        "UpdateAsset",
        json!({"asset": {"id": asset, "status": "ASSET_STATUS_IN_REPAIR"}, "updateMask": "status"}),
    )
    .await;
    assert_eq!(
        events_of(&admin, t.id, "asset.status_changed").await.len(),
        1
    );
    assert_eq!(events_of(&admin, t.id, "asset.updated").await.len(), 2);

    // A mask path that cannot be updated.
    let bad = fails(
        &env,
        &t,
        "UpdateAsset",
        json!({"asset": {"id": asset}, "updateMask": "caseId"}),
        "invalid_argument",
    )
    .await;
    assert_eq!(bad.violated_fields(), vec!["update_mask"]);
}

#[tokio::test]
async fn assets_of_deleted_products_are_refused() {
    let env = TestEnv::start().await;
    let t = env.create_tenant("Rental Co").await;
    let (product, _) = asset_fixtures(&env, &t, "Old lamp").await;
    let live = create_product(&env, &t, json!({"name": "New lamp"})).await;
    let asset = id_of(
        &ok(
            &env,
            &t,
            "CreateAsset",
            json!({"productId": live, "code": "L-1"}),
        )
        .await,
        "asset",
    );
    ok(&env, &t, "DeleteProduct", json!({"id": product})).await;

    let refused = fails(
        &env,
        &t,
        "CreateAsset",
        json!({"productId": product, "code": "L-2"}),
        "failed_precondition",
    )
    .await;
    assert!(
        refused.body["message"]
            .as_str()
            .unwrap()
            .contains("deleted"),
        "{}",
        refused.body
    );
    fails(
        &env,
        &t,
        "UpdateAsset",
        json!({"asset": {"id": asset, "productId": product}, "updateMask": "productId"}),
        "failed_precondition",
    )
    .await;
    let admin = env.admin_pool().await;
    let rows: Vec<(String, Uuid)> = sqlx::query_as("select code, product_id from assets")
        .fetch_all(&admin)
        .await
        .unwrap();
    assert_eq!(rows, vec![("L-1".to_owned(), uuid(&live))]);
}

#[tokio::test]
async fn cases_hold_assets() {
    let env = TestEnv::start().await;
    let t = env.create_tenant("Rental Co").await;
    let (product, zone) = asset_fixtures(&env, &t, "Moving head").await;
    let a1 = id_of(
        &ok(
            &env,
            &t,
            "CreateAsset",
            json!({"productId": product, "code": "MH-1"}),
        )
        .await,
        "asset",
    );
    let a2 = id_of(
        &ok(
            &env,
            &t,
            "CreateAsset",
            json!({"productId": product, "code": "MH-2"}),
        )
        .await,
        "asset",
    );
    let case1 = ok(
        &env,
        &t,
        "CreateCase",
        json!({"code": "CASE-1", "name": "Flight case 1", "locationId": zone}),
    )
    .await;
    assert_eq!(case1["case"]["locationId"], zone.as_str());
    let c1 = id_of(&case1, "case");
    let c2 = id_of(
        &ok(
            &env,
            &t,
            "CreateCase",
            json!({"code": "CASE-2", "name": "Flight case 2"}),
        )
        .await,
        "case",
    );
    let dup = fails(
        &env,
        &t,
        "CreateCase",
        json!({"code": "CASE-1", "name": "Again"}),
        "already_exists",
    )
    .await;
    assert_eq!(dup.violated_fields(), vec!["code"]);

    let added = ok(
        &env,
        &t,
        "AddAssetToCase",
        json!({"caseId": c1, "assetId": a1}),
    )
    .await;
    assert_eq!(added["case"]["assetIds"], json!([a1]));
    ok(
        &env,
        &t,
        "AddAssetToCase",
        json!({"caseId": c1, "assetId": a2}),
    )
    .await;
    let got = ok(&env, &t, "GetCase", json!({"id": c1})).await;
    assert_eq!(got["case"]["assetIds"], json!([a1, a2]));
    assert_eq!(
        ok(&env, &t, "GetAsset", json!({"id": a1})).await["asset"]["caseId"],
        c1.as_str()
    );

    // Adding to another case moves the asset.
    let moved = ok(
        &env,
        &t,
        "AddAssetToCase",
        json!({"caseId": c2, "assetId": a1}),
    )
    .await;
    assert_eq!(moved["case"]["assetIds"], json!([a1]));
    assert_eq!(
        ok(&env, &t, "GetCase", json!({"id": c1})).await["case"]["assetIds"],
        json!([a2])
    );
    assert_eq!(
        ok(&env, &t, "GetAsset", json!({"id": a1})).await["asset"]["caseId"],
        c2.as_str()
    );

    // Removing.
    let removed = ok(
        &env,
        &t,
        "RemoveAssetFromCase",
        json!({"caseId": c2, "assetId": a1}),
    )
    .await;
    assert!(removed["case"].get("assetIds").is_none(), "{removed}");
    assert!(
        ok(&env, &t, "GetAsset", json!({"id": a1})).await["asset"]
            .get("caseId")
            .is_none()
    );
    let not_in = fails(
        &env,
        &t,
        "RemoveAssetFromCase",
        json!({"caseId": c2, "assetId": a1}),
        "failed_precondition",
    )
    .await;
    assert_eq!(not_in.status, 400);
    fails(
        &env,
        &t,
        "RemoveAssetFromCase",
        json!({"caseId": c1, "assetId": a1}),
        "failed_precondition",
    )
    .await;
    assert_eq!(
        ok(&env, &t, "GetCase", json!({"id": c1})).await["case"]["assetIds"],
        json!([a2]),
        "a2 stayed put"
    );
    fails(
        &env,
        &t,
        "AddAssetToCase",
        json!({"caseId": Uuid::now_v7().to_string(), "assetId": a1}),
        "not_found",
    )
    .await;
    fails(
        &env,
        &t,
        "AddAssetToCase",
        json!({"caseId": c1, "assetId": Uuid::now_v7().to_string()}),
        "not_found",
    )
    .await;

    let cases = ok(&env, &t, "ListCases", json!({"locationId": zone})).await;
    assert_eq!(cases["cases"].as_array().unwrap().len(), 1);

    let admin = env.admin_pool().await;
    assert_eq!(events_of(&admin, t.id, "case.created").await.len(), 2);
    assert_eq!(events_of(&admin, t.id, "case.asset_added").await.len(), 3);
    assert_eq!(
        events_of(&admin, t.id, "case.asset_removed").await,
        vec![Some(uuid(&c2))]
    );
}

#[tokio::test]
async fn lists_page_with_stable_tokens() {
    let env = TestEnv::start().await;
    let t = env.create_tenant("Rental Co").await;
    let mut created = Vec::new();
    for i in 0..7 {
        created.push(create_product(&env, &t, json!({"name": format!("Product {i}")})).await);
    }

    let mut seen = Vec::new();
    let mut token = String::new();
    let mut pages = 0;
    loop {
        let body = ok(
            &env,
            &t,
            "ListProducts",
            json!({"page": {"pageSize": 3, "pageToken": token}}),
        )
        .await;
        pages += 1;
        let items = body["products"].as_array().unwrap();
        assert!(items.len() <= 3);
        seen.extend(items.iter().map(|p| p["id"].as_str().unwrap().to_owned()));
        token = body["page"]["nextPageToken"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if token.is_empty() {
            break;
        }
        assert!(pages < 5, "paging does not end");
    }
    assert_eq!(pages, 3, "7 items in pages of 3");
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 7, "all unique");
    assert_eq!(seen, created, "stable order: creation order");

    // Same first page twice.
    let a = ok(&env, &t, "ListProducts", json!({"page": {"pageSize": 3}})).await;
    let b = ok(&env, &t, "ListProducts", json!({"page": {"pageSize": 3}})).await;
    assert_eq!(a, b);

    // Over the maximum is capped, not refused; the default is 50.
    let big = ok(
        &env,
        &t,
        "ListProducts",
        json!({"page": {"pageSize": 100000}}),
    )
    .await;
    assert_eq!(big["products"].as_array().unwrap().len(), 7);
    assert!(
        big["page"]["nextPageToken"]
            .as_str()
            .unwrap_or_default()
            .is_empty()
    );

    let bad = fails(
        &env,
        &t,
        "ListProducts",
        json!({"page": {"pageToken": "not-a-token!"}}),
        "invalid_argument",
    )
    .await;
    assert_eq!(bad.violated_fields(), vec!["page.page_token"]);
    let negative = fails(
        &env,
        &t,
        "ListProducts",
        json!({"page": {"pageSize": -1}}),
        "invalid_argument",
    )
    .await;
    assert_eq!(negative.violated_fields(), vec!["page.page_size"]);
}

#[tokio::test]
async fn full_text_search_finds_prefixes() {
    let env = TestEnv::start().await;
    let t = env.create_tenant("Rental Co").await;
    let head = create_product(
        &env,
        &t,
        json!({"name": "Moving head", "category": "Lighting"}),
    )
    .await;
    let speaker = create_product(
        &env,
        &t,
        json!({"name": "Speaker", "category": "Sound", "sku": "SPK-12"}),
    )
    .await;
    let names = |body: &Value| -> Vec<String> {
        body["products"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| p["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        names(&ok(&env, &t, "ListProducts", json!({"query": "mov hea"})).await),
        vec![head.clone()]
    );
    assert_eq!(
        names(&ok(&env, &t, "ListProducts", json!({"query": "MOV"})).await),
        vec![head.clone()]
    );
    assert_eq!(
        names(&ok(&env, &t, "ListProducts", json!({"query": "light"})).await),
        vec![head.clone()],
        "category"
    );
    assert_eq!(
        names(&ok(&env, &t, "ListProducts", json!({"query": "spk"})).await),
        vec![speaker.clone()],
        "sku"
    );
    assert!(
        names(&ok(&env, &t, "ListProducts", json!({"query": "mov spea"})).await).is_empty(),
        "terms are ANDed"
    );
    assert!(
        names(&ok(&env, &t, "ListProducts", json!({"query": "o'; drop & | !"})).await).len() <= 2,
        "syntax is inert"
    );
    assert_eq!(
        names(&ok(&env, &t, "ListProducts", json!({"category": "Sound"})).await),
        vec![speaker.clone()]
    );

    let a1 = id_of(
        &ok(
            &env,
            &t,
            "CreateAsset",
            json!({"productId": head, "code": "QR-100"}),
        )
        .await,
        "asset",
    );
    let a2 = id_of(
        &ok(
            &env,
            &t,
            "CreateAsset",
            json!({"productId": speaker, "code": "SP-200", "serialNumber": "ZX9"}),
        )
        .await,
        "asset",
    );
    let assets = |body: &Value| -> Vec<String> {
        body["assets"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| p["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        assets(&ok(&env, &t, "ListAssets", json!({"query": "moving"})).await),
        vec![a1.clone()],
        "by product name"
    );
    assert_eq!(
        assets(&ok(&env, &t, "ListAssets", json!({"query": "qr"})).await),
        vec![a1.clone()],
        "by code prefix"
    );
    assert_eq!(
        assets(&ok(&env, &t, "ListAssets", json!({"query": "zx9"})).await),
        vec![a2.clone()],
        "by serial"
    );
    assert_eq!(
        assets(&ok(&env, &t, "ListAssets", json!({"productId": speaker})).await),
        vec![a2.clone()]
    );
    assert_eq!(
        assets(
            &ok(
                &env,
                &t,
                "ListAssets",
                json!({"status": "ASSET_STATUS_AVAILABLE"})
            )
            .await
        ),
        vec![a1, a2]
    );
    let too_long = fails(
        &env,
        &t,
        "ListProducts",
        json!({"query": "a".repeat(201)}),
        "invalid_argument",
    )
    .await;
    assert_eq!(too_long.violated_fields(), vec!["query"]);
}

#[tokio::test]
async fn every_mutation_writes_one_outbox_event() {
    let env = TestEnv::start().await;
    let t = env.create_tenant("Rental Co").await;
    let admin = env.admin_pool().await;
    assert!(outbox(&admin, t.id).await.is_empty());

    let product = create_product(&env, &t, json!({"name": "Moving head"})).await;
    ok(
        &env,
        &t,
        "UpdateProduct",
        json!({"product": {"id": product, "sku": "X"}, "updateMask": "sku"}),
    )
    .await;
    ok(&env, &t, "DeleteProduct", json!({"id": product})).await;
    ok(&env, &t, "RestoreProduct", json!({"id": product})).await;
    let wh = id_of(
        &ok(
            &env,
            &t,
            "CreateLocation",
            json!({"name": "Main", "kind": "LOCATION_KIND_WAREHOUSE"}),
        )
        .await,
        "location",
    );
    let asset = id_of(
        &ok(
            &env,
            &t,
            "CreateAsset",
            json!({"productId": product, "code": "A-1"}),
        )
        .await,
        "asset",
    );
    ok(
        &env,
        &t,
        "UpdateAsset",
        json!({"asset": {"id": asset, "status": "ASSET_STATUS_LOST"}, "updateMask": "status"}),
    )
    .await;
    let case = id_of(
        &ok(
            &env,
            &t,
            "CreateCase",
            json!({"code": "C-1", "name": "Case"}),
        )
        .await,
        "case",
    );
    ok(
        &env,
        &t,
        "AddAssetToCase",
        json!({"caseId": case, "assetId": asset}),
    )
    .await;
    ok(
        &env,
        &t,
        "RemoveAssetFromCase",
        json!({"caseId": case, "assetId": asset}),
    )
    .await;
    // Reads write nothing.
    ok(&env, &t, "GetProduct", json!({"id": product})).await;
    ok(&env, &t, "ListAssets", json!({})).await;
    ok(&env, &t, "GetCase", json!({"id": case})).await;

    let (p, a, c, w) = (uuid(&product), uuid(&asset), uuid(&case), uuid(&wh));
    let expected: Vec<(String, Option<Uuid>)> = [
        ("product.created", p),
        ("product.updated", p),
        ("product.deleted", p),
        ("product.restored", p),
        ("location.created", w),
        ("asset.created", a),
        ("asset.updated", a),
        ("asset.status_changed", a),
        ("case.created", c),
        ("case.asset_added", c),
        ("case.asset_removed", c),
    ]
    .into_iter()
    .map(|(e, s)| (e.to_owned(), Some(s)))
    .collect();
    assert_eq!(outbox(&admin, t.id).await, expected);

    // Payloads are canonical JSON of the entity, and the actor is the API key.
    let (payload, actor): (Value, String) = sqlx::query_as(
        "select payload, actor from outbox where tenant_id = $1 and event_type = 'product.created'",
    )
    .bind(t.id)
    .fetch_one(&admin)
    .await
    .unwrap();
    assert_eq!(payload["id"], product.as_str());
    assert_eq!(payload["name"], "Moving head");
    assert!(actor.starts_with("api_key:"), "{actor}");
}

/// Codes and SKUs are usually `LETTERS-DIGITS`. Postgres's text parser reads `SP-200` as the
/// word `sp` and the signed integer `-200`, while the query sanitiser drops the `-` and searches
/// `sp:* & 200:*` — so typing an asset's exact code finds nothing.
#[tokio::test]
async fn search_finds_an_asset_by_its_exact_code_and_a_product_by_its_sku() {
    let env = TestEnv::start().await;
    let t = env.create_tenant("Rental Co").await;
    let product = create_product(&env, &t, json!({"name": "Speaker", "sku": "SPK-12"})).await;
    let asset = id_of(
        &ok(
            &env,
            &t,
            "CreateAsset",
            json!({"productId": product, "code": "SP-200"}),
        )
        .await,
        "asset",
    );
    let by_code = ok(&env, &t, "ListAssets", json!({"query": "SP-200"})).await;
    let found: Vec<&str> = by_code["assets"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    let by_sku = ok(&env, &t, "ListProducts", json!({"query": "SPK-12"})).await;
    let skus: Vec<&str> = by_sku["products"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        (found, skus),
        (vec![asset.as_str()], vec![product.as_str()]),
        "exact code / exact SKU search"
    );
}

/// Search takes one of two plans (a page from the first 5,000 assets in id order, or every
/// match through the GIN index); with more assets than that, a frequent term and a rare one
/// beyond the window both page exactly as id order says. The match is leakproof in our
/// database, so under row-level security the GIN index can serve it.
#[tokio::test]
async fn search_pages_frequent_and_rare_terms_alike_and_the_match_is_leakproof() {
    let env = TestEnv::start().await;
    let t = env.create_tenant("Big Rental").await;
    let db = eventkit_platform::db::Db::connect_lazy(env.config.database.app.expose(), 2).unwrap();
    eventkit_devtools::seed::seed(&db, t.id, 6_000, 0, 5)
        .await
        .expect("seed");
    let product = create_product(&env, &t, json!({"name": "Wind machine"})).await;
    let mut rare = Vec::new();
    for n in 1..=3 {
        let made = ok(
            &env,
            &t,
            "CreateAsset",
            json!({"productId": product, "code": format!("ZULU-{n}")}),
        )
        .await;
        rare.push(id_of(&made, "asset"));
    }
    let page = |query: &'static str, token: String| {
        let (env, t) = (&env, &t);
        async move {
            let body = ok(
                env,
                t,
                "ListAssets",
                json!({"query": query, "page": {"pageSize": 50, "pageToken": token}}),
            )
            .await;
            let ids: Vec<String> = body["assets"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|a| a["id"].as_str().unwrap().to_owned())
                .collect();
            let next = body["page"]["nextPageToken"]
                .as_str()
                .unwrap_or("")
                .to_owned();
            (ids, next)
        }
    };
    let (zulu, next) = page("zulu", String::new()).await;
    assert_eq!(zulu, rare, "all three, found beyond the first 5,000");
    assert_eq!(next, "");
    let (windy, _) = page("wind", String::new()).await;
    assert_eq!(windy, rare, "through their product's name");

    let admin = env.admin_pool().await;
    let expected: Vec<String> = sqlx::query_scalar(
        "select id::text from assets where tenant_id = $1 and code like 'SEED-%' order by id limit 100",
    )
    .bind(t.id)
    .fetch_all(&admin)
    .await
    .unwrap();
    let (first, token) = page("seed", String::new()).await;
    let (second, _) = page("seed", token).await;
    assert_eq!([first, second].concat(), expected, "two pages in id order");

    // Bootstrap marked the match leakproof, so row-level security lets it be an index
    // condition (bench/history/planning.md shows the plans at seed scale).
    let leakproof: bool = sqlx::query_scalar(
        "select proleakproof from pg_proc where oid = 'pg_catalog.ts_match_vq(tsvector, tsquery)'::regprocedure",
    )
    .fetch_one(&admin)
    .await
    .unwrap();
    assert!(leakproof, "bootstrap::allow_indexed_search did not run");
}
