//! `eventkit seed`: the generator makes the asked numbers of assets and events with pull lists
//! for one tenant only, twice without clashing codes, and the result is usable through the API.

use eventkit_tests::TestEnv;
use serde_json::json;

#[tokio::test]
async fn the_generator_fills_one_tenant_with_usable_data() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Demo").await;
    let other = env.create_tenant("Other").await;
    let db = eventkit_platform::db::Db::connect_lazy(env.config.database.app.expose(), 2).unwrap();
    let made = eventkit_devtools::seed::seed(&db, tenant.id, 120, 30, 7)
        .await
        .unwrap();
    assert_eq!((made.assets, made.events), (120, 30));
    assert!(made.lines >= 30 && made.products >= 2, "{made:?}");
    eventkit_devtools::seed::seed(&db, tenant.id, 10, 2, 8)
        .await
        .expect("a second run does not clash");

    let pool = env.admin_pool().await;
    let count = |table: &'static str, tenant: eventkit_domain::ids::TenantId| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(&format!(
                "select count(*) from {table} where tenant_id = $1"
            ))
            .bind(tenant)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    assert_eq!(count("assets", tenant.id).await, 130);
    assert_eq!(count("events", tenant.id).await, 32);
    assert_eq!(count("assets", other.id).await, 0);
    let reserving: i64 = sqlx::query_scalar(
        "select count(*) from event_lines l join events e on e.tenant_id = l.tenant_id and e.id = l.event_id \
         where l.tenant_id = $1 and l.reserves <> (e.status in ('provisional', 'confirmed'))",
    )
    .bind(tenant.id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(reserving, 0, "lines reserve exactly when their event does");

    let t = env.as_tenant(&tenant);
    let events = t
        .ok(
            "PlanningService/ListEvents",
            json!({"page": {"pageSize": 500}}),
        )
        .await;
    assert_eq!(events["events"].as_array().unwrap().len(), 32);
    let now = chrono::Utc::now();
    let around = json!({"period": {
        "start": (now - chrono::Duration::days(180)).to_rfc3339(),
        "end": (now + chrono::Duration::days(180)).to_rfc3339()}});
    t.ok("PlanningService/ListShortages", around.clone()).await;
    t.ok("PlanningService/ListConflicts", around).await;
}
