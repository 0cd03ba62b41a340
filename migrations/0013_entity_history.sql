-- Field-by-field history: a trigger on each entity table records, per changed column, the old and
-- new value (jsonb), the operation, the actor (`app.actor` of the TenantTx) and the time, in the
-- same transaction as the change — whatever code made it. Rows are insert-only for the app role.
-- Derived columns (search vectors, update times, a pull-list line's copies of its event's period)
-- are not history. Erasure must delete entity_changes after every other tenant table, since the
-- triggers record those deletions too.

create function ek_uuid_v7() returns uuid
language sql volatile as $$
    select encode(
        set_bit(set_bit(
            overlay(uuid_send(gen_random_uuid())
                placing substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3)
                from 1 for 6),
            52, 1), 53, 1),
        'hex')::uuid
$$;
grant execute on function ek_uuid_v7() to eventkit_app, eventkit_control;

create table entity_changes (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    entity_type text not null,
    entity_id uuid not null,
    operation text not null check (operation in ('insert', 'update', 'delete')),
    field text not null,
    old_value jsonb,
    new_value jsonb,
    actor text not null default '',
    created_at timestamptz not null default now(),
    primary key (tenant_id, id)
);
select ek_protect_tenant_table('entity_changes');
create index entity_changes_entity_idx on entity_changes (tenant_id, entity_type, entity_id, id);
revoke update, delete on entity_changes from eventkit_app;

-- TG_ARGV[0]: the entity type; TG_ARGV[1..]: columns that are not history.
create function ek_record_changes() returns trigger
language plpgsql as $$
declare
    old_row jsonb := case when tg_op <> 'INSERT' then to_jsonb(old) end;
    new_row jsonb := case when tg_op <> 'DELETE' then to_jsonb(new) end;
    any_row jsonb := coalesce(new_row, old_row);
    ignored text[] := coalesce(tg_argv[1:], '{}');
begin
    if current_user = 'eventkit_control' then
        return null;
    end if;
    insert into entity_changes (tenant_id, id, entity_type, entity_id, operation, field, old_value, new_value, actor)
    select (any_row->>'tenant_id')::uuid, ek_uuid_v7(), tg_argv[0], (any_row->>'id')::uuid, lower(tg_op),
           k, old_row->k, new_row->k, coalesce(current_setting('app.actor', true), '')
    from jsonb_object_keys(any_row) k
    where k not in ('tenant_id', 'id', 'created_at', 'updated_at', 'search') and k <> all(ignored)
      and coalesce(old_row->k, 'null') is distinct from coalesce(new_row->k, 'null')
    order by k;
    return null;
end $$;

create trigger products_history after insert or update or delete on products
    for each row execute function ek_record_changes('product');
create trigger assets_history after insert or update or delete on assets
    for each row execute function ek_record_changes('asset');
create trigger cases_history after insert or update or delete on cases
    for each row execute function ek_record_changes('case');
create trigger locations_history after insert or update or delete on locations
    for each row execute function ek_record_changes('location');
create trigger projects_history after insert or update or delete on projects
    for each row execute function ek_record_changes('project');
create trigger events_history after insert or update or delete on events
    for each row execute function ek_record_changes('event', 'starts_at', 'ends_at');
create trigger event_lines_history after insert or update or delete on event_lines
    for each row execute function ek_record_changes('pull_list_line', 'period', 'starts_at', 'ends_at', 'reserves');
create trigger sub_rents_history after insert or update or delete on sub_rents
    for each row execute function ek_record_changes('sub_rent', 'starts_at', 'ends_at');
create trigger stock_levels_history after insert or update or delete on stock_levels
    for each row execute function ek_record_changes('stock_level');
