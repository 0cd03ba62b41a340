//! Sends one webhook request, safely: through the SSRF-guarded clients of
//! `eventkit_platform::outbound` (checked and pinned addresses, no redirects — a 3xx is a
//! failure — no proxy), with 15 seconds for the whole request and at most the first 1 KB of the
//! answer read, kept as text Postgres can store (see [`excerpt_text`]).

use eventkit_domain::webhooks::{destination::Guard, parse_retry_after};
use eventkit_platform::{
    outbound::{GuardedClients, describe},
    webhooks::signing::signature_header,
};
use std::time::{Duration, Instant};

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
    clients: GuardedClients,
}

impl Sender {
    pub fn new(guard: Guard) -> Self {
        Self {
            clients: GuardedClients::new(
                guard,
                concat!("EventKit-Webhooks/", env!("CARGO_PKG_VERSION")),
                TIMEOUT,
            ),
        }
    }

    /// Signs and POSTs the body; never fails, every problem is in the [`Answer`].
    pub async fn send(&self, out: &Outgoing<'_>) -> Answer {
        let started = Instant::now();
        let client = match self.clients.pick(out.url) {
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
        Answer {
            status: Some(response.status().as_u16()),
            latency,
            excerpt: excerpt_text(&excerpt),
            error,
            retry_after,
        }
    }
}

/// The first [`EXCERPT_BYTES`] of an answer as text that can be stored: bytes that are not
/// UTF-8 and NUL (which Postgres refuses in `text`, failing the whole batch of attempts it is
/// recorded with) become U+FFFD, and the text is cut at a character boundary within the cap.
pub fn excerpt_text(raw: &[u8]) -> String {
    let raw = &raw[..raw.len().min(EXCERPT_BYTES)];
    let text = String::from_utf8_lossy(raw).replace('\0', "\u{FFFD}");
    let mut end = text.len().min(EXCERPT_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_hold_no_nul_and_stay_within_the_cap() {
        assert_eq!(excerpt_text(b"ok\0done"), "ok\u{FFFD}done");
        assert_eq!(excerpt_text(b"bad \xff utf-8"), "bad \u{FFFD} utf-8");
        let nuls = excerpt_text(&[0; 2 * EXCERPT_BYTES]);
        assert!(!nuls.contains('\0') && nuls.len() <= EXCERPT_BYTES && nuls.len() > 1000);
        let long = excerpt_text("ä".repeat(EXCERPT_BYTES).as_bytes());
        assert_eq!(long.len(), EXCERPT_BYTES);
        assert_eq!(excerpt_text(b""), "");
    }
}
