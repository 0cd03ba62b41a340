-- Identity and access (issue 5): people, their memberships in tenants, roles, invitations,
-- sessions and the security log.
--
-- People are global — one person may work for several tenants — so `users`, their second
-- factor, one-time email tokens and refresh tokens live outside any tenant and are read by the
-- app role only through the sign-in code. What a person may do *in a tenant* (membership, roles)
-- and what happened there (security log) is tenant-owned and under row-level security.

create table users (
    id uuid primary key,
    email text not null check (length(email) between 3 and 254 and email = lower(email)),
    display_name text not null default '' check (length(display_name) <= 200),
    -- argon2id PHC string; null for people who only sign in through an identity provider
    password_hash text,
    email_verified_at timestamptz,
    -- TOTP (RFC 6238) shared secret; set while enrolling, active once totp_enabled_at is set
    totp_secret bytea,
    totp_enabled_at timestamptz,
    -- the last time step whose code was accepted: a code works once
    totp_last_step bigint,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint users_email_key unique (email)
);

-- Failed sign-ins per account (`email:<address>`, whether or not it has an account, so a
-- lockout tells nothing) and per client address (`address:<ip>`): after a threshold each further
-- failure locks the key for a doubling time, up to an hour. Success clears the account's row.
create table sign_in_failures (
    key text primary key,
    failures int not null,
    last_failed_at timestamptz not null,
    locked_until timestamptz
);

-- Single-use TOTP recovery codes (SHA-256 of the code; ~50 bits of entropy, throttled by lockout).
create table recovery_codes (
    user_id uuid not null references users (id) on delete cascade,
    code_hash bytea not null,
    used_at timestamptz,
    primary key (user_id, code_hash)
);

-- Single-use, expiring tokens sent by email for a person (password reset).
create table user_tokens (
    id uuid primary key,
    user_id uuid not null references users (id) on delete cascade,
    purpose text not null check (purpose in ('password_reset')),
    token_hash bytea not null,
    expires_at timestamptz not null,
    used_at timestamptz,
    created_at timestamptz not null default now(),
    constraint user_tokens_hash_key unique (token_hash)
);
create index user_tokens_user on user_tokens (user_id);

-- Rotating refresh tokens: each use marks the token used and issues the next of the same family;
-- presenting a used token again revokes the whole family (reuse detection).
create table refresh_tokens (
    id uuid primary key,
    family_id uuid not null,
    user_id uuid not null references users (id) on delete cascade,
    token_hash bytea not null,
    expires_at timestamptz not null,
    used_at timestamptz,
    revoked_at timestamptz,
    created_at timestamptz not null default now(),
    constraint refresh_tokens_hash_key unique (token_hash)
);
create index refresh_tokens_family on refresh_tokens (family_id);
create index refresh_tokens_user on refresh_tokens (user_id);

-- Ed25519 keys that sign access tokens. Every tenant-api process signs with the newest key and
-- verifies with any that is not retired; the public halves are served as the JWKS.
create table signing_keys (
    kid text primary key,
    private_pkcs8 bytea not null,
    public_key bytea not null,
    created_at timestamptz not null default now(),
    retired_at timestamptz
);

revoke delete on signing_keys from eventkit_app;

-- Roles of a tenant: the built-in ones (key set, permissions taken from the code so they follow
-- new permissions) and custom ones (permissions listed here).
create table roles (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    builtin text check (builtin in ('admin', 'manager', 'planner', 'warehouse', 'sales', 'crew', 'read_only')),
    name text not null check (length(name) between 1 and 100),
    description text not null default '' check (length(description) <= 500),
    permissions text[] not null default '{}',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    constraint roles_name_key unique (tenant_id, name),
    constraint roles_builtin_key unique (tenant_id, builtin)
);
select ek_protect_tenant_table('roles');

create table memberships (
    tenant_id uuid not null references tenants (id),
    user_id uuid not null references users (id),
    created_at timestamptz not null default now(),
    primary key (tenant_id, user_id)
);
select ek_protect_tenant_table('memberships');

create table membership_roles (
    tenant_id uuid not null,
    user_id uuid not null,
    role_id uuid not null,
    primary key (tenant_id, user_id, role_id),
    foreign key (tenant_id, user_id) references memberships (tenant_id, user_id) on delete cascade,
    foreign key (tenant_id, role_id) references roles (tenant_id, id)
);
select ek_protect_tenant_table('membership_roles');

-- Invitations: `eki_<tenant>_<random>` tokens (the tenant part lets acceptance run in the tenant's
-- RLS context, as API keys do); only the SHA-256 is stored.
create table invitations (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    email text not null check (length(email) between 3 and 254 and email = lower(email)),
    role_ids uuid[] not null,
    prefix text not null,
    token_hash bytea not null,
    invited_by text not null,
    expires_at timestamptz not null,
    accepted_at timestamptz,
    accepted_by uuid references users (id) on delete set null,
    revoked_at timestamptz,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    constraint invitations_prefix_key unique (tenant_id, prefix)
);
select ek_protect_tenant_table('invitations');

-- The security log: sign-ins and failures, role changes, invitations, API keys, exports. Insert-only
-- for the app role.
create table security_events (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    occurred_at timestamptz not null default now(),
    kind text not null check (length(kind) between 1 and 100),
    actor text not null,
    subject text not null default '',
    address text,
    detail jsonb not null default '{}',
    primary key (tenant_id, id)
);
select ek_protect_tenant_table('security_events');
revoke update, delete on security_events from eventkit_app;

-- A person's tenants, across tenants, for sign-in and the tenant switcher: ids and names only.
-- The owner reads memberships and the registry through SELECT-only policies for this function
-- (the catalog test allows owner-only SELECT policies; docs/adr/0012).
create policy owner_reads_memberships on memberships for select to eventkit_owner using (true);
create function ek_user_tenants(p_user uuid) returns table (tenant_id uuid, tenant_name text, state text)
language sql stable security definer set search_path = public as $$
    select t.id, t.name, t.state
    from memberships m join tenants t on t.id = m.tenant_id
    where m.user_id = p_user and t.state in ('active', 'suspended')
    order by t.name, t.id
$$;
revoke execute on function ek_user_tenants(uuid) from public;
grant execute on function ek_user_tenants(uuid) to eventkit_app, eventkit_control;

-- Whether a person still belongs to any tenant (erasure removes people left with none).
create function ek_user_is_member_anywhere(p_user uuid) returns boolean
language sql stable security definer set search_path = public as $$
    select exists (select 1 from memberships where user_id = p_user)
$$;
revoke execute on function ek_user_is_member_anywhere(uuid) from public;
grant execute on function ek_user_is_member_anywhere(uuid) to eventkit_control;

-- The built-in roles of one tenant, made by provisioning (in the tenant's context) and below for
-- the tenants that exist already. Idempotent. Their permissions come from the code (`builtin`).
create function ek_insert_builtin_roles(p_tenant uuid) returns void
language sql security invoker set search_path = public as $$
    insert into roles (tenant_id, id, builtin, name, description)
    select p_tenant, gen_random_uuid(), r.key, r.name, r.description
    from (values
        ('admin', 'Admin', 'Everything, including users, roles, API keys, webhooks and billing'),
        ('manager', 'Manager', 'Runs the business: inventory, planning, scanning, quotes'),
        ('planner', 'Planner', 'Plans events and pull lists; reads inventory'),
        ('warehouse', 'Warehouse', 'Keeps stock and scans equipment out and in'),
        ('sales', 'Sales', 'Enquiries and quotes; reads inventory and planning'),
        ('crew', 'Crew', 'Sees the events they work on'),
        ('read_only', 'Read-only', 'Reads everything, changes nothing')
    ) as r (key, name, description)
    on conflict (tenant_id, builtin) do nothing
$$;
revoke execute on function ek_insert_builtin_roles(uuid) from public;
grant execute on function ek_insert_builtin_roles(uuid) to eventkit_app, eventkit_control;

do $$
declare t uuid;
begin
    for t in select id from tenants where state <> 'erased' loop
        perform set_config('app.tenant_id', t::text, true);
        perform ek_insert_builtin_roles(t);
    end loop;
    perform set_config('app.tenant_id', '', true);
end $$;
