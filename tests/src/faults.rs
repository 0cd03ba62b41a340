//! Fault injection for the "nothing is lost" tests: a private NATS server (JetStream on a
//! store folder of its own) that a test can stop and start again; a TCP proxy in front of
//! Postgres that a test can cut (every connection dropped, new ones refused) to play an outage;
//! and the real workers (`eventkit_workers::build`) in a child process that a test can SIGKILL.
//! The child is this test binary itself, re-run on its `worker_process` entry.

use std::{
    net::SocketAddr,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::Duration,
};
use tokio::{net::TcpListener, sync::watch};

/// A free loopback port (bound and released; fine for a test).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A nats-server with JetStream, on its own port and store folder.
pub struct NatsServer {
    pub port: u16,
    store: PathBuf,
    child: Option<Child>,
}

impl NatsServer {
    pub async fn start() -> Self {
        let store =
            std::env::temp_dir().join(format!("eventkit-nats-{}", uuid::Uuid::now_v7().simple()));
        let mut server = Self {
            port: free_port(),
            store,
            child: None,
        };
        server.resume().await;
        server
    }

    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// Stops the server (SIGKILL: nothing gets flushed on the way out).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port and store, and waits until it answers.
    pub async fn resume(&mut self) {
        let child = Command::new("nats-server")
            .args([
                "-js",
                "-a",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-sd",
            ])
            .arg(&self.store)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nats-server runs (scripts/services installs it)");
        self.child = Some(child);
        for _ in 0..100 {
            if async_nats::connect(self.url()).await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the private nats-server did not start on {}", self.port);
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.store);
    }
}

/// A TCP proxy to `upstream` that can be cut and restored.
pub struct CuttableProxy {
    pub addr: SocketAddr,
    up: watch::Sender<bool>,
}

impl CuttableProxy {
    pub async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let addr = listener.local_addr().unwrap();
        let (up, watch_up) = watch::channel(true);
        tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    return;
                };
                if !*watch_up.borrow() {
                    continue; // down: the connection is dropped at once
                }
                let mut down = watch_up.clone();
                tokio::spawn(async move {
                    let Ok(mut server) = tokio::net::TcpStream::connect(upstream).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = down.wait_for(|up| !*up) => {}
                    }
                });
            }
        });
        Self { addr, up }
    }

    /// Drops every open connection and refuses new ones until [`restore`](Self::restore).
    pub fn cut(&self) {
        self.up.send_replace(false);
    }

    pub fn restore(&self) {
        self.up.send_replace(true);
    }
}

/// The workers in a child process, killed when dropped.
pub struct WorkerProcess {
    child: Child,
}

/// The env var that makes the `worker_process` entry of the test binary run the workers.
pub const WORKER_PROCESS_ENV: &str = "EVENTKIT_TEST_WORKER_PROCESS";

impl WorkerProcess {
    /// Runs the test binary's `entry` test (an `#[ignore]`d test that calls
    /// [`run_worker_process`]) with `vars` as its environment, in development mode unless
    /// `vars` say otherwise (as [`crate::TestEnv`]).
    pub fn spawn(entry: &str, vars: &[(String, String)]) -> Self {
        let child = Command::new(std::env::current_exe().expect("test binary"))
            .args([
                entry,
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(WORKER_PROCESS_ENV, "1")
            .env("EVENTKIT_DEV_MODE", "1")
            .envs(vars.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("worker process starts");
        Self { child }
    }

    /// SIGKILL: no shutdown, no flush, whatever was in flight is cut off.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The body of the `worker_process` entry: the real workers, configured from the environment,
/// until the process is killed. Does nothing unless [`WORKER_PROCESS_ENV`] is set.
pub async fn run_worker_process() {
    if std::env::var(WORKER_PROCESS_ENV).is_err() {
        return;
    }
    let config = eventkit_workers::config::WorkersConfig::from_env().expect("worker config");
    eventkit_platform::telemetry::init_logging_at("json", "warn");
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = eventkit_workers::build(&config, listener)
        .await
        .expect("workers build");
    server
        .run(std::future::pending())
        .await
        .expect("workers run");
}

/// A webhook receiver that counts a request only once it answered it to a sender that was
/// still connected: a request cut off by a killed worker does not count, so only a re-sent
/// delivery can make up for it. Plain HTTP/1.1 over TCP (it must see the peer go away, which
/// a framework hides); answers 200 after `delay`.
pub struct AnsweringReceiver {
    pub addr: SocketAddr,
    answered: std::sync::Arc<std::sync::Mutex<Vec<crate::webhook_receiver::Received>>>,
}

impl AnsweringReceiver {
    pub async fn start(delay: Duration) -> Self {
        use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind receiver");
        let addr = listener.local_addr().unwrap();
        let answered = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let store = answered.clone();
        tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                let store = store.clone();
                tokio::spawn(async move {
                    let mut socket = BufReader::new(socket);
                    loop {
                        // Request line and headers.
                        let mut headers = Vec::new();
                        let mut length = 0usize;
                        let mut line = String::new();
                        if socket.read_line(&mut line).await.unwrap_or(0) == 0 {
                            return;
                        }
                        loop {
                            line.clear();
                            if socket.read_line(&mut line).await.unwrap_or(0) == 0 {
                                return;
                            }
                            let trimmed = line.trim_end();
                            if trimmed.is_empty() {
                                break;
                            }
                            if let Some((k, v)) = trimmed.split_once(':') {
                                let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_owned());
                                if k == "content-length" {
                                    length = v.parse().unwrap_or(0);
                                }
                                headers.push((k, v));
                            }
                        }
                        let mut body = vec![0; length];
                        if socket.read_exact(&mut body).await.is_err() {
                            return;
                        }
                        // Wait, watching for the sender to go away.
                        let mut probe = [0u8; 1];
                        tokio::select! {
                            _ = tokio::time::sleep(delay) => {}
                            _ = socket.read(&mut probe) => return, // EOF or data: cut off
                        }
                        let reply = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";
                        if socket.get_mut().write_all(reply).await.is_err() {
                            return;
                        }
                        store
                            .lock()
                            .unwrap()
                            .push(crate::webhook_receiver::Received {
                                headers,
                                body: String::from_utf8_lossy(&body).into_owned(),
                                at: chrono::Utc::now(),
                            });
                    }
                });
            }
        });
        Self { addr, answered }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Requests answered to a sender that was still there.
    pub fn answered(&self) -> Vec<crate::webhook_receiver::Received> {
        self.answered.lock().unwrap().clone()
    }
}
