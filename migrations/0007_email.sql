-- Transactional email: the tenant's branding (name, logo, colour) every email carries, and one
-- row per email sent, unique per (event, template, recipient) so a redelivered event sends
-- nothing twice once the first send is recorded.

create table tenant_branding (
    tenant_id uuid not null references tenants (id),
    -- Shown instead of the registry name when set.
    display_name text not null default '',
    logo_url text not null default '',
    -- #RRGGBB
    primary_color text not null default '#1f6feb' check (primary_color ~ '^#[0-9a-fA-F]{6}$'),
    updated_at timestamptz not null default now(),
    primary key (tenant_id)
);
select ek_protect_tenant_table('tenant_branding');

create table email_messages (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    event_id uuid not null,
    template text not null,
    recipient text not null,
    locale text not null,
    subject text not null default '',
    status text not null default 'sending' check (status in ('sending', 'sent', 'skipped')),
    -- Why it was skipped (e.g. the tenant is suspended), or the last send error.
    note text not null default '',
    created_at timestamptz not null default now(),
    sent_at timestamptz,
    primary key (tenant_id, id),
    constraint email_messages_once unique (tenant_id, event_id, template, recipient)
);
select ek_protect_tenant_table('email_messages');
