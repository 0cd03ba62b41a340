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

/// The availability scripts run `planning::DEMAND_SQL` with its parameters as literals.
#[test]
fn the_availability_bench_scripts_run_the_demand_lookup() {
    let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let demand = squash(eventkit_tenant_api::planning::DEMAND_SQL);
    for (file, product) in [
        ("check_availability.sql", "':product'::uuid"),
        ("shortages_30d.sql", "null::uuid"),
    ] {
        let script =
            std::fs::read_to_string(format!("{}/../bench/{file}", env!("CARGO_MANIFEST_DIR")))
                .unwrap();
        let start = "(timestamptz '2026-11-22' + (:day - 180) * interval '1 day')";
        let expected = demand
            .replace("$1", "':tenant'::uuid")
            .replace("$2", start)
            .replace("$4", product);
        let (before, after) = expected.split_once("$3").expect("an end parameter");
        let script = squash(&script);
        assert!(
            script.contains(before) && script.contains(&after[..after.len().min(200)]),
            "{file} is not the demand lookup the API sends"
        );
    }
}
