/**
 * The kits: products with components. The API has no list of kits, so this page asks GetKit
 * for each product (a few at a time, with progress) and lists those that have components.
 */
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { inventory } from "../../../api/clients.js";
import type { KitComponent, Product } from "../../../gen/eventkit/v1/inventory_pb.js";
import { InventoryPage } from "../components/InventoryPage.js";
import { QueryNotice } from "../components/QueryNotice.js";
import { describeError, retryable } from "../data/bulkCalls.js";
import { KEY, productsQuery } from "../data/queries.js";
import { runBulk } from "../logic/bulk.js";

interface KitRow {
  product: Product;
  components: KitComponent[];
}

export function KitsPage() {
  const { t, i18n } = useTranslation();
  const products = useQuery(productsQuery);
  const live = (products.data ?? []).filter((p) => !p.deleteTime);
  const [checked, setChecked] = useState(0);
  const kits = useQuery({
    queryKey: [KEY, "kits", live.map((p) => p.id).join(",")],
    enabled: products.isSuccess,
    queryFn: async () => {
      const found: KitRow[] = [];
      const result = await runBulk(
        live.map((p) => ({ id: p.id, label: p.name })),
        async (item) => {
          const components = (await inventory.getKit({ productId: item.id })).kit?.components ?? [];
          const product = live.find((p) => p.id === item.id);
          if (product && components.length > 0) found.push({ product, components });
        },
        { concurrency: 4, retryable, describe: describeError, onProgress: (p) => setChecked(p.done), newKey: () => "" },
      );
      if (result.failures.length > 0) throw new Error(result.failures[0]?.message);
      return found.sort((a, b) => a.product.name.localeCompare(b.product.name, i18n.language));
    },
    staleTime: 60_000,
  });
  const names = new Map(live.map((p) => [p.id, p.name]));

  return (
    <InventoryPage title={t("inventory.kits.title")}>
      <p className="text-muted">{t("inventory.kits.intro")}</p>
      <QueryNotice error={products.error ?? kits.error} />
      {(products.isPending || kits.isPending) && !kits.error && (
        <div role="status" aria-live="polite" className="flex flex-col gap-2">
          <progress className="inv-progress" max={Math.max(1, live.length)} value={checked} aria-label={t("inventory.kits.checking", { done: checked, total: live.length })} />
          <p className="text-sm text-muted">{t("inventory.kits.checking", { done: checked, total: live.length })}</p>
        </div>
      )}
      {kits.isSuccess && kits.data.length === 0 && <p className="card p-6 text-muted">{t("inventory.kits.empty")}</p>}
      {kits.isSuccess && kits.data.length > 0 && (
        <ul className="grid gap-3 md:grid-cols-2">
          {kits.data.map((kit) => (
            <li key={kit.product.id} className="card p-4 flex flex-col gap-2">
              <Link to="/products/$productId" params={{ productId: kit.product.id }} className="font-semibold text-accent hover:underline">
                {kit.product.name}
              </Link>
              <ul className="text-sm text-muted">
                {kit.components.map((c) => (
                  <li key={c.productId}>{t("inventory.kits.line", { count: c.quantity, name: names.get(c.productId) ?? c.productId })}</li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      )}
    </InventoryPage>
  );
}
