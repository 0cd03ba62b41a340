/**
 * One product: its fields (edit, delete, restore), its assets (serialised) or stock levels
 * (bulk), its kit components, and its field history.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useParams } from "@tanstack/react-router";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { inventory } from "../../../api/clients.js";
import { useSubmit } from "../../../api/useSubmit.js";
import { useLocale } from "../../../app/useLocale.js";
import { EntityType } from "../../../gen/eventkit/v1/history_pb.js";
import { TrackingMode } from "../../../gen/eventkit/v1/inventory_pb.js";
import { formatDateTime, formatMoney, toDate } from "../../../lib/format.js";
import { Button, Notice } from "../../../ui/controls.js";
import { EntityHistory } from "../components/EntityHistory.js";
import { InventoryPage } from "../components/InventoryPage.js";
import { QueryNotice } from "../components/QueryNotice.js";
import { idempotent, invalidateInventory, productQuery } from "../data/queries.js";
import { useCan } from "../data/permissions.js";
import { KitEditor } from "../kits/KitEditor.js";
import { ProductAssets } from "./ProductAssets.js";
import { ProductForm } from "./ProductForm.js";
import { StockLevels } from "./StockLevels.js";
import { trackingKey } from "./productColumns.js";

export function ProductDetail() {
  const { t } = useTranslation();
  const locale = useLocale();
  const can = useCan();
  const queries = useQueryClient();
  const submit = useSubmit();
  const { productId = "" } = useParams({ strict: false });
  const product = useQuery(productQuery(productId));
  const [editing, setEditing] = useState(false);
  const p = product.data;
  const deleted = Boolean(p?.deleteTime);

  const toggleDeleted = async () => {
    if (!p) return;
    const answer = await submit.run<unknown>(() =>
      deleted ? inventory.restoreProduct({ id: p.id }, idempotent()) : inventory.deleteProduct({ id: p.id }, idempotent()),
    );
    if (answer) await invalidateInventory(queries);
  };

  return (
    <InventoryPage title={p?.name ?? t("inventory.product.loading")}
      actions={p && can.write && (
        <div className="flex flex-wrap gap-2">
          {!deleted && <Button variant="secondary" onClick={() => setEditing(true)}>{t("inventory.common.edit")}</Button>}
          <Button variant="secondary" disabled={submit.busy} onClick={() => void toggleDeleted()}>
            {deleted ? t("inventory.product.restore") : t("inventory.product.delete")}
          </Button>
        </div>
      )}>
      <QueryNotice loading={product.isPending} error={product.error} />
      {submit.error && <Notice tone="error">{submit.error.message}</Notice>}
      {p && (
        <>
          {deleted && <Notice tone="info">{t("inventory.product.deletedNotice", { when: formatDateTime(toDate(p.deleteTime), locale) })}</Notice>}
          <section className="card p-4" aria-label={t("inventory.product.fields")}>
            <dl className="inv-facts">
              <dt>{t("inventory.product.category")}</dt>
              <dd>{p.category || "—"}</dd>
              <dt>{t("inventory.product.sku")}</dt>
              <dd className="font-mono">{p.sku || "—"}</dd>
              <dt>{t("inventory.product.tracking")}</dt>
              <dd>{t(trackingKey(p.trackingMode))}{p.consumable ? ` · ${t("inventory.product.consumable")}` : ""}</dd>
              <dt>{t("inventory.product.dailyRate")}</dt>
              <dd>{p.dailyRate ? formatMoney(p.dailyRate.amountMinor, p.dailyRate.currency, locale) : "—"}</dd>
              <dt>{t("inventory.product.description")}</dt>
              <dd className="whitespace-pre-line break-words">{p.description || "—"}</dd>
              <dt>{t("inventory.product.updated")}</dt>
              <dd>{formatDateTime(toDate(p.updateTime), locale)}</dd>
            </dl>
          </section>
          {p.trackingMode === TrackingMode.BULK ? <StockLevels product={p} /> : <ProductAssets product={p} />}
          <KitEditor product={p} />
          <EntityHistory entityType={EntityType.PRODUCT} entityId={p.id} />
          {editing && <ProductForm product={p} onClose={() => setEditing(false)} />}
        </>
      )}
    </InventoryPage>
  );
}
