//! Development tooling: data for demos, benches and tests that no deployable serves. It lives
//! in a crate of its own so the service libraries hold only what runs in production; the
//! `eventkit` binary (`eventkit seed`, the demo tenant of `eventkit up`) and the test suite use
//! it. What guards production against development defaults is not here but in
//! `eventkit_platform::development`, since every deployable runs that check.

pub mod demo;
pub mod seed;
