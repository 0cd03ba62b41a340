-- pgbench script: the statements tenant-api sends for one GetAsset, in the text the code uses
-- (SET_TENANT_SQL in platform/src/db/tenant_tx.rs and get_asset_sql() in
-- tenant-api/src/inventory/mod.rs, with $1/$2 written as pgbench variables), run by bench/run
-- with -M prepared. Variables: :tenant, :actor, :asset. BEGIN/COMMIT are what sqlx sends.
BEGIN;
select set_config('app.tenant_id', :tenant, true), set_config('app.actor', :actor, true);
select id, product_id, code, serial_number, status, location_id, case_id, created_at, updated_at from assets where tenant_id = :tenant and id = :asset;
COMMIT;
