-- Idempotency-Key records: the first answer to a mutation, replayed for retries with the same key
-- within 24 hours (per tenant). `response` stays null while the first request is in flight.
create table idempotency_keys (
    tenant_id uuid not null references tenants (id),
    key text not null,
    rpc text not null,
    request_hash bytea not null,
    response jsonb,
    created_at timestamptz not null default now(),
    completed_at timestamptz,
    primary key (tenant_id, key)
);
select ek_protect_tenant_table('idempotency_keys');
create index idempotency_keys_created_idx on idempotency_keys (tenant_id, created_at);
