/**
 * The columns an asset list can show: each knows its header, its width, its text (for sorting
 * and CSV) and how it renders. Table, cards and export all read from here.
 */
import { Link } from "@tanstack/react-router";
import type { ReactNode } from "react";
import type { TFunction } from "i18next";
import { AssetStatus, type Asset, type Case, type Location, type Product } from "../../../gen/eventkit/v1/inventory_pb.js";
import { formatDate, formatDateTime, toDate, type Locale } from "../../../lib/format.js";
import { locationPath } from "../logic/locationTree.js";
import type { SortValue, ViewState } from "../logic/tableState.js";
import { ASSET_STATUSES, StatusBadge, statusKey } from "../components/StatusBadge.js";

export interface AssetLookups {
  products: ReadonlyMap<string, Product>;
  locations: ReadonlyMap<string, Location>;
  cases: ReadonlyMap<string, Case>;
}

export interface AssetColumn {
  id: string;
  label: string;
  /** Smallest width in rem; the product column takes the rest. */
  width: number;
  grow?: boolean;
  text: (asset: Asset, lookups: AssetLookups, t: TFunction, locale: Locale) => string;
  sortValue?: (asset: Asset, lookups: AssetLookups) => SortValue;
  render?: (asset: Asset, lookups: AssetLookups, t: TFunction, locale: Locale) => ReactNode;
}

const seconds = (ts: Asset["updateTime"]) => ts?.seconds;

export const ASSET_COLUMNS: readonly AssetColumn[] = [
  {
    id: "code", label: "inventory.asset.code", width: 9,
    text: (a) => a.code,
    render: (a) => (
      <Link to="/assets/$assetId" params={{ assetId: a.id }} className="font-mono text-accent hover:underline">{a.code}</Link>
    ),
  },
  { id: "product", label: "inventory.asset.product", width: 12, grow: true, text: (a, l) => l.products.get(a.productId)?.name ?? "" },
  { id: "serial", label: "inventory.asset.serial", width: 10, text: (a) => a.serialNumber },
  {
    id: "status", label: "inventory.asset.status", width: 8,
    text: (a, _l, t) => t(statusKey(a.status)),
    sortValue: (a) => ASSET_STATUSES.indexOf(a.status as (typeof ASSET_STATUSES)[number]),
    render: (a) => <StatusBadge status={a.status} />,
  },
  { id: "location", label: "inventory.asset.location", width: 12, text: (a, l) => (a.locationId ? locationPath(a.locationId, l.locations) : "") },
  { id: "case", label: "inventory.asset.case", width: 9, text: (a, l) => l.cases.get(a.caseId)?.code ?? "" },
  {
    id: "updated", label: "inventory.asset.updated", width: 7,
    text: (a, _l, _t, locale) => formatDateTime(toDate(a.updateTime), locale),
    sortValue: (a) => seconds(a.updateTime),
    render: (a, _l, _t, locale) => formatDate(toDate(a.updateTime), locale),
  },
  {
    id: "created", label: "inventory.asset.created", width: 7,
    text: (a, _l, _t, locale) => formatDateTime(toDate(a.createTime), locale),
    sortValue: (a) => seconds(a.createTime),
    render: (a, _l, _t, locale) => formatDate(toDate(a.createTime), locale),
  },
];

export const ASSET_COLUMN_IDS = ASSET_COLUMNS.map((c) => c.id);

export interface AssetFilters {
  query: string;
  status: AssetStatus;
  productId: string;
  locationId: string;
  layout: "table" | "cards";
}

export const ASSET_DEFAULTS: ViewState<AssetFilters> = {
  filters: { query: "", status: AssetStatus.UNSPECIFIED, productId: "", locationId: "", layout: "table" },
  columns: ["code", "product", "serial", "status", "location", "updated"],
};

export function readAssetFilters(value: unknown): AssetFilters | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const str = (x: unknown) => (typeof x === "string" ? x : "");
  const status = typeof v.status === "number" && v.status in AssetStatus ? (v.status as AssetStatus) : AssetStatus.UNSPECIFIED;
  return {
    query: str(v.query),
    status,
    productId: str(v.productId),
    locationId: str(v.locationId),
    layout: v.layout === "cards" ? "cards" : "table",
  };
}

/** Sort accessors: a column's own sort value, else its text. */
export function assetSorters(lookups: AssetLookups, t: TFunction, locale: Locale) {
  return Object.fromEntries(
    ASSET_COLUMNS.map((c) => [c.id, (a: Asset) => (c.sortValue ? c.sortValue(a, lookups) : c.text(a, lookups, t, locale))]),
  );
}

/** The CSV of assets: the chosen columns, as text. */
export function assetCsvRows(rows: readonly Asset[], columns: readonly AssetColumn[], lookups: AssetLookups, t: TFunction, locale: Locale) {
  return {
    header: columns.map((c) => t(c.label)),
    rows: rows.map((a) => columns.map((c) => c.text(a, lookups, t, locale))),
  };
}
