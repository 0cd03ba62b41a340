//! The webhook findings of the 2026-12 security review, run as the review describes them
//! through the Admin API and the real dispatcher: L4, endpoints on IPv6 transition addresses
//! (local-use NAT64, 6to4, Teredo, IPv4-translated) that reach IPv4 hosts behind a gateway
//! are refused at registration, and a refused delivery tells the tenant that the address is
//! not allowed without echoing what the workers' resolver answered; L5, a receiver answering
//! with a NUL byte is recorded like any other answer (before, Postgres refused the text, the
//! whole batch stayed unrecorded and was sent again after every lease).

use crate::webhooks::{admin, deliveries, endpoint, env_allowing_loopback};
use eventkit_tests::{
    TestEnv, pipeline,
    webhook_receiver::{Receiver, Reply},
};
use eventkit_workers::{clock::SystemClock, webhooks::sender::EXCERPT_BYTES};
use serde_json::json;
use std::sync::Arc;

#[tokio::test]
async fn endpoints_on_ipv6_transition_addresses_are_refused_naming_the_url() {
    let env = TestEnv::start().await;
    let t = env.create_tenant("Hooks").await;
    for url in [
        // Local-use NAT64 (RFC 8215) of the metadata address, the review's demo.
        "http://[64:ff9b:1::a9fe:a9fe]/",
        // 6to4 of 127.0.0.1, and of a public address: the relay is not ours to trust.
        "http://[2002:7f00:1::1]/",
        "http://[2002:808:808::1]/",
        // Teredo, whatever it embeds.
        "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
        // IPv4-translated (SIIT) 10.0.0.1.
        "http://[::ffff:0:a00:1]/",
    ] {
        let reply = admin(
            &env,
            &t,
            "CreateWebhookEndpoint",
            json!({"url": url, "eventTypes": ["*"]}),
        )
        .await;
        assert_eq!(reply.code(), "invalid_argument", "{url}: {}", reply.body);
        assert_eq!(reply.violated_fields(), ["url"], "{url}: {}", reply.body);
    }
    let written: i64 = sqlx::query_scalar("select count(*) from webhook_endpoints")
        .fetch_one(&env.admin_pool().await)
        .await
        .unwrap();
    assert_eq!(written, 0, "nothing was written");
}

#[tokio::test]
async fn a_refused_delivery_does_not_echo_the_resolved_address() {
    // No allow-list: `localhost` passes registration (a name only the workers resolve, here
    // to loopback) and is refused at delivery.
    let env = TestEnv::start().await;
    let t = env.create_tenant("Hooks").await;
    let receiver = Receiver::start().await;
    let url = format!("http://localhost:{}/in", receiver.addr.port());
    let (id, _) = endpoint(&env, &t, &url, &["*"]).await;
    admin(&env, &t, "SendTestWebhook", json!({"endpointId": id}))
        .await
        .ok();
    let dispatcher = pipeline::dispatcher(&env, Arc::new(SystemClock));
    assert_eq!(dispatcher.dispatch_due().await.unwrap(), 1);
    assert!(receiver.received().is_empty(), "no connection was made");
    let listed = deliveries(&env, &t).await;
    let error = listed[0]["attempts"][0]["error"].as_str().unwrap();
    assert!(error.contains("address is not allowed"), "{error}");
    for resolved in ["127.0.0.1", "::1", "loopback"] {
        assert!(
            !error.contains(resolved),
            "the tenant sees what the workers resolved ({resolved}): {error}"
        );
    }
}

#[tokio::test]
async fn an_answer_with_a_nul_byte_is_recorded_with_the_rest_of_its_batch() {
    let env = env_allowing_loopback().await;
    let t = env.create_tenant("Hooks").await;
    let nul = Receiver::start().await;
    nul.otherwise(Reply::status(200).body(format!("ok\0{}", "x\0".repeat(EXCERPT_BYTES))));
    let plain = Receiver::start().await;
    let (nul_id, _) = endpoint(&env, &t, &nul.url("/in"), &["*"]).await;
    let (plain_id, _) = endpoint(&env, &t, &plain.url("/in"), &["*"]).await;
    for id in [&nul_id, &plain_id] {
        admin(&env, &t, "SendTestWebhook", json!({"endpointId": id}))
            .await
            .ok();
    }
    let dispatcher = pipeline::dispatcher(&env, Arc::new(SystemClock));
    assert_eq!(
        dispatcher
            .dispatch_due()
            .await
            .expect("the batch is recorded"),
        2
    );
    let listed = deliveries(&env, &t).await;
    assert_eq!(listed.len(), 2, "{listed:?}");
    for delivery in &listed {
        assert_eq!(
            delivery["status"], "WEBHOOK_DELIVERY_STATUS_DELIVERED",
            "{delivery}"
        );
    }
    let excerpt = listed
        .iter()
        .find(|d| d["endpointId"] == nul_id.as_str())
        .map(|d| {
            d["attempts"][0]["responseExcerpt"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .expect("the NUL receiver's delivery");
    assert!(excerpt.starts_with("ok\u{FFFD}x"), "{excerpt:?}");
    assert!(!excerpt.contains('\0'), "{excerpt:?}");
    assert!(excerpt.len() <= EXCERPT_BYTES, "{} bytes", excerpt.len());
    // Recorded once: nothing is due again, so nothing is sent again.
    assert_eq!(dispatcher.dispatch_due().await.unwrap(), 0);
    assert_eq!((nul.count(), plain.count()), (1, 1));
}
