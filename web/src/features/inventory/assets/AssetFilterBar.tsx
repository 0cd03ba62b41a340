/** Search, status, product and location filters of the assets list, and the table/cards switch. */
import { useTranslation } from "react-i18next";
import { AssetStatus, TrackingMode } from "../../../gen/eventkit/v1/inventory_pb.js";
import { ASSET_STATUSES, statusKey } from "../components/StatusBadge.js";
import { LocationOptions } from "../components/LocationOptions.js";
import type { AssetFilters, AssetLookups } from "./assetColumns.js";

interface Props {
  filters: AssetFilters;
  onChange: (change: Partial<AssetFilters>) => void;
  lookups: AssetLookups;
}

export function AssetFilterBar({ filters, onChange, lookups }: Props) {
  const { t } = useTranslation();
  const products = [...lookups.products.values()]
    .filter((p) => p.trackingMode !== TrackingMode.BULK && !p.deleteTime)
    .sort((a, b) => a.name.localeCompare(b.name));
  return (
    <div className="flex flex-wrap items-end gap-3" role="search" aria-label={t("inventory.assets.filters")}>
      <label className="field grow basis-full sm:basis-72">
        <span className="field-label">{t("inventory.assets.search")}</span>
        <input className="input" type="search" value={filters.query} placeholder={t("inventory.assets.searchHint")}
          onChange={(e) => onChange({ query: e.target.value })} />
      </label>
      <div className="grid w-full grid-cols-2 gap-3 sm:flex sm:w-auto sm:flex-wrap sm:items-end">
        <label className="field sm:grow-0">
          <span className="field-label">{t("inventory.asset.status")}</span>
          <select className="select" value={filters.status} onChange={(e) => onChange({ status: Number(e.target.value) })}>
            <option value={AssetStatus.UNSPECIFIED}>{t("inventory.assets.allStatuses")}</option>
            {ASSET_STATUSES.map((s) => <option key={s} value={s}>{t(statusKey(s))}</option>)}
          </select>
        </label>
        <label className="field min-w-0 sm:max-w-56">
          <span className="field-label">{t("inventory.asset.product")}</span>
          <select className="select" value={filters.productId} onChange={(e) => onChange({ productId: e.target.value })}>
            <option value="">{t("inventory.assets.allProducts")}</option>
            {products.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
          </select>
        </label>
        <label className="field min-w-0 sm:max-w-56">
          <span className="field-label">{t("inventory.asset.location")}</span>
          <select className="select" value={filters.locationId} onChange={(e) => onChange({ locationId: e.target.value })}>
            <option value="">{t("inventory.assets.allLocations")}</option>
            <LocationOptions locations={lookups.locations} />
          </select>
        </label>
        <fieldset className="flex gap-1 self-end" aria-label={t("inventory.assets.layout")}>
          <legend className="sr-only">{t("inventory.assets.layout")}</legend>
          {(["table", "cards"] as const).map((layout) => (
            <button key={layout} type="button" aria-pressed={filters.layout === layout}
              className={`btn ${filters.layout === layout ? "btn-primary" : "btn-secondary"}`}
              onClick={() => onChange({ layout })}>
              {t(`inventory.assets.${layout}`)}
            </button>
          ))}
        </fieldset>
      </div>
    </div>
  );
}
