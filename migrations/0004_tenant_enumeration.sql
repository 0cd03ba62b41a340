-- Cross-tenant background work (retention sweeps, the outbox relay, usage roll-ups) must first
-- know which tenants exist, then does every row of work inside that tenant's context (TenantTx),
-- so row-level security still guards each row. The service roles cannot list tenants, so one
-- narrow SECURITY DEFINER function, owned by eventkit_owner, returns the ids — nothing else —
-- through a read-only policy for the owner on the registry (docs/adr/0004).
create policy owner_reads_registry on tenants for select to eventkit_owner using (true);

create function ek_tenant_ids() returns setof uuid
language sql stable security definer set search_path = public as $$
    select id from tenants where state <> 'erased' order by id
$$;
revoke execute on function ek_tenant_ids() from public;
grant execute on function ek_tenant_ids() to eventkit_app, eventkit_control;
