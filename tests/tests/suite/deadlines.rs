//! Deadlines: a call that cannot finish within `Connect-Timeout-Ms` (or `grpc-timeout`) ends with
//! `deadline_exceeded` on time, and its transaction is rolled back — nothing is written.

use bytes::Bytes;
use eventkit_tests::{TestEnv, connect::send_raw};
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test]
async fn a_call_past_its_deadline_is_cut_off_and_writes_nothing() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Deadline").await;

    // Hold the row lock so the update cannot finish.
    let (id, blocker) = env.locked_product(&tenant).await;
    let admin = env.admin_pool().await;

    let body = json!({"product": {"id": id, "name": "Renamed"}, "updateMask": "name"});
    let started = Instant::now();
    let reply = send_raw(
        env.addr,
        "/eventkit.v1.InventoryService/UpdateProduct",
        "application/json",
        Some(&tenant.api_key),
        Bytes::from(body.to_string()),
        &[("connect-timeout-ms", "300")],
    )
    .await
    .into_reply();
    let took = started.elapsed();
    assert_eq!(
        (reply.status, reply.code()),
        (504, "deadline_exceeded"),
        "{}",
        reply.body
    );
    assert!(
        took >= Duration::from_millis(300) && took < Duration::from_secs(3),
        "cut off on time: {took:?}"
    );

    blocker.commit().await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let name: String = sqlx::query_scalar("select name from products where id = $1::uuid")
        .bind(&id)
        .fetch_one(&admin)
        .await
        .unwrap();
    assert_eq!(name, "Lamp", "the cut-off update was rolled back");
    let events: i64 =
        sqlx::query_scalar("select count(*) from outbox where event_type = 'product.updated'")
            .fetch_one(&admin)
            .await
            .unwrap();
    assert_eq!(events, 0, "and wrote no event");
}
