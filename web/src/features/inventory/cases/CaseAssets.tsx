/**
 * The assets in a case (read one by one: GetCase gives only their ids), putting an asset in by
 * its code (LookupAssetByCode, AddAssetToCase) and taking one out (RemoveAssetFromCase).
 */
import { useQueries, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { inventory } from "../../../api/clients.js";
import { useSubmit } from "../../../api/useSubmit.js";
import type { Case } from "../../../gen/eventkit/v1/inventory_pb.js";
import { Button, Field, Notice } from "../../../ui/controls.js";
import { StatusBadge } from "../components/StatusBadge.js";
import { assetQuery, idempotent, invalidateInventory, useLookups } from "../data/queries.js";
import { useCan } from "../data/permissions.js";

export function CaseAssets({ theCase }: { theCase: Case }) {
  const { t } = useTranslation();
  const can = useCan();
  const queries = useQueryClient();
  const lookups = useLookups();
  const submit = useSubmit();
  const [code, setCode] = useState("");
  const assets = useQueries({ queries: theCase.assetIds.map((id) => assetQuery(id)) });

  const add = async () => {
    const answer = await submit.run(async () => {
      const found = await inventory.lookupAssetByCode({ code: code.trim() });
      return inventory.addAssetToCase({ caseId: theCase.id, assetId: found.asset?.id ?? "" }, idempotent());
    });
    if (answer) {
      setCode("");
      await invalidateInventory(queries);
    }
  };
  const remove = async (assetId: string) => {
    const answer = await submit.run(() => inventory.removeAssetFromCase({ caseId: theCase.id, assetId }, idempotent()));
    if (answer) await invalidateInventory(queries);
  };

  return (
    <section className="card p-4 flex flex-col gap-3" aria-labelledby="case-assets-title">
      <h2 id="case-assets-title" className="text-lg font-semibold">
        {t("inventory.case.assets", { count: theCase.assetIds.length })}
      </h2>
      {theCase.assetIds.length === 0 && <p className="text-muted">{t("inventory.case.noAssets")}</p>}
      <ul className="flex flex-col divide-y divide-line">
        {theCase.assetIds.map((id, i) => {
          const asset = assets[i]?.data;
          return (
            <li key={id} className="py-2 flex flex-wrap items-center gap-x-3 gap-y-1">
              <Link to="/assets/$assetId" params={{ assetId: id }} className="font-mono text-accent hover:underline">{asset?.code ?? "…"}</Link>
              <span className="truncate mr-auto">{asset ? lookups.products.get(asset.productId)?.name : ""}</span>
              {asset && <StatusBadge status={asset.status} />}
              {can.write && (
                <Button variant="ghost" disabled={submit.busy} aria-label={t("inventory.case.removeAsset", { code: asset?.code ?? id })}
                  onClick={() => void remove(id)}>
                  {t("inventory.case.remove")}
                </Button>
              )}
            </li>
          );
        })}
      </ul>
      {can.write && (
        <form className="flex flex-wrap items-end gap-2" onSubmit={(e) => { e.preventDefault(); if (code.trim()) void add(); }}>
          <div className="grow">
            <Field label={t("inventory.case.addByCode")} value={code} hint={t("inventory.case.addByCodeHint")}
              error={submit.error?.fields.code ?? submit.error?.fields.assetId} onChange={(e) => setCode(e.target.value)} />
          </div>
          <Button type="submit" disabled={submit.busy || !code.trim()}>{t("inventory.case.add")}</Button>
        </form>
      )}
      {submit.error && <Notice tone="error">{submit.error.message}</Notice>}
    </section>
  );
}
