//! The control plane: tenant lifecycle (sign-up, approval and provisioning, suspension,
//! deletion and erasure), plans and quotas, metering, exports, the operator audit and the
//! operators' view of background jobs (consumer lag, dead letters, replay) — served as the
//! `controlplane.v1` services on the control-plane port with the same one-port
//! Connect/gRPC/gRPC-Web stack as the tenant API. `ekctl`, the operators' client of these
//! services, is the crate `eventkit-ekctl`.
//! It connects as `eventkit_control`, the only role that sees every tenant's registry row;
//! tenant-owned rows it still reaches only through a `TenantTx`.

mod account;
mod api;
pub mod audit;
pub mod config;
pub mod erasure;
mod erasure_cleanup;
mod erasure_progress;
mod exports;
mod jobs;
pub mod lifecycle;
pub mod operator_auth;
mod operator_tenants;
mod plans;
pub mod provisioning;
pub mod registry;
mod secrets;
pub mod tenants;
mod usage;

use config::ControlPlaneConfig;
use eventkit_platform::{
    auth::{
        Authenticator, api_key::ApiKeyVerifier, invalidation, jwt::JwtVerifier,
        tenant_state::TenantStates,
    },
    db::Db,
    development::{self, Uses},
    health::{self, Health},
    metering::Redis,
    rate_limit::{RateLimiter, Throttles},
    rpc::{
        gate::Gate,
        rules::RpcRules,
        server::{AppParts, Server, app},
    },
    storage::{Storage, fs::download_router},
};
use eventkit_proto::controlplane::v1::{
    account_service_server::AccountServiceServer,
    operator_audit_service_server::OperatorAuditServiceServer,
    operator_job_service_server::OperatorJobServiceServer,
    operator_plan_service_server::OperatorPlanServiceServer,
    operator_quota_service_server::OperatorQuotaServiceServer,
    operator_tenant_service_server::OperatorTenantServiceServer,
    operator_usage_service_server::OperatorUsageServiceServer,
    signup_service_server::SignupServiceServer,
};
use tokio::net::TcpListener;

/// The control plane's service logic: the database (as `eventkit_control`), NATS for cache
/// invalidations, Redis for the API-call counters and the rate limits, object storage for export
/// download links.
#[derive(Clone)]
pub struct ControlPlane {
    db: Db,
    nats: async_nats::Client,
    redis: Redis,
    /// Where links in emails (invitations) point.
    public_url: String,
    storage: Storage,
    /// The tenant budgets (account service) and the throttles of sign-up and credentials, on
    /// the same Redis buckets as the tenant API's.
    limiter: RateLimiter,
    throttles: Throttles,
}

/// How often the control plane looks for tenants whose deletion grace period has ended.
pub const ERASURE_SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(300);

impl ControlPlane {
    /// Connects as `eventkit_control` (lazily) to Postgres, Redis and NATS as `config` says;
    /// refuses a database role that could bypass row-level security.
    pub async fn connect(config: &ControlPlaneConfig) -> anyhow::Result<Self> {
        let db = Db::connect_service(config.shared.database.control.expose(), 8).await?;
        let (redis, nats) =
            health::clients(&config.shared.redis_url, &config.shared.nats_url).await?;
        let storage = Storage::from_config(&config.storage)?;
        let redis = Redis::new(redis);
        let limiter = RateLimiter::new(db.clone(), redis.clone(), &config.rate_limits);
        let throttles =
            Throttles::for_database(limiter.clone(), config.shared.database.control.expose());
        Ok(Self {
            db,
            nats,
            redis,
            public_url: config.public_url.clone(),
            storage,
            limiter,
            throttles,
        })
    }
}

/// Builds the control-plane server: the `controlplane.v1` services behind the gate
/// (operator token, tenant credential or none, by service), health, metrics and reflection;
/// and starts the API-call counter flush and the sweep that erases tenants past their grace.
/// Refuses development defaults outside development mode and a database role that could
/// bypass row-level security.
pub async fn build(config: &ControlPlaneConfig, listener: TcpListener) -> anyhow::Result<Server> {
    development::refuse_defaults(
        &config.shared,
        &[Uses::ControlDatabase, Uses::DownloadLinks(&config.storage)],
    )?;
    let cp = ControlPlane::connect(config).await?;
    let (db, nats, redis) = (cp.db.clone(), cp.nats.clone(), cp.redis.client().clone());
    let api_keys = ApiKeyVerifier::new(
        db.clone(),
        config.auth.api_key_cache_ttl,
        cp.throttles.clone(),
    );
    let tenant_states = TenantStates::new(db.clone(), config.auth.tenant_state_cache_ttl);
    let tenants = Authenticator::new(
        api_keys.clone(),
        JwtVerifier::from_config(&config.auth)?,
        tenant_states.clone(),
    );
    invalidation::spawn_listener(nats.clone(), api_keys, tenant_states, None);
    cp.spawn_flusher();
    cp.spawn_erasure_sweep(ERASURE_SWEEP_EVERY);

    let max = config.shared.max_request_bytes;
    // Each service: the generated server around its adapter, with the request size limit.
    macro_rules! service {
        ($server:ident, $api:ident) => {
            $server::new(api::$api(cp.clone())).max_decoding_message_size(max)
        };
    }
    let services = tonic::service::Routes::new(service!(OperatorTenantServiceServer, TenantsApi))
        .add_service(service!(OperatorPlanServiceServer, PlansApi))
        .add_service(service!(OperatorQuotaServiceServer, QuotasApi))
        .add_service(service!(OperatorUsageServiceServer, UsageApi))
        .add_service(service!(OperatorAuditServiceServer, AuditApi))
        .add_service(service!(OperatorJobServiceServer, JobsApi))
        .add_service(service!(SignupServiceServer, SignupApi))
        .add_service(service!(AccountServiceServer, AccountApi));
    let rules = RpcRules::load(
        eventkit_proto::descriptor_pool(),
        eventkit_proto::CONTROL_PLANE_SERVICES,
    )?;
    let gate = Gate::new(rules, tenants, cp.limiter.clone())
        .with_tenants_in_any_state()
        .with_operators(operator_auth::Tokens {
            pool: db.pool().clone(),
            throttles: cp.throttles.clone(),
        });
    let parts = AppParts {
        services,
        gate: Some(gate),
        health: Health::new(db.pool().clone(), redis, nats),
        routes: axum::Router::new(),
        web_app: None,
    };
    let mut router = app(&config.shared, parts);
    // The filesystem backend's signed download links are served here (S3 links go to S3).
    if let Some(local) = cp.storage.local.clone() {
        router = download_router(local).merge(router);
    }
    Ok(Server::new(listener, router))
}
