-- Sign-up email verification: the SHA-256 of the one-time token mailed to the admin (cleared once
-- used) and when the address was verified. Operators see the time before approving.
alter table tenants
    add column admin_email_verification_hash bytea,
    add column admin_email_verified_at timestamptz;
create unique index tenants_admin_email_verification_idx on tenants (admin_email_verification_hash);
