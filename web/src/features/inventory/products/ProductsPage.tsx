/**
 * The products table: full-text search, category and "show deleted" filters on the server,
 * sort among the loaded rows, chosen columns and saved views; create a product from here.
 */
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useDeferredValue, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { inventory } from "../../../api/clients.js";
import { Button } from "../../../ui/controls.js";
import { InventoryPage } from "../components/InventoryPage.js";
import { QueryNotice } from "../components/QueryNotice.js";
import { columnChoices, DataTable } from "../components/DataTable.js";
import { ViewControls } from "../components/ViewControls.js";
import { KEY, productsQuery } from "../data/queries.js";
import { useCan } from "../data/permissions.js";
import { useTableView } from "../data/useTableView.js";
import { PRODUCT_COLUMN_IDS, PRODUCT_COLUMNS, PRODUCT_DEFAULTS, readProductFilters, type ProductFilters } from "./productColumns.js";
import { ProductForm } from "./ProductForm.js";

export function ProductsPage() {
  const { t } = useTranslation();
  const can = useCan();
  const [creating, setCreating] = useState(false);
  const view = useTableView<ProductFilters>({
    table: "products", userId: can.userId, columns: PRODUCT_COLUMN_IDS, defaults: PRODUCT_DEFAULTS, readFilters: readProductFilters,
  });
  const { filters } = view.state;
  const query = useDeferredValue(filters.query.trim());
  const request = { query, category: filters.category.trim(), showDeleted: filters.showDeleted };
  const products = useInfiniteQuery({
    queryKey: [KEY, "products", request],
    queryFn: ({ pageParam }) => inventory.listProducts({ ...request, page: { pageSize: 100, pageToken: pageParam } }),
    initialPageParam: "",
    getNextPageParam: (last) => last.page?.nextPageToken || undefined,
  });
  const all = useQuery(productsQuery);
  const categories = useMemo(() => [...new Set((all.data ?? []).map((p) => p.category).filter(Boolean))].sort(), [all.data]);
  const loaded = useMemo(() => products.data?.pages.flatMap((p) => p.products) ?? [], [products.data]);
  const filtered = request.query !== "" || request.category !== "";

  return (
    <InventoryPage title={t("inventory.products.title")}
      actions={
        <div className="flex flex-wrap gap-2">
          <ViewControls view={view} columns={columnChoices(PRODUCT_COLUMNS, t)} />
          {can.write && <Button onClick={() => setCreating(true)}>{t("inventory.products.create")}</Button>}
        </div>
      }>
      <div className="flex flex-wrap items-end gap-3" role="search" aria-label={t("inventory.products.filters")}>
        <label className="field grow basis-full sm:basis-72">
          <span className="field-label">{t("inventory.products.search")}</span>
          <input className="input" type="search" value={filters.query} placeholder={t("inventory.products.searchHint")}
            onChange={(e) => view.setFilters({ query: e.target.value })} />
        </label>
        <label className="field grow sm:grow-0">
          <span className="field-label">{t("inventory.product.category")}</span>
          <input className="input" list="product-categories" value={filters.category} placeholder={t("inventory.products.allCategories")}
            onChange={(e) => view.setFilters({ category: e.target.value })} />
          <datalist id="product-categories">{categories.map((c) => <option key={c} value={c} />)}</datalist>
        </label>
        <label className="flex items-center gap-2 min-h-10">
          <input type="checkbox" className="inv-check" checked={filters.showDeleted}
            onChange={(e) => view.setFilters({ showDeleted: e.target.checked })} />
          {t("inventory.products.showDeleted")}
        </label>
      </div>
      <p className="text-sm text-muted" aria-live="polite">
        {t("inventory.products.count", { count: loaded.length })}
        {products.hasNextPage && view.state.sort ? ` · ${t("inventory.table.sortLoaded")}` : ""}
      </p>
      <QueryNotice loading={products.isPending} error={products.error} />
      {products.isSuccess && loaded.length === 0 ? (
        <p className="card p-6 text-muted">{filtered ? t("inventory.products.noMatch") : t("inventory.products.empty")}</p>
      ) : (
        products.isSuccess && (
          <DataTable label={t("inventory.products.title")} rows={loaded} rowKey={(p) => p.id} columns={PRODUCT_COLUMNS}
            visible={view.state.columns} sort={view.state.sort} onSort={view.setSort} />
        )
      )}
      {products.hasNextPage && (
        <Button variant="secondary" className="self-center" disabled={products.isFetchingNextPage} onClick={() => void products.fetchNextPage()}>
          {t("inventory.common.loadMore")}
        </Button>
      )}
      {creating && <ProductForm onClose={() => setCreating(false)} />}
    </InventoryPage>
  );
}
