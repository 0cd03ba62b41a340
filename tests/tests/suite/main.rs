//! The cross-deployable test suite, one binary (one link step instead of one per file): each
//! module is a theme — catalog rules, isolation, protocols, auth, bad input, workers, and the control plane
//! (lifecycle, operator bad input, quotas).

mod api_keys;
mod auth;
mod availability;
mod bad_input;
mod bench_sql;
mod catalog;
mod consumers;
mod db_tls;
mod deadlines;
mod email;
mod email_tls;
mod export;
mod hardening;
mod history;
mod http1;
mod idempotency;
mod identity;
mod inventory;
mod isolation;
mod jobs;
mod lifecycle;
mod nested_cases;
mod operator_bad_input;
mod outbox_relay;
mod planning;
mod protocols;
mod quotas;
mod rate_limits;
mod retention;
mod scanning;
mod security_erasure;
mod security_webhooks;
mod seed;
mod shutdown;
mod sign_in;
mod sso;
mod stock;
mod webhook_faults;
mod webhooks;
mod whole_event;
