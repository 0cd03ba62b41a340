-- Bulk stock and kits. A bulk (quantity-tracked) product has a stock level per location next to
-- the serialised assets of other products; a kit is a product made of other products, one level
-- deep, whose bookings reserve its components.

create table stock_levels (
    tenant_id uuid not null references tenants (id),
    id uuid not null,
    product_id uuid not null,
    location_id uuid not null,
    quantity integer not null check (quantity between 0 and 1000000),
    in_repair integer not null default 0 check (in_repair >= 0 and in_repair <= quantity),
    reorder_level integer not null default 0 check (reorder_level >= 0),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, id),
    constraint stock_levels_place_key unique (tenant_id, product_id, location_id),
    constraint stock_levels_product_fk foreign key (tenant_id, product_id) references products (tenant_id, id),
    constraint stock_levels_location_fk foreign key (tenant_id, location_id) references locations (tenant_id, id)
);
select ek_protect_tenant_table('stock_levels');
create index stock_levels_location_idx on stock_levels (tenant_id, location_id, id);

create table kit_components (
    tenant_id uuid not null references tenants (id),
    kit_id uuid not null,
    component_id uuid not null,
    quantity integer not null check (quantity between 1 and 100000),
    primary key (tenant_id, kit_id, component_id),
    constraint kit_components_kit_fk foreign key (tenant_id, kit_id) references products (tenant_id, id),
    constraint kit_components_component_fk foreign key (tenant_id, component_id) references products (tenant_id, id),
    check (kit_id <> component_id)
);
select ek_protect_tenant_table('kit_components');
create index kit_components_component_idx on kit_components (tenant_id, component_id);
