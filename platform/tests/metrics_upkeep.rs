//! The process-wide metrics recorder drains its histogram samples on a timer, with nobody
//! reading `/metrics` (issue 21: without the upkeep every sample stayed in memory until a
//! scrape, ~21 bytes a request, without bound).
//!
//! Its own test binary, because it counts the heap: a counting allocator sees what the
//! recorder holds, and no other test runs beside it to blur the count.

use eventkit_platform::telemetry::prometheus::{UPKEEP_PERIOD, exporter};
use std::{
    alloc::{GlobalAlloc, Layout, System},
    sync::atomic::{AtomicIsize, Ordering},
    time::{Duration, Instant},
};

struct Counting;

static LIVE_BYTES: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE_BYTES.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE_BYTES.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live() -> isize {
    LIVE_BYTES.load(Ordering::Relaxed)
}

const SAMPLES: usize = 1_000_000;

#[test]
fn histogram_samples_are_drained_without_a_render() {
    let exporter = exporter();
    let histogram = metrics::histogram!("eventkit_test_upkeep_seconds", "route" => "/x");
    histogram.record(0.001);
    std::thread::sleep(UPKEEP_PERIOD * 2);

    let before = live();
    for i in 0..SAMPLES {
        histogram.record((i % 100) as f64 / 1000.0);
    }
    let grown = live() - before;
    assert!(
        grown >= (SAMPLES * 8) as isize,
        "the recorder should hold the samples until upkeep: grew {grown} bytes"
    );

    let runs_before = exporter.upkeep_runs();
    let deadline = Instant::now() + UPKEEP_PERIOD * 10;
    // A trickle of samples meanwhile, as a server has: it also lets the lock-free bucket's
    // epoch advance, which frees the drained blocks.
    while live() - before > 1 << 20 {
        assert!(
            Instant::now() < deadline,
            "still {} bytes of pending samples after {:?} with no render ({} upkeep runs)",
            live() - before,
            UPKEEP_PERIOD * 10,
            exporter.upkeep_runs() - runs_before
        );
        histogram.record(0.002);
        std::thread::sleep(Duration::from_millis(1));
    }
    assert!(exporter.upkeep_runs() > runs_before, "upkeep ran");

    let text = exporter.handle().render();
    let count = text
        .lines()
        .find(|l| l.starts_with("eventkit_test_upkeep_seconds_count"))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|n| n.parse::<usize>().ok())
        .expect("the histogram is rendered");
    assert!(
        count > SAMPLES,
        "drained samples are kept in the summary: {count}"
    );
}
