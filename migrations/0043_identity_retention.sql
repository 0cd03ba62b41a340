-- Retention of the global identity tables (issue 16, M3): the workers' sweep
-- (workers/src/identity_sweep.rs) deletes by expiry or last failure, so those columns are
-- indexed and a pass reads only what is due. Client addresses are no longer locked in
-- `sign_in_failures` (they are throttled in Redis), so their old rows go now.

create index sso_sign_ins_expires on sso_sign_ins (expires_at);
create index user_tokens_expires on user_tokens (expires_at);
create index refresh_tokens_expires on refresh_tokens (expires_at);
create index sign_in_failures_last_failed on sign_in_failures (last_failed_at);

delete from sign_in_failures where key like 'address:%';
