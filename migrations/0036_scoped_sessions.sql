-- A sign-in through a tenant's own identity provider is only good for that tenant: the provider
-- is the tenant admins' choice, so it must not open the person's other tenants. Refresh tokens of
-- such a session family carry the tenant they are limited to.
alter table refresh_tokens add column only_tenant uuid;
