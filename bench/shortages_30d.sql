-- ListShortages: the demand lookup (planning::DEMAND_SQL) of every product over 30 days
-- at a random start within a year; as eventkit_app under row-level security. Run with:
-- pgbench -n -M simple -D tenant=<id> -D product=<id> -f bench/shortages_30d.sql -c 2 -T 8 <db>
\set day random(0, 330)
BEGIN;
SELECT set_config('app.tenant_id', ':tenant', true);
select l.event_id, l.period, x.product_id, sum(x.quantity)::bigint as quantity from event_lines l cross join lateral ( select l.product_id as product_id, l.quantity::bigint as quantity where l.product_id is not null and not exists (select 1 from kit_components k where k.tenant_id = l.tenant_id and k.kit_id = l.product_id) union all select k.component_id, l.quantity::bigint * k.quantity from kit_components k where l.product_id is not null and k.tenant_id = l.tenant_id and k.kit_id = l.product_id union all select a.product_id, 1 from assets a where l.asset_id is not null and a.tenant_id = l.tenant_id and a.id = l.asset_id union all select a.product_id, 1 from assets a where l.case_id is not null and a.tenant_id = l.tenant_id and a.case_id in (select ek_case_tree(l.tenant_id, l.case_id)) ) x where l.tenant_id = ':tenant'::uuid and l.reserves and l.starts_at < (timestamptz '2026-11-22' + (:day - 180 + 30) * interval '1 day') and l.ends_at > (timestamptz '2026-11-22' + (:day - 180) * interval '1 day') and (null::uuid::uuid is null or x.product_id = null::uuid) group by l.event_id, l.period, x.product_id order by x.product_id, lower(l.period), l.event_id;
COMMIT;
