/**
 * The assets list: full-text search and status/product/location filters on the server, pages
 * fetched as the person scrolls (only the rows on screen are in the DOM), columns, sort among
 * the loaded rows, saved views, a table or cards, and bulk actions on the selected rows.
 */
import { create } from "@bufbuild/protobuf";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useSearch } from "@tanstack/react-router";
import { useDeferredValue, useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { inventory } from "../../../api/clients.js";
import { useLocale } from "../../../app/useLocale.js";
import { ListAssetsRequestSchema } from "../../../gen/eventkit/v1/inventory_pb.js";
import { InventoryPage } from "../components/InventoryPage.js";
import { QueryNotice } from "../components/QueryNotice.js";
import { ViewControls } from "../components/ViewControls.js";
import { KEY, useLookups } from "../data/queries.js";
import { useCan } from "../data/permissions.js";
import { useTableView } from "../data/useTableView.js";
import { EMPTY_SELECTION, keepLoaded } from "../logic/selection.js";
import { sortRows } from "../logic/tableState.js";
import { ASSET_COLUMN_IDS, ASSET_COLUMNS, ASSET_DEFAULTS, assetSorters, readAssetFilters, type AssetFilters } from "./assetColumns.js";
import { AssetCards } from "./AssetCards.js";
import { AssetFilterBar } from "./AssetFilterBar.js";
import { AssetsTable } from "./AssetsTable.js";
import { BulkBar } from "./BulkBar.js";
import { ExportButton } from "./ExportButton.js";

const PAGE_SIZE = 200;

export function AssetsPage() {
  const { t, i18n } = useTranslation();
  const locale = useLocale();
  const can = useCan();
  const lookups = useLookups();
  const view = useTableView<AssetFilters>({
    table: "assets", userId: can.userId, columns: ASSET_COLUMN_IDS, defaults: ASSET_DEFAULTS, readFilters: readAssetFilters,
  });
  const { filters } = view.state;
  const linked = useSearch({ strict: false }) as { productId?: string; locationId?: string };
  const { setFilters } = view;
  useEffect(() => {
    if (linked.productId || linked.locationId) {
      setFilters({ productId: linked.productId ?? "", locationId: linked.locationId ?? "" });
    }
  }, [linked.productId, linked.locationId, setFilters]);

  const query = useDeferredValue(filters.query.trim());
  const request = { query, status: filters.status, productId: filters.productId, locationId: filters.locationId };
  const assets = useInfiniteQuery({
    queryKey: [KEY, "assets", request],
    queryFn: ({ pageParam }) =>
      inventory.listAssets(create(ListAssetsRequestSchema, { ...request, page: { pageSize: PAGE_SIZE, pageToken: pageParam } })),
    initialPageParam: "",
    getNextPageParam: (last) => last.page?.nextPageToken || undefined,
  });
  const loaded = useMemo(() => assets.data?.pages.flatMap((p) => p.assets) ?? [], [assets.data]);
  const rows = useMemo(
    () => sortRows(loaded, view.state.sort, assetSorters(lookups, t, locale), i18n.language),
    [loaded, view.state.sort, lookups, t, locale, i18n.language],
  );
  const order = useMemo(() => rows.map((a) => a.id), [rows]);
  const [selection, setSelection] = useState(EMPTY_SELECTION);
  const visibleSelection = keepLoaded(selection, order);
  const selected = rows.filter((a) => visibleSelection.ids.has(a.id));
  const columns = ASSET_COLUMNS.filter((c) => view.state.columns.includes(c.id));
  const filtered = query !== "" || request.status !== 0 || request.productId !== "" || request.locationId !== "";
  const more = assets.hasNextPage ?? false;

  return (
    <InventoryPage title={t("inventory.assets.title")}
      actions={
        <div className="flex flex-wrap gap-2">
          <ViewControls view={view} columns={ASSET_COLUMNS.map((c) => ({ id: c.id, label: t(c.label) }))} />
          <ExportButton request={request} loaded={rows} complete={!more} columns={columns} lookups={lookups} />
        </div>
      }>
      <AssetFilterBar filters={filters} onChange={view.setFilters} lookups={lookups} />
      <p className="text-sm text-muted" aria-live="polite">
        {t("inventory.assets.count", { count: rows.length })}
        {more ? ` · ${t("inventory.assets.more")}` : ""}
        {more && view.state.sort ? ` · ${t("inventory.table.sortLoaded")}` : ""}
      </p>
      {selected.length > 0 && (
        <BulkBar selected={selected} lookups={lookups} columns={columns} onClear={() => setSelection(EMPTY_SELECTION)} />
      )}
      <QueryNotice loading={assets.isPending} error={assets.error} />
      {assets.isSuccess && rows.length === 0 ? (
        <p className="card p-6 text-muted">{filtered ? t("inventory.assets.noMatch") : t("inventory.assets.empty")}</p>
      ) : filters.layout === "cards" ? (
        <AssetCards rows={rows} lookups={lookups} selection={visibleSelection} order={order} onSelect={setSelection}
          hasMore={more} loadingMore={assets.isFetchingNextPage} onMore={() => void assets.fetchNextPage()} />
      ) : (
        assets.isSuccess && (
          <AssetsTable rows={rows} columns={columns} lookups={lookups} sort={view.state.sort} onSort={view.setSort}
            selection={visibleSelection} order={order} onSelect={setSelection}
            hasMore={more} loadingMore={assets.isFetchingNextPage} onMore={() => void assets.fetchNextPage()} />
        )
      )}
    </InventoryPage>
  );
}
