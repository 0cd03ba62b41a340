//! Sends one webhook request, safely. The SSRF guard: a host name is resolved by our own
//! resolver, which refuses the whole destination if any address it resolves to is forbidden
//! (domain::webhooks::destination) and hands the HTTP client only the addresses it checked,
//! so the connection is pinned to them (no second lookup an attacker's DNS could answer
//! differently). IP literals never reach a resolver, so they are checked before sending.
//! Redirects are not followed (a 3xx is a failure), no proxy is used, the whole request has
//! 15 seconds, and at most the first 1 KB of the answer is read.

use eventkit_domain::webhooks::{destination::Guard, parse_retry_after};
use eventkit_platform::webhooks::signing::signature_header;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
    time::{Duration, Instant},
};

pub const TIMEOUT: Duration = Duration::from_secs(15);
pub const EXCERPT_BYTES: usize = 1024;

/// One request to make.
pub struct Outgoing<'a> {
    pub url: &'a str,
    /// The `webhook-id`: the event id, the same on every attempt.
    pub webhook_id: &'a str,
    pub body: &'a str,
    /// Secrets to sign with (current first; the previous one during a rotation).
    pub secrets: &'a [String],
}

/// What came back (or why nothing did).
#[derive(Debug, Clone, Default)]
pub struct Answer {
    pub status: Option<u16>,
    pub latency: Duration,
    pub excerpt: String,
    pub error: String,
    pub retry_after: Option<Duration>,
}

pub struct Sender {
    guard: Guard,
    guarded: reqwest::Client,
    /// For hosts the operator allowed by name: no address check.
    trusted: reqwest::Client,
}

fn client(resolver: Option<Arc<GuardedResolver>>) -> reqwest::Client {
    let builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(TIMEOUT)
        .connect_timeout(Duration::from_secs(5))
        .pool_max_idle_per_host(64)
        .user_agent(concat!("EventKit-Webhooks/", env!("CARGO_PKG_VERSION")));
    match resolver {
        Some(r) => builder.dns_resolver(r),
        None => builder,
    }
    .build()
    .expect("HTTP client configuration is valid")
}

impl Sender {
    pub fn new(guard: Guard) -> Self {
        Self {
            guarded: client(Some(Arc::new(GuardedResolver(guard.clone())))),
            trusted: client(None),
            guard,
        }
    }

    /// Signs and POSTs the body; never fails, every problem is in the [`Answer`].
    pub async fn send(&self, out: &Outgoing<'_>) -> Answer {
        let started = Instant::now();
        let client = match self.pick_client(out.url) {
            Ok(client) => client,
            Err(error) => {
                return Answer {
                    error,
                    ..Answer::default()
                };
            }
        };
        let timestamp = chrono::Utc::now().timestamp();
        let signature = signature_header(
            out.secrets.iter().map(String::as_str),
            out.webhook_id,
            timestamp,
            out.body.as_bytes(),
        );
        let sent = client
            .post(out.url)
            .header("content-type", "application/json")
            .header("webhook-id", out.webhook_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(out.body.to_owned())
            .send()
            .await;
        let mut response = match sent {
            Ok(response) => response,
            Err(err) => {
                return Answer {
                    latency: started.elapsed(),
                    error: describe(&err),
                    ..Answer::default()
                };
            }
        };
        let latency = started.elapsed();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                parse_retry_after(v, |date| {
                    let at = httpdate::parse_http_date(date).ok()?;
                    let now = std::time::SystemTime::now();
                    Some(match at.duration_since(now) {
                        Ok(ahead) => ahead.as_secs() as i64,
                        Err(_) => 0,
                    })
                })
            });
        let mut excerpt = Vec::new();
        let mut error = String::new();
        while excerpt.len() < EXCERPT_BYTES {
            match response.chunk().await {
                Ok(Some(chunk)) => excerpt.extend_from_slice(&chunk),
                Ok(None) => break,
                Err(err) => {
                    error = format!("reading the answer: {}", describe(&err));
                    break;
                }
            }
        }
        excerpt.truncate(EXCERPT_BYTES);
        Answer {
            status: Some(response.status().as_u16()),
            latency,
            excerpt: String::from_utf8_lossy(&excerpt).into_owned(),
            error,
            retry_after,
        }
    }

    /// The client for this URL, or why the URL may not be called at all.
    fn pick_client(&self, raw: &str) -> Result<&reqwest::Client, String> {
        let url = url::Url::parse(raw).map_err(|e| format!("bad URL: {e}"))?;
        let port = url.port_or_known_default().unwrap_or(443);
        let host = url.host_str().ok_or("the URL has no host")?;
        if self.guard.allows_host(host, port) {
            return Ok(&self.trusted);
        }
        let literal = match url.host() {
            Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
            _ => None,
        };
        if let Some(ip) = literal {
            self.guard
                .check_address(ip)
                .map_err(|r| format!("refused: {r}"))?;
        }
        Ok(&self.guarded)
    }
}

/// An error with its causes, e.g. "error sending request: … refused: localhost resolves to …".
fn describe(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// Resolves a host and refuses it if any of its addresses is forbidden.
struct GuardedResolver(Guard);

#[derive(Debug)]
struct RefusedDestination(String);

impl std::fmt::Display for RefusedDestination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RefusedDestination {}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let guard = self.0.clone();
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if addrs.is_empty() {
                return Err(Box::new(RefusedDestination(format!("{host} has no address"))) as _);
            }
            for addr in &addrs {
                guard.check_address(addr.ip()).map_err(|r| {
                    Box::new(RefusedDestination(format!(
                        "refused: {host} resolves to {r}"
                    ))) as Box<dyn std::error::Error + Send + Sync>
                })?;
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}
