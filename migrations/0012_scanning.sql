-- Scanning: check-out, check-in and stocktakes. Every scan is kept with its answer under the scanner's client scan id (unique per
-- tenant), so a replayed offline queue gets the first answers back and counts nothing twice.
-- event_assets records which asset went out for which event (and whether it came back);
-- bulk units are counted on the pull-list line. Asset status changes and damage reports are
-- insert-only history for the app role.

alter table event_lines
    add column out_quantity integer not null default 0 check (out_quantity >= 0),
    add column returned_quantity integer not null default 0
        check (returned_quantity >= 0 and returned_quantity <= out_quantity);

-- A stocktake: the assets expected at a location (and below it) when it started, against what
-- was scanned there.
create table stocktakes (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    location_id uuid not null,
    status text not null default 'open' check (status in ('open', 'closed')),
    created_at timestamptz not null default now(),
    closed_at timestamptz,
    primary key (tenant_id, id),
    constraint stocktakes_location_fk foreign key (tenant_id, location_id) references locations (tenant_id, id)
);
select ek_protect_tenant_table('stocktakes');

create table stocktake_items (
    tenant_id uuid not null references tenants (id),
    stocktake_id uuid not null,
    asset_id uuid not null,
    expected boolean not null,
    counted_at timestamptz,
    primary key (tenant_id, stocktake_id, asset_id),
    constraint stocktake_items_stocktake_fk foreign key (tenant_id, stocktake_id) references stocktakes (tenant_id, id),
    constraint stocktake_items_asset_fk foreign key (tenant_id, asset_id) references assets (tenant_id, id)
);
select ek_protect_tenant_table('stocktake_items');

create table scans (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    client_scan_id text not null check (length(client_scan_id) between 1 and 100),
    kind text not null check (kind in ('check_out', 'check_in', 'stocktake')),
    -- The event of a check-out or check-in, or the stocktake.
    event_id uuid,
    stocktake_id uuid,
    code text not null,
    quantity integer not null,
    damaged boolean not null default false,
    outcome text not null,
    message text not null,
    asset_ids uuid[] not null default '{}',
    case_id uuid,
    product_id uuid,
    counted integer not null default 0,
    other_event_id uuid,
    actor text not null default '',
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    constraint scans_client_scan_id_key unique (tenant_id, client_scan_id),
    constraint scans_event_fk foreign key (tenant_id, event_id) references events (tenant_id, id),
    constraint scans_stocktake_fk foreign key (tenant_id, stocktake_id) references stocktakes (tenant_id, id),
    constraint scans_one_target check (
        (kind = 'stocktake' and stocktake_id is not null and event_id is null)
        or (kind <> 'stocktake' and event_id is not null and stocktake_id is null))
);
select ek_protect_tenant_table('scans');
create index scans_event_idx on scans (tenant_id, event_id, id);

create table event_assets (
    tenant_id uuid not null references tenants (id),
    event_id uuid not null,
    asset_id uuid not null,
    line_id uuid,
    checked_out_at timestamptz not null default now(),
    returned_at timestamptz,
    damaged boolean not null default false,
    primary key (tenant_id, event_id, asset_id),
    constraint event_assets_event_fk foreign key (tenant_id, event_id) references events (tenant_id, id),
    constraint event_assets_asset_fk foreign key (tenant_id, asset_id) references assets (tenant_id, id),
    constraint event_assets_line_fk foreign key (tenant_id, line_id) references event_lines (tenant_id, id)
        on delete set null (line_id)
);
select ek_protect_tenant_table('event_assets');
-- At most one event has an asset out at a time.
create unique index event_assets_out_idx on event_assets (tenant_id, asset_id) where returned_at is null;
create index event_assets_line_idx on event_assets (tenant_id, line_id);

create table asset_status_log (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    asset_id uuid not null,
    from_status text not null,
    to_status text not null,
    event_id uuid,
    reason text not null,
    note text not null default '',
    actor text not null default '',
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    constraint asset_status_log_asset_fk foreign key (tenant_id, asset_id) references assets (tenant_id, id),
    constraint asset_status_log_event_fk foreign key (tenant_id, event_id) references events (tenant_id, id)
);
select ek_protect_tenant_table('asset_status_log');
create index asset_status_log_asset_idx on asset_status_log (tenant_id, asset_id, id);
revoke update, delete on asset_status_log from eventkit_app;
revoke update, delete on scans from eventkit_app;

-- Scanners read bulk products by SKU.
create index products_bulk_sku_idx on products (tenant_id, sku) where tracking_mode = 'bulk' and deleted_at is null;
