//! DNS TXT lookups, for proofs that a tenant owns a domain (it publishes a record we name).
//! [`TxtLookup`] is the seam the callers hold; [`DnsResolver`] is the real one (hickory): it asks
//! the system's name servers, or the ones `EVENTKIT_DNS_SERVERS` names (tests point it at a
//! small server of their own, so this code runs there too). Nothing is cached: someone who
//! just published a record and asks again must not get the earlier "not found".

use futures::future::BoxFuture;
use hickory_resolver::{
    TokioResolver,
    config::{ConnectionConfig, NameServerConfig, ResolverConfig},
    net::runtime::TokioRuntimeProvider,
    proto::rr::{Name, RData},
};
use std::{net::SocketAddr, sync::Arc, time::Duration};

/// Why a lookup gave no answer (a name without TXT records is `Ok(vec![])`, not an error).
#[derive(Debug, thiserror::Error)]
pub enum DnsError {
    #[error("{0} is not a domain name")]
    BadName(String),
    #[error("DNS did not answer: {0}")]
    Unavailable(String),
}

/// TXT lookups: each record's strings joined, as published.
pub trait TxtLookup: Send + Sync {
    fn txt<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<Vec<String>, DnsError>>;
}

/// The shared handle services keep.
pub type SharedTxtLookup = Arc<dyn TxtLookup>;

/// Lookups through real name servers.
pub struct DnsResolver {
    resolver: Result<TokioResolver, String>,
}

impl DnsResolver {
    /// Asks `servers` (UDP, then TCP, each at its port), or the system's name servers
    /// (`/etc/resolv.conf`) when empty. A system without a usable configuration is reported at
    /// each lookup, so the service still starts.
    pub fn new(servers: &[SocketAddr]) -> Self {
        let builder = if servers.is_empty() {
            TokioResolver::builder_tokio().map_err(|e| format!("the system's DNS settings: {e}"))
        } else {
            let name_servers = servers
                .iter()
                .map(|server| {
                    let connection = |mut c: ConnectionConfig| {
                        c.port = server.port();
                        c
                    };
                    let mut config = NameServerConfig::udp_and_tcp(server.ip());
                    config.connections = vec![
                        connection(ConnectionConfig::udp()),
                        connection(ConnectionConfig::tcp()),
                    ];
                    config
                })
                .collect();
            Ok(TokioResolver::builder_with_config(
                ResolverConfig::from_name_servers(name_servers),
                TokioRuntimeProvider::default(),
            ))
        };
        let resolver = builder.and_then(|mut builder| {
            let options = builder.options_mut();
            options.cache_size = 0;
            options.timeout = Duration::from_secs(5);
            options.attempts = 2;
            builder
                .build()
                .map_err(|e| format!("the DNS resolver: {e}"))
        });
        Self { resolver }
    }
}

impl TxtLookup for DnsResolver {
    fn txt<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<Vec<String>, DnsError>> {
        Box::pin(async move {
            let resolver = self
                .resolver
                .as_ref()
                .map_err(|e| DnsError::Unavailable(e.clone()))?;
            // Fully qualified: no search domains appended.
            let fqdn = Name::from_ascii(format!("{}.", name.trim_end_matches('.')))
                .map_err(|e| DnsError::BadName(format!("{name:?} ({e})")))?;
            let found = match resolver.txt_lookup(fqdn).await {
                Ok(found) => found,
                Err(e) if e.is_no_records_found() || e.is_nx_domain() => return Ok(Vec::new()),
                Err(e) => return Err(DnsError::Unavailable(e.to_string())),
            };
            Ok(found
                .answers()
                .iter()
                .filter_map(|record| match &record.data {
                    RData::TXT(txt) => Some(
                        txt.txt_data
                            .iter()
                            .map(|part| String::from_utf8_lossy(part))
                            .collect::<String>(),
                    ),
                    _ => None,
                })
                .collect())
        })
    }
}
