//! `sqlx::migrate!` embeds `migrations/` at compile time; rebuild when a migration is added or
//! changed, or a binary would run (and tests would template) a stale set.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
