-- Rate limits: each plan carries a request budget per tenant (all of its callers together) and
-- per principal (one API key or user), as a sustained rate plus a burst. Null is unlimited.
-- A tenant's own limits go in quota_overrides under the same keys (value null = unlimited),
-- so operators edit them like any other quota. Read by the tenant API, cached a few seconds.

alter table plans
    add column requests_per_second bigint check (requests_per_second >= 1),
    add column request_burst bigint check (request_burst >= 1),
    add column principal_requests_per_second bigint check (principal_requests_per_second >= 1),
    add column principal_request_burst bigint check (principal_request_burst >= 1);

-- The owner (who runs migrations) sees no rows under forced row-level security: lift it for
-- the seed values only.
alter table plans no force row level security;
update plans set requests_per_second = 20, request_burst = 60,
                 principal_requests_per_second = 10, principal_request_burst = 30 where key = 'free';
update plans set requests_per_second = 50, request_burst = 150,
                 principal_requests_per_second = 25, principal_request_burst = 75 where key = 'starter';
update plans set requests_per_second = 200, request_burst = 600,
                 principal_requests_per_second = 100, principal_request_burst = 300 where key = 'pro';
-- enterprise (and self-hosted tenants, which are made on it) stays unlimited.
alter table plans force row level security;

alter table quota_overrides drop constraint quota_overrides_key_check;
alter table quota_overrides add constraint quota_overrides_key_check check (key in (
    'seats', 'assets', 'storage_bytes', 'api_calls_per_day', 'webhook_endpoints',
    'requests_per_second', 'request_burst', 'principal_requests_per_second', 'principal_request_burst'));
