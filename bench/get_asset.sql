-- pgbench script: exactly the query text tenant-api sends for one GetAsset
-- (eventkit_tenant_api::inventory::get_asset_sql; tests/tests/suite/bench_sql.rs keeps them equal): the
-- tenant context and the read as ONE simple-protocol query, which Postgres runs as one implicit
-- transaction (platform/src/db/one_shot.rs). pgbench joins the `\;`-separated commands into one
-- query; bench/run runs it with -M simple and the variables as SQL literals:
-- :tenant = '<uuid>', :actor = $ek$bench$ek$, :asset = '<uuid>'.
SET LOCAL app.tenant_id = :tenant \; SET LOCAL app.actor = :actor \; select id, product_id, code, serial_number, status, location_id, case_id, created_at, updated_at from assets where tenant_id = :tenant and id = :asset;
