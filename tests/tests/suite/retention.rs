//! Cross-tenant background work: the app role can list tenant ids through `ek_tenant_ids()` but
//! still reads no registry rows itself, and the idempotency sweep removes only records older than
//! 24 hours, for every tenant, each in its own tenant context.

use eventkit_domain::ids::TenantId;
use eventkit_platform::db::Db;
use eventkit_tests::TestEnv;
use sqlx::Connection;

#[tokio::test]
async fn the_sweep_removes_only_expired_records_of_every_tenant() {
    let env = TestEnv::start().await;
    let a = env.create_tenant("A").await;
    let b = env.create_tenant("B").await;
    let admin = env.admin_pool().await;
    for (tenant, key, age) in [
        (a.id, "old", "25 hours"),
        (a.id, "fresh", "1 hour"),
        (b.id, "old", "48 hours"),
    ] {
        sqlx::query(&format!(
            "insert into idempotency_keys (tenant_id, key, rpc, request_hash, created_at) values ($1, $2, '/x/Y', '\\x00', now() - interval '{age}')"
        ))
        .bind(tenant)
        .bind(key)
        .execute(&admin)
        .await
        .unwrap();
    }

    let db = Db::connect_lazy(env.config.database.app.expose(), 2).unwrap();
    let mut ids = db.tenant_ids().await.unwrap();
    ids.sort();
    let mut expected = vec![a.id, b.id];
    expected.sort();
    assert_eq!(
        ids, expected,
        "the app role lists tenant ids through ek_tenant_ids()"
    );
    let mut app = env.app_connection().await;
    let visible: i64 = sqlx::query_scalar("select count(*) from tenants")
        .fetch_one(&mut app)
        .await
        .unwrap();
    assert_eq!(visible, 0, "but reads no registry rows itself");
    app.close().await.unwrap();

    assert_eq!(
        eventkit_workers::retention::sweep_once(&db).await.unwrap(),
        2
    );
    let left: Vec<(TenantId, String)> =
        sqlx::query_as("select tenant_id, key from idempotency_keys order by key")
            .fetch_all(&admin)
            .await
            .unwrap();
    assert_eq!(left, vec![(a.id, "fresh".to_owned())]);

    sqlx::query("update tenants set state = 'erased' where id = $1")
        .bind(b.id)
        .execute(&admin)
        .await
        .unwrap();
    assert_eq!(
        db.tenant_ids().await.unwrap(),
        vec![a.id],
        "erased tenants are not listed"
    );
}
