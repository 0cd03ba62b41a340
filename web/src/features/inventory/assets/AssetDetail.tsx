/** One asset: its fields (editable), the case it sits in, status log, repairs and field history. */
import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "@tanstack/react-router";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useLocale } from "../../../app/useLocale.js";
import { EntityType } from "../../../gen/eventkit/v1/history_pb.js";
import { formatDateTime, toDate } from "../../../lib/format.js";
import { Button, Notice } from "../../../ui/controls.js";
import { EntityHistory } from "../components/EntityHistory.js";
import { InventoryPage } from "../components/InventoryPage.js";
import { QueryNotice } from "../components/QueryNotice.js";
import { StatusBadge } from "../components/StatusBadge.js";
import { assetQuery, useLookups } from "../data/queries.js";
import { useCan } from "../data/permissions.js";
import { locationPath } from "../logic/locationTree.js";
import { AssetForm } from "./AssetForm.js";
import { Maintenance } from "./Maintenance.js";
import { StatusLog } from "./StatusLog.js";

export function AssetDetail() {
  const { t } = useTranslation();
  const locale = useLocale();
  const can = useCan();
  const { assetId = "" } = useParams({ strict: false });
  const asset = useQuery(assetQuery(assetId));
  const lookups = useLookups();
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState(false);
  const a = asset.data;
  const product = a ? lookups.products.get(a.productId) : undefined;
  const inCase = a?.caseId ? lookups.cases.get(a.caseId) : undefined;

  return (
    <InventoryPage title={a ? t("inventory.asset.title", { code: a.code }) : t("inventory.asset.loading")}
      actions={a && can.write && !editing && (
        <Button variant="secondary" onClick={() => { setSaved(false); setEditing(true); }}>{t("inventory.common.edit")}</Button>
      )}>
      <QueryNotice loading={asset.isPending} error={asset.error} />
      {saved && <Notice tone="ok">{t("inventory.common.saved")}</Notice>}
      {a && (
        <>
          <section className="card p-4" aria-label={t("inventory.asset.fields")}>
            {editing ? (
              <AssetForm asset={a} lookups={lookups} onDone={(ok) => { setSaved(ok); setEditing(false); }} />
            ) : (
              <dl className="inv-facts">
                <dt>{t("inventory.asset.status")}</dt>
                <dd><StatusBadge status={a.status} /></dd>
                <dt>{t("inventory.asset.product")}</dt>
                <dd>
                  {product ? (
                    <Link to="/products/$productId" params={{ productId: product.id }} className="text-accent hover:underline">{product.name}</Link>
                  ) : "—"}
                </dd>
                <dt>{t("inventory.asset.serial")}</dt>
                <dd>{a.serialNumber || "—"}</dd>
                <dt>{t("inventory.asset.location")}</dt>
                <dd>{a.locationId ? locationPath(a.locationId, lookups.locations) : t("inventory.asset.noLocation")}</dd>
                <dt>{t("inventory.asset.case")}</dt>
                <dd>
                  {inCase ? (
                    <Link to="/cases/$caseId" params={{ caseId: inCase.id }} className="text-accent hover:underline">{`${inCase.code} · ${inCase.name}`}</Link>
                  ) : t("inventory.asset.noCase")}
                </dd>
                <dt>{t("inventory.asset.created")}</dt>
                <dd>{formatDateTime(toDate(a.createTime), locale)}</dd>
                <dt>{t("inventory.asset.updated")}</dt>
                <dd>{formatDateTime(toDate(a.updateTime), locale)}</dd>
              </dl>
            )}
          </section>
          <div className="grid gap-4 lg:grid-cols-2">
            <StatusLog assetId={a.id} />
            <Maintenance asset={a} />
          </div>
          <EntityHistory entityType={EntityType.ASSET} entityId={a.id} />
        </>
      )}
    </InventoryPage>
  );
}
