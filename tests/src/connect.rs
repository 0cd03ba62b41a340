//! A minimal Connect unary client for tests (HTTP/1.1 via hyper), speaking JSON or binary, so
//! tests can assert exact HTTP statuses, headers and error bodies.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::{client::legacy::Client, rt::TokioExecutor};
use prost::Message;
use prost_reflect::{DynamicMessage, SerializeOptions};
use serde_json::Value;
use std::net::SocketAddr;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    ConnectJson,
    ConnectProto,
}

/// What came back: the HTTP status, headers and the body as JSON (binary answers are decoded
/// with the method's descriptor so tests compare the same shape).
#[derive(Debug)]
pub struct ConnectReply {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Value,
}

impl ConnectReply {
    /// The Connect error code, or `"ok"`.
    pub fn code(&self) -> &str {
        if self.status == 200 {
            "ok"
        } else {
            self.body["code"].as_str().unwrap_or("?")
        }
    }

    /// Field names of the BadRequest violations in the error.
    pub fn violated_fields(&self) -> Vec<String> {
        self.body["details"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|d| {
                d["debug"]["fieldViolations"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .filter_map(|v| v["field"].as_str().map(str::to_owned))
            .collect()
    }

    #[track_caller]
    pub fn ok(&self) -> &Value {
        assert_eq!(
            self.status, 200,
            "expected success, got {} {}",
            self.status, self.body
        );
        &self.body
    }
}

fn method_descriptor(method: &str) -> prost_reflect::MethodDescriptor {
    let (service, name) = method.rsplit_once('/').expect("Service/Method");
    let service = if service.contains('.') {
        service.to_owned()
    } else {
        format!("eventkit.v1.{service}")
    };
    eventkit_proto::descriptor_pool()
        .get_service_by_name(&service)
        .and_then(|s| s.methods().find(|m| m.name() == name))
        .unwrap_or_else(|| panic!("unknown method {method}"))
}

/// Calls `Service/Method` (e.g. `InventoryService/GetProduct`) with `body` (canonical JSON).
pub async fn call(
    addr: SocketAddr,
    protocol: Protocol,
    key: Option<&str>,
    method: &str,
    body: Value,
) -> ConnectReply {
    call_with_headers(addr, protocol, key, method, body, &[]).await
}

/// [`call`] with extra request headers (cookies, CSRF).
pub async fn call_with_headers(
    addr: SocketAddr,
    protocol: Protocol,
    key: Option<&str>,
    method: &str,
    body: Value,
    headers: &[(&str, &str)],
) -> ConnectReply {
    let descriptor = method_descriptor(method);
    let path = format!(
        "/{}/{}",
        descriptor.parent_service().full_name(),
        descriptor.name()
    );
    let (content_type, payload) = match protocol {
        Protocol::ConnectJson => ("application/json", Bytes::from(body.to_string())),
        Protocol::ConnectProto => {
            let message =
                DynamicMessage::deserialize(descriptor.input(), body).expect("valid request JSON");
            ("application/proto", Bytes::from(message.encode_to_vec()))
        }
    };
    let reply = send_raw(addr, &path, content_type, key, payload, headers).await;
    if protocol == Protocol::ConnectProto && reply.status == 200 {
        let bytes = reply.raw_body.clone();
        let message =
            DynamicMessage::decode(descriptor.output(), bytes).expect("binary answer decodes");
        let json = message
            .serialize_with_options(serde_json::value::Serializer, &SerializeOptions::new())
            .expect("json");
        return ConnectReply {
            status: reply.status,
            headers: reply.headers,
            body: json,
        };
    }
    reply.into_reply()
}

/// The raw answer of [`send_raw`].
pub struct RawReply {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub raw_body: Bytes,
}

impl RawReply {
    pub fn into_reply(self) -> ConnectReply {
        let body = serde_json::from_slice(&self.raw_body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&self.raw_body).into()));
        ConnectReply {
            status: self.status,
            headers: self.headers,
            body,
        }
    }
}

/// POSTs an arbitrary body (malformed JSON, oversized bodies, odd headers).
pub async fn send_raw(
    addr: SocketAddr,
    path: &str,
    content_type: &str,
    key: Option<&str>,
    body: Bytes,
    extra_headers: &[(&str, &str)],
) -> RawReply {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut request = http::Request::post(format!("http://{addr}{path}"))
        .header("content-type", content_type)
        .header("connect-protocol-version", "1");
    if let Some(key) = key {
        request = request.header("authorization", format!("Bearer {key}"));
    }
    for (name, value) in extra_headers {
        request = request.header(*name, *value);
    }
    let response = client
        .request(request.body(Full::new(body)).expect("request"))
        .await
        .expect("HTTP call");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let raw_body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    RawReply {
        status,
        headers,
        raw_body,
    }
}

/// GETs `path` and returns the body as text (health, metrics).
pub async fn get(addr: SocketAddr, path: &str) -> String {
    get_with(addr, path, &[]).await
}

/// `/metrics` of the server at `addr`, read with the test metrics token.
pub async fn metrics(addr: SocketAddr) -> String {
    let bearer = format!("Bearer {}", crate::METRICS_TOKEN);
    get_with(addr, "/metrics", &[("authorization", &bearer)]).await
}

/// GETs `path` with `headers` and returns the body as text.
pub async fn get_with(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> String {
    String::from_utf8_lossy(&get_raw(addr, path, headers).await.raw_body).into_owned()
}

/// GETs `path` (with its query) with `headers`: status, headers and body.
pub async fn get_raw(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> RawReply {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut request = http::Request::get(format!("http://{addr}{path}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request.body(Full::new(Bytes::new())).expect("request");
    let response = client.request(request).await.expect("HTTP call");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let raw_body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    RawReply {
        status,
        headers,
        raw_body,
    }
}
