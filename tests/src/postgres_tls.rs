//! A private PostgreSQL that speaks TLS with a certificate from a throw-away CA ([`Pki`]), so
//! our real database client is tested against `sslmode` the way a managed database is reached,
//! without touching the shared server's configuration. Started from the installed server
//! binaries on a free loopback port, as `eventkit up` starts its own
//! ([`eventkit_platform::installed_servers`]), and stopped on drop.

use crate::{faults::free_port, pki::Pki};
use eventkit_platform::installed_servers::{self, is_root};
use std::{
    os::unix::fs::PermissionsExt,
    path::PathBuf,
    process::{Command, Stdio},
};

pub struct TlsPostgres {
    pub pki: Pki,
    pub port: u16,
    dir: PathBuf,
    pg_ctl: PathBuf,
}

impl TlsPostgres {
    /// Initialises and starts the server; panics with the server log if it does not start.
    pub fn start() -> Self {
        let pki = Pki::make("postgres");
        let dir =
            std::env::temp_dir().join(format!("eventkit-pg-tls-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let data = dir.join("data");
        // The server wants its key readable by itself only.
        let key = dir.join("server.key");
        std::fs::copy(&pki.key, &key).unwrap();
        std::fs::copy(&pki.cert, dir.join("server.crt")).unwrap();
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        if is_root() {
            run(&mut installed_servers::give_to_postgres(&dir));
        }

        let binary = |name| installed_servers::postgres_binary(name).unwrap();
        run(&mut installed_servers::initdb(&binary("initdb"), &data));
        let port = free_port();
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={dir} \
             -c ssl=on -c ssl_cert_file={dir}/server.crt -c ssl_key_file={dir}/server.key",
            dir = dir.display()
        );
        let pg_ctl = binary("pg_ctl");
        let log = dir.join("server.log");
        let started = installed_servers::pg_ctl_start(&pg_ctl, &data, &log, &options)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(
            started.success(),
            "the TLS PostgreSQL did not start:\n{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        Self {
            pki,
            port,
            dir,
            pg_ctl,
        }
    }

    /// A URL for the superuser's database with `params` (e.g. `sslmode=require`).
    pub fn url(&self, params: &str) -> String {
        format!(
            "postgres://postgres@127.0.0.1:{}/postgres?{params}",
            self.port
        )
    }
}

impl Drop for TlsPostgres {
    fn drop(&mut self) {
        let _ = installed_servers::pg_ctl_stop(&self.pg_ctl, &self.dir.join("data"), "immediate")
            .stdout(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn run(command: &mut Command) {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}
