/** The first assets of a serialised product, a link to all of them, and adding a new one. */
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { inventory } from "../../../api/clients.js";
import type { Product } from "../../../gen/eventkit/v1/inventory_pb.js";
import { Button } from "../../../ui/controls.js";
import { QueryNotice } from "../components/QueryNotice.js";
import { StatusBadge } from "../components/StatusBadge.js";
import { KEY, useLookups } from "../data/queries.js";
import { useCan } from "../data/permissions.js";
import { locationPath } from "../logic/locationTree.js";
import { CreateAssetDialog } from "../assets/CreateAssetDialog.js";

const SHOWN = 20;

export function ProductAssets({ product }: { product: Product }) {
  const { t } = useTranslation();
  const can = useCan();
  const lookups = useLookups();
  const [adding, setAdding] = useState(false);
  const assets = useQuery({
    queryKey: [KEY, "assets", { productId: product.id, first: SHOWN }],
    queryFn: () => inventory.listAssets({ productId: product.id, page: { pageSize: SHOWN } }),
  });
  const list = assets.data?.assets ?? [];
  return (
    <section className="card p-4 flex flex-col gap-3" aria-labelledby="product-assets-title">
      <div className="flex flex-wrap items-center gap-2">
        <h2 id="product-assets-title" className="text-lg font-semibold mr-auto">{t("inventory.product.assets")}</h2>
        <Link to="/assets" search={{ productId: product.id }} className="btn btn-secondary">{t("inventory.product.allAssets")}</Link>
        {can.write && !product.deleteTime && <Button onClick={() => setAdding(true)}>{t("inventory.assets.create")}</Button>}
      </div>
      <QueryNotice loading={assets.isPending} error={assets.error} />
      {assets.isSuccess && list.length === 0 && <p className="text-muted">{t("inventory.product.noAssets")}</p>}
      <ul className="flex flex-col divide-y divide-line">
        {list.map((a) => (
          <li key={a.id} className="py-2 flex flex-wrap items-center gap-x-3">
            <Link to="/assets/$assetId" params={{ assetId: a.id }} className="font-mono text-accent hover:underline">{a.code}</Link>
            <StatusBadge status={a.status} />
            <span className="text-sm text-muted truncate">{a.locationId ? locationPath(a.locationId, lookups.locations) : ""}</span>
          </li>
        ))}
      </ul>
      {adding && <CreateAssetDialog product={product} onClose={() => setAdding(false)} />}
    </section>
  );
}
