/** The columns, filters and defaults of the cases table. */
import { Link } from "@tanstack/react-router";
import { CaseKind, type Case, type Location } from "../../../gen/eventkit/v1/inventory_pb.js";
import { formatDate, toDate } from "../../../lib/format.js";
import type { Column } from "../components/DataTable.js";
import { locationPath } from "../logic/locationTree.js";
import type { ViewState } from "../logic/tableState.js";

export const caseKindKey = (kind: CaseKind) => (kind === CaseKind.TEMPORARY ? "inventory.case.temporary" : "inventory.case.permanent");

export function caseColumns(locations: ReadonlyMap<string, Location>, cases: ReadonlyMap<string, Case>): Column<Case>[] {
  return [
    {
      id: "code", label: "inventory.case.code", text: (c) => c.code,
      render: (c) => <Link to="/cases/$caseId" params={{ caseId: c.id }} className="font-mono text-accent hover:underline">{c.code}</Link>,
    },
    { id: "name", label: "inventory.case.name", text: (c) => c.name },
    { id: "kind", label: "inventory.case.kind", text: (c, t) => t(caseKindKey(c.kind)) },
    { id: "location", label: "inventory.asset.location", text: (c) => (c.locationId ? locationPath(c.locationId, locations) : "") },
    { id: "parent", label: "inventory.case.parent", text: (c) => cases.get(c.parentCaseId)?.code ?? "" },
    { id: "updated", label: "inventory.asset.updated", text: (c, _t, l) => formatDate(toDate(c.updateTime), l), sortValue: (c) => c.updateTime?.seconds },
  ];
}

export const CASE_COLUMN_IDS = ["code", "name", "kind", "location", "parent", "updated"];

export interface CaseFilters {
  query: string;
  locationId: string;
  kind: CaseKind;
}

export const CASE_DEFAULTS: ViewState<CaseFilters> = {
  filters: { query: "", locationId: "", kind: CaseKind.UNSPECIFIED },
  columns: ["code", "name", "kind", "location"],
};

export function readCaseFilters(value: unknown): CaseFilters | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as Record<string, unknown>;
  return {
    query: typeof v.query === "string" ? v.query : "",
    locationId: typeof v.locationId === "string" ? v.locationId : "",
    kind: v.kind === CaseKind.PERMANENT || v.kind === CaseKind.TEMPORARY ? v.kind : CaseKind.UNSPECIFIED,
  };
}

/** The API lists cases without a search: the loaded cases are matched by code and name here. */
export function matchCase(c: Case, filters: CaseFilters): boolean {
  const q = filters.query.trim().toLocaleLowerCase();
  if (filters.kind !== CaseKind.UNSPECIFIED && c.kind !== filters.kind) return false;
  return q === "" || c.code.toLocaleLowerCase().includes(q) || c.name.toLocaleLowerCase().includes(q);
}
