-- Control plane: plans with quotas, the lifecycle columns of the registry, tenant settings,
-- per-tenant quota overrides, metered usage, quota warnings sent, operator tokens and the
-- operator audit. Tenant-owned tables follow the data rules (ek_protect_tenant_table); the
-- operator tables hold no tenant_id (the audit names its target as target_tenant_id, so an
-- erasure keeps the record of who did what) and are closed to eventkit_app.

-- Plans: the catalogue every tenant points at. Limits are null when unlimited.
create table plans (
    key text primary key check (key ~ '^[a-z][a-z0-9_]{0,31}$'),
    display_name text not null check (length(display_name) between 1 and 100),
    rank int not null,
    seats bigint check (seats >= 0),
    assets bigint check (assets >= 0),
    storage_bytes bigint check (storage_bytes >= 0),
    api_calls_per_day bigint check (api_calls_per_day >= 0),
    webhook_endpoints bigint check (webhook_endpoints >= 0),
    overage_cap_percent int not null default 120 check (overage_cap_percent between 100 and 1000),
    deletion_grace_days int not null default 30 check (deletion_grace_days between 0 and 365),
    updated_at timestamptz not null default now()
);
insert into plans (key, display_name, rank, seats, assets, storage_bytes, api_calls_per_day, webhook_endpoints, overage_cap_percent) values
    ('free', 'Free', 0, 3, 250, 1073741824, 10000, 1, 110),
    ('starter', 'Starter', 1, 10, 2500, 10737418240, 100000, 5, 120),
    ('pro', 'Pro', 2, 50, 25000, 107374182400, 1000000, 25, 150),
    ('enterprise', 'Enterprise', 3, null, null, null, null, null, 200);

alter table tenants
    add column plan text not null default 'free' references plans (key),
    add column admin_email text check (length(admin_email) <= 254),
    add column deletion_due_at timestamptz,
    add column erased_at timestamptz,
    add column erased_rows jsonb,
    add column provisioned_at timestamptz;
-- Tenants made before plans existed keep working without limits.
update tenants set plan = 'enterprise', provisioned_at = created_at;

-- A tenant's processes read their own plan (quota checks) and nothing else; the control plane
-- reads and edits them all.
alter table plans enable row level security;
alter table plans force row level security;
create policy tenant_plan on plans for select to eventkit_app using (
    key = (select t.plan from tenants t where t.id = nullif(current_setting('app.tenant_id', true), '')::uuid));
create policy control_plane on plans to eventkit_control using (true) with check (true);
revoke insert, update, delete on plans from eventkit_app;

-- Defaults a provisioned tenant starts with.
create table tenant_settings (
    tenant_id uuid primary key references tenants (id),
    currency text not null check (currency ~ '^[A-Z]{3}$'),
    locale text not null check (length(locale) between 2 and 35),
    time_zone text not null check (length(time_zone) between 1 and 64),
    tax_rate_bp int not null check (tax_rate_bp between 0 and 10000),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
select ek_protect_tenant_table('tenant_settings');

-- A tenant's own limits where the plan's do not fit; value null = unlimited.
create table quota_overrides (
    tenant_id uuid not null references tenants (id),
    key text not null check (key in ('seats', 'assets', 'storage_bytes', 'api_calls_per_day', 'webhook_endpoints')),
    value bigint check (value >= 0),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, key)
);
select ek_protect_tenant_table('quota_overrides');

-- Usage that is not counted from the data itself: API calls per UTC day, flushed from Redis.
create table usage_daily (
    tenant_id uuid not null references tenants (id),
    day date not null,
    metric text not null,
    value bigint not null check (value >= 0),
    primary key (tenant_id, day, metric)
);
select ek_protect_tenant_table('usage_daily');

-- quota.warning events already sent: one per quota, threshold and period (a day for daily
-- quotas, a month otherwise).
create table quota_warnings (
    tenant_id uuid not null references tenants (id),
    key text not null,
    threshold int not null,
    period text not null,
    created_at timestamptz not null default now(),
    primary key (tenant_id, key, threshold, period)
);
select ek_protect_tenant_table('quota_warnings');

-- Operator tokens: `ekop_<40 random base62>`; only the SHA-256 of the token is stored.
create table operator_tokens (
    id uuid primary key,
    name text not null unique check (length(name) between 1 and 100),
    token_hash bytea not null unique,
    created_at timestamptz not null default now(),
    revoked_at timestamptz
);
revoke all on operator_tokens from eventkit_app;

-- Every operator action: who (token), what (action, detail), why (reason), when. Insert-only.
create table operator_audit (
    id uuid primary key,
    operator_id uuid not null references operator_tokens (id),
    operator_name text not null,
    action text not null,
    target_tenant_id uuid,
    reason text not null default '',
    detail jsonb not null default '{}',
    created_at timestamptz not null default now()
);
create index operator_audit_target_idx on operator_audit (target_tenant_id, id);
revoke all on operator_audit from eventkit_app;
revoke update, delete, truncate on operator_audit from eventkit_control;
