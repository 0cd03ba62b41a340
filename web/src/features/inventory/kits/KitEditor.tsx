/**
 * A product's kit components (GetKit) and editing them (SetKitComponents): booking the kit
 * books its components. Kits are one level deep, so kits are not offered as components.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { inventory } from "../../../api/clients.js";
import { useSubmit } from "../../../api/useSubmit.js";
import type { Product } from "../../../gen/eventkit/v1/inventory_pb.js";
import { Button, Notice } from "../../../ui/controls.js";
import { QueryNotice } from "../components/QueryNotice.js";
import { idempotent, invalidateInventory, kitQuery, useLookups } from "../data/queries.js";
import { useCan } from "../data/permissions.js";
import { addComponent, kitProblems, MAX_UNITS, removeComponent, setQuantity, type ComponentDraft } from "../logic/kit.js";

export function KitEditor({ product }: { product: Product }) {
  const { t } = useTranslation();
  const can = useCan();
  const queries = useQueryClient();
  const lookups = useLookups();
  const submit = useSubmit();
  const kit = useQuery(kitQuery(product.id));
  const [draft, setDraft] = useState<ComponentDraft[]>();
  const [adding, setAdding] = useState("");
  const components = draft ?? kit.data ?? [];
  const problems = kitProblems(product.id, components);
  const candidates = [...lookups.products.values()]
    .filter((p) => !p.deleteTime && p.id !== product.id && !components.some((c) => c.productId === p.id))
    .sort((a, b) => a.name.localeCompare(b.name));

  const save = async () => {
    if (!draft || problems.badQuantity.length > 0) return;
    const answer = await submit.run(() => inventory.setKitComponents({ productId: product.id, components: draft }, idempotent()));
    if (answer) {
      setDraft(undefined);
      await invalidateInventory(queries);
    }
  };

  return (
    <section className="card p-4 flex flex-col gap-3" aria-labelledby="kit-title">
      <div className="flex flex-wrap items-center gap-2">
        <h2 id="kit-title" className="text-lg font-semibold mr-auto">{t("inventory.kit.title")}</h2>
        {can.write && !draft && !product.deleteTime && (
          <Button variant="secondary" onClick={() => setDraft(kit.data?.map((c) => ({ productId: c.productId, quantity: c.quantity })) ?? [])}>
            {components.length ? t("inventory.kit.edit") : t("inventory.kit.make")}
          </Button>
        )}
      </div>
      <QueryNotice loading={kit.isPending} error={kit.error} />
      {kit.isSuccess && components.length === 0 && !draft && <p className="text-muted">{t("inventory.kit.none")}</p>}
      <ul className="flex flex-col divide-y divide-line">
        {components.map((c) => {
          const name = lookups.products.get(c.productId)?.name ?? c.productId;
          return (
            <li key={c.productId} className="py-2 flex flex-wrap items-center gap-3">
              <Link to="/products/$productId" params={{ productId: c.productId }} className="text-accent hover:underline mr-auto">{name}</Link>
              {draft ? (
                <>
                  <label className="flex items-center gap-2">
                    <span className="sr-only">{t("inventory.kit.quantityOf", { name })}</span>
                    <input className="input w-24" type="number" min={1} max={MAX_UNITS} step={1} value={c.quantity}
                      aria-invalid={problems.badQuantity.includes(c.productId) || undefined}
                      onChange={(e) => setDraft(setQuantity(draft, c.productId, Number(e.target.value)))} />
                  </label>
                  <Button variant="ghost" aria-label={t("inventory.kit.removeOf", { name })} onClick={() => setDraft(removeComponent(draft, c.productId))}>
                    {t("inventory.kit.remove")}
                  </Button>
                </>
              ) : (
                <span className="tabular-nums">{t("inventory.kit.units", { count: c.quantity })}</span>
              )}
            </li>
          );
        })}
      </ul>
      {draft && (
        <>
          <div className="flex flex-wrap items-end gap-2">
            <label className="field grow">
              <span className="field-label">{t("inventory.kit.add")}</span>
              <select className="select" value={adding} onChange={(e) => setAdding(e.target.value)}>
                <option value="">{t("inventory.kit.choose")}</option>
                {candidates.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
              </select>
            </label>
            <Button variant="secondary" disabled={!adding} onClick={() => { setDraft(addComponent(draft, adding)); setAdding(""); }}>
              {t("inventory.kit.addButton")}
            </Button>
          </div>
          {problems.badQuantity.length > 0 && <p className="field-error" role="alert">{t("inventory.kit.badQuantity", { max: MAX_UNITS })}</p>}
          {submit.error && <Notice tone="error">{submit.error.message}</Notice>}
          <p className="field-hint">{t("inventory.kit.hint")}</p>
          <div className="flex flex-wrap justify-end gap-2">
            <Button variant="secondary" onClick={() => { setDraft(undefined); submit.reset(); }}>{t("inventory.common.cancel")}</Button>
            <Button disabled={submit.busy || problems.badQuantity.length > 0} onClick={() => void save()}>{t("inventory.common.save")}</Button>
          </div>
        </>
      )}
    </section>
  );
}
