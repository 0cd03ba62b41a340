/** Edits an asset's code, serial number, status, location and product (UpdateAsset). */
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { inventory } from "../../../api/clients.js";
import { useSubmit } from "../../../api/useSubmit.js";
import { TrackingMode, type Asset, type AssetStatus } from "../../../gen/eventkit/v1/inventory_pb.js";
import { Button, Field, Notice } from "../../../ui/controls.js";
import { LocationOptions } from "../components/LocationOptions.js";
import { SelectField } from "../components/SelectField.js";
import { ASSET_STATUSES, statusKey } from "../components/StatusBadge.js";
import { idempotent, invalidateInventory } from "../data/queries.js";
import { changedPaths } from "../logic/updateMask.js";
import type { AssetLookups } from "./assetColumns.js";

const FIELDS = ["code", "serialNumber", "status", "locationId", "productId"] as const;

export function AssetForm({ asset, lookups, onDone }: { asset: Asset; lookups: AssetLookups; onDone: (saved: boolean) => void }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const submit = useSubmit();
  const initial = { code: asset.code, serialNumber: asset.serialNumber, status: asset.status, locationId: asset.locationId, productId: asset.productId };
  const [draft, setDraft] = useState(initial);
  const products = [...lookups.products.values()].filter((p) => p.trackingMode !== TrackingMode.BULK && (!p.deleteTime || p.id === asset.productId));
  const set = (change: Partial<typeof draft>) => {
    setDraft((d) => ({ ...d, ...change }));
  };
  const err = submit.error?.fields ?? {};

  const save = async () => {
    const paths = changedPaths(initial, draft, FIELDS);
    if (paths.length === 0) return onDone(false);
    const answer = await submit.run(() =>
      inventory.updateAsset({ asset: { id: asset.id, ...draft }, updateMask: { paths } }, idempotent()),
    );
    if (answer) {
      await invalidateInventory(queries);
      onDone(true);
    }
  };

  return (
    <form className="grid gap-4 sm:grid-cols-2" onSubmit={(e) => { e.preventDefault(); void save(); }}>
      <Field label={t("inventory.asset.code")} value={draft.code} error={err.code} required maxLength={64}
        onChange={(e) => set({ code: e.target.value })} />
      <Field label={t("inventory.asset.serial")} value={draft.serialNumber} error={err.serialNumber} maxLength={100}
        onChange={(e) => set({ serialNumber: e.target.value })} />
      <SelectField label={t("inventory.asset.status")} value={draft.status} error={err.status}
        hint={t("inventory.asset.statusHint")} onChange={(e) => set({ status: Number(e.target.value) as AssetStatus })}>
        {ASSET_STATUSES.map((s) => <option key={s} value={s}>{t(statusKey(s))}</option>)}
      </SelectField>
      <SelectField label={t("inventory.asset.location")} value={draft.locationId} error={err.locationId}
        onChange={(e) => set({ locationId: e.target.value })}>
        <option value="">{t("inventory.asset.noLocation")}</option>
        <LocationOptions locations={lookups.locations} />
      </SelectField>
      <SelectField label={t("inventory.asset.product")} value={draft.productId} error={err.productId}
        onChange={(e) => set({ productId: e.target.value })}>
        {products.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
      </SelectField>
      <div className="sm:col-span-2 flex flex-col gap-3">
        {submit.error && <Notice tone="error">{submit.error.message}</Notice>}
        <div className="flex flex-wrap gap-2 justify-end">
          <Button type="button" variant="secondary" onClick={() => onDone(false)}>{t("inventory.common.cancel")}</Button>
          <Button type="submit" disabled={submit.busy}>{t("inventory.common.save")}</Button>
        </div>
      </div>
    </form>
  );
}
