//! Running servers from the binaries installed on this machine: `eventkit up` starts private
//! PostgreSQL, Redis and NATS instances with them, and tests start PostgreSQL servers of their
//! own (one speaking TLS, say). Where the binaries are (Debian keeps PostgreSQL's under
//! `/usr/lib/postgresql/N/bin`, newest first), and PostgreSQL's commands run as the `postgres`
//! user when we are root, since PostgreSQL refuses to run as root. The commands are
//! `std::process::Command`s; async callers convert them (`tokio::process::Command::from`).

use anyhow::Context;
use std::{
    path::{Path, PathBuf},
    process::Command,
};

/// `name` from `extra_dirs`, then `PATH`, then `/usr/sbin` and `/usr/bin`.
pub fn find_binary(name: &str, extra_dirs: &[PathBuf]) -> anyhow::Result<PathBuf> {
    let path_dirs = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    extra_dirs
        .iter()
        .chain(path_dirs.iter())
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/bin")].iter())
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .with_context(|| {
            format!("{name} is not installed; run scripts/services (or apt-get install it)")
        })
}

/// A PostgreSQL server binary (`initdb`, `pg_ctl`), the newest installed version first.
pub fn postgres_binary(name: &str) -> anyhow::Result<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path().join("bin"))
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs.reverse();
    find_binary(name, &dirs)
}

pub fn is_root() -> bool {
    static ROOT: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ROOT.get_or_init(|| {
        Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
    })
}

/// `program`, as the `postgres` user when we are root.
pub fn as_postgres_user(program: &Path) -> Command {
    if is_root() {
        let mut cmd = Command::new("runuser");
        cmd.arg("-u").arg("postgres").arg("--").arg(program);
        cmd
    } else {
        Command::new(program)
    }
}

/// `chown -R` of `dir` to the `postgres` user, for a folder its server or tools must own.
pub fn give_to_postgres(dir: &Path) -> Command {
    let mut cmd = Command::new("chown");
    cmd.args(["-R", "postgres:postgres"]).arg(dir);
    cmd
}

/// `initdb` of a new data folder with a trusting `postgres` superuser.
pub fn initdb(initdb: &Path, data: &Path) -> Command {
    let mut cmd = as_postgres_user(initdb);
    cmd.args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "-D"])
        .arg(data);
    cmd
}

/// `pg_ctl start` of `data` with server `options` (`-c name=value …`), waiting up to 60 s for
/// it to accept connections, its log in `log`.
pub fn pg_ctl_start(pg_ctl: &Path, data: &Path, log: &Path, options: &str) -> Command {
    let mut cmd = as_postgres_user(pg_ctl);
    cmd.args(["-w", "-t", "60", "-D"])
        .arg(data)
        .arg("-l")
        .arg(log)
        .args(["-o", options, "start"]);
    cmd
}

/// `pg_ctl stop` of `data` in `mode` (`fast`: sessions are ended; `immediate`: no shutdown).
pub fn pg_ctl_stop(pg_ctl: &Path, data: &Path, mode: &str) -> Command {
    let mut cmd = as_postgres_user(pg_ctl);
    cmd.args(["-m", mode, "-w", "-D"]).arg(data).arg("stop");
    cmd
}
