/** The columns of the products table, its filters and defaults (read back from saved views). */
import { Link } from "@tanstack/react-router";
import { TrackingMode, type Product } from "../../../gen/eventkit/v1/inventory_pb.js";
import { formatDate, formatMoney, toDate } from "../../../lib/format.js";
import type { Column } from "../components/DataTable.js";
import type { ViewState } from "../logic/tableState.js";

export const trackingKey = (mode: TrackingMode) =>
  mode === TrackingMode.BULK ? "inventory.product.bulk" : "inventory.product.serialised";

export const PRODUCT_COLUMNS: readonly Column<Product>[] = [
  {
    id: "name", label: "inventory.product.name",
    text: (p) => p.name,
    render: (p, t) => (
      <Link to="/products/$productId" params={{ productId: p.id }} className="text-accent hover:underline font-medium">
        {p.name}
        {p.deleteTime && <span className="badge ml-2 text-danger border-danger">{t("inventory.product.deleted")}</span>}
      </Link>
    ),
  },
  { id: "category", label: "inventory.product.category", text: (p) => p.category },
  { id: "sku", label: "inventory.product.sku", text: (p) => p.sku, className: "font-mono whitespace-nowrap" },
  { id: "tracking", label: "inventory.product.tracking", text: (p, t) => t(trackingKey(p.trackingMode)) },
  {
    id: "rate", label: "inventory.product.dailyRate",
    text: (p, _t, locale) => (p.dailyRate ? formatMoney(p.dailyRate.amountMinor, p.dailyRate.currency, locale) : ""),
    sortValue: (p) => p.dailyRate?.amountMinor,
    className: "text-right tabular-nums whitespace-nowrap",
  },
  { id: "consumable", label: "inventory.product.consumable", text: (p, t) => (p.consumable ? t("inventory.common.yes") : "") },
  {
    id: "updated", label: "inventory.product.updated",
    text: (p, _t, locale) => formatDate(toDate(p.updateTime), locale),
    sortValue: (p) => p.updateTime?.seconds,
  },
];

export const PRODUCT_COLUMN_IDS = PRODUCT_COLUMNS.map((c) => c.id);

export interface ProductFilters {
  query: string;
  category: string;
  showDeleted: boolean;
}

export const PRODUCT_DEFAULTS: ViewState<ProductFilters> = {
  filters: { query: "", category: "", showDeleted: false },
  columns: ["name", "category", "sku", "tracking", "rate"],
};

export function readProductFilters(value: unknown): ProductFilters | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as Record<string, unknown>;
  return {
    query: typeof v.query === "string" ? v.query : "",
    category: typeof v.category === "string" ? v.category : "",
    showDeleted: v.showDeleted === true,
  };
}
