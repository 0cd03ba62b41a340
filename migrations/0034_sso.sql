-- Single sign-on with OpenID Connect (issue 5): a tenant's own identity provider (enterprise SSO)
-- with the email domains allowed to join; sign-ins in flight; and which external identity is
-- which person.

create table sso_settings (
    tenant_id uuid not null references tenants (id),
    issuer_url text not null check (length(issuer_url) between 1 and 2000),
    client_id text not null check (length(client_id) between 1 and 500),
    client_secret text not null check (length(client_secret) between 1 and 2000),
    -- people with a verified email in one of these domains join on first sign-in
    allowed_domains text[] not null default '{}',
    -- the role such people get; the Read-only role when unset
    default_role_id uuid,
    enabled boolean not null default true,
    updated_at timestamptz not null default now(),
    primary key (tenant_id),
    foreign key (tenant_id, default_role_id) references roles (tenant_id, id)
);
select ek_protect_tenant_table('sso_settings');

-- Authorization Code flows in flight: the state (hashed), the PKCE verifier and the nonce, for
-- ten minutes and one use. `sso_tenant` is the tenant whose provider is used (null: the
-- platform's); the row is the flow's, not the tenant's, so it is not tenant-owned.
create table sso_sign_ins (
    state_hash bytea primary key,
    sso_tenant uuid,
    issuer_url text not null,
    pkce_verifier text not null,
    nonce text not null,
    expires_at timestamptz not null,
    used_at timestamptz
);

-- External identities linked to people: (issuer, subject) is stable where emails may change.
create table user_identities (
    issuer text not null,
    subject text not null,
    user_id uuid not null references users (id) on delete cascade,
    created_at timestamptz not null default now(),
    primary key (issuer, subject)
);
create index user_identities_user on user_identities (user_id);
