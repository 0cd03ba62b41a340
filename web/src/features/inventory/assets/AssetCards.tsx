/**
 * The assets as cards, for browsing on a phone. The API has no photos of assets yet, so a card
 * shows no image.
 */
import { Link } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";
import type { Asset } from "../../../gen/eventkit/v1/inventory_pb.js";
import { Button } from "../../../ui/controls.js";
import { StatusBadge } from "../components/StatusBadge.js";
import { locationPath } from "../logic/locationTree.js";
import type { Selection } from "../logic/selection.js";
import type { AssetLookups } from "./assetColumns.js";
import { RowCheckbox, SelectAllCheckbox } from "./SelectionBoxes.js";

interface Props {
  rows: Asset[];
  lookups: AssetLookups;
  selection: Selection;
  order: string[];
  onSelect: (selection: Selection) => void;
  hasMore: boolean;
  loadingMore: boolean;
  onMore: () => void;
}

export function AssetCards({ rows, lookups, selection, order, onSelect, hasMore, loadingMore, onMore }: Props) {
  const { t } = useTranslation();
  return (
    <div className="flex flex-col gap-3">
      <label className="flex items-center gap-2 text-sm">
        <SelectAllCheckbox selection={selection} order={order} onSelect={onSelect} />
        {t("inventory.bulk.allLoaded")}
      </label>
      <ul className="inv-cards" aria-label={t("inventory.assets.title")}>
        {rows.map((asset) => (
          <li key={asset.id} className={`card p-4 flex flex-col gap-2 ${selection.ids.has(asset.id) ? "border-accent" : ""}`}>
            <div className="flex items-center gap-2">
              <RowCheckbox id={asset.id} label={asset.code} selection={selection} order={order} onSelect={onSelect} />
              <Link to="/assets/$assetId" params={{ assetId: asset.id }} className="font-mono font-semibold text-accent hover:underline mr-auto truncate">
                {asset.code}
              </Link>
              <StatusBadge status={asset.status} />
            </div>
            <p className="font-medium truncate">{lookups.products.get(asset.productId)?.name ?? "—"}</p>
            <dl className="text-sm text-muted grid grid-cols-[auto_1fr] gap-x-2">
              <dt>{t("inventory.asset.serial")}</dt>
              <dd className="truncate">{asset.serialNumber || "—"}</dd>
              <dt>{t("inventory.asset.location")}</dt>
              <dd className="truncate">{asset.locationId ? locationPath(asset.locationId, lookups.locations) : "—"}</dd>
            </dl>
          </li>
        ))}
      </ul>
      {hasMore && (
        <Button variant="secondary" className="self-center" disabled={loadingMore} onClick={onMore}>
          {loadingMore ? t("app.loading") : t("inventory.common.loadMore")}
        </Button>
      )}
    </div>
  );
}
