//! HTTP/1.1 specifics: an early rejection (before the handler read the body) must leave the
//! keep-alive connection usable, and made-up paths must not become metrics labels.

use eventkit_tests::TestEnv;
use std::time::Duration;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

/// Sends one request whose body arrives after its headers, and reads one answer.
async fn exchange(stream: &mut TcpStream, head: &[u8], body: &[u8]) -> String {
    stream.write_all(head).await.unwrap();
    tokio::time::sleep(Duration::from_millis(30)).await;
    stream.write_all(body).await.unwrap();
    let mut buf = vec![0u8; 16 * 1024];
    let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf))
        .await
        .expect("an answer")
        .unwrap();
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

#[tokio::test]
async fn a_rejected_grpc_web_request_leaves_the_connection_usable() {
    let env = TestEnv::start().await;
    // GetProductRequest { id } in a gRPC-Web frame, with no credentials: rejected before the
    // service reads the body.
    let id = b"01a2013f-0000-7000-8000-000000000000";
    let mut body = vec![0, 0, 0, 0, (id.len() + 2) as u8, 0x0a, id.len() as u8];
    body.extend_from_slice(id);
    let head = format!(
        "POST /eventkit.v1.InventoryService/GetProduct HTTP/1.1\r\nHost: x\r\ncontent-type: application/grpc-web+proto\r\nx-grpc-web: 1\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    let mut stream = TcpStream::connect(env.addr).await.unwrap();
    for attempt in 1..=3 {
        let answer = exchange(&mut stream, head.as_bytes(), &body).await;
        assert!(
            answer.starts_with("HTTP/1.1 200"),
            "attempt {attempt}: {answer}"
        );
        assert!(
            answer.contains("grpc-status: 16"),
            "attempt {attempt} is unauthenticated: {answer}"
        );
    }
}

#[tokio::test]
async fn oversized_http1_bodies_close_the_connection_with_resource_exhausted() {
    let env = TestEnv::start_with([("EVENTKIT_MAX_REQUEST_BYTES", "64")]).await;
    let body = vec![b' '; 1024];
    let head = format!(
        "POST /eventkit.v1.InventoryService/ListProducts HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    let mut stream = TcpStream::connect(env.addr).await.unwrap();
    let answer = exchange(&mut stream, head.as_bytes(), &body)
        .await
        .to_lowercase();
    assert!(answer.starts_with("http/1.1 429"), "{answer}");
    assert!(answer.contains("connection: close"), "{answer}");
    assert!(answer.contains("resource_exhausted"), "{answer}");
}

#[tokio::test]
async fn unknown_paths_share_one_metrics_label() {
    let env = TestEnv::start().await;
    for path in [
        "/eventkit.v1.InventoryService/NoSuchMethod",
        "/made/up",
        "/eventkit.v9.Nope/X",
    ] {
        eventkit_tests::connect::send_raw(
            env.addr,
            path,
            "application/json",
            None,
            "{}".into(),
            &[],
        )
        .await;
    }
    let metrics = eventkit_tests::connect::metrics(env.addr).await;
    assert!(metrics.contains(r#"route="other""#), "{metrics}");
    for leaked in ["NoSuchMethod", "/made/up", "v9.Nope"] {
        assert!(
            !metrics.contains(leaked),
            "{leaked} became a label:\n{metrics}"
        );
    }
}
