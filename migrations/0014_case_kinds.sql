-- Cases are permanent (packed once, kept packed) or temporary (packed for one job and emptied
-- when the case is checked back in).
alter table cases add column kind text not null default 'permanent' check (kind in ('permanent', 'temporary'));
