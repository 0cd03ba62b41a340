//! Webhooks, the workers' side: the fan-out consumer turns each event into one delivery per
//! subscribed endpoint ([`fanout`]); the dispatcher sends due deliveries on the retry schedule
//! ([`dispatcher`]) through the SSRF-guarded, signing [`sender`], and records the attempts in
//! batches ([`recorder`]).

pub mod dispatcher;
pub mod fanout;
mod job;
mod recorder;
pub mod sender;
