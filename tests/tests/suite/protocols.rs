//! One port, every protocol: the same handler answers Connect JSON, Connect binary, gRPC (tonic
//! client) and gRPC-Web with the same data and the same error codes; Connect errors have the
//! documented shape and HTTP statuses; the Connect adapter refuses protocol violations; and the
//! shared layers add request ids and security headers, and serve health, metrics and reflection.

use base64::{Engine, engine::general_purpose::STANDARD_NO_PAD};
use bytes::{BufMut, Bytes, BytesMut};
use eventkit_proto::eventkit::v1 as pb;
use eventkit_tests::{Protocol, TestEnv, connect};
use http_body_util::{BodyExt, Full};
use hyper_util::{client::legacy::Client, rt::TokioExecutor};
use prost::Message;
use prost_reflect::{DynamicMessage, SerializeOptions};
use serde_json::{Value, json};
use tonic::Code;
use tonic_reflection::pb::v1::{
    ServerReflectionRequest, server_reflection_client::ServerReflectionClient,
    server_reflection_request::MessageRequest, server_reflection_response::MessageResponse,
};
use tonic_types::StatusExt;
use uuid::Uuid;

const GET_PRODUCT: &str = "/eventkit.v1.InventoryService/GetProduct";

/// A generated message as canonical JSON, to compare with what Connect JSON answers.
fn to_json<M: Message>(message: &M, full_name: &str) -> Value {
    let descriptor = eventkit_proto::descriptor_pool()
        .get_message_by_name(full_name)
        .expect("known message");
    DynamicMessage::decode(descriptor, message.encode_to_vec().as_slice())
        .expect("decodes")
        .serialize_with_options(serde_json::value::Serializer, &SerializeOptions::new())
        .expect("serialises")
}

fn authed<T>(key: &str, message: T) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request.metadata_mut().insert(
        "authorization",
        format!("Bearer {key}").parse().expect("ascii"),
    );
    request
}

/// What a raw HTTP exchange answered.
struct Raw {
    status: u16,
    headers: http::HeaderMap,
    body: Bytes,
}

impl Raw {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| panic!("not JSON: {:?}", String::from_utf8_lossy(&self.body)))
    }

    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

/// Sends exactly the given headers (unlike `connect::send_raw`, which always adds
/// `Connect-Protocol-Version: 1`).
async fn http(
    env: &TestEnv,
    method: http::Method,
    path: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> Raw {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut request = http::Request::builder()
        .method(method)
        .uri(format!("http://{}{path}", env.addr));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = client
        .request(request.body(Full::new(body.into())).expect("request"))
        .await
        .expect("HTTP call");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    Raw {
        status,
        headers,
        body,
    }
}

async fn get(env: &TestEnv, path: &str) -> Raw {
    http(env, http::Method::GET, path, &[], Bytes::new()).await
}

/// A GET with the operators' metrics token (for `/metrics` and the detailed `/health`).
async fn operator_get(env: &TestEnv, path: &str) -> Raw {
    let bearer = format!("Bearer {}", eventkit_tests::METRICS_TOKEN);
    http(
        env,
        http::Method::GET,
        path,
        &[("authorization", &bearer)],
        Bytes::new(),
    )
    .await
}

fn grpc_frame(message: &[u8]) -> Bytes {
    let mut buf = BytesMut::new();
    buf.put_u8(0);
    buf.put_u32(message.len() as u32);
    buf.put_slice(message);
    buf.freeze()
}

/// Splits a gRPC-Web body into (messages, trailer text).
fn grpc_web_frames(mut body: &[u8]) -> (Vec<Vec<u8>>, String) {
    let (mut messages, mut trailers) = (Vec::new(), String::new());
    while body.len() >= 5 {
        let flag = body[0];
        let len = u32::from_be_bytes([body[1], body[2], body[3], body[4]]) as usize;
        let payload = &body[5..5 + len];
        if flag & 0x80 != 0 {
            trailers.push_str(&String::from_utf8_lossy(payload));
        } else {
            messages.push(payload.to_vec());
        }
        body = &body[5 + len..];
    }
    (messages, trailers)
}

#[tokio::test]
async fn every_protocol_reads_the_same_product() {
    let env = TestEnv::start().await;
    let t = env.create_tenant("Rental Co").await;
    let key = t.api_key.as_str();
    let created = env
        .call(
            Some(key),
            "InventoryService/CreateProduct",
            json!({"name": "Moving head", "category": "Lighting", "trackingMode": "TRACKING_MODE_BULK",
                   "dailyRate": {"amountMinor": "9007199254740993", "currency": "EUR"}}),
        )
        .await;
    let product = created.ok()["product"].clone();
    assert_eq!(created.headers["content-type"], "application/json");
    let id = product["id"].as_str().unwrap().to_owned();

    // Connect JSON and Connect binary.
    let json_read = env
        .call(Some(key), "InventoryService/GetProduct", json!({"id": id}))
        .await;
    assert_eq!(json_read.ok()["product"], product);
    let binary = connect::call(
        env.addr,
        Protocol::ConnectProto,
        Some(key),
        "InventoryService/GetProduct",
        json!({"id": id}),
    )
    .await;
    assert_eq!(binary.headers["content-type"], "application/proto");
    assert_eq!(binary.ok()["product"], product);

    // gRPC.
    let mut grpc = env.inventory_grpc().await;
    let reply = grpc
        .get_product(authed(key, pb::GetProductRequest { id: id.clone() }))
        .await
        .expect("gRPC GetProduct");
    let message = reply.into_inner().product.expect("product");
    assert_eq!(
        message.daily_rate.as_ref().map(|m| m.amount_minor),
        Some(9_007_199_254_740_993),
        "int64 survives JSON"
    );
    assert_eq!(message.tracking_mode, pb::TrackingMode::Bulk as i32);
    assert_eq!(to_json(&message, "eventkit.v1.Product"), product);

    // gRPC-Web (HTTP/1.1, binary).
    let framed = grpc_frame(&pb::GetProductRequest { id: id.clone() }.encode_to_vec());
    let web = connect::send_raw(
        env.addr,
        GET_PRODUCT,
        "application/grpc-web+proto",
        Some(key),
        framed,
        &[("x-grpc-web", "1")],
    )
    .await;
    assert_eq!(web.status, 200);
    let (messages, trailers) = grpc_web_frames(&web.raw_body);
    assert!(
        trailers.contains("grpc-status:0") || trailers.contains("grpc-status: 0"),
        "{trailers:?}"
    );
    assert_eq!(messages.len(), 1);
    let decoded = pb::GetProductResponse::decode(messages[0].as_slice()).expect("gRPC-Web message");
    assert_eq!(
        to_json(&decoded.product.unwrap(), "eventkit.v1.Product"),
        product
    );

    // The other way round: written over gRPC, read over Connect JSON.
    let made = grpc
        .create_product(authed(
            key,
            pb::CreateProductRequest {
                name: "Speaker".into(),
                sku: "SPK".into(),
                ..Default::default()
            },
        ))
        .await
        .expect("gRPC CreateProduct")
        .into_inner()
        .product
        .unwrap();
    let read = env
        .call(
            Some(key),
            "InventoryService/GetProduct",
            json!({"id": made.id}),
        )
        .await;
    assert_eq!(read.ok()["product"], to_json(&made, "eventkit.v1.Product"));
    assert_eq!(
        read.body["product"]["trackingMode"],
        "TRACKING_MODE_SERIALISED"
    );
}

#[tokio::test]
async fn grpc_errors_carry_the_same_codes_and_details() {
    let env = TestEnv::start().await;
    let t = env.create_tenant("Rental Co").await;
    let key = t.api_key.as_str();
    let mut grpc = env.inventory_grpc().await;

    let missing = Uuid::now_v7().to_string();
    let status = grpc
        .get_product(authed(
            key,
            pb::GetProductRequest {
                id: missing.clone(),
            },
        ))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::NotFound, "{status:?}");
    let connect = env
        .call(
            Some(key),
            "InventoryService/GetProduct",
            json!({"id": missing}),
        )
        .await;
    assert_eq!((connect.status, connect.code()), (404, "not_found"));
    assert_eq!(
        connect.body["message"],
        status.message(),
        "the same message on both protocols"
    );

    let bad = pb::CreateProductRequest {
        name: String::new(),
        daily_rate: Some(pb::Money {
            amount_minor: -5,
            currency: "EUR".into(),
        }),
        ..Default::default()
    };
    let status = grpc.create_product(authed(key, bad)).await.unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    let details = status.get_error_details();
    let fields: Vec<&str> = details
        .bad_request()
        .expect("BadRequest detail")
        .field_violations
        .iter()
        .map(|v| v.field.as_str())
        .collect();
    assert_eq!(fields, vec!["name", "daily_rate.amount_minor"]);
    let connect = env
        .call(
            Some(key),
            "InventoryService/CreateProduct",
            json!({"dailyRate": {"amountMinor": "-5", "currency": "EUR"}}),
        )
        .await;
    assert_eq!(connect.code(), "invalid_argument");
    assert_eq!(connect.violated_fields(), fields);

    let status = grpc
        .get_product(tonic::Request::new(pb::GetProductRequest {
            id: missing.clone(),
        }))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);
    let status = grpc
        .get_product(authed("ek_nope", pb::GetProductRequest { id: missing }))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);

    let product = grpc
        .create_product(authed(
            key,
            pb::CreateProductRequest {
                name: "Lamp".into(),
                ..Default::default()
            },
        ))
        .await
        .unwrap()
        .into_inner()
        .product
        .unwrap();
    let asset = || pb::CreateAssetRequest {
        product_id: product.id.clone(),
        code: "L-1".into(),
        ..Default::default()
    };
    grpc.create_asset(authed(key, asset()))
        .await
        .expect("first asset");
    let status = grpc.create_asset(authed(key, asset())).await.unwrap_err();
    assert_eq!(status.code(), Code::AlreadyExists);
    let details = status.get_error_details();
    assert_eq!(
        details.bad_request().expect("BadRequest").field_violations[0].field,
        "code"
    );
}

#[tokio::test]
async fn grpc_reflection_lists_the_service() {
    let env = TestEnv::start().await;
    let channel = tonic::transport::Endpoint::from_shared(env.base_url())
        .unwrap()
        .connect()
        .await
        .expect("channel");
    let mut client = ServerReflectionClient::new(channel);
    let requests = vec![
        ServerReflectionRequest {
            host: String::new(),
            message_request: Some(MessageRequest::ListServices(String::new())),
        },
        ServerReflectionRequest {
            host: String::new(),
            message_request: Some(MessageRequest::FileContainingSymbol(
                "eventkit.v1.InventoryService".into(),
            )),
        },
    ];
    // No credentials: reflection is public.
    let mut stream = client
        .server_reflection_info(tonic::codegen::tokio_stream::iter(requests))
        .await
        .expect("reflection call")
        .into_inner();
    let first = stream
        .message()
        .await
        .expect("stream")
        .expect("answer")
        .message_response;
    let Some(MessageResponse::ListServicesResponse(list)) = first else {
        panic!("not a service list: {first:?}")
    };
    let names: Vec<&str> = list.service.iter().map(|s| s.name.as_str()).collect();
    assert!(names.contains(&"eventkit.v1.InventoryService"), "{names:?}");
    let second = stream
        .message()
        .await
        .expect("stream")
        .expect("answer")
        .message_response;
    let Some(MessageResponse::FileDescriptorResponse(files)) = second else {
        panic!("no descriptor: {second:?}")
    };
    let files: Vec<prost_types::FileDescriptorProto> = files
        .file_descriptor_proto
        .iter()
        .map(|b| prost_types::FileDescriptorProto::decode(b.as_slice()).unwrap())
        .collect();
    let inventory = files
        .iter()
        .find(|f| f.name() == "eventkit/v1/inventory.proto")
        .expect("inventory.proto");
    let methods: Vec<&str> = inventory.service[0]
        .method
        .iter()
        .map(|m| m.name())
        .collect();
    assert!(
        methods.contains(&"GetProduct") && methods.contains(&"RemoveAssetFromCase"),
        "{methods:?}"
    );
}

#[tokio::test]
async fn connect_errors_have_the_documented_shape_and_statuses() {
    let env = TestEnv::start().await;
    let t = env.create_tenant("Rental Co").await;
    let key = Some(t.api_key.as_str());

    let reply = env
        .call(key, "InventoryService/CreateProduct", json!({"name": ""}))
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.headers["content-type"], "application/json");
    let body = reply.body.as_object().unwrap();
    let mut keys: Vec<&str> = body.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, vec!["code", "details", "message"]);
    assert_eq!(body["code"], "invalid_argument");
    assert_eq!(body["message"], "name: is required");
    let detail = &body["details"][0];
    assert_eq!(detail["type"], "google.rpc.BadRequest");
    assert_eq!(
        detail["debug"],
        json!({"fieldViolations": [{"field": "name", "description": "is required"}]})
    );
    let raw = STANDARD_NO_PAD
        .decode(detail["value"].as_str().unwrap().trim_end_matches('='))
        .expect("base64 value");
    let decoded =
        tonic_types::pb::BadRequest::decode(raw.as_slice()).expect("value is a BadRequest");
    assert_eq!(decoded.field_violations[0].field, "name");
    assert_eq!(decoded.field_violations[0].description, "is required");

    // HTTP statuses per the Connect spec.
    let missing = env
        .call(
            key,
            "InventoryService/GetProduct",
            json!({"id": Uuid::now_v7().to_string()}),
        )
        .await;
    assert_eq!((missing.status, missing.code()), (404, "not_found"));
    assert!(missing.body.get("details").is_none(), "{}", missing.body);
    let anonymous = env
        .call(
            None,
            "InventoryService/GetProduct",
            json!({"id": Uuid::now_v7().to_string()}),
        )
        .await;
    assert_eq!(
        (anonymous.status, anonymous.code()),
        (401, "unauthenticated")
    );
    let product = env
        .call(
            key,
            "InventoryService/CreateProduct",
            json!({"name": "Lamp"}),
        )
        .await
        .ok()["product"]["id"]
        .clone();
    env.call(
        key,
        "InventoryService/CreateAsset",
        json!({"productId": product, "code": "L-1"}),
    )
    .await
    .ok();
    let dup = env
        .call(
            key,
            "InventoryService/CreateAsset",
            json!({"productId": product, "code": "L-1"}),
        )
        .await;
    assert_eq!((dup.status, dup.code()), (409, "already_exists"));
    env.call(
        key,
        "InventoryService/DeleteProduct",
        json!({"id": product}),
    )
    .await
    .ok();
    let gone = env
        .call(
            key,
            "InventoryService/DeleteProduct",
            json!({"id": product}),
        )
        .await;
    assert_eq!((gone.status, gone.code()), (400, "failed_precondition"));

    // Errors of binary calls are JSON too.
    let binary = connect::call(
        env.addr,
        Protocol::ConnectProto,
        key,
        "InventoryService/GetProduct",
        json!({"id": Uuid::now_v7().to_string()}),
    )
    .await;
    assert_eq!((binary.status, binary.code()), (404, "not_found"));
    assert_eq!(binary.headers["content-type"], "application/json");
    let garbage = connect::send_raw(
        env.addr,
        GET_PRODUCT,
        "application/proto",
        key,
        Bytes::from_static(&[0xff, 0xff, 0xff]),
        &[],
    )
    .await;
    assert_eq!(garbage.into_reply().code(), "invalid_argument");
}

#[tokio::test]
async fn the_connect_adapter_refuses_protocol_violations() {
    let env = TestEnv::start().await;
    let t = env.create_tenant("Rental Co").await;
    let auth = format!("Bearer {}", t.api_key);
    let body = json!({"id": Uuid::now_v7().to_string()}).to_string();
    let post = |path: &'static str, headers: Vec<(&'static str, String)>| {
        let body = body.clone();
        let auth = auth.clone();
        let env = &env;
        async move {
            let mut all: Vec<(&str, &str)> = vec![("authorization", auth.as_str())];
            all.extend(headers.iter().map(|(n, v)| (*n, v.as_str())));
            http(env, http::Method::POST, path, &all, body).await
        }
    };
    let json_ct = ("content-type", "application/json".to_owned());

    // The baseline is fine, also without Connect-Protocol-Version.
    let ok = post(
        GET_PRODUCT,
        vec![json_ct.clone(), ("connect-protocol-version", "1".into())],
    )
    .await;
    assert_eq!(ok.json()["code"], "not_found");
    let ok = post(GET_PRODUCT, vec![json_ct.clone()]).await;
    assert_eq!(ok.json()["code"], "not_found");
    let charset = post(
        GET_PRODUCT,
        vec![("content-type", "application/json; charset=utf-8".into())],
    )
    .await;
    assert_eq!(charset.json()["code"], "not_found");

    let v2 = post(
        GET_PRODUCT,
        vec![json_ct.clone(), ("connect-protocol-version", "2".into())],
    )
    .await;
    assert_eq!(
        (v2.status, v2.json()["code"].as_str()),
        (400, Some("invalid_argument"))
    );
    assert!(
        v2.json()["message"]
            .as_str()
            .unwrap()
            .contains("Connect-Protocol-Version"),
        "{}",
        v2.json()
    );

    let timeout = post(
        GET_PRODUCT,
        vec![json_ct.clone(), ("connect-timeout-ms", "abc".into())],
    )
    .await;
    assert_eq!(
        (timeout.status, timeout.json()["code"].as_str()),
        (400, Some("invalid_argument"))
    );
    assert!(
        timeout.json()["message"]
            .as_str()
            .unwrap()
            .contains("Connect-Timeout-Ms")
    );
    let fine = post(
        GET_PRODUCT,
        vec![json_ct.clone(), ("connect-timeout-ms", "5000".into())],
    )
    .await;
    assert_eq!(fine.json()["code"], "not_found", "a valid timeout passes");

    let text = post(GET_PRODUCT, vec![("content-type", "text/plain".into())]).await;
    assert_eq!(text.status, 415);
    let none = post(GET_PRODUCT, vec![]).await;
    assert_eq!(none.status, 415);

    let unknown = post(
        "/eventkit.v1.InventoryService/StealEverything",
        vec![json_ct.clone()],
    )
    .await;
    assert_eq!(unknown.status, 404);
    let unknown_service = post("/eventkit.v1.NoSuchService/Get", vec![json_ct.clone()]).await;
    assert_eq!(unknown_service.status, 404);
    let compressed = post(
        GET_PRODUCT,
        vec![json_ct.clone(), ("content-encoding", "gzip".into())],
    )
    .await;
    assert_eq!(compressed.json()["code"], "unimplemented");
}

#[tokio::test]
async fn responses_carry_request_ids_and_security_headers() {
    let env = TestEnv::start().await;
    let t = env.create_tenant("Rental Co").await;
    let body = Bytes::from(json!({"name": "Lamp"}).to_string());
    let path = "/eventkit.v1.InventoryService/CreateProduct";

    let mine = "req-12345-abc";
    let echoed = connect::send_raw(
        env.addr,
        path,
        "application/json",
        Some(&t.api_key),
        body.clone(),
        &[("x-request-id", mine)],
    )
    .await;
    assert_eq!(echoed.status, 200);
    assert_eq!(echoed.headers["x-request-id"], mine);
    let made = connect::send_raw(
        env.addr,
        path,
        "application/json",
        Some(&t.api_key),
        body.clone(),
        &[],
    )
    .await;
    let generated = made.headers["x-request-id"].to_str().unwrap();
    assert!(
        Uuid::parse_str(generated).is_ok(),
        "a request id is made when none is sent: {generated}"
    );
    let failed = connect::send_raw(
        env.addr,
        path,
        "application/json",
        None,
        body,
        &[("x-request-id", mine)],
    )
    .await;
    assert_eq!(failed.status, 401);
    assert_eq!(failed.headers["x-request-id"], mine, "errors carry it too");

    for headers in [
        &echoed.headers,
        &failed.headers,
        &get(&env, "/health/live").await.headers,
    ] {
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["x-frame-options"], "DENY");
        assert_eq!(headers["referrer-policy"], "no-referrer");
    }
}

#[tokio::test]
async fn cors_allows_only_configured_origins() {
    let env = TestEnv::start_with([("EVENTKIT_CORS_ORIGINS", "https://app.example.com")]).await;
    let preflight = |origin: &'static str| {
        let env = &env;
        async move {
            http(
                env,
                http::Method::OPTIONS,
                GET_PRODUCT,
                &[
                    ("origin", origin),
                    ("access-control-request-method", "POST"),
                    (
                        "access-control-request-headers",
                        "content-type,authorization,connect-protocol-version",
                    ),
                ],
                Bytes::new(),
            )
            .await
        }
    };
    let allowed = preflight("https://app.example.com").await;
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        "https://app.example.com"
    );
    assert!(
        allowed
            .header("access-control-allow-headers")
            .contains("authorization"),
        "{:?}",
        allowed.headers
    );
    let refused = preflight("https://evil.example.com").await;
    assert!(
        refused.headers.get("access-control-allow-origin").is_none(),
        "{:?}",
        refused.headers
    );
}

#[tokio::test]
async fn health_endpoints_check_every_dependency() {
    let env = TestEnv::start().await;
    let live = get(&env, "/health/live").await;
    assert_eq!(live.status, 200);
    assert_eq!(live.json()["status"], "ok");
    let ready = get(&env, "/health/ready").await;
    assert_eq!(
        (ready.status, ready.json()["status"].as_str()),
        (200, Some("ok"))
    );
    let detail = operator_get(&env, "/health").await;
    assert_eq!(detail.status, 200);
    let detail = detail.json();
    for dependency in ["postgres", "redis", "nats"] {
        assert_eq!(
            detail["checks"][dependency]["ok"], true,
            "{dependency}: {detail}"
        );
        assert!(detail["checks"][dependency]["latencyMs"].is_number());
    }
}

/// The count of ListProducts calls with status 200 in a /metrics scrape, if the series exists.
fn list_products_count(text: &str) -> Option<f64> {
    let line = text.lines().find(|l| {
        l.starts_with("eventkit_http_requests_total{")
            && l.contains("route=\"/eventkit.v1.InventoryService/ListProducts\"")
            && l.contains("status=\"200\"")
    })?;
    line.rsplit(' ').next()?.parse().ok()
}

/// The only test in this binary that scrapes /metrics: the first scrape must already count the
/// requests served before it (a recorder installed lazily by the scrape would miss them).
#[tokio::test]
async fn metrics_count_requests_by_route() {
    let env = TestEnv::start().await;
    let t = env.create_tenant("Rental Co").await;
    env.call(Some(&t.api_key), "InventoryService/ListProducts", json!({}))
        .await
        .ok();
    let first = operator_get(&env, "/metrics").await;
    assert_eq!(first.status, 200);
    assert!(first.header("content-type").starts_with("text/plain"));
    let first = String::from_utf8_lossy(&first.body).into_owned();

    env.call(Some(&t.api_key), "InventoryService/ListProducts", json!({}))
        .await
        .ok();
    get(&env, "/wp-admin/setup.php").await;
    let second = String::from_utf8_lossy(&operator_get(&env, "/metrics").await.body).into_owned();
    let later = list_products_count(&second)
        .unwrap_or_else(|| panic!("no request counter for ListProducts in:\n{second}"));
    assert!(later >= 1.0);
    assert!(
        second.contains("eventkit_http_request_duration_seconds"),
        "latency histogram"
    );
    assert!(!second.contains("wp-admin"), "unknown paths are not labels");
    assert!(
        list_products_count(&first).is_some_and(|n| n >= 1.0),
        "requests served before the first /metrics scrape were not counted; first scrape:\n{first}"
    );
}
