//! No default secret in production, and no diagnostics for strangers (issue 16: M1, L11, L9 and
//! the reflection listing). Outside development mode the deployables refuse to start with the
//! public download signing key or with role passwords equal to role names; a link signed with
//! the public key is refused where a key of one's own is set; export events — which name the
//! export, and so, with the tenant, the key of a whole-tenant copy — reach no webhook;
//! `/metrics` and the detailed `/health` need the operators' metrics token while `/health` tells
//! anyone only up or down; and gRPC reflection lists what its port serves.

use eventkit_control_plane::config::ControlPlaneConfig;
use eventkit_platform::{
    config::{DEV_SIGNING_KEY, with_user},
    db::Db,
    secret::Secret,
    storage::signed,
};
use eventkit_tenant_api::config::TenantApiConfig;
use eventkit_tests::{METRICS_TOKEN, Protocol, TestEnv, connect, pipeline};
use eventkit_workers::config::WorkersConfig;
use eventkit_workers::webhooks::fanout::Fanout;
use serde_json::{Value, json};
use std::{collections::HashMap, net::SocketAddr, sync::Arc, time::Duration};
use tonic_reflection::pb::v1::{
    ServerReflectionRequest, server_reflection_client::ServerReflectionClient,
    server_reflection_request::MessageRequest, server_reflection_response::MessageResponse,
};

/// `env`'s variables as a deployment has them: development mode off, exports in `objects`.
fn production(env: &TestEnv, objects: &std::path::Path) -> HashMap<String, String> {
    let mut vars = env.vars.clone();
    vars.insert("EVENTKIT_DEV_MODE".into(), "0".into());
    vars.insert(
        "EVENTKIT_STORAGE_URL".into(),
        format!("file://{}", objects.display()),
    );
    vars
}

async fn listener() -> tokio::net::TcpListener {
    tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap()
}

#[tokio::test]
async fn outside_development_mode_the_development_defaults_are_refused() {
    let env = TestEnv::start().await;
    let objects = tempfile::tempdir().unwrap();
    let vars = production(&env, objects.path());

    let refused = eventkit_tenant_api::build(
        &TenantApiConfig::from_vars(&vars).unwrap(),
        listener().await,
    )
    .await
    .err()
    .expect("the tenant API refuses the default password");
    let refused = format!("{refused:#}");
    assert!(
        refused.contains("DATABASE_URL: the password of database role eventkit_app is its name"),
        "{refused}"
    );
    let refused = eventkit_control_plane::build(
        &ControlPlaneConfig::from_vars(&vars).unwrap(),
        listener().await,
    )
    .await
    .err()
    .expect("the control plane refuses the defaults");
    let refused = format!("{refused:#}");
    for says in [
        "EVENTKIT_CONTROL_DATABASE_URL: the password of database role eventkit_control",
        "EVENTKIT_DOWNLOAD_SIGNING_KEY is unset",
    ] {
        assert!(refused.contains(says), "{says:?} in {refused}");
    }
    let refused =
        eventkit_workers::build(&WorkersConfig::from_vars(&vars).unwrap(), listener().await)
            .await
            .err()
            .expect("the workers refuse the defaults");
    let refused = format!("{refused:#}");
    for says in [
        "DATABASE_URL: the password of database role eventkit_app",
        "EVENTKIT_DOWNLOAD_SIGNING_KEY is unset",
    ] {
        assert!(refused.contains(says), "{says:?} in {refused}");
    }

    // With secrets of its own the control plane starts, and a download link signed with the
    // public development key (the review's M1 demonstration) is refused.
    let mut own = vars.clone();
    let urls = &env.config.database;
    own.insert(
        "DATABASE_URL".into(),
        with_user(urls.app.expose(), "eventkit_app", "app-s3cret"),
    );
    own.insert(
        "EVENTKIT_CONTROL_DATABASE_URL".into(),
        with_user(urls.control.expose(), "eventkit_control", "control-s3cret"),
    );
    own.insert(
        "EVENTKIT_DOWNLOAD_SIGNING_KEY".into(),
        "a-long-random-signing-key".into(),
    );
    eventkit_tenant_api::build(&TenantApiConfig::from_vars(&own).unwrap(), listener().await)
        .await
        .expect("the tenant API starts with a password of its own");
    let listener = listener().await;
    let addr = listener.local_addr().unwrap();
    own.insert("EVENTKIT_DOWNLOAD_URL".into(), format!("http://{addr}"));
    let own = ControlPlaneConfig::from_vars(&own).unwrap();
    let server = eventkit_control_plane::build(&own, listener)
        .await
        .expect("the control plane starts with secrets of its own");
    let (_stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.run(async move {
        let _ = stopped.await;
    }));
    let key = format!(
        "exports/{}/{}.zip",
        uuid::Uuid::now_v7(),
        uuid::Uuid::now_v7()
    );
    let file = objects.path().join(&key);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, b"a whole tenant").unwrap();
    let expires = chrono::Utc::now().timestamp() + 3600;
    let download = |secret: &Secret<String>| {
        let url = signed::sign(&own.storage.download_base_url, secret, &key, expires);
        async move { reqwest::get(url).await.unwrap().status().as_u16() }
    };
    assert_eq!(
        download(&Secret::new(DEV_SIGNING_KEY.to_owned())).await,
        403,
        "a link signed with the public key must not download"
    );
    assert_eq!(download(&own.storage.signing_key).await, 200);
}

/// Waits until the consumer `name` has handled every event it was given.
async fn drained(env: &TestEnv, name: &str) {
    let nats = async_nats::connect(&env.config.nats_url).await.unwrap();
    let stream = async_nats::jetstream::new(nats)
        .get_stream(eventkit_workers::EVENTS_STREAM)
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let info = stream.consumer_info(name).await.unwrap();
        if info.num_pending == 0 && info.num_ack_pending == 0 {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the fan-out did not drain: {info:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn export_events_reach_no_webhook() {
    let env = TestEnv::start_with([("EVENTKIT_WEBHOOK_ALLOWLIST", "127.0.0.1")]).await;
    let tenant = env.create_tenant("Hooked").await;
    let created = env
        .call(
            Some(&tenant.api_key),
            "AdminService/CreateWebhookEndpoint",
            json!({"url": "http://127.0.0.1:9/hook", "eventTypes": ["*"]}),
        )
        .await;
    created.ok();
    let db = Db::connect_lazy(env.config.database.app.expose(), 4).unwrap();
    let fanout = pipeline::consume(&env, &tenant, Arc::new(Fanout::new(db)), |_| {}).await;
    let cp = env.control_plane().await;

    let requested = connect::call(
        cp.addr,
        Protocol::ConnectJson,
        Some(&tenant.api_key),
        "controlplane.v1.AccountService/RequestExport",
        json!({}),
    )
    .await;
    requested.ok();
    // After the export's event, one that does reach the endpoint.
    env.call(
        Some(&tenant.api_key),
        "InventoryService/CreateProduct",
        json!({"name": "Marker"}),
    )
    .await
    .ok();
    let admin = env.admin_pool().await;
    let types = || async {
        sqlx::query_scalar::<_, String>("select event_type from webhook_deliveries order by 1")
            .fetch_all(&admin)
            .await
            .unwrap()
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !types().await.contains(&"product.created".to_owned()) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the marker never reached the endpoint"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drained(&env, &fanout.name).await;
    let published: i64 = sqlx::query_scalar(
        "select count(*) from outbox where event_type = 'export.requested' and published_at is not null",
    )
    .fetch_one(&admin)
    .await
    .unwrap();
    assert_eq!(published, 1, "the export's event went through the pipeline");
    let delivered = types().await;
    assert!(
        !delivered.iter().any(|t| t.starts_with("export.")),
        "an export event was queued for a webhook: {delivered:?}"
    );
}

/// GET `path` on `addr` with an optional bearer; (status, body).
async fn get(addr: SocketAddr, path: &str, bearer: Option<&str>) -> (u16, String) {
    let mut request = reqwest::Client::new().get(format!("http://{addr}{path}"));
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

fn json_of(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

#[tokio::test]
async fn diagnostics_need_the_metrics_token_and_public_health_says_only_up_or_down() {
    // Redis is down (nothing listens on port 1): the review's L9 demonstration.
    let env = TestEnv::start_with([("REDIS_URL", "redis://127.0.0.1:1")]).await;
    let (status, body) = get(env.addr, "/health", None).await;
    assert_eq!(status, 503);
    assert_eq!(json_of(&body), json!({"status": "unavailable"}), "{body}");
    let (status, body) = get(env.addr, "/health", Some(METRICS_TOKEN)).await;
    assert_eq!(status, 503);
    let detail = json_of(&body);
    assert!(detail["checks"]["redis"]["error"].is_string(), "{detail}");
    assert_eq!(detail["checks"]["postgres"]["ok"], true, "{detail}");
    let (status, _) = get(env.addr, "/health", Some("a guess")).await;
    assert_eq!(status, 401);

    for bearer in [None, Some("a guess")] {
        let (status, body) = get(env.addr, "/metrics", bearer).await;
        assert_eq!(status, 401, "{bearer:?}: {body}");
        assert!(!body.contains("# TYPE"), "{body}");
    }
    let (status, body) = get(env.addr, "/metrics", Some(METRICS_TOKEN)).await;
    assert_eq!(status, 200);
    assert!(body.contains("# TYPE "), "{body}");

    // Orchestrators' probes need nothing.
    assert_eq!(get(env.addr, "/health/live", None).await.0, 200);
    assert_eq!(get(env.addr, "/health/ready", None).await.0, 503);

    // Without a configured token the metrics are off for everyone.
    let off = TestEnv::start_with(HashMap::from([(
        "EVENTKIT_METRICS_TOKEN".to_owned(),
        String::new(),
    )]))
    .await;
    let (status, body) = get(off.addr, "/metrics", Some(METRICS_TOKEN)).await;
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("EVENTKIT_METRICS_TOKEN"), "{body}");
    let (status, body) = get(off.addr, "/health", None).await;
    assert_eq!((status, json_of(&body)), (200, json!({"status": "ok"})));
}

/// One reflection request to the server at `addr`, without credentials: its answer, or the
/// status the stream ended with.
async fn reflect(
    addr: SocketAddr,
    request: MessageRequest,
) -> Result<MessageResponse, tonic::Status> {
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .expect("channel");
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(request),
    };
    let answer = ServerReflectionClient::new(channel)
        .server_reflection_info(tonic::codegen::tokio_stream::iter([request]))
        .await?
        .into_inner()
        .message()
        .await?
        .expect("an answer");
    Ok(answer.message_response.expect("a response"))
}

async fn listed(addr: SocketAddr) -> Vec<String> {
    match reflect(addr, MessageRequest::ListServices(String::new())).await {
        Ok(MessageResponse::ListServicesResponse(list)) => {
            let mut names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
            names.sort();
            names
        }
        other => panic!("not a service list: {other:?}"),
    }
}

fn expected(served: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = served
        .iter()
        .chain(&[
            "grpc.reflection.v1.ServerReflection",
            "grpc.reflection.v1alpha.ServerReflection",
        ])
        .map(|s| (*s).to_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn reflection_lists_and_describes_only_what_its_port_serves() {
    let env = TestEnv::start().await;
    assert_eq!(
        listed(env.addr).await,
        expected(eventkit_proto::TENANT_API_SERVICES)
    );
    let operator =
        MessageRequest::FileContainingSymbol("controlplane.v1.OperatorTenantService".into());
    match reflect(env.addr, operator).await {
        Err(status) => assert_eq!(status.code(), tonic::Code::NotFound, "{status:?}"),
        Ok(answer) => panic!("the tenant API describes an operator service: {answer:?}"),
    }
    let cp = env.control_plane().await;
    assert_eq!(
        listed(cp.addr).await,
        expected(eventkit_proto::CONTROL_PLANE_SERVICES)
    );
}
