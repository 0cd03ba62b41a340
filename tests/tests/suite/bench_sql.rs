//! bench/get_asset.sql must be exactly what the API sends for GetAsset, or the bench compares
//! the API with some other work. pgbench joins `\;`-separated commands into one simple query,
//! as the API sends them.

#[test]
fn the_bench_script_is_the_api_s_get_asset_query() {
    let script = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../bench/get_asset.sql"
    ))
    .unwrap();
    let commands: Vec<&str> = script
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with("--"))
        .collect();
    assert_eq!(commands.len(), 1, "one compound command: {commands:?}");
    let sent = commands[0].trim_end_matches(';').replace(" \\; ", "; ");
    assert_eq!(
        sent,
        eventkit_tenant_api::inventory::get_asset_sql(":tenant", ":actor", ":asset")
    );
}
