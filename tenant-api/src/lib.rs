//! The tenant API: the `eventkit.v1` services a tenant's users and integrators call. Stateless —
//! any number of processes share one Postgres — and served on one port for Connect, gRPC and
//! gRPC-Web. [`build`] wires config, database, auth and services into a [`Server`].

pub mod admin;
mod asset_status;
pub mod auth;
pub mod bookings;
pub mod config;
mod fields;
pub mod history;
pub mod inventory;
mod paging;
mod period;
pub mod permissions;
pub mod planning;
pub mod scanning;
mod store;
mod web_app;
mod wire;

use axum::response::IntoResponse;
use config::TenantApiConfig;
use eventkit_platform::{
    auth::{Authenticator, api_key::ApiKeyVerifier, jwt::JwtVerifier, tenant_state::TenantStates},
    db::{Db, TenantDb},
    development::{self, Uses},
    health::{self, Health},
    identity::{memberships::MemberPermissions, sessions::Sessions},
    metering::{ApiCallMeter, Redis},
    outbound::GuardedClients,
    rate_limit::{RateLimiter, Throttles},
    rpc::{
        gate::Gate,
        idempotency::Idempotency,
        rules::RpcRules,
        server::{AppParts, Server, app},
    },
};
use eventkit_proto::eventkit::v1::{
    admin_service_server::AdminServiceServer, auth_service_server::AuthServiceServer,
    history_service_server::HistoryServiceServer, inventory_service_server::InventoryServiceServer,
    planning_service_server::PlanningServiceServer, scanning_service_server::ScanningServiceServer,
};
use tokio::net::TcpListener;

/// Builds the tenant API on `listener` (bind port 0 in tests); refuses development defaults
/// outside development mode and a database role that could bypass row-level security.
pub async fn build(config: &TenantApiConfig, listener: TcpListener) -> anyhow::Result<Server> {
    development::refuse_defaults(&config.shared, &[Uses::AppDatabase])?;
    let db = Db::connect_service(
        config.shared.database.app.expose(),
        config.db_max_connections,
    )
    .await?;
    let tenant_db = TenantDb::new(db.clone());
    let (redis, nats) = health::clients(&config.shared.redis_url, &config.shared.nats_url).await?;
    let jwt = JwtVerifier::from_config(&config.auth)?;
    let rate_limiter = RateLimiter::new(db.clone(), Redis::new(redis.clone()), &config.rate_limits);
    let throttles =
        Throttles::for_database(rate_limiter.clone(), config.shared.database.app.expose());
    let api_keys =
        ApiKeyVerifier::new(db.clone(), config.auth.api_key_cache_ttl, throttles.clone());
    let tenant_states = TenantStates::new(db.clone(), config.auth.tenant_state_cache_ttl);
    let sessions = Sessions::new(db.clone(), config.public_url.clone());
    let members = MemberPermissions::new(db.clone(), config.auth.api_key_cache_ttl);
    let auth = Authenticator::new(api_keys.clone(), jwt, tenant_states.clone())
        .with_sessions(sessions.clone(), members.clone());
    eventkit_platform::auth::invalidation::spawn_listener(
        nats.clone(),
        api_keys.clone(),
        tenant_states,
        Some(members.clone()),
    );

    // One gRPC service with the request size limit.
    macro_rules! service {
        ($server:ident, $api:expr) => {
            $server::new($api).max_decoding_message_size(config.shared.max_request_bytes)
        };
    }
    let inventory = service!(
        InventoryServiceServer,
        inventory::InventoryApi::new(inventory::Inventory::new(tenant_db.clone()))
    );
    let planning = service!(
        PlanningServiceServer,
        planning::PlanningApi::new(planning::Planning::new(tenant_db.clone()))
    );
    let scanning = service!(
        ScanningServiceServer,
        scanning::ScanningApi::new(scanning::Scanning::new(tenant_db.clone()))
    );
    let history = service!(
        HistoryServiceServer,
        history::HistoryApi::new(history::History::new(tenant_db.clone()))
    );
    let sso = auth::sso::Sso::new(
        GuardedClients::new(
            config.webhook_guard.clone(),
            concat!("EventKit/", env!("CARGO_PKG_VERSION")),
            std::time::Duration::from_secs(10),
        ),
        config.oidc.as_ref().map(|o| auth::sso::Provider {
            issuer_url: o.issuer_url.clone(),
            client_id: o.client_id.clone(),
            client_secret: o.client_secret.expose().clone(),
        }),
        &config.public_url,
    );
    let admin = service!(
        AdminServiceServer,
        admin::AdminApi::new(admin::Admin::new(admin::AdminParts {
            db: tenant_db.clone(),
            keys: api_keys.clone(),
            members: members.clone(),
            nats: nats.clone(),
            webhook_guard: config.webhook_guard.clone(),
            public_url: config.public_url.clone(),
            sso: sso.clone(),
            dns: std::sync::Arc::new(eventkit_platform::dns::DnsResolver::new(
                &config.dns_servers,
            )),
        }))
    );
    let auth_service = service!(
        AuthServiceServer,
        auth::AuthApi::new(auth::Auth::new(
            &db,
            sessions.clone(),
            config.public_url.clone(),
            sso.clone(),
            throttles,
        ))
    );
    let rules = RpcRules::load(
        eventkit_proto::descriptor_pool(),
        eventkit_proto::TENANT_API_SERVICES,
    )?;
    let gate = Gate::new(rules, auth, rate_limiter)
        .with_meter(ApiCallMeter::start(Redis::new(redis.clone()), db.clone()))
        .with_idempotency(Idempotency {
            db: db.clone(),
            max_request_bytes: config.shared.max_request_bytes,
        });
    let parts = AppParts {
        services: tonic::service::Routes::new(inventory)
            .add_service(planning)
            .add_service(scanning)
            .add_service(history)
            .add_service(admin)
            .add_service(auth_service),
        gate: Some(gate),
        health: Health::new(db.pool().clone(), redis, nats),
        routes: jwks_route(sessions),
        web_app: Some(web_app::load(config.web_dir.as_deref())?),
    };
    Ok(Server::new(listener, app(&config.shared, parts)))
}

/// `/.well-known/jwks.json`: the public keys that verify our access tokens.
fn jwks_route(sessions: Sessions) -> axum::Router {
    axum::Router::new().route(
        "/.well-known/jwks.json",
        axum::routing::get(move || {
            let sessions = sessions.clone();
            async move {
                match sessions.keys().jwks().await {
                    Ok(jwks) => axum::Json(jwks).into_response(),
                    Err(err) => err.into_http_response(),
                }
            }
        }),
    )
}

#[cfg(test)]
mod tests {
    /// Tenant-scoped code holds a `TenantDb` (transactions, one-shot reads) and never the `Db`
    /// with its pool (docs/adr/0038): only `build` makes the handles, and `AuthService` names
    /// its global tables through a `GlobalDb` it makes from one.
    #[test]
    fn only_build_and_the_auth_service_hold_a_db() {
        fn walk(dir: &std::path::Path, found: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).expect("src dir") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    walk(&path, found);
                    continue;
                }
                let text = std::fs::read_to_string(&path).expect("source");
                for (n, line) in text.lines().enumerate() {
                    let code = line.split("//").next().unwrap_or_default();
                    if code
                        .split(|c: char| !c.is_alphanumeric() && c != '_')
                        .any(|token| token == "Db")
                    {
                        found.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                    }
                }
            }
        }
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut found = Vec::new();
        walk(&src, &mut found);
        let allowed = [src.join("lib.rs"), src.join("auth").join("mod.rs")];
        found.retain(|hit| {
            !allowed
                .iter()
                .any(|a| hit.starts_with(&*a.to_string_lossy()))
        });
        assert!(
            found.is_empty(),
            "tenant code holding a Db:\n{}",
            found.join("\n")
        );
    }
}
