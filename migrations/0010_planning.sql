-- Planning: projects, events (jobs) with their planning period, pull lists, external sub-rents
-- and the tenant's choice of reserving statuses. Availability is an index lookup: each pull-list
-- line carries a copy of its event's period and whether it reserves (kept in step by the planning
-- service in the same transaction), so "what reserves stock between A and B" touches only
-- matching rows.
--
-- Periods are tstzranges, and overlap queries use their bounds as generated columns
-- (`starts_at < B and ends_at > A`) with GiST indexes on (tenant_id, starts_at, ends_at)
-- (btree_gist). Under row-level security a qual can only become an index condition when its
-- operator is leakproof: the timestamptz comparisons are, the range operator `&&` is not, so an
-- index on the range itself would be read for the whole tenant.
--
-- A serialised asset or case can never be reserved twice for overlapping periods: exclusion
-- constraints refuse it whatever the code does (checked at commit, so the service's own check,
-- which names the other event, answers first).

create table planning_settings (
    tenant_id uuid not null references tenants (id),
    -- Chosen among enquiry, provisional, confirmed; prepped and out always reserve.
    reserving_statuses text[] not null default '{provisional,confirmed}'
        check (reserving_statuses <@ array['enquiry', 'provisional', 'confirmed']),
    updated_at timestamptz not null default now(),
    primary key (tenant_id)
);
select ek_protect_tenant_table('planning_settings');

create table projects (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    name text not null,
    client_name text not null default '',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id)
);
select ek_protect_tenant_table('projects');

create table events (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    name text not null,
    status text not null default 'enquiry' check (status in
        ('enquiry', 'provisional', 'confirmed', 'prepped', 'out', 'returned', 'completed', 'cancelled')),
    client_name text not null default '',
    venue text not null default '',
    project_id uuid,
    -- Events made from one recurrence rule share a series id (no row of its own).
    series_id uuid,
    prep_at timestamptz,
    -- [out, back): the planning period.
    period tstzrange,
    starts_at timestamptz generated always as (lower(period)) stored,
    ends_at timestamptz generated always as (upper(period)) stored,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    deleted_at timestamptz,
    primary key (tenant_id, id),
    constraint events_project_fk foreign key (tenant_id, project_id) references projects (tenant_id, id),
    constraint events_period_bounded check (period is null or (not isempty(period)
        and not lower_inf(period) and not upper_inf(period) and lower_inc(period) and not upper_inc(period))),
    constraint events_prep_before_out check (prep_at is null or period is null or prep_at <= lower(period)),
    constraint events_period_required check (status in ('enquiry', 'cancelled') or period is not null)
);
select ek_protect_tenant_table('events');
create index events_period_idx on events using gist (tenant_id, starts_at, ends_at);
create index events_status_idx on events (tenant_id, status, id);
create index events_project_idx on events (tenant_id, project_id, id);
create index events_series_idx on events (tenant_id, series_id, id) where series_id is not null;

create table event_lines (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    event_id uuid not null,
    product_id uuid,
    asset_id uuid,
    case_id uuid,
    quantity integer not null check (quantity between 1 and 100000),
    -- Copies of the event's period and of "its status reserves under the tenant's setting".
    period tstzrange,
    starts_at timestamptz generated always as (lower(period)) stored,
    ends_at timestamptz generated always as (upper(period)) stored,
    reserves boolean not null default false,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    constraint event_lines_event_fk foreign key (tenant_id, event_id) references events (tenant_id, id),
    constraint event_lines_product_fk foreign key (tenant_id, product_id) references products (tenant_id, id),
    constraint event_lines_asset_fk foreign key (tenant_id, asset_id) references assets (tenant_id, id),
    constraint event_lines_case_fk foreign key (tenant_id, case_id) references cases (tenant_id, id),
    constraint event_lines_one_item check (num_nonnulls(product_id, asset_id, case_id) = 1),
    constraint event_lines_single_unit check (product_id is not null or quantity = 1),
    constraint event_lines_reserve_needs_period check (not reserves or period is not null),
    constraint event_lines_product_key unique (tenant_id, event_id, product_id),
    constraint event_lines_asset_key unique (tenant_id, event_id, asset_id),
    constraint event_lines_case_key unique (tenant_id, event_id, case_id),
    constraint event_lines_asset_double_booked exclude using gist
        (tenant_id with =, asset_id with =, period with &&) where (reserves and asset_id is not null)
        deferrable initially deferred,
    constraint event_lines_case_double_booked exclude using gist
        (tenant_id with =, case_id with =, period with &&) where (reserves and case_id is not null)
        deferrable initially deferred
);
select ek_protect_tenant_table('event_lines');
create index event_lines_reserving_idx on event_lines using gist (tenant_id, starts_at, ends_at) where reserves;
create index event_lines_period_idx on event_lines using gist (tenant_id, starts_at, ends_at);
create index event_lines_asset_idx on event_lines (tenant_id, asset_id) where asset_id is not null;
create index event_lines_case_idx on event_lines (tenant_id, case_id) where case_id is not null;

create table sub_rents (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    product_id uuid not null,
    supplier text not null,
    quantity integer not null check (quantity between 1 and 100000),
    period tstzrange not null check (not isempty(period) and not lower_inf(period) and not upper_inf(period)),
    starts_at timestamptz generated always as (lower(period)) stored,
    ends_at timestamptz generated always as (upper(period)) stored,
    cost_minor bigint check (cost_minor >= 0),
    cost_currency text check (cost_currency ~ '^[A-Z]{3}$'),
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    constraint sub_rents_product_fk foreign key (tenant_id, product_id) references products (tenant_id, id),
    check ((cost_minor is null) = (cost_currency is null))
);
select ek_protect_tenant_table('sub_rents');
create index sub_rents_product_period_idx on sub_rents using gist (tenant_id, product_id, starts_at, ends_at);
