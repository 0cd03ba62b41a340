-- The statements tenant-api sends for one GetAsset, for pgbench -M prepared.
-- bench/run prefers the `-- bench:get-asset` block in tenant-api/src/inventory/store.rs and uses
-- this file only while that block does not exist. Variables: :tenant, :actor, :asset.
BEGIN;
SELECT set_config('app.tenant_id', :tenant, true), set_config('app.actor', :actor, true);
SELECT id, product_id, code, serial_number, status, location_id, case_id, created_at, updated_at FROM assets WHERE tenant_id = :tenant AND id = :asset;
COMMIT;
