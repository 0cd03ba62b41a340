-- Erasure leaves nothing behind (issue 16, M5). First, what an erasure leaves to do outside the
-- database: purging the tenant's messages from each JetStream stream, and removing every object
-- under each of its storage prefixes. The rows are written in the erasure's own transaction, so
-- they exist exactly when the tenant's rows are gone; the control plane works through them right
-- after the commit, and its sweep retries what failed (every 5 minutes) until it is done, when
-- the row is deleted.
--
-- Operator data, not tenant data: the column is `erased_tenant_id`, not `tenant_id`, so the
-- erasure (which empties every table with a `tenant_id` column: this one would be emptied by the
-- very transaction that writes it) and the export leave it alone. It holds ids, stream names and
-- key prefixes, nothing personal; the workers cannot read it.
create table erasure_cleanups (
    erased_tenant_id uuid not null references tenants (id),
    kind text not null check (kind in ('stream_messages', 'objects')),
    -- The stream (`stream_messages`) or the key prefix (`objects`).
    target text not null check (length(target) between 1 and 512),
    attempts int not null default 0 check (attempts >= 0),
    last_error text,
    last_attempt_at timestamptz,
    created_at timestamptz not null default now(),
    primary key (erased_tenant_id, kind, target)
);
revoke all on erasure_cleanups from eventkit_app;

-- Nothing is written for an erased tenant (work in flight when its erasure committed — a
-- consumer handling an event delivered before the purge — would otherwise leave rows behind).
-- Every tenant table references `tenants` (or a parent that does), so an insert takes a key-share
-- lock on the registry row, which the erasure holds `for update` until it commits: an insert
-- either commits before the erasure starts (and is erased with the rest) or waits for it and
-- then meets this check, which fires after the foreign-key checks of its statement.
create function ek_refuse_rows_of_erased_tenants() returns trigger
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
begin
    if exists (
        select 1 from inserted i join public.tenants t on t.id = i.tenant_id
        where t.state = 'erased'
    ) then
        raise exception 'the tenant is erased: nothing can be written for it'
            using errcode = 'check_violation', constraint = 'tenant_erased',
                  table = tg_table_name;
    end if;
    return null;
end $$;
revoke execute on function ek_refuse_rows_of_erased_tenants() from public;

-- Tenant tables made from now on get the check with their row-level security.
create or replace function ek_protect_tenant_table(tbl regclass) returns void
language plpgsql as $$
begin
    execute format('alter table %s enable row level security', tbl);
    execute format('alter table %s force row level security', tbl);
    execute format(
        'create policy tenant_isolation on %s using (tenant_id = nullif(current_setting(''app.tenant_id'', true), '''')::uuid) '
        'with check (tenant_id = nullif(current_setting(''app.tenant_id'', true), '''')::uuid)', tbl);
    execute format(
        'create trigger tenant_not_erased after insert on %s referencing new table as inserted '
        'for each statement execute function ek_refuse_rows_of_erased_tenants()', tbl);
end $$;
revoke execute on function ek_protect_tenant_table(regclass) from public;

-- And every tenant table made so far.
do $$
declare
    tbl regclass;
begin
    for tbl in
        select c.oid::regclass from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p')
          and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped)
          and not exists (select 1 from pg_trigger g where g.tgrelid = c.oid and g.tgname = 'tenant_not_erased')
    loop
        execute format(
            'create trigger tenant_not_erased after insert on %s referencing new table as inserted '
            'for each statement execute function ek_refuse_rows_of_erased_tenants()', tbl);
    end loop;
end $$;
