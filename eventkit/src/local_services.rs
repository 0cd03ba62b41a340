//! `eventkit up`: everything on one machine, in development mode (the development defaults —
//! public download signing key, role passwords equal to role names — are accepted, and the log
//! says so). Postgres, Redis and NATS are reused when they answer; otherwise private instances
//! are started from the installed binaries under the data folder (`EVENTKIT_DATA_DIR`, default
//! `./.data`) and stopped again on Ctrl-C.

use crate::roles::{self, Configured, Role};
use anyhow::{Context, bail};
use eventkit_platform::{
    config::Config,
    db::{Actor, Db},
    installed_servers::{self, find_binary, is_root},
};
use std::{
    collections::HashMap,
    net::SocketAddr,
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};
use tokio::process::{Child, Command};

const DEMO_TENANT: &str = "Demo Rental Co";

/// A service this process started, stopped again on the way out.
enum Started {
    /// Redis or NATS, our child: SIGTERM, then SIGKILL after 15 s.
    Child { name: &'static str, child: Child },
    /// Postgres under `pg_ctl`: a fast shutdown (sessions are ended, not waited for).
    Postgres { pg_ctl: PathBuf, dir: PathBuf },
}

impl Started {
    async fn stop(self) {
        match self {
            Started::Child { name, mut child } => {
                if let Some(pid) = child.id() {
                    let _ = Command::new("kill")
                        .arg("-TERM")
                        .arg(pid.to_string())
                        .status()
                        .await;
                }
                if tokio::time::timeout(Duration::from_secs(15), child.wait())
                    .await
                    .is_err()
                {
                    let _ = child.kill().await;
                }
                eprintln!("stopped {name}");
            }
            Started::Postgres { pg_ctl, dir } => {
                let status = Command::from(installed_servers::pg_ctl_stop(&pg_ctl, &dir, "fast"))
                    .status()
                    .await;
                match status {
                    Ok(s) if s.success() => eprintln!("stopped Postgres"),
                    other => eprintln!(
                        "stopping Postgres in {} failed ({other:?}); stop it with pg_ctl",
                        dir.display()
                    ),
                }
            }
        }
    }
}

/// Runs everything with the settings in `vars`, development mode on.
pub async fn up(mut vars: HashMap<String, String>) -> anyhow::Result<()> {
    vars.insert("EVENTKIT_DEV_MODE".into(), "1".into());
    let config = Config::from_vars(&vars).context("reading configuration")?;
    let roles = roles::configure(&Role::ALL, &vars)?;
    let addr = |role: Role| {
        roles
            .iter()
            .find(|c| c.role() == role)
            .map(Configured::addr)
            .expect("every role is configured")
    };
    tracing::warn!(
        "DEVELOPMENT MODE: `eventkit up` is for one developer's machine; it accepts the development defaults (public download signing key, role passwords equal to role names). Deploy with `eventkit migrate` and `eventkit serve` instead"
    );
    let data = PathBuf::from(std::env::var("EVENTKIT_DATA_DIR").unwrap_or_else(|_| ".data".into()));
    std::fs::create_dir_all(&data).with_context(|| format!("creating {}", data.display()))?;
    let data = data.canonicalize()?;

    let mut started = Vec::new();
    let result = async {
        let pg_addr = socket_addr(config.database.app.expose(), 5432)?;
        if !reachable(pg_addr).await {
            started.push(start_postgres(&data, pg_addr).await?);
        }
        let redis_addr = socket_addr(&config.redis_url, 6379)?;
        if !reachable(redis_addr).await {
            started.push(start_redis(&data, redis_addr).await?);
        }
        let nats_addr = socket_addr(&config.nats_url, 4222)?;
        if !reachable(nats_addr).await {
            started.push(start_nats(&data, nats_addr).await?);
        }

        eventkit_platform::db::bootstrap::migrate(&config.database).await.context("migrating")?;
        let control = Db::connect_lazy(config.database.control.expose(), 1)?;
        let app = Db::connect_lazy(config.database.app.expose(), 2)?;
        let actor = Actor::system("eventkit-up");
        let demo = match eventkit_control_plane::tenants::new_admin_key_by_name(&control, DEMO_TENANT, &actor).await? {
            Some(existing) => existing,
            None => {
                let created = eventkit_control_plane::tenants::create(&control, DEMO_TENANT, &actor).await?;
                eprintln!("seeding the demo tenant: products, assets, cases, events over the next weeks");
                eventkit_devtools::demo::seed(&app, created.tenant_id)
                    .await
                    .map_err(|e| anyhow::anyhow!("seeding the demo tenant: {e}"))?;
                created
            }
        };
        let password = eventkit_devtools::demo::ensure_person(&app, demo.tenant_id)
            .await
            .map_err(|e| anyhow::anyhow!("making the demo person: {e}"))?;
        app.pool().close().await;
        control.pool().close().await;

        let api = format!("http://{}", addr(Role::TenantApi));
        println!();
        println!("EventKit is up, in DEVELOPMENT MODE (development defaults; not for others to reach).");
        println!("  open           {api}/   (the web app)");
        println!("  sign in as     {}", eventkit_devtools::demo::DEMO_EMAIL);
        println!("  password       {password}   (new password each start; shown once)");
        println!("  tenant API     {api}   (Connect, gRPC, gRPC-Web; reflection on)");
        println!("  control plane  http://{}", addr(Role::ControlPlane));
        println!("  workers        http://{}/health", addr(Role::Workers));
        println!("  demo tenant    {} ({})", DEMO_TENANT, demo.tenant_id);
        println!("  demo API key   {}   (new key each start; shown once)", demo.api_key);
        println!();
        println!("Try:");
        println!(
            "  curl -s {api}/eventkit.v1.InventoryService/ListProducts -H 'Content-Type: application/json' \\\n    -H 'Authorization: Bearer {}' -d '{{}}'",
            demo.api_key
        );
        println!("Stop with Ctrl-C.");
        println!();
        roles::serve(&roles, roles::shutdown_signal()).await
    }
    .await;
    for service in started.into_iter().rev() {
        service.stop().await;
    }
    result
}

/// Host and port of a `scheme://user:pw@host:port/...` URL.
fn socket_addr(url: &str, default_port: u16) -> anyhow::Result<SocketAddr> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = match host_port.rsplit_once(':') {
        Some((h, p)) => (
            h,
            p.parse().with_context(|| format!("port in {host_port}"))?,
        ),
        None => (host_port, default_port),
    };
    let host = if host == "localhost" {
        "127.0.0.1"
    } else {
        host
    };
    format!("{host}:{port}")
        .parse()
        .with_context(|| format!("{host}:{port} is not an IP address and port"))
}

async fn reachable(addr: SocketAddr) -> bool {
    matches!(
        tokio::time::timeout(Duration::from_secs(1), tokio::net::TcpStream::connect(addr)).await,
        Ok(Ok(_))
    )
}

async fn wait_until_reachable(
    name: &str,
    addr: SocketAddr,
    child: &mut Child,
) -> anyhow::Result<()> {
    for _ in 0..150 {
        if reachable(addr).await {
            return Ok(());
        }
        if let Some(status) = child.try_wait()? {
            bail!("{name} exited with {status} before it listened on {addr}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    bail!("{name} did not listen on {addr} within 30 s")
}

/// Creates `dir` for the postgres user and checks that it can reach and write it.
async fn postgres_user_can_use(dir: &Path) -> anyhow::Result<bool> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let status = Command::from(installed_servers::give_to_postgres(dir))
        .status()
        .await?;
    anyhow::ensure!(
        status.success(),
        "chown of {} failed (is there a postgres user?)",
        dir.display()
    );
    let probe = Command::from(installed_servers::as_postgres_user(Path::new("test")))
        .arg("-w")
        .arg(dir)
        .status()
        .await?;
    Ok(probe.success())
}

async fn start_postgres(data: &Path, addr: SocketAddr) -> anyhow::Result<Started> {
    let initdb = installed_servers::postgres_binary("initdb")?;
    let pg_ctl = installed_servers::postgres_binary("pg_ctl")?;
    let mut dir = data.join("postgres");
    if is_root() && !postgres_user_can_use(&dir).await? {
        // The data folder sits where the postgres user cannot go (e.g. under /root).
        dir = PathBuf::from("/var/lib/eventkit/postgres");
        eprintln!(
            "the postgres user cannot reach {}; using {}",
            data.display(),
            dir.display()
        );
        anyhow::ensure!(
            postgres_user_can_use(&dir).await?,
            "the postgres user cannot use {}",
            dir.display()
        );
    }
    if !dir.join("PG_VERSION").exists() {
        std::fs::create_dir_all(&dir)?;
        eprintln!("initialising a private Postgres in {}", dir.display());
        let status = Command::from(installed_servers::initdb(&initdb, &dir))
            .stdout(Stdio::null())
            .status()
            .await?;
        anyhow::ensure!(status.success(), "initdb failed");
    }
    eprintln!("starting a private Postgres on {addr}");
    let options = format!(
        "-c listen_addresses={} -p {} -c unix_socket_directories={}",
        addr.ip(),
        addr.port(),
        dir.display()
    );
    let log = dir.join("server.log");
    let status = Command::from(installed_servers::pg_ctl_start(
        &pg_ctl, &dir, &log, &options,
    ))
    .stdout(Stdio::null())
    .status()
    .await
    .context("running pg_ctl start")?;
    anyhow::ensure!(
        status.success(),
        "Postgres did not start; see {}",
        log.display()
    );
    Ok(Started::Postgres { pg_ctl, dir })
}

async fn start_redis(data: &Path, addr: SocketAddr) -> anyhow::Result<Started> {
    let (ip, port) = (addr.ip().to_string(), addr.port().to_string());
    let args = [
        "--bind",
        &ip,
        "--port",
        &port,
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
    ];
    start_child("Redis", "redis-server", &args, &data.join("redis"), addr).await
}

async fn start_nats(data: &Path, addr: SocketAddr) -> anyhow::Result<Started> {
    let (ip, port) = (addr.ip().to_string(), addr.port().to_string());
    start_child(
        "NATS (JetStream)",
        "nats-server",
        &["-a", &ip, "-p", &port, "-js", "-sd"],
        &data.join("nats"),
        addr,
    )
    .await
}

/// Starts `binary args… <dir>` (its data folder last) as our child and waits until it listens.
async fn start_child(
    name: &'static str,
    binary: &str,
    args: &[&str],
    dir: &Path,
    addr: SocketAddr,
) -> anyhow::Result<Started> {
    let program = find_binary(binary, &[])?;
    std::fs::create_dir_all(dir)?;
    eprintln!("starting a private {name} on {addr}");
    let mut child = Command::new(program)
        .args(args)
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {binary}"))?;
    wait_until_reachable(name, addr, &mut child).await?;
    Ok(Started::Child { name, child })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_addrs_come_from_urls() {
        assert_eq!(
            socket_addr("postgres://a:b@127.0.0.1:5433/db", 5432)
                .unwrap()
                .port(),
            5433
        );
        assert_eq!(
            socket_addr("redis://localhost", 6379).unwrap().to_string(),
            "127.0.0.1:6379"
        );
        assert_eq!(
            socket_addr("nats://127.0.0.1:4222", 1).unwrap().port(),
            4222
        );
    }
}
