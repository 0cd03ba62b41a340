//! Graceful shutdown: a request in flight when the shutdown signal comes is finished and
//! answered; only then does the server stop, and new connections are refused.

use eventkit_tests::{
    TestEnv,
    connect::{Protocol, call},
};
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn in_flight_requests_finish_before_the_server_stops() {
    let env = TestEnv::start().await;
    let tenant = env.create_tenant("Drain").await;

    // A second server on the same database, which we will shut down.
    let eventkit_tests::OtherServer {
        addr,
        stop,
        running,
    } = env.another_server().await;

    // Hold the product's row lock, so UpdateProduct waits inside its transaction.
    let (id, blocker) = env.locked_product(&tenant).await;
    let key = tenant.api_key.clone();
    let update_id = id.clone();
    let in_flight = tokio::spawn(async move {
        call(
            addr,
            Protocol::ConnectJson,
            Some(&key),
            "InventoryService/UpdateProduct",
            json!({"product": {"id": update_id, "name": "Lamp, drained"}, "updateMask": "name"}),
        )
        .await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !in_flight.is_finished(),
        "the update waits for the row lock"
    );

    stop.send(()).unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !running.is_finished(),
        "the server waits for the in-flight request"
    );
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "no new connections after the signal"
    );

    blocker.commit().await.unwrap();
    let reply = tokio::time::timeout(Duration::from_secs(10), in_flight)
        .await
        .expect("answered")
        .unwrap();
    assert_eq!(reply.ok()["product"]["name"], "Lamp, drained");
    tokio::time::timeout(Duration::from_secs(10), running)
        .await
        .expect("server stopped")
        .unwrap()
        .unwrap();
}
