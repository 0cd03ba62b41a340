-- No secret in tenant data (issue 16, findings C1 and M2; docs/adr/0033). Links that grant access
-- (invitation, password-reset, sign-up verification and export download links) used to travel
-- in clear in a tenant's `outbox` payload, which the tenant's export copied. Now:
--
-- * `mail_links` keeps each such link until the mailer has sent it, outside tenant data: the
--   table has no `tenant_id`, so no tenant reads it through row-level security and no export
--   picks it up. The outbox event names only the id of what the link opens; the mailer looks the
--   link up by that id and the message it belongs in, and deletes it once mailed. Links nobody
--   mailed are swept when `keep_until` has passed.
-- * `account_emails` queues emails about a person's account (password reset). A person belongs
--   to no tenant, so neither does their reset: it is queued, sent under EventKit's own name and
--   recorded here, never in a tenant's outbox or email log.
-- * `user_tokens.second_factor_failures` counts wrong second-factor codes sent with a reset
--   link (an account with TOTP must re-confirm it to reset its password); the link dies after five.

create table mail_links (
    -- What the link opens: an invitation, a user token (password reset), a tenant (sign-up
    -- verification) or an export.
    id uuid primary key,
    -- The email message the link belongs in; the mailer finds it only for that message.
    message text not null
        check (message in ('invitation', 'password_reset', 'signup_verification', 'export_ready')),
    url text not null check (length(url) between 1 and 4000),
    -- Swept after this even if never mailed (the link has stopped working by then).
    keep_until timestamptz not null,
    created_at timestamptz not null default now()
);
create index mail_links_keep_until on mail_links (keep_until);

create table account_emails (
    id uuid primary key,
    user_id uuid not null references users (id) on delete cascade,
    message text not null check (message in ('password_reset')),
    recipient text not null check (length(recipient) between 3 and 254),
    -- The language asked for (`de`, `en-GB`, ...); English when empty.
    locale text not null default '' check (length(locale) <= 35),
    -- The template's variables (never a secret: the link is in `mail_links`).
    vars jsonb not null default '{}',
    -- The `mail_links` row whose link the email carries, if any.
    link_id uuid,
    attempts integer not null default 0,
    -- Not tried before this: a claim moves it ahead (a lease), a failure further (back-off).
    not_before timestamptz not null default now(),
    error text,
    created_at timestamptz not null default now(),
    sent_at timestamptz,
    -- Given up on after too many failed attempts.
    failed_at timestamptz
);
create index account_emails_due on account_emails (not_before)
    where sent_at is null and failed_at is null;
create index account_emails_user on account_emails (user_id);

-- Wakes the account mailer at commit; it also polls, so a lost notification only delays.
create function ek_account_email_notify() returns trigger
language plpgsql as $$
begin
    perform pg_notify('eventkit_account_email', '');
    return new;
end $$;

create trigger account_email_notify after insert on account_emails
    for each row execute function ek_account_email_notify();

alter table user_tokens add column second_factor_failures integer not null default 0;
