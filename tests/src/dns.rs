//! A name server for tests that answers TXT queries from records the test publishes (UDP and
//! TCP on one port, messages parsed and built with `hickory-proto`), so the tenant API's real
//! resolver (`EVENTKIT_DNS_SERVERS`) runs against it. Unknown names answer NXDOMAIN.

use hickory_proto::{
    op::{Message, MessageType, OpCode, ResponseCode},
    rr::{Name, RData, Record, RecordType, rdata::TXT},
};
use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{Arc, Mutex},
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, UdpSocket},
};

type Records = Arc<Mutex<HashMap<String, Vec<String>>>>;

/// A running server; it stops with the test's runtime.
pub struct TxtServer {
    pub addr: SocketAddr,
    records: Records,
}

impl TxtServer {
    pub async fn start() -> Self {
        let records: Records = Arc::default();
        // UDP and TCP on the same port number: take a free UDP port, then its TCP twin.
        let (udp, tcp) = loop {
            let udp = UdpSocket::bind("127.0.0.1:0").await.expect("udp bind");
            if let Ok(tcp) = TcpListener::bind(udp.local_addr().unwrap()).await {
                break (udp, tcp);
            }
        };
        let addr = udp.local_addr().unwrap();
        let for_udp = records.clone();
        tokio::spawn(async move {
            let mut buf = vec![0u8; 4096];
            while let Ok((n, from)) = udp.recv_from(&mut buf).await {
                if let Some(answer) = answer(&for_udp, &buf[..n]) {
                    let _ = udp.send_to(&answer, from).await;
                }
            }
        });
        let for_tcp = records.clone();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = tcp.accept().await {
                let records = for_tcp.clone();
                tokio::spawn(async move {
                    let mut len = [0u8; 2];
                    while stream.read_exact(&mut len).await.is_ok() {
                        let mut query = vec![0u8; u16::from_be_bytes(len) as usize];
                        if stream.read_exact(&mut query).await.is_err() {
                            return;
                        }
                        let Some(answer) = answer(&records, &query) else {
                            return;
                        };
                        let framed = [&(answer.len() as u16).to_be_bytes()[..], &answer].concat();
                        if stream.write_all(&framed).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        Self { addr, records }
    }

    /// Publishes a TXT record (`name` without the final dot).
    pub fn publish(&self, name: &str, value: &str) {
        self.records
            .lock()
            .unwrap()
            .entry(name.to_ascii_lowercase())
            .or_default()
            .push(value.to_owned());
    }
}

fn answer(records: &Records, query: &[u8]) -> Option<Vec<u8>> {
    let query = Message::from_vec(query).ok()?;
    let mut response = Message::new(query.metadata.id, MessageType::Response, OpCode::Query);
    response.metadata.recursion_desired = query.metadata.recursion_desired;
    response.metadata.recursion_available = true;
    response.metadata.authoritative = true;
    let question = query.queries.first()?.clone();
    let name = question.name().to_ascii();
    let key = name.trim_end_matches('.').to_ascii_lowercase();
    let published = records.lock().unwrap().get(&key).cloned();
    match published {
        Some(values) if question.query_type() == RecordType::TXT => {
            let owner = Name::from_ascii(&name).ok()?;
            for value in values {
                response.add_answer(Record::from_rdata(
                    owner.clone(),
                    0,
                    RData::TXT(TXT::new(vec![value])),
                ));
            }
        }
        Some(_) => {}
        None => response.metadata.response_code = ResponseCode::NXDomain,
    }
    response.add_query(question);
    response.to_vec().ok()
}

/// Proves `domain` for `tenant` through the Admin API, as its admins would: makes the record
/// (StartSsoDomainVerification), publishes it on `server`, verifies (VerifySsoDomain). Answers
/// the verified `SsoDomain`.
pub async fn prove_domain(
    env: &crate::TestEnv,
    tenant: &crate::Tenant,
    server: &TxtServer,
    domain: &str,
) -> serde_json::Value {
    let started = env
        .call(
            Some(&tenant.api_key),
            "AdminService/StartSsoDomainVerification",
            serde_json::json!({ "domain": domain }),
        )
        .await;
    let record = started.ok()["domain"].clone();
    server.publish(
        record["txtRecordName"].as_str().expect("record name"),
        record["txtRecordValue"].as_str().expect("record value"),
    );
    let verified = env
        .call(
            Some(&tenant.api_key),
            "AdminService/VerifySsoDomain",
            serde_json::json!({ "domain": domain }),
        )
        .await;
    let domain = verified.ok()["domain"].clone();
    assert_eq!(domain["verified"], true, "{domain}");
    domain
}
