//! The control plane: the tenant registry and (as it grows) plans, quotas, metering, billing,
//! export and erasure. It connects as `eventkit_control`, the only role that sees every tenant's
//! registry row; tenant-owned rows it still reaches only through a `TenantTx`.

pub mod tenants;

use eventkit_platform::{
    config::Config,
    db::Db,
    health::{self, Health},
    rpc::server::{AppParts, Server, app},
};
use tokio::net::TcpListener;

/// Builds the control-plane server (health, metrics, reflection; operator services follow).
pub async fn build(config: &Config, listener: TcpListener) -> anyhow::Result<Server> {
    let db = Db::connect_lazy(config.database.control.expose(), 8)?;
    let (redis, nats) = health::clients(&config.redis_url, &config.nats_url).await?;
    let parts = AppParts::without_services(Health::new(db.pool().clone(), redis, nats));
    Ok(Server::new(listener, app(config, parts)))
}
