//! A private PostgreSQL that speaks TLS with a certificate from a throw-away CA ([`Pki`]), so
//! our real database client is tested against `sslmode` the way a managed database is reached,
//! without touching the shared server's configuration. Started from the installed server
//! binaries (`initdb`, `pg_ctl`) on a free loopback port — as the `postgres` user when the tests
//! run as root, since PostgreSQL refuses root — and stopped on drop.

use crate::pki::Pki;
use std::{
    os::unix::fs::MetadataExt,
    path::{Path, PathBuf},
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
        if is_root() {
            run(Command::new("chown").args(["-R", "postgres:"]).arg(&dir));
        }
        run(Command::new("chmod").arg("0600").arg(&key));

        let initdb = server_binary("initdb");
        run(as_server_user(&initdb)
            .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "-D"])
            .arg(&data));
        let port = free_port();
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={dir} \
             -c ssl=on -c ssl_cert_file={dir}/server.crt -c ssl_key_file={dir}/server.key",
            dir = dir.display()
        );
        let pg_ctl = server_binary("pg_ctl");
        let log = dir.join("server.log");
        let started = as_server_user(&pg_ctl)
            .args(["-w", "-t", "60", "-D"])
            .arg(&data)
            .arg("-l")
            .arg(&log)
            .args(["-o", &options, "start"])
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
        let _ = as_server_user(&self.pg_ctl)
            .args(["-m", "immediate", "-D"])
            .arg(self.dir.join("data"))
            .arg("stop")
            .stdout(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn is_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

fn as_server_user(program: &Path) -> Command {
    if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
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

/// The newest installed server's binary (Debian keeps them in /usr/lib/postgresql/N/bin), or
/// the one on `PATH`.
fn server_binary(name: &str) -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|dirs| dirs.filter_map(|d| d.ok().map(|d| d.path())).collect())
        .unwrap_or_default();
    versions.sort_by_key(|dir| {
        dir.file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.parse::<u32>().ok())
    });
    versions
        .iter()
        .rev()
        .map(|dir| dir.join("bin").join(name))
        .find(|path| path.exists())
        .unwrap_or_else(|| PathBuf::from(name))
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}
