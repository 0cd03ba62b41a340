-- Webhooks (docs/api.md, "Webhooks"): endpoints a tenant registers, one delivery per
-- (endpoint, event) — unique, so a redelivered event never makes a second delivery — and every
-- attempt with its status code, latency and the start of the response. The workers' dispatcher
-- claims due deliveries with SKIP LOCKED and a lease, so several dispatchers never send one
-- delivery at the same time, and a killed one's claims come back when the lease runs out.
-- Also: job_failures, the stored record of an event a consumer gave up on (its dead letter).

create table webhook_endpoints (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    url text not null,
    description text not null default '',
    event_types text[] not null,
    enabled boolean not null default true,
    -- whsec_ secrets: the current one, and during a rotation the previous one until it expires.
    secret text not null,
    previous_secret text,
    previous_secret_expires_at timestamptz,
    -- First failure since the last success; five days of that disables the endpoint.
    failing_since timestamptz,
    disabled_reason text not null default '',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    deleted_at timestamptz,
    primary key (tenant_id, id)
);
select ek_protect_tenant_table('webhook_endpoints');

create table webhook_deliveries (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    endpoint_id uuid not null,
    -- The event's id: the `webhook-id` header, the same on every attempt and replay.
    event_id uuid not null,
    event_type text not null,
    -- The exact body sent (and signed) on every attempt.
    body text not null,
    status text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
    attempts integer not null default 0,
    next_attempt_at timestamptz not null default now(),
    lease_until timestamptz,
    last_status_code integer,
    last_error text not null default '',
    created_at timestamptz not null default now(),
    finished_at timestamptz,
    primary key (tenant_id, id),
    foreign key (tenant_id, endpoint_id) references webhook_endpoints (tenant_id, id),
    constraint webhook_deliveries_once unique (tenant_id, endpoint_id, event_id)
);
select ek_protect_tenant_table('webhook_deliveries');
create index webhook_deliveries_due_idx on webhook_deliveries (tenant_id, next_attempt_at)
    where status = 'pending';
create index webhook_deliveries_endpoint_idx on webhook_deliveries (tenant_id, endpoint_id, id);

create table webhook_attempts (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    delivery_id uuid not null,
    attempted_at timestamptz not null,
    -- Null when no HTTP answer came (refused destination, timeout, connection error).
    status_code integer,
    latency_ms integer not null,
    -- The first 1 KB of the answer, or why there was none.
    response_excerpt text not null default '',
    error text not null default '',
    primary key (tenant_id, id),
    foreign key (tenant_id, delivery_id) references webhook_deliveries (tenant_id, id)
);
select ek_protect_tenant_table('webhook_attempts');
create index webhook_attempts_delivery_idx on webhook_attempts (tenant_id, delivery_id, id);

-- Wakes the dispatcher when a delivery becomes due now (a new one, a replay), with the tenant id.
create function ek_webhook_notify() returns trigger
language plpgsql as $$
begin
    if new.status = 'pending' and (tg_op = 'INSERT' or old.status <> 'pending') then
        perform pg_notify('eventkit_webhooks', new.tenant_id::text);
    end if;
    return new;
end $$;
create trigger webhook_deliveries_notify after insert or update of status on webhook_deliveries
    for each row execute function ek_webhook_notify();

create table job_failures (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    -- The consumer that gave up (e.g. webhooks-fanout, email).
    consumer text not null,
    event_id uuid not null,
    event_type text not null,
    -- The whole event as it was on the stream, to replay it.
    envelope jsonb not null,
    error text not null,
    deliveries integer not null,
    failed_at timestamptz not null default now(),
    replayed_at timestamptz,
    primary key (tenant_id, id),
    constraint job_failures_once unique (tenant_id, consumer, event_id)
);
select ek_protect_tenant_table('job_failures');
