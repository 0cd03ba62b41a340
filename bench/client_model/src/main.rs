//! Models the tenant-api's database side without the API: 32 concurrent "requests", each doing
//! `work_us` of pure CPU work (half before, half after its query) around one GetAsset query
//! (`bench/get_asset.sql`'s text), on a 2-worker tokio runtime like the tenant-api's.
//!
//! `exclusive`: like `platform::db::ReadPool`, a request holds a connection for its query.
//! `pipelined`: requests share the connections and their queries queue on them without waiting
//! for one another (tokio-postgres pipelines concurrent queries on one client).
//!
//! Usage: client-model exclusive|pipelined CONNECTIONS WORK_US SECONDS
//! Env:   MODEL_DB ("host=127.0.0.1 user=... dbname=..."), MODEL_SQL (the query text, values filled in)
//! Prints requests per second. The work is a calibrated loop (CPU, not wall time), so being
//! preempted does not count as work.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};
use tokio::sync::Semaphore;
use tokio_postgres::{Client, NoTls};

const REQUESTS_IN_FLIGHT: usize = 32;

/// Loop iterations per microsecond, measured on an idle start.
fn calibrate() -> u64 {
    let started = Instant::now();
    let iterations = spin(50_000_000);
    std::hint::black_box(iterations);
    (50_000_000.0 / started.elapsed().as_secs_f64() / 1e6) as u64
}

fn spin(iterations: u64) -> u64 {
    let mut x = 1u64;
    for _ in 0..iterations {
        x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
    }
    x
}

#[tokio::main(worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: client-model exclusive|pipelined CONNECTIONS WORK_US SECONDS";
    let [_, mode, connections, work_us, seconds] = args.as_slice() else {
        panic!("{usage}");
    };
    let pipelined = match mode.as_str() {
        "exclusive" => false,
        "pipelined" => true,
        _ => panic!("{usage}"),
    };
    let connections: usize = connections.parse().expect(usage);
    let work_us: u64 = work_us.parse().expect(usage);
    let seconds: u64 = seconds.parse().expect(usage);
    let db = std::env::var("MODEL_DB").expect("MODEL_DB");
    let sql = Arc::new(std::env::var("MODEL_SQL").expect("MODEL_SQL"));
    let half_work = calibrate() * work_us / 2;

    let mut clients = Vec::new();
    for _ in 0..connections {
        let (client, connection) = tokio_postgres::connect(&db, NoTls).await.expect("connect");
        tokio::spawn(connection);
        clients.push(Arc::new(client));
    }
    let idle = Arc::new(Mutex::new(clients.clone()));
    let permits = Arc::new(Semaphore::new(connections));
    let clients: Arc<[Arc<Client>]> = clients.into();
    let done = Arc::new(AtomicU64::new(0));
    let end = Instant::now() + Duration::from_secs(seconds);

    let mut requests = Vec::new();
    for first in 0..REQUESTS_IN_FLIGHT {
        let (clients, idle, permits) = (clients.clone(), idle.clone(), permits.clone());
        let (done, sql) = (done.clone(), sql.clone());
        requests.push(tokio::spawn(async move {
            let mut n = first;
            while Instant::now() < end {
                std::hint::black_box(spin(half_work));
                if pipelined {
                    clients[n % clients.len()]
                        .simple_query(&sql)
                        .await
                        .expect("query");
                } else {
                    let _permit = permits.acquire().await.expect("open");
                    let client = idle
                        .lock()
                        .unwrap()
                        .pop()
                        .expect("a permit means a connection");
                    client.simple_query(&sql).await.expect("query");
                    idle.lock().unwrap().push(client);
                }
                std::hint::black_box(spin(half_work));
                done.fetch_add(1, Ordering::Relaxed);
                n += 1;
                tokio::task::yield_now().await;
            }
        }));
    }
    for request in requests {
        request.await.expect("request task");
    }
    let per_second = done.load(Ordering::Relaxed) as f64 / seconds as f64;
    println!("{mode} connections={connections} work_us={work_us}: {per_second:.0} requests/s");
}
