-- Exports: a tenant's request for a full copy of its data (issue 3, point 5). The row is written
-- with its `export.requested` outbox event in one transaction; the workers' export consumer
-- claims it (a lease fenced by the attempt number, so a second worker cannot finish a stale
-- attempt), reports progress, and marks it ready with the object's key and link expiry, or failed.
create table exports (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    status text not null default 'queued' check (status in ('queued', 'running', 'ready', 'failed')),
    -- Who asked: `operator:<name>`, `user:<subject>`, `api_key:<id>`.
    requested_by text not null check (length(requested_by) between 1 and 300),
    attempts int not null default 0 check (attempts >= 0),
    lease_until timestamptz,
    tables_total int not null default 0 check (tables_total >= 0),
    tables_done int not null default 0 check (tables_done >= 0),
    rows_total bigint not null default 0 check (rows_total >= 0),
    rows_done bigint not null default 0 check (rows_done >= 0),
    object_key text,
    size_bytes bigint check (size_bytes >= 0),
    expires_at timestamptz,
    error text,
    created_at timestamptz not null default now(),
    started_at timestamptz,
    finished_at timestamptz,
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    check (status <> 'ready' or (object_key is not null and size_bytes is not null and expires_at is not null))
);
select ek_protect_tenant_table('exports');
-- The account service lists a tenant's exports newest first.
create index exports_created_idx on exports (tenant_id, created_at desc, id desc);
