-- The SECURITY DEFINER functions run as eventkit_owner, the owner of every table. With
-- `search_path = public` PostgreSQL still searched pg_temp first for relations, so a service role
-- could put a temporary view named `tenants` or `memberships` in front of the real table and have
-- the function run its own code as the owner (e.g. `alter table ... no force row level
-- security`). Now each function searches pg_catalog first and pg_temp last, names its tables with
-- their schema, and PUBLIC (so the service roles) can no longer create temporary objects at all.
-- `create or replace` keeps each function's owner and grants. The catalog test
-- (tests/tests/suite/security_database.rs) fails on any definer function without this search_path.

create or replace function ek_tenant_ids() returns setof uuid
language sql stable security definer set search_path = pg_catalog, public, pg_temp as $$
    select t.id from public.tenants t where t.state <> 'erased' order by t.id
$$;

create or replace function ek_user_tenants(p_user uuid) returns table (tenant_id uuid, tenant_name text, state text)
language sql stable security definer set search_path = pg_catalog, public, pg_temp as $$
    select t.id, t.name, t.state
    from public.memberships m join public.tenants t on t.id = m.tenant_id
    where m.user_id = p_user and t.state in ('active', 'suspended')
    order by t.name, t.id
$$;

create or replace function ek_user_is_member_anywhere(p_user uuid) returns boolean
language sql stable security definer set search_path = pg_catalog, public, pg_temp as $$
    select exists (select 1 from public.memberships m where m.user_id = p_user)
$$;

-- The database's owner (eventkit_owner, which `eventkit migrate` makes it) may revoke this;
-- `eventkit migrate` also does it as the superuser for databases it creates or finds.
do $$
begin
    execute format('revoke temporary on database %I from public', current_database());
end $$;
