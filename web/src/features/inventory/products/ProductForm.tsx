/**
 * Creates a product or edits one (name, description, category, SKU, tracking, day rate,
 * consumable). The API has no tenant currency to read, so the currency defaults to the one most
 * products already use and can be changed.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { inventory } from "../../../api/clients.js";
import { useSubmit } from "../../../api/useSubmit.js";
import { TrackingMode, type Product } from "../../../gen/eventkit/v1/inventory_pb.js";
import { Button, Field, Notice } from "../../../ui/controls.js";
import { Dialog } from "../../../ui/Dialog.js";
import { SelectField } from "../components/SelectField.js";
import { idempotent, invalidateInventory, productsQuery } from "../data/queries.js";
import { commonCurrency, isCurrencyCode, moneyInput, parseMoney } from "../logic/money.js";
import { changedPaths } from "../logic/updateMask.js";

export function ProductForm({ product, onClose }: { product?: Product; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const language = i18n.language;
  const queries = useQueryClient();
  const navigate = useNavigate();
  const submit = useSubmit();
  const all = useQuery(productsQuery);
  const categories = [...new Set((all.data ?? []).map((p) => p.category).filter(Boolean))].sort();
  const rate = product?.dailyRate;
  const [draft, setDraft] = useState({
    name: product?.name ?? "",
    description: product?.description ?? "",
    category: product?.category ?? "",
    sku: product?.sku ?? "",
    trackingMode: product?.trackingMode ?? TrackingMode.SERIALISED,
    consumable: product?.consumable ?? false,
    amount: rate ? moneyInput(rate.amountMinor, rate.currency, language) : "",
    currency: rate?.currency ?? "",
  });
  const [local, setLocal] = useState<Record<string, string>>({});
  const currency = draft.currency || commonCurrency((all.data ?? []).map((p) => p.dailyRate?.currency)) || "";
  const set = (change: Partial<typeof draft>) => setDraft((d) => ({ ...d, ...change }));
  const fields = { ...(submit.error?.fields ?? {}), ...local };

  const save = async () => {
    const errors: Record<string, string> = {};
    let dailyRate: { amountMinor: bigint; currency: string } | undefined;
    if (draft.amount.trim() !== "") {
      if (!isCurrencyCode(currency)) errors.currency = t("inventory.product.currencyInvalid");
      const amountMinor = isCurrencyCode(currency) ? parseMoney(draft.amount, currency, language) : undefined;
      if (isCurrencyCode(currency) && amountMinor === undefined) errors.dailyRate = t("inventory.product.amountInvalid");
      if (amountMinor !== undefined) dailyRate = { amountMinor, currency };
    }
    setLocal(errors);
    if (Object.keys(errors).length > 0) return;
    const values = {
      name: draft.name.trim(), description: draft.description, category: draft.category.trim(), sku: draft.sku.trim(),
      trackingMode: draft.trackingMode, consumable: draft.trackingMode === TrackingMode.BULK && draft.consumable, dailyRate,
    };
    if (!product) {
      const answer = await submit.run(() => inventory.createProduct(values, idempotent()));
      if (!answer?.product) return;
      await invalidateInventory(queries);
      onClose();
      void navigate({ to: "/products/$productId", params: { productId: answer.product.id } });
      return;
    }
    const before = {
      name: product.name, description: product.description, category: product.category, sku: product.sku,
      trackingMode: product.trackingMode, consumable: product.consumable,
      dailyRate: product.dailyRate ? { amountMinor: product.dailyRate.amountMinor, currency: product.dailyRate.currency } : undefined,
    };
    const paths = changedPaths(before, values, ["name", "description", "category", "sku", "trackingMode", "consumable", "dailyRate"]);
    if (paths.length === 0) return onClose();
    const answer = await submit.run(() => inventory.updateProduct({ product: { id: product.id, ...values }, updateMask: { paths } }, idempotent()));
    if (answer) {
      await invalidateInventory(queries);
      onClose();
    }
  };

  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} size="wide"
      title={product ? t("inventory.product.editTitle", { name: product.name }) : t("inventory.products.create")}
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>{t("inventory.common.cancel")}</Button>
          <Button type="submit" form="product-form" disabled={submit.busy}>{product ? t("inventory.common.save") : t("inventory.common.create")}</Button>
        </>
      }>
      <form id="product-form" className="grid gap-4 sm:grid-cols-2" onSubmit={(e) => { e.preventDefault(); void save(); }}>
        <Field label={t("inventory.product.name")} value={draft.name} error={fields.name} required maxLength={200} autoFocus
          onChange={(e) => set({ name: e.target.value })} />
        <Field label={t("inventory.product.category")} value={draft.category} error={fields.category} maxLength={100} list="form-categories"
          hint={t("inventory.product.categoryHint")} onChange={(e) => set({ category: e.target.value })} />
        <datalist id="form-categories">{categories.map((c) => <option key={c} value={c} />)}</datalist>
        <Field label={t("inventory.product.sku")} value={draft.sku} error={fields.sku} maxLength={64}
          hint={t("inventory.product.skuHint")} onChange={(e) => set({ sku: e.target.value })} />
        <SelectField label={t("inventory.product.tracking")} value={draft.trackingMode} error={fields.trackingMode}
          hint={t("inventory.product.trackingHint")} onChange={(e) => set({ trackingMode: Number(e.target.value) as TrackingMode })}>
          <option value={TrackingMode.SERIALISED}>{t("inventory.product.serialised")}</option>
          <option value={TrackingMode.BULK}>{t("inventory.product.bulk")}</option>
        </SelectField>
        <Field label={t("inventory.product.dailyRate")} value={draft.amount} error={fields.dailyRate ?? fields.amountMinor} inputMode="decimal"
          hint={t("inventory.product.dailyRateHint")} onChange={(e) => set({ amount: e.target.value })} />
        <Field label={t("inventory.product.currency")} value={currency} error={fields.currency} maxLength={3}
          hint={t("inventory.product.currencyHint")} onChange={(e) => set({ currency: e.target.value.toUpperCase() })} />
        <div className="field sm:col-span-2">
          <label className="field-label" htmlFor="product-description">{t("inventory.product.description")}</label>
          <textarea id="product-description" className="input min-h-24" value={draft.description} maxLength={4000}
            aria-invalid={fields.description ? true : undefined} onChange={(e) => set({ description: e.target.value })} />
          {fields.description && <p className="field-error" role="alert">{fields.description}</p>}
        </div>
        {draft.trackingMode === TrackingMode.BULK && (
          <label className="flex items-start gap-2 sm:col-span-2">
            <input type="checkbox" className="inv-check mt-1" checked={draft.consumable} onChange={(e) => set({ consumable: e.target.checked })} />
            <span>
              {t("inventory.product.consumable")}
              <span className="block field-hint">{t("inventory.product.consumableHint")}</span>
              {fields.consumable && <span className="block field-error" role="alert">{fields.consumable}</span>}
            </span>
          </label>
        )}
        {submit.error && <div className="sm:col-span-2"><Notice tone="error">{submit.error.message}</Notice></div>}
      </form>
    </Dialog>
  );
}
