/**
 * A bulk product's stock per location (ListStockLevels) and setting it (SetStockLevel): units
 * kept, units in repair, and the reorder level at which the usable units count as low.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { inventory } from "../../../api/clients.js";
import { useSubmit } from "../../../api/useSubmit.js";
import { useLocale } from "../../../app/useLocale.js";
import type { Product, StockLevel } from "../../../gen/eventkit/v1/inventory_pb.js";
import { formatDateTime, formatNumber, toDate } from "../../../lib/format.js";
import { Button, Field, Notice } from "../../../ui/controls.js";
import { Dialog } from "../../../ui/Dialog.js";
import { LocationOptions } from "../components/LocationOptions.js";
import { QueryNotice } from "../components/QueryNotice.js";
import { SelectField } from "../components/SelectField.js";
import { fetchAll, idempotent, invalidateInventory, KEY, useLookups } from "../data/queries.js";
import { useCan } from "../data/permissions.js";
import { locationPath } from "../logic/locationTree.js";

export function StockLevels({ product }: { product: Product }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const can = useCan();
  const lookups = useLookups();
  const [editing, setEditing] = useState<StockLevel | "new">();
  const levels = useQuery({
    queryKey: [KEY, "stock", product.id],
    queryFn: () =>
      fetchAll<StockLevel>(async (pageToken) => {
        const a = await inventory.listStockLevels({ productId: product.id, page: { pageSize: 500, pageToken } });
        return { items: a.stockLevels, next: a.page?.nextPageToken ?? "" };
      }),
  });
  const list = levels.data ?? [];
  const total = list.reduce((sum, l) => sum + l.quantity, 0);
  return (
    <section className="card p-4 flex flex-col gap-3" aria-labelledby="stock-title">
      <div className="flex flex-wrap items-center gap-2">
        <h2 id="stock-title" className="text-lg font-semibold mr-auto">{t("inventory.stock.title")}</h2>
        {can.write && !product.deleteTime && <Button onClick={() => setEditing("new")}>{t("inventory.stock.add")}</Button>}
      </div>
      <QueryNotice loading={levels.isPending} error={levels.error} />
      {levels.isSuccess && list.length === 0 && <p className="text-muted">{t("inventory.stock.empty")}</p>}
      {list.length > 0 && (
        <div className="overflow-x-auto">
          <table className="inv-simple">
            <thead>
              <tr>
                <th scope="col">{t("inventory.asset.location")}</th>
                <th scope="col" className="text-right">{t("inventory.stock.quantity")}</th>
                <th scope="col" className="text-right">{t("inventory.stock.inRepair")}</th>
                <th scope="col" className="text-right">{t("inventory.stock.reorder")}</th>
                <th scope="col">{t("inventory.asset.updated")}</th>
                {can.write && <th scope="col"><span className="sr-only">{t("inventory.common.actions")}</span></th>}
              </tr>
            </thead>
            <tbody>
              {list.map((l) => {
                const low = l.reorderLevel > 0 && l.quantity - l.inRepairQuantity <= l.reorderLevel;
                return (
                  <tr key={l.id}>
                    <td>{locationPath(l.locationId, lookups.locations) || "—"}</td>
                    <td className="text-right tabular-nums">
                      {formatNumber(l.quantity, locale)}
                      {low && <span className="badge ml-2 text-warn border-warn">{t("inventory.stock.low")}</span>}
                    </td>
                    <td className="text-right tabular-nums">{formatNumber(l.inRepairQuantity, locale)}</td>
                    <td className="text-right tabular-nums">{l.reorderLevel ? formatNumber(l.reorderLevel, locale) : "—"}</td>
                    <td className="text-muted">{formatDateTime(toDate(l.updateTime), locale)}</td>
                    {can.write && (
                      <td><Button variant="ghost" onClick={() => setEditing(l)}>{t("inventory.common.edit")}</Button></td>
                    )}
                  </tr>
                );
              })}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">{t("inventory.stock.total")}</th>
                <td className="text-right tabular-nums font-semibold">{formatNumber(total, locale)}</td>
              </tr>
            </tfoot>
          </table>
        </div>
      )}
      {editing && (
        <StockDialog product={product} level={editing === "new" ? undefined : editing} onClose={() => setEditing(undefined)} />
      )}
    </section>
  );
}

function StockDialog({ product, level, onClose }: { product: Product; level?: StockLevel; onClose: () => void }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const lookups = useLookups();
  const submit = useSubmit();
  const [draft, setDraft] = useState({
    locationId: level?.locationId ?? "",
    quantity: String(level?.quantity ?? 0),
    inRepairQuantity: String(level?.inRepairQuantity ?? 0),
    reorderLevel: String(level?.reorderLevel ?? 0),
  });
  const err = submit.error?.fields ?? {};
  const set = (change: Partial<typeof draft>) => setDraft((d) => ({ ...d, ...change }));
  const save = async () => {
    const answer = await submit.run(() =>
      inventory.setStockLevel(
        {
          productId: product.id, locationId: draft.locationId, quantity: Number(draft.quantity),
          inRepairQuantity: Number(draft.inRepairQuantity), reorderLevel: Number(draft.reorderLevel),
        },
        idempotent(),
      ),
    );
    if (answer) {
      await invalidateInventory(queries);
      onClose();
    }
  };
  const number = { type: "number", min: 0, max: 1_000_000, step: 1, required: true, inputMode: "numeric" } as const;
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title={t("inventory.stock.setTitle", { product: product.name })}
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>{t("inventory.common.cancel")}</Button>
          <Button type="submit" form="stock-form" disabled={submit.busy}>{t("inventory.common.save")}</Button>
        </>
      }>
      <form id="stock-form" className="flex flex-col gap-3" onSubmit={(e) => { e.preventDefault(); void save(); }}>
        <SelectField label={t("inventory.asset.location")} value={draft.locationId} error={err.locationId} required
          disabled={Boolean(level)} onChange={(e) => set({ locationId: e.target.value })}>
          <option value="">{t("inventory.stock.chooseLocation")}</option>
          <LocationOptions locations={lookups.locations} />
        </SelectField>
        <Field label={t("inventory.stock.quantity")} {...number} value={draft.quantity} error={err.quantity}
          onChange={(e) => set({ quantity: e.target.value })} />
        <Field label={t("inventory.stock.inRepair")} {...number} value={draft.inRepairQuantity} error={err.inRepairQuantity}
          hint={t("inventory.stock.inRepairHint")} onChange={(e) => set({ inRepairQuantity: e.target.value })} />
        <Field label={t("inventory.stock.reorder")} {...number} value={draft.reorderLevel} error={err.reorderLevel}
          hint={t("inventory.stock.reorderHint")} onChange={(e) => set({ reorderLevel: e.target.value })} />
        {submit.error && <Notice tone="error">{submit.error.message}</Notice>}
      </form>
    </Dialog>
  );
}
