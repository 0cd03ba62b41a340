//! Serving roles: each role binds its own port and runs until the shared shutdown signal, then
//! drains in-flight requests.

use anyhow::Context;
use eventkit_platform::{config::Config, rpc::server::Server};
use std::{future::Future, net::SocketAddr};
use tokio::{net::TcpListener, sync::watch};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Role {
    TenantApi,
    ControlPlane,
    Workers,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::TenantApi, Role::ControlPlane, Role::Workers];

    fn addr(self, config: &Config) -> SocketAddr {
        match self {
            Role::TenantApi => config.tenant_api_addr,
            Role::ControlPlane => config.control_plane_addr,
            Role::Workers => config.workers_addr,
        }
    }

    async fn build(self, config: &Config, listener: TcpListener) -> anyhow::Result<Server> {
        match self {
            Role::TenantApi => eventkit_tenant_api::build(config, listener).await,
            Role::ControlPlane => eventkit_control_plane::build(config, listener).await,
            Role::Workers => eventkit_workers::build(config, listener).await,
        }
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("SIGTERM handler");
    tokio::select! {
        _ = ctrl_c => {},
        _ = term.recv() => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}

/// Binds and serves `roles` until `shutdown` completes.
pub async fn serve(
    config: &Config,
    roles: &[Role],
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let (stop, stopped) = watch::channel(false);
    let mut tasks = Vec::new();
    for &role in roles {
        let addr = role.addr(config);
        let listener = TcpListener::bind(addr)
            .await
            .with_context(|| format!("binding {role:?} to {addr}"))?;
        let server = role
            .build(config, listener)
            .await
            .with_context(|| format!("starting {role:?}"))?;
        tracing::info!(role = ?role, addr = %server.local_addr(), "serving");
        let mut stopped = stopped.clone();
        tasks.push(tokio::spawn(server.run(async move {
            let _ = stopped.wait_for(|s| *s).await;
        })));
    }
    shutdown.await;
    let _ = stop.send(true);
    for task in tasks {
        task.await.context("server task")?.context("server")?;
    }
    Ok(())
}
