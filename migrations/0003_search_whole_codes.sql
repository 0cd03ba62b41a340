-- Full-text search also matches whole codes: the parser splits `SP-200` into `sp` and `-200`, so a
-- search for the code a scanner printed found nothing. The search vectors now also hold each code,
-- SKU and serial number as one lower-case lexeme.
drop index products_search_idx;
alter table products drop column search;
alter table products add column search tsvector generated always as (
    to_tsvector('simple'::regconfig, name || ' ' || category || ' ' || sku || ' ' || description)
    || array_to_tsvector(array_remove(array[lower(sku)], ''))
) stored;
create index products_search_idx on products using gin (tenant_id, search);

drop index assets_search_idx;
alter table assets drop column search;
alter table assets add column search tsvector generated always as (
    to_tsvector('simple'::regconfig, code || ' ' || serial_number)
    || array_to_tsvector(array_remove(array[lower(code), lower(serial_number)], ''))
) stored;
create index assets_search_idx on assets using gin (tenant_id, search);
