-- Export archives are kept while their link works (7 days). The workers' retention sweep then
-- removes the ZIP from object storage and marks the export `expired` without an object key, so
-- old archives stop counting against the tenant's storage quota and no personal data lingers.
alter table exports drop constraint exports_status_check;
alter table exports add constraint exports_status_check
    check (status in ('queued', 'running', 'ready', 'failed', 'expired'));
-- The sweep looks for ready exports whose link has run out.
create index exports_ready_expiry_idx on exports (tenant_id, expires_at) where status = 'ready';
