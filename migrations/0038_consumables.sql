-- Consumables (issue 6): bulk products that are used up on events (gaffer tape, batteries,
-- haze fluid). What went out and did not come back when the event is marked returned is
-- consumed: recorded on the pull-list line and taken off the product's stock, which emits
-- `stock.low` when a level crosses its reorder level — so consumables get re-ordered from use,
-- not only from a stocktake.
alter table products add column consumable boolean not null default false;
alter table products add constraint products_consumable_is_bulk
    check (not consumable or tracking_mode = 'bulk');
alter table event_lines add column consumed_quantity integer not null default 0;
alter table event_lines add constraint event_lines_consumed_within_out
    check (consumed_quantity >= 0 and returned_quantity + consumed_quantity <= out_quantity);
