//! The cross-deployable test suite, one binary (one link step instead of one per file): each
//! module is a theme — catalog rules, isolation, protocols, auth, bad input, workers.

mod api_keys;
mod auth;
mod availability;
mod bad_input;
mod bench_sql;
mod catalog;
mod deadlines;
mod history;
mod http1;
mod idempotency;
mod inventory;
mod isolation;
mod outbox_relay;
mod planning;
mod protocols;
mod retention;
mod scanning;
mod seed;
mod shutdown;
mod stock;
mod whole_event;
