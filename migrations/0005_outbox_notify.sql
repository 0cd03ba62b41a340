-- Wakes the outbox relay: each insert notifies channel `eventkit_outbox` with the tenant id, at
-- commit (Postgres folds identical payloads of one transaction into one notification). The relay
-- still polls as a fallback, so a notification lost while it was disconnected delays, never loses.
create function ek_outbox_notify() returns trigger
language plpgsql as $$
begin
    perform pg_notify('eventkit_outbox', new.tenant_id::text);
    return new;
end $$;

create trigger outbox_notify after insert on outbox for each row execute function ek_outbox_notify();
