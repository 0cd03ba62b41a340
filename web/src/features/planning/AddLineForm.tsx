/**
 * Add a product to the pull list: search products by name (ListProducts' prefix search), pick
 * one, give a quantity (AddPullListLine). Adding the same product twice is refused by the API
 * and said next to the product.
 */
import { useQuery } from "@tanstack/react-query";
import { useDeferredValue, useId, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { inventory, planning } from "../../api/clients.js";
import { useSubmit } from "../../api/useSubmit.js";
import type { Product } from "../../gen/eventkit/v1/inventory_pb.js";
import { Button, Field, Notice } from "../../ui/controls.js";
import { FieldError } from "./FormBits.js";
import { useIdempotencyKeys } from "../../api/idempotency.js";
import { useRefreshPlanning } from "./queries.js";

export function AddLineForm({ eventId }: { eventId: string }) {
  const { t } = useTranslation();
  const [search, setSearch] = useState("");
  const [picked, setPicked] = useState<Product>();
  const [quantity, setQuantity] = useState("1");
  const [added, setAdded] = useState("");
  const query = useDeferredValue(search.trim());
  const { run, busy, error, reset } = useSubmit();
  const keys = useIdempotencyKeys();
  const refresh = useRefreshPlanning();
  const resultsId = useId();
  const searchId = useId();
  const results = useQuery({
    queryKey: ["planning", "products", "search", query],
    queryFn: () => inventory.listProducts({ query, page: { pageSize: 8 } }),
    enabled: query.length > 0 && !picked,
  });

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!picked) return;
    const request = { eventId, item: { case: "productId" as const, value: picked.id }, quantity: Number(quantity) };
    const answer = await run(() => planning.addPullListLine(request, keys.options(request)));
    if (!answer) return;
    keys.settle();
    setAdded(t("planning.add.added", { name: picked.name }));
    setPicked(undefined);
    setSearch("");
    setQuantity("1");
    await refresh();
  }

  const productError = error?.fields.productId ?? error?.fields.item ?? (error?.code === "already_exists" ? t("planning.add.already") : undefined);
  const shownOnField = productError || error?.fields.quantity;
  const products = results.data?.products ?? [];
  return (
    <form className="card p-4 flex flex-col gap-3" onSubmit={(e) => void submit(e)} aria-labelledby={`${searchId}-title`}>
      <h3 id={`${searchId}-title`} className="font-semibold">{t("planning.add.title")}</h3>
      {error && !shownOnField && <Notice tone="error">{t("errors.generic", { message: error.message })}</Notice>}
      <div className="flex flex-wrap items-start gap-3">
        <div className="field grow min-w-56">
          <label htmlFor={searchId} className="field-label">{t("planning.add.product")}</label>
          {picked ? (
            <div className="flex items-center gap-2 min-h-10">
              <span className="font-medium">{picked.name}</span>
              <Button type="button" variant="ghost" onClick={() => { setPicked(undefined); reset(); }}>
                {t("planning.add.change")}
              </Button>
            </div>
          ) : (
            <input id={searchId} className="input" type="search" value={search} autoComplete="off"
              placeholder={t("planning.add.searchHint")} aria-controls={!picked && query.length > 0 ? resultsId : undefined}
              onChange={(e) => { setSearch(e.target.value); setAdded(""); }} />
          )}
          <FieldError error={productError} />
        </div>
        <div className="w-28">
          <Field label={t("planning.add.quantity")} type="number" min={1} max={100000} inputMode="numeric" value={quantity}
            onChange={(e) => setQuantity(e.target.value)} error={error?.fields.quantity} />
        </div>
        <Button type="submit" className="sm:mt-6" disabled={!picked || busy}>{busy ? t("planning.saving") : t("planning.add.submit")}</Button>
      </div>
      {!picked && query.length > 0 && (
        <div id={resultsId} aria-live="polite">
          {results.isSuccess && products.length === 0 && <p className="text-sm text-muted">{t("planning.add.noMatch")}</p>}
          {products.length > 0 && (
            <ul className="flex flex-col gap-1" aria-label={t("planning.add.results")}>
              {products.map((p) => (
                <li key={p.id}>
                  <button type="button" className="planning-result" onClick={() => { setPicked(p); reset(); }}>
                    <span className="font-medium">{p.name}</span>
                    <span className="text-sm text-muted">{[p.sku, p.category].filter(Boolean).join(" · ")}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <p className="sr-only" role="status">{added}</p>
    </form>
  );
}
