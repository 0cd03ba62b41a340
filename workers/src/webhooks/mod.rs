//! Webhooks, the workers' side: the fan-out consumer turns each event into one delivery per
//! subscribed endpoint ([`fanout`]); the dispatcher sends due deliveries on the retry schedule
//! ([`dispatcher`]) through the SSRF-guarded, signing [`sender`].

pub mod dispatcher;
pub mod fanout;
pub mod sender;
