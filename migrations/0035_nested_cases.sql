-- Cases in cases (issue 6): a permanent case may hold other cases (a rack of drawers), and
-- travels with them — booking or scanning the outer case takes everything inside, at any depth.

alter table cases add column parent_case_id uuid;
alter table cases add constraint cases_parent_fk
    foreign key (tenant_id, parent_case_id) references cases (tenant_id, id);
alter table cases add constraint cases_not_own_parent check (parent_case_id is distinct from id);
create index cases_parent on cases (tenant_id, parent_case_id) where parent_case_id is not null;

-- A case and every case inside it, at any depth (16 levels at most; the API refuses cycles).
-- Invoker's rights: row-level security scopes it like any query.
create function ek_case_tree(p_tenant uuid, p_case uuid) returns setof uuid
language sql stable set search_path = public as $$
    with recursive tree (id, depth) as (
        select p_case, 0
        union all
        select c.id, t.depth + 1 from cases c join tree t on c.parent_case_id = t.id
        where c.tenant_id = p_tenant and t.depth < 16
    )
    select id from tree
$$;
revoke execute on function ek_case_tree(uuid, uuid) from public;
grant execute on function ek_case_tree(uuid, uuid) to eventkit_app, eventkit_control;
