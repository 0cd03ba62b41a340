-- A tenant's single sign-on claims only what it can prove (issue 16, H1 and L3). Its provider is
-- the tenant admins' choice, so its word about an email address is not enough to reach an
-- existing account: the person proves the account once (LinkSsoIdentity), or the tenant proves
-- it owns the email's domain with a DNS TXT record. Sign-in flows are bound to the browser that
-- started them.

-- L3: the SHA-256 of the nonce in the `ek_sso` cookie set by StartSsoSignIn; FinishSsoSignIn
-- needs the same cookie. Flows in flight at the upgrade have no browser to be bound to.
delete from sso_sign_ins;
alter table sso_sign_ins add column browser_hash bytea not null;

-- The allowed SSO domains whose ownership a tenant set out to prove: the TXT record
-- `_eventkit-challenge.<domain>` must hold `eventkit-domain-verification=<challenge>`. The
-- challenge is published in DNS by design, so it is no secret; it is random per tenant and
-- domain so that one tenant's record proves nothing for another.
create table sso_domains (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    domain text not null check (length(domain) between 3 and 253),
    challenge text not null check (length(challenge) between 16 and 100),
    verified_at timestamptz,
    created_at timestamptz not null default now(),
    primary key (tenant_id, id),
    unique (tenant_id, domain)
);
select ek_protect_tenant_table('sso_domains');

-- How an external identity came to be linked to its person. Links made before this migration
-- proved nothing ('unproven'), so a tenant's provider has to prove them again.
alter table user_identities add column proof text not null default 'unproven'
    check (proof in ('unproven', 'platform', 'password', 'verified_domain'));
alter table user_identities alter column proof drop default;

-- An identity of a tenant's provider waiting for its person to prove the account it names
-- (FinishSsoSignIn answered "link required"): the token (hashed) goes back to the browser that
-- signed in, bound to it like the flow; ten minutes, one use. Not tenant-owned: the row is the
-- person's, `sso_tenant` names the tenant whose provider it is.
create table sso_link_requests (
    token_hash bytea primary key,
    browser_hash bytea not null,
    sso_tenant uuid not null,
    -- the provider as configured when the sign-in ran (refused if it changed since)
    issuer_url text not null,
    -- the identity as the ID token named it
    issuer text not null,
    subject text not null,
    user_id uuid not null references users (id) on delete cascade,
    expires_at timestamptz not null,
    used_at timestamptz
);
create index sso_link_requests_user on sso_link_requests (user_id);

-- Sessions of a tenant's provider may manage the person's account (second factor, the list of
-- their tenants) only when the identity was linked by proof. Families limited to one tenant
-- before this migration came from unproven links.
alter table refresh_tokens add column account_access boolean not null default true;
update refresh_tokens set account_access = false where only_tenant is not null;
alter table refresh_tokens alter column account_access drop default;
