//! Assembles a deployable's one-port HTTP app: health and metrics routes
//! ([`super::diagnostics`]), then every other request dispatched by protocol —
//! `application/grpc*` (gRPC and gRPC-Web) to the tonic router, the rest to the Connect adapter —
//! under the shared layers. `Server` binds nothing itself: callers pass a listener, so tests bind
//! port 0 and need no sleeps.

use super::{
    client_address::{ClientAddress, TrustedProxies},
    connect::ConnectAdapter,
    cors::Cors,
    deadline,
    gate::{self, Gate},
    security_headers::SecurityHeaders,
    web_app::WebApp,
};
use crate::{config::Config, health::Health, telemetry};
use axum::{
    Router,
    body::Body,
    extract::{ConnectInfo, Request, State},
    middleware::{self, Next},
    response::Response,
    serve::ListenerExt,
};
use http::header;
use std::{future::Future, net::SocketAddr, sync::Arc, time::Instant};
use tokio::net::TcpListener;
use tower::{ServiceBuilder, ServiceExt};
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::{DefaultOnResponse, TraceLayer},
};
use tracing::Level;

/// What a deployable serves on its port.
pub struct AppParts {
    /// The role's tonic services; reflection is added here.
    pub services: tonic::service::Routes,
    /// The gate in front of the gRPC router: its rules name the RPCs reachable (over Connect
    /// too; reflection lists their services), and nothing else is. `None`: no RPCs.
    pub gate: Option<Gate>,
    pub health: Health,
    /// Plain HTTP routes of the role (e.g. the JWKS), served beside the RPCs without the guard.
    pub routes: Router,
    /// The web app, answering GET and HEAD of every path that is not an RPC or a route above.
    pub web_app: Option<WebApp>,
}

impl AppParts {
    /// A role with no RPC services of its own yet: health, metrics and reflection only.
    pub fn without_services(health: Health) -> Self {
        Self {
            services: tonic::service::Routes::default(),
            gate: None,
            health,
            routes: Router::new(),
            web_app: None,
        }
    }
}

/// Builds the one-port app.
pub fn app(config: &Config, parts: AppParts) -> Router {
    // Install the recorder now, so requests before the first scrape are counted.
    telemetry::metrics_handle();
    let gate = parts.gate.map(Arc::new);
    let rules = gate
        .as_ref()
        .map(|gate| gate.rules().clone())
        .unwrap_or_default();
    let mut grpc = super::reflection::add_to(parts.services, rules.services()).into_axum_router();
    if let Some(gate) = gate {
        grpc = grpc.layer(middleware::from_fn_with_state(gate, gate::run));
    }
    let grpc = grpc.layer(middleware::from_fn_with_state(
        config.request_timeout,
        deadline::enforce,
    ));
    let protocols = Arc::new(Protocols {
        connect: ConnectAdapter::new(grpc.clone(), rules, config.max_request_bytes),
        grpc,
        web_app: parts.web_app,
    });

    super::diagnostics::routes(parts.health, config.metrics_token.clone())
        .fallback(dispatch)
        .with_state(protocols)
        .merge(parts.routes)
        .layer(middleware::from_fn_with_state(
            Arc::new(Edge {
                cors: Cors::new(config),
                security_headers: SecurityHeaders::new(config.hsts_max_age),
                max_request_bytes: config.max_request_bytes,
                trusted_proxies: config.trusted_proxies.clone(),
            }),
            edge,
        ))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(|request: &Request| {
                            let request_id = request
                                .headers()
                                .get("x-request-id")
                                .and_then(|v| v.to_str().ok())
                                .unwrap_or_default();
                            tracing::info_span!(
                                "request",
                                request_id,
                                path = request.uri().path(),
                                tenant_id = tracing::field::Empty,
                                principal = tracing::field::Empty,
                            )
                        })
                        .on_request(())
                        .on_response(DefaultOnResponse::new().level(Level::INFO)),
                )
                .layer(PropagateRequestIdLayer::x_request_id()),
        )
}

/// Behind an `Arc`: axum clones a handler's state on every request.
struct Protocols {
    connect: ConnectAdapter,
    grpc: Router,
    web_app: Option<WebApp>,
}

async fn dispatch(State(protocols): State<Arc<Protocols>>, request: Request) -> Response {
    let is_grpc = request
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/grpc"));
    if !is_grpc {
        if let Some(page) = protocols
            .web_app
            .as_ref()
            .and_then(|app| app.answer(request.method(), request.uri().path(), request.headers()))
        {
            return page;
        }
        return protocols.connect.handle(request).await;
    }
    let grpc = ServiceBuilder::new()
        .layer(tonic_web::GrpcWebLayer::new())
        .map_response(|r: Response| r.map(tonic::body::Body::new))
        .service(protocols.grpc.clone());
    match grpc.oneshot(request).await {
        Ok(response) => response.map(Body::new),
        Err(err) => tonic::Status::internal(format!("gRPC-Web translation failed: {err}"))
            .into_http::<Body>(),
    }
}

/// The metrics label of a path: a procedure of the descriptor set or one of our routes;
/// anything else is `other`, so made-up paths cannot grow the label set.
fn route_label(path: &str) -> &'static str {
    static KNOWN: std::sync::OnceLock<std::collections::HashSet<&'static str>> =
        std::sync::OnceLock::new();
    let known = KNOWN.get_or_init(|| {
        let pool = eventkit_proto::descriptor_pool();
        let procedures = pool.services().flat_map(|s| {
            s.methods()
                .map(|m| format!("/{}/{}", m.parent_service().full_name(), m.name()))
                .collect::<Vec<_>>()
        });
        let routes = ["/health", "/health/live", "/health/ready", "/metrics"].map(str::to_owned);
        procedures
            .chain(routes)
            .map(|p| &*Box::leak(p.into_boxed_str()))
            .collect()
    });
    known.get(path).copied().unwrap_or("other")
}

/// What every request and answer passes through, under the request id and trace span.
struct Edge {
    cors: Cors,
    security_headers: SecurityHeaders,
    max_request_bytes: usize,
    trusted_proxies: TrustedProxies,
}

/// One middleware for five jobs (each `from_fn` layer clones the stack beneath it and boxes a
/// future per request): the client's address attached ([`super::client_address`]), HTTP/1
/// bodies read in full up to the limit ([`super::http1_body`]),
/// CORS (preflights answered here, headers for listed origins: [`super::cors`]), request count
/// and latency per RPC (or route) and HTTP status — unknown paths lumped together so a scanner
/// cannot blow up the label set — and the security headers on every answer.
async fn edge(State(edge): State<Arc<Edge>>, mut request: Request, next: Next) -> Response {
    if let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>() {
        let client: ClientAddress = edge
            .trusted_proxies
            .client_address(peer.ip(), request.headers());
        request.extensions_mut().insert(client);
    }
    let route = route_label(request.uri().path());
    let started = Instant::now();
    let origin = edge.cors.listed_origin(&request);
    let preflight = Cors::is_preflight(&request);
    let mut response = match super::http1_body::read_in_full(edge.max_request_bytes, request).await
    {
        Err(answer) => answer,
        Ok(_) if preflight => Cors::preflight_answer(),
        Ok(request) => next.run(request).await,
    };
    edge.cors.add_headers(&mut response, origin, preflight);
    edge.security_headers.add_to(&mut response);
    let status = response.status().as_u16().to_string();
    metrics::counter!("eventkit_http_requests_total", "route" => route, "status" => status.clone())
        .increment(1);
    metrics::histogram!("eventkit_http_request_duration_seconds", "route" => route, "status" => status)
        .record(started.elapsed().as_secs_f64());
    response
}

/// A bound, not yet running server.
pub struct Server {
    listener: TcpListener,
    app: Router,
}

impl Server {
    pub fn new(listener: TcpListener, app: Router) -> Self {
        Self { listener, app }
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("bound listener")
    }

    /// Serves HTTP/1.1 and HTTP/2 (h2c) until `shutdown` completes, then drains in-flight requests.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let listener = self.listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        axum::serve(
            listener,
            self.app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
    }
}
