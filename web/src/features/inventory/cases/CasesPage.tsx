/**
 * The cases table: location filter on the server; search by code or name and kind filter among
 * the loaded cases (the API has no case search); columns, sort, saved views; create a case.
 */
import { useInfiniteQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { inventory } from "../../../api/clients.js";
import { CaseKind } from "../../../gen/eventkit/v1/inventory_pb.js";
import { Button } from "../../../ui/controls.js";
import { columnChoices, DataTable } from "../components/DataTable.js";
import { InventoryPage } from "../components/InventoryPage.js";
import { LocationOptions } from "../components/LocationOptions.js";
import { QueryNotice } from "../components/QueryNotice.js";
import { ViewControls } from "../components/ViewControls.js";
import { KEY, useLookups } from "../data/queries.js";
import { useCan } from "../data/permissions.js";
import { useTableView } from "../data/useTableView.js";
import { CASE_COLUMN_IDS, CASE_DEFAULTS, caseColumns, matchCase, readCaseFilters, type CaseFilters } from "./caseColumns.js";
import { CreateCaseDialog } from "./CreateCaseDialog.js";

export function CasesPage() {
  const { t } = useTranslation();
  const can = useCan();
  const lookups = useLookups();
  const [creating, setCreating] = useState(false);
  const view = useTableView<CaseFilters>({
    table: "cases", userId: can.userId, columns: CASE_COLUMN_IDS, defaults: CASE_DEFAULTS, readFilters: readCaseFilters,
  });
  const { filters } = view.state;
  const cases = useInfiniteQuery({
    queryKey: [KEY, "cases", { locationId: filters.locationId }],
    queryFn: ({ pageParam }) => inventory.listCases({ locationId: filters.locationId, page: { pageSize: 200, pageToken: pageParam } }),
    initialPageParam: "",
    getNextPageParam: (last) => last.page?.nextPageToken || undefined,
  });
  const loaded = useMemo(() => cases.data?.pages.flatMap((p) => p.cases) ?? [], [cases.data]);
  const rows = loaded.filter((c) => matchCase(c, filters));
  const columns = caseColumns(lookups.locations, lookups.cases);
  const filtered = filters.query !== "" || filters.locationId !== "" || filters.kind !== CaseKind.UNSPECIFIED;

  return (
    <InventoryPage title={t("inventory.cases.title")}
      actions={
        <div className="flex flex-wrap gap-2">
          <ViewControls view={view} columns={columnChoices(columns, t)} />
          {can.write && <Button onClick={() => setCreating(true)}>{t("inventory.cases.create")}</Button>}
        </div>
      }>
      <div className="flex flex-wrap items-end gap-3" role="search" aria-label={t("inventory.cases.filters")}>
        <label className="field grow basis-full sm:basis-72">
          <span className="field-label">{t("inventory.cases.search")}</span>
          <input className="input" type="search" value={filters.query} onChange={(e) => view.setFilters({ query: e.target.value })} />
        </label>
        <label className="field grow sm:grow-0">
          <span className="field-label">{t("inventory.case.kind")}</span>
          <select className="select" value={filters.kind} onChange={(e) => view.setFilters({ kind: Number(e.target.value) })}>
            <option value={CaseKind.UNSPECIFIED}>{t("inventory.cases.allKinds")}</option>
            <option value={CaseKind.PERMANENT}>{t("inventory.case.permanent")}</option>
            <option value={CaseKind.TEMPORARY}>{t("inventory.case.temporary")}</option>
          </select>
        </label>
        <label className="field grow sm:grow-0 sm:max-w-56">
          <span className="field-label">{t("inventory.asset.location")}</span>
          <select className="select" value={filters.locationId} onChange={(e) => view.setFilters({ locationId: e.target.value })}>
            <option value="">{t("inventory.assets.allLocations")}</option>
            <LocationOptions locations={lookups.locations} />
          </select>
        </label>
      </div>
      <p className="text-sm text-muted" aria-live="polite">
        {t("inventory.cases.count", { count: rows.length })}
        {cases.hasNextPage ? ` · ${t("inventory.table.searchLoaded")}` : ""}
      </p>
      <QueryNotice loading={cases.isPending} error={cases.error} />
      {cases.isSuccess && rows.length === 0 ? (
        <p className="card p-6 text-muted">{filtered ? t("inventory.cases.noMatch") : t("inventory.cases.empty")}</p>
      ) : (
        cases.isSuccess && (
          <DataTable label={t("inventory.cases.title")} rows={rows} rowKey={(c) => c.id} columns={columns}
            visible={view.state.columns} sort={view.state.sort} onSort={view.setSort} />
        )
      )}
      {cases.hasNextPage && (
        <Button variant="secondary" className="self-center" disabled={cases.isFetchingNextPage} onClick={() => void cases.fetchNextPage()}>
          {t("inventory.common.loadMore")}
        </Button>
      )}
      {creating && <CreateCaseDialog onClose={() => setCreating(false)} />}
    </InventoryPage>
  );
}
