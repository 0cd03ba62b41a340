//! HTTP calls to addresses our users chose (webhook endpoints, a tenant's identity provider),
//! made safely. The SSRF guard: a host name is resolved by our own resolver, which refuses the
//! whole destination if any address it resolves to is forbidden
//! (`eventkit_domain::webhooks::destination`) and hands the HTTP client only the addresses it
//! checked, so the connection is pinned to them (no second lookup an attacker's DNS could
//! answer differently). IP literals never reach a resolver, so they are checked before sending.
//! A refusal names the host but not what it resolved to (that goes to the log, for operators):
//! the error text reaches whoever chose the URL.
//! Redirects are not followed and no proxy is used. Hosts the operator allowed by name get a
//! client without the address check.

use eventkit_domain::webhooks::destination::Guard;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
    time::Duration,
};

/// A guarded client and a trusted one, picked per URL.
#[derive(Clone)]
pub struct GuardedClients {
    guard: Guard,
    guarded: reqwest::Client,
    trusted: reqwest::Client,
}

fn client(
    resolver: Option<Arc<GuardedResolver>>,
    user_agent: &str,
    timeout: Duration,
) -> reqwest::Client {
    let builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(timeout)
        .connect_timeout(Duration::from_secs(5))
        .pool_max_idle_per_host(64)
        .user_agent(user_agent);
    match resolver {
        Some(r) => builder.dns_resolver(r),
        None => builder,
    }
    .build()
    .expect("HTTP client configuration is valid")
}

impl GuardedClients {
    pub fn new(guard: Guard, user_agent: &str, timeout: Duration) -> Self {
        Self {
            guarded: client(
                Some(Arc::new(GuardedResolver(guard.clone()))),
                user_agent,
                timeout,
            ),
            trusted: client(None, user_agent, timeout),
            guard,
        }
    }

    /// The client for this URL, or why the URL may not be called at all.
    pub fn pick(&self, raw: &str) -> Result<&reqwest::Client, String> {
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

/// An error with its causes, e.g. "error sending request: … refused: localhost: the address is
/// not allowed …".
pub fn describe(err: &dyn std::error::Error) -> String {
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

/// What the caller learns when a host name resolves to a forbidden address.
pub const NOT_ALLOWED: &str = "the address is not allowed (calls go to public addresses only)";

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
                if let Err(reason) = guard.check_address(addr.ip()) {
                    // What our resolver answered is for operators: the error goes back to
                    // whoever chose the URL (a tenant's webhook attempts, an SSO error), and
                    // must not map the internal network for them.
                    tracing::warn!(host, %reason, "refused an outbound call: the host resolves to a forbidden address");
                    return Err(Box::new(RefusedDestination(format!(
                        "refused: {host}: {NOT_ALLOWED}"
                    ))) as _);
                }
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}
