-- Foundation: tenant registry, API keys, inventory (products, locations, assets, cases), outbox.
-- Runs as eventkit_owner. Roles are created beforehand by `eventkit migrate` (platform::db::bootstrap).
-- Data rules (DESIGN.md): every tenant-owned table has tenant_id, primary key (tenant_id, id),
-- foreign keys that include tenant_id, ENABLE + FORCE row-level security and the fail-closed policy.

create extension if not exists btree_gin;
create extension if not exists btree_gist;

grant usage on schema public to eventkit_app, eventkit_control;
alter default privileges for role eventkit_owner in schema public
    grant select, insert, update, delete on tables to eventkit_app, eventkit_control;
alter default privileges for role eventkit_owner revoke execute on functions from public;

-- Applies the tenant isolation rules to one table. Every migration calls it for each new table
-- with a tenant_id; the catalog test fails if one is forgotten.
create function ek_protect_tenant_table(tbl regclass) returns void
language plpgsql as $$
begin
    execute format('alter table %s enable row level security', tbl);
    execute format('alter table %s force row level security', tbl);
    execute format(
        'create policy tenant_isolation on %s using (tenant_id = nullif(current_setting(''app.tenant_id'', true), '''')::uuid) '
        'with check (tenant_id = nullif(current_setting(''app.tenant_id'', true), '''')::uuid)', tbl);
end $$;
revoke execute on function ek_protect_tenant_table(regclass) from public;

-- The tenant registry. Keyed by id (it *is* the tenant); a tenant's own processes see only their
-- row, the control plane sees all.
create table tenants (
    id uuid primary key,
    name text not null check (length(name) between 1 and 200),
    state text not null default 'active'
        check (state in ('pending_approval', 'provisioning', 'active', 'suspended', 'pending_deletion', 'erased')),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
alter table tenants enable row level security;
alter table tenants force row level security;
create policy tenant_isolation on tenants
    using (id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    with check (id = nullif(current_setting('app.tenant_id', true), '')::uuid);
create policy control_plane on tenants to eventkit_control using (true) with check (true);
revoke insert, update, delete on tenants from eventkit_app;

-- API keys: `ek_<tenant>_<prefix><secret>`; only the SHA-256 of the whole key is stored.
-- The tenant part lets the lookup run inside the tenant's RLS context (docs/adr/0002).
create table api_keys (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    name text not null check (length(name) between 1 and 200),
    prefix text not null,
    secret_hash bytea not null,
    permissions text[] not null,
    created_at timestamptz not null default now(),
    expires_at timestamptz,
    revoked_at timestamptz,
    last_used_at timestamptz,
    primary key (tenant_id, id),
    constraint api_keys_prefix_key unique (tenant_id, prefix)
);
select ek_protect_tenant_table('api_keys');

create table products (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    name text not null,
    description text not null default '',
    category text not null default '',
    sku text not null default '',
    tracking_mode text not null default 'serialised' check (tracking_mode in ('serialised', 'bulk')),
    daily_rate_minor bigint check (daily_rate_minor >= 0),
    daily_rate_currency text check (daily_rate_currency ~ '^[A-Z]{3}$'),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    deleted_at timestamptz,
    search tsvector generated always as (
        to_tsvector('simple'::regconfig, name || ' ' || category || ' ' || sku || ' ' || description)
    ) stored,
    primary key (tenant_id, id),
    check ((daily_rate_minor is null) = (daily_rate_currency is null))
);
select ek_protect_tenant_table('products');
create index products_search_idx on products using gin (tenant_id, search);
create index products_category_idx on products (tenant_id, category, id);

create table locations (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    name text not null,
    kind text not null check (kind in ('warehouse', 'zone', 'bin')),
    parent_id uuid,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    constraint locations_parent_fk foreign key (tenant_id, parent_id) references locations (tenant_id, id),
    check ((kind = 'warehouse') = (parent_id is null))
);
select ek_protect_tenant_table('locations');
create index locations_parent_idx on locations (tenant_id, parent_id, id);

create table cases (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    code text not null,
    name text not null,
    location_id uuid,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    constraint cases_code_key unique (tenant_id, code),
    constraint cases_location_fk foreign key (tenant_id, location_id) references locations (tenant_id, id)
);
select ek_protect_tenant_table('cases');
create index cases_location_idx on cases (tenant_id, location_id, id);

create table assets (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    product_id uuid not null,
    code text not null,
    serial_number text not null default '',
    status text not null default 'available'
        check (status in ('available', 'checked_out', 'in_repair', 'lost', 'retired')),
    location_id uuid,
    case_id uuid,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    search tsvector generated always as (
        to_tsvector('simple'::regconfig, code || ' ' || serial_number)
    ) stored,
    primary key (tenant_id, id),
    constraint assets_code_key unique (tenant_id, code),
    constraint assets_product_fk foreign key (tenant_id, product_id) references products (tenant_id, id),
    constraint assets_location_fk foreign key (tenant_id, location_id) references locations (tenant_id, id),
    constraint assets_case_fk foreign key (tenant_id, case_id) references cases (tenant_id, id)
);
select ek_protect_tenant_table('assets');
create index assets_product_idx on assets (tenant_id, product_id, id);
create index assets_location_idx on assets (tenant_id, location_id, id);
create index assets_case_idx on assets (tenant_id, case_id, id);
create index assets_status_idx on assets (tenant_id, status, id);
create index assets_search_idx on assets using gin (tenant_id, search);

-- Transactional outbox: written in the business transaction, published to JetStream by the relay.
create table outbox (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    event_type text not null,
    subject_id uuid,
    payload jsonb not null,
    actor text not null default '',
    created_at timestamptz not null default now(),
    published_at timestamptz,
    primary key (tenant_id, id)
);
select ek_protect_tenant_table('outbox');
create index outbox_unpublished_idx on outbox (tenant_id, created_at) where published_at is null;
