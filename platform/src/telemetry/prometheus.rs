//! The process's Prometheus recorder, and the upkeep that keeps it small.
//!
//! `metrics-exporter-prometheus` keeps every histogram sample in a lock-free bucket until
//! something drains it into the fixed-size summary that `/metrics` renders. A render drains
//! them, and so does the handle's upkeep; with neither, a process that nobody scrapes keeps
//! every sample it ever recorded (~21 bytes a request, issue 21). So the recorder is never made
//! without its upkeep: [`Exporter::start`] builds both, and the process-wide one in
//! [`metrics_handle`] is the only recorder a role installs.

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle, PrometheusRecorder};
use std::{
    sync::{
        Arc, OnceLock,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

/// How often pending histogram samples are drained, scraped or not. One second bounds what
/// waits to about a second's samples; a run walks the few dozen label sets we have.
pub const UPKEEP_PERIOD: Duration = Duration::from_secs(1);

/// Latency buckets in seconds, for every histogram.
const BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// A recorder's handle plus the thread that runs its upkeep; dropping it stops the thread.
pub struct Exporter {
    handle: PrometheusHandle,
    upkeep: Arc<UpkeepState>,
}

#[derive(Default)]
struct UpkeepState {
    stop: AtomicBool,
    runs: AtomicU64,
}

impl Exporter {
    /// Builds a recorder (not installed anywhere) and starts its upkeep every `period`.
    pub fn start(period: Duration) -> (Self, PrometheusRecorder) {
        let recorder = PrometheusBuilder::new()
            .set_buckets(BUCKETS)
            .expect("static buckets")
            .build_recorder();
        let handle = recorder.handle();
        let upkeep = Arc::new(UpkeepState::default());
        let (thread_handle, state) = (handle.clone(), upkeep.clone());
        std::thread::Builder::new()
            .name("metrics-upkeep".into())
            .spawn(move || {
                while !state.stop.load(Ordering::Relaxed) {
                    std::thread::sleep(period);
                    thread_handle.run_upkeep();
                    state.runs.fetch_add(1, Ordering::Relaxed);
                }
            })
            .expect("spawning the metrics upkeep thread");
        (Self { handle, upkeep }, recorder)
    }

    pub fn handle(&self) -> &PrometheusHandle {
        &self.handle
    }

    /// How many upkeep runs have finished.
    pub fn upkeep_runs(&self) -> u64 {
        self.upkeep.runs.load(Ordering::Relaxed)
    }
}

impl Drop for Exporter {
    fn drop(&mut self) {
        self.upkeep.stop.store(true, Ordering::Relaxed);
    }
}

/// The process-wide exporter, installed as the global `metrics` recorder on first use.
pub fn exporter() -> &'static Exporter {
    static EXPORTER: OnceLock<Exporter> = OnceLock::new();
    EXPORTER.get_or_init(|| {
        let (exporter, recorder) = Exporter::start(UPKEEP_PERIOD);
        let _ = metrics::set_global_recorder(recorder);
        exporter
    })
}

/// The process-wide Prometheus handle (what `/metrics` renders).
pub fn metrics_handle() -> PrometheusHandle {
    exporter().handle().clone()
}
