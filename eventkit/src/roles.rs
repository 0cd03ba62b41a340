//! Serving roles: each role reads its own configuration, binds its own port and runs until the
//! shared shutdown signal, then drains in-flight requests.

use anyhow::Context;
use eventkit_control_plane::config::ControlPlaneConfig;
use eventkit_platform::{config::ConfigError, rpc::server::Server};
use eventkit_tenant_api::config::TenantApiConfig;
use eventkit_workers::config::WorkersConfig;
use std::{collections::HashMap, future::Future, net::SocketAddr};
use tokio::{net::TcpListener, sync::watch};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Role {
    TenantApi,
    ControlPlane,
    Workers,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::TenantApi, Role::ControlPlane, Role::Workers];

    /// The role's configuration from `vars`: only what this role reads, so a setting of another
    /// role (the workers' SMTP URL, say) cannot stop it.
    pub fn configure(self, vars: &HashMap<String, String>) -> Result<Configured, ConfigError> {
        Ok(match self {
            Role::TenantApi => Configured::TenantApi(TenantApiConfig::from_vars(vars)?),
            Role::ControlPlane => Configured::ControlPlane(ControlPlaneConfig::from_vars(vars)?),
            Role::Workers => Configured::Workers(WorkersConfig::from_vars(vars)?),
        })
    }
}

/// A role with its configuration.
pub enum Configured {
    TenantApi(TenantApiConfig),
    ControlPlane(ControlPlaneConfig),
    Workers(WorkersConfig),
}

impl Configured {
    pub fn role(&self) -> Role {
        match self {
            Configured::TenantApi(_) => Role::TenantApi,
            Configured::ControlPlane(_) => Role::ControlPlane,
            Configured::Workers(_) => Role::Workers,
        }
    }

    pub fn addr(&self) -> SocketAddr {
        match self {
            Configured::TenantApi(c) => c.addr,
            Configured::ControlPlane(c) => c.addr,
            Configured::Workers(c) => c.addr,
        }
    }

    async fn build(&self, listener: TcpListener) -> anyhow::Result<Server> {
        match self {
            Configured::TenantApi(c) => eventkit_tenant_api::build(c, listener).await,
            Configured::ControlPlane(c) => eventkit_control_plane::build(c, listener).await,
            Configured::Workers(c) => eventkit_workers::build(c, listener).await,
        }
    }
}

/// Reads the configuration of each of `roles` from `vars`.
pub fn configure(
    roles: &[Role],
    vars: &HashMap<String, String>,
) -> anyhow::Result<Vec<Configured>> {
    roles
        .iter()
        .map(|role| {
            role.configure(vars)
                .with_context(|| format!("reading the configuration of {role:?}"))
        })
        .collect()
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
    roles: &[Configured],
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let (stop, stopped) = watch::channel(false);
    let mut tasks = Vec::new();
    for configured in roles {
        let (role, addr) = (configured.role(), configured.addr());
        let listener = TcpListener::bind(addr)
            .await
            .with_context(|| format!("binding {role:?} to {addr}"))?;
        let server = configured
            .build(listener)
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
