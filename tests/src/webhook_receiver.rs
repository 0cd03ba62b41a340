//! A webhook receiver for tests: an HTTP server on 127.0.0.1 that records every request
//! (headers and body) and answers from a script (status, `Retry-After`, `Location`, a delay),
//! then 200. Signatures are checked afterwards with the Python `standardwebhooks` package
//! ([`verify_with_standardwebhooks`]), a verifier nobody here wrote.

use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use serde_json::{Value, json};
use std::{
    collections::VecDeque,
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

/// One request as the receiver saw it.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// When the request arrived (for latency measurements).
    pub at: chrono::DateTime<chrono::Utc>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("webhook body is JSON")
    }
}

/// How to answer one request.
#[derive(Debug, Clone, Default)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
    pub delay: Duration,
}

impl Reply {
    pub fn status(status: u16) -> Self {
        Self {
            status,
            ..Self::default()
        }
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn body(mut self, body: impl Into<String>) -> Self {
        self.body = body.into();
        self
    }

    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

#[derive(Default)]
struct Shared {
    received: Vec<Received>,
    script: VecDeque<Reply>,
    otherwise: Option<Reply>,
}

#[derive(Clone)]
pub struct Receiver {
    pub addr: SocketAddr,
    shared: Arc<Mutex<Shared>>,
}

impl Receiver {
    /// Starts a receiver that answers 200 until told otherwise.
    pub async fn start() -> Self {
        let shared = Arc::new(Mutex::new(Shared::default()));
        let app = Router::new().fallback(receive).with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind receiver");
        let addr = listener.local_addr().expect("receiver address");
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { addr, shared }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Answers the next requests with these replies, in order.
    pub fn script(&self, replies: impl IntoIterator<Item = Reply>) {
        self.shared.lock().unwrap().script.extend(replies);
    }

    /// Answers every request not covered by the script with `reply` (default: 200).
    pub fn otherwise(&self, reply: Reply) {
        self.shared.lock().unwrap().otherwise = Some(reply);
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.lock().unwrap().received.clone()
    }

    /// How many requests came so far (without copying them).
    pub fn count(&self) -> usize {
        self.shared.lock().unwrap().received.len()
    }

    /// Waits until at least `n` requests came, or panics after `within`. Polls the count only
    /// (copying every request each poll cost the bench more CPU than the deliveries did).
    pub async fn wait_for(&self, n: usize, within: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let got = self.count();
            if got >= n {
                return self.received();
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "expected {n} webhook requests within {within:?}, got {got}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn receive(
    State(shared): State<Arc<Mutex<Shared>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let reply = {
        let mut shared = shared.lock().unwrap();
        shared.received.push(Received {
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_owned()))
                .collect(),
            body: String::from_utf8_lossy(&body).into_owned(),
            at: chrono::Utc::now(),
        });
        let next = shared.script.pop_front();
        next.or_else(|| shared.otherwise.clone())
            .unwrap_or_else(|| Reply::status(200))
    };
    tokio::time::sleep(reply.delay).await;
    let mut response = (
        StatusCode::from_u16(reply.status).expect("valid status"),
        reply.body,
    )
        .into_response();
    for (name, value) in reply.headers {
        response
            .headers_mut()
            .insert(name, value.parse().expect("header value"));
    }
    response
}

/// The Python interpreter of `tests/python/.venv` (made by `scripts/test`), or
/// `EVENTKIT_TEST_PYTHON`.
pub fn python() -> std::path::PathBuf {
    if let Ok(path) = std::env::var("EVENTKIT_TEST_PYTHON") {
        return path.into();
    }
    let venv = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("python/.venv/bin/python");
    assert!(
        venv.exists(),
        "{} is missing: run `scripts/test unit` once (it makes the venv from tests/python/requirements.txt)",
        venv.display()
    );
    venv
}

/// Verifies each request with `standardwebhooks.Webhook(secret).verify`; returns, per request,
/// `None` when it verified or the verifier's error.
pub fn verify_with_standardwebhooks(secret: &str, requests: &[Received]) -> Vec<Option<String>> {
    let input =
        json!(requests
        .iter()
        .map(|r| json!({
            "headers": r.headers.iter().cloned().collect::<std::collections::HashMap<_, _>>(),
            "body": r.body,
        }))
        .collect::<Vec<_>>());
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("python/verify_webhooks.py");
    let mut child = std::process::Command::new(python())
        .arg(script)
        .arg(secret)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python runs");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().expect("verifier finishes");
    assert!(out.status.success(), "verifier failed: {out:?}");
    let results: Vec<Value> = serde_json::from_slice(&out.stdout).expect("verifier prints JSON");
    results
        .into_iter()
        .map(|r| r["error"].as_str().map(str::to_owned))
        .collect()
}
