//! Logging and metrics set-up: JSON logs through `tracing` (request id and tenant id are span
//! fields), and one Prometheus recorder whose text the `/metrics` route renders ([`prometheus`]).

pub mod batched;
pub mod json_log;
pub mod prometheus;

pub use prometheus::metrics_handle;

use batched::Batched;
use std::{io::Write as _, sync::OnceLock};
use tracing_subscriber::{EnvFilter, fmt, prelude::*};

/// Where finished log lines (or batches of them) go: the JSON log writes lines into one, and the
/// batcher writes its batches into another. Here, so that neither of the two imports the other.
pub type Sink = Box<dyn Fn(&[u8]) + Send + Sync>;

/// Installs the global subscriber once at `info` (or `EVENTKIT_LOG`); later calls are no-ops.
pub fn init_logging(format: &str) {
    init_logging_at(format, "info");
}

/// Like [`init_logging`] with another default level (tests use `warn`).
pub fn init_logging_at(format: &str, default_filter: &str) {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let filter = EnvFilter::try_from_env("EVENTKIT_LOG")
            .unwrap_or_else(|_| EnvFilter::new(default_filter));
        let registry = tracing_subscriber::registry().with(filter);
        let result = if format == "pretty" {
            registry
                .with(fmt::layer().with_writer(std::io::stderr))
                .try_init()
        } else {
            let lines = stderr_lines();
            registry
                .with(json_log::JsonLog::to(Box::new(move |line| {
                    lines.push(line)
                })))
                .try_init()
        };
        let _ = result;
    });
}

/// The batcher JSON lines go to stderr through, started with the JSON log.
static STDERR_LINES: OnceLock<&'static Batched> = OnceLock::new();

/// Starts the batcher, and has a panic write what waits before the panic's own message.
fn stderr_lines() -> &'static Batched {
    STDERR_LINES.get_or_init(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            flush_logs();
            previous(info);
        }));
        Batched::start(Box::new(|batch| {
            let _ = std::io::stderr().lock().write_all(batch);
        }))
    })
}

/// Writes the log lines still waiting for their batch; call before the process exits.
pub fn flush_logs() {
    if let Some(lines) = STDERR_LINES.get() {
        lines.flush();
    }
}
