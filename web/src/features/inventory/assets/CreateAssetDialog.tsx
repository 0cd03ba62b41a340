/** Adds an asset (a unit with its own code) to a serialised product (CreateAsset). */
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { inventory } from "../../../api/clients.js";
import { useSubmit } from "../../../api/useSubmit.js";
import { AssetStatus, type Product } from "../../../gen/eventkit/v1/inventory_pb.js";
import { Button, Field, Notice } from "../../../ui/controls.js";
import { Dialog } from "../../../ui/Dialog.js";
import { LocationOptions } from "../components/LocationOptions.js";
import { SelectField } from "../components/SelectField.js";
import { ASSET_STATUSES, statusKey } from "../components/StatusBadge.js";
import { idempotent, invalidateInventory, useLookups } from "../data/queries.js";

export function CreateAssetDialog({ product, onClose }: { product: Product; onClose: () => void }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const lookups = useLookups();
  const submit = useSubmit();
  const [draft, setDraft] = useState({ code: "", serialNumber: "", status: AssetStatus.AVAILABLE, locationId: "" });
  const [created, setCreated] = useState<string>();
  const set = (change: Partial<typeof draft>) => setDraft((d) => ({ ...d, ...change }));
  const err = submit.error?.fields ?? {};
  const save = async () => {
    const answer = await submit.run(() => inventory.createAsset({ productId: product.id, ...draft }, idempotent()));
    if (!answer?.asset) return;
    setCreated(answer.asset.code);
    set({ code: "", serialNumber: "" });
    await invalidateInventory(queries);
  };
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title={t("inventory.assets.createFor", { product: product.name })}
      description={t("inventory.assets.createHint")}
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>{t("inventory.common.close")}</Button>
          <Button type="submit" form="asset-form" disabled={submit.busy}>{t("inventory.common.create")}</Button>
        </>
      }>
      <form id="asset-form" className="flex flex-col gap-3" onSubmit={(e) => { e.preventDefault(); void save(); }}>
        <Field label={t("inventory.asset.code")} value={draft.code} error={err.code} required maxLength={64} autoFocus
          onChange={(e) => set({ code: e.target.value })} />
        <Field label={t("inventory.asset.serial")} value={draft.serialNumber} error={err.serialNumber} maxLength={100}
          onChange={(e) => set({ serialNumber: e.target.value })} />
        <SelectField label={t("inventory.asset.status")} value={draft.status} error={err.status}
          onChange={(e) => set({ status: Number(e.target.value) as AssetStatus })}>
          {ASSET_STATUSES.map((s) => <option key={s} value={s}>{t(statusKey(s))}</option>)}
        </SelectField>
        <SelectField label={t("inventory.asset.location")} value={draft.locationId} error={err.locationId}
          onChange={(e) => set({ locationId: e.target.value })}>
          <option value="">{t("inventory.asset.noLocation")}</option>
          <LocationOptions locations={lookups.locations} />
        </SelectField>
        {submit.error && <Notice tone="error">{submit.error.message}</Notice>}
        {created && !submit.error && <Notice tone="ok">{t("inventory.assets.created", { code: created })}</Notice>}
      </form>
    </Dialog>
  );
}
