-- Maintenance records: an asset goes to repair (damaged at check-in, or sent by hand) with a
-- note, and comes back when the record is closed. At most one open record per asset.
create table maintenance_records (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    asset_id uuid not null,
    event_id uuid,
    note text not null default '',
    opened_at timestamptz not null default now(),
    closed_at timestamptz,
    close_note text not null default '',
    primary key (tenant_id, id),
    constraint maintenance_records_asset_fk foreign key (tenant_id, asset_id) references assets (tenant_id, id),
    constraint maintenance_records_event_fk foreign key (tenant_id, event_id) references events (tenant_id, id)
);
select ek_protect_tenant_table('maintenance_records');
create index maintenance_records_asset_idx on maintenance_records (tenant_id, asset_id, id);
create unique index maintenance_records_open_idx on maintenance_records (tenant_id, asset_id) where closed_at is null;
create trigger maintenance_records_history after insert or update or delete on maintenance_records
    for each row execute function ek_record_changes('maintenance_record');
