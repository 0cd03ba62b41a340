//! Log lines written in batches: a line waits up to [`WINDOW`] so the lines around it go out in
//! the same `write`.
//!
//! One `write` to stderr per line — the access line of every request — cost ~3.5 % of the
//! tenant-api's CPU per `GetAsset` when stderr was a file (bench/history/get-asset.md); the system call's
//! fixed cost dwarfs the copy. A writer thread now takes what gathered and writes it at once.
//! Nothing is dropped: when the writer falls behind (stderr blocked) by [`MAX_PENDING`] bytes,
//! the logging thread writes the batch itself, as before; [`Batched::flush`] writes what waits,
//! and the service calls it on exit and on a panic (`telemetry::flush_logs`).

use super::Sink;
use std::{
    sync::{Condvar, Mutex, MutexGuard},
    time::Duration,
};

/// How long a line may wait for others.
pub const WINDOW: Duration = Duration::from_millis(5);
/// Bytes waiting beyond which the logging thread writes them itself.
pub const MAX_PENDING: usize = 1 << 20;

pub struct Batched {
    pending: Mutex<Vec<u8>>,
    /// Signalled when `pending` stops being empty.
    arrived: Condvar,
    /// Held while a batch is taken and written, so batches go out in order.
    writing: Mutex<()>,
    write: Sink,
}

impl Batched {
    /// Starts the writer thread of a new batcher that lives as long as the process.
    pub fn start(write: Sink) -> &'static Self {
        let batched: &'static Self = Box::leak(Box::new(Self {
            pending: Mutex::new(Vec::with_capacity(64 * 1024)),
            arrived: Condvar::new(),
            writing: Mutex::new(()),
            write,
        }));
        std::thread::Builder::new()
            .name("log-writer".into())
            .spawn(move || {
                loop {
                    let mut pending = lock(&batched.pending);
                    while pending.is_empty() {
                        pending = batched
                            .arrived
                            .wait(pending)
                            .unwrap_or_else(|e| e.into_inner());
                    }
                    drop(pending);
                    std::thread::sleep(WINDOW);
                    batched.flush();
                }
            })
            .expect("spawning the log writer thread");
        batched
    }

    /// Queues one line (or several, whole).
    pub fn push(&self, line: &[u8]) {
        let mut pending = lock(&self.pending);
        let was_empty = pending.is_empty();
        pending.extend_from_slice(line);
        let full = pending.len() >= MAX_PENDING;
        drop(pending);
        if full {
            self.flush();
        } else if was_empty {
            self.arrived.notify_one();
        }
    }

    /// Writes everything queued so far.
    pub fn flush(&self) {
        let _writing = lock(&self.writing);
        let batch = std::mem::take(&mut *lock(&self.pending));
        if !batch.is_empty() {
            (self.write)(&batch);
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    };

    fn recording() -> (&'static Batched, Arc<Mutex<Vec<u8>>>, Arc<AtomicUsize>) {
        let written = Arc::new(Mutex::new(Vec::new()));
        let writes = Arc::new(AtomicUsize::new(0));
        let (w, n) = (written.clone(), writes.clone());
        let batched = Batched::start(Box::new(move |batch| {
            n.fetch_add(1, Ordering::SeqCst);
            w.lock().unwrap().extend_from_slice(batch);
        }));
        (batched, written, writes)
    }

    #[test]
    fn lines_from_many_threads_arrive_whole_in_order_in_few_writes() {
        let (batched, written, writes) = recording();
        std::thread::scope(|scope| {
            for thread in 0..4 {
                scope.spawn(move || {
                    for i in 0..500 {
                        batched.push(format!("{thread} {i}\n").as_bytes());
                    }
                });
            }
        });
        batched.flush();
        let text = String::from_utf8(written.lock().unwrap().clone()).unwrap();
        let mut next = [0; 4];
        for line in text.lines() {
            let (thread, i) = line.split_once(' ').unwrap();
            let thread: usize = thread.parse().unwrap();
            assert_eq!(i.parse::<usize>().unwrap(), next[thread], "{line}");
            next[thread] += 1;
        }
        assert_eq!(next, [500; 4]);
        assert!(
            writes.load(Ordering::SeqCst) < 100,
            "{writes:?} writes for 2000 lines"
        );
    }

    #[test]
    fn a_lone_line_goes_out_without_a_flush() {
        let (batched, written, _) = recording();
        batched.push(b"alone\n");
        std::thread::sleep(WINDOW * 40);
        assert_eq!(&*written.lock().unwrap(), b"alone\n");
    }

    #[test]
    fn a_writer_that_falls_behind_is_caught_up_by_the_logging_thread() {
        let (batched, written, writes) = recording();
        let big = vec![b'x'; MAX_PENDING];
        batched.push(&big);
        // Written by `push` itself, not after the window.
        assert_eq!(written.lock().unwrap().len(), MAX_PENDING);
        assert_eq!(writes.load(Ordering::SeqCst), 1);
    }
}
