/** One case: what it is and where, the assets in it, the cases inside it, and its history. */
import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";
import { useLocale } from "../../../app/useLocale.js";
import { EntityType } from "../../../gen/eventkit/v1/history_pb.js";
import { formatDateTime, toDate } from "../../../lib/format.js";
import { EntityHistory } from "../components/EntityHistory.js";
import { InventoryPage } from "../components/InventoryPage.js";
import { QueryNotice } from "../components/QueryNotice.js";
import { caseQuery, useLookups } from "../data/queries.js";
import { locationPath } from "../logic/locationTree.js";
import { CaseAssets } from "./CaseAssets.js";
import { caseKindKey } from "./caseColumns.js";
import { NestedCases } from "./NestedCases.js";

export function CaseDetail() {
  const { t } = useTranslation();
  const locale = useLocale();
  const { caseId = "" } = useParams({ strict: false });
  const found = useQuery(caseQuery(caseId));
  const lookups = useLookups();
  const c = found.data;
  const parent = c?.parentCaseId ? lookups.cases.get(c.parentCaseId) : undefined;
  return (
    <InventoryPage title={c ? `${c.code} · ${c.name}` : t("inventory.case.loading")}>
      <QueryNotice loading={found.isPending} error={found.error} />
      {c && (
        <>
          <section className="card p-4" aria-label={t("inventory.case.fields")}>
            <dl className="inv-facts">
              <dt>{t("inventory.case.kind")}</dt>
              <dd>{t(caseKindKey(c.kind))}</dd>
              <dt>{t("inventory.asset.location")}</dt>
              <dd>{c.locationId ? locationPath(c.locationId, lookups.locations) : t("inventory.asset.noLocation")}</dd>
              <dt>{t("inventory.case.parent")}</dt>
              <dd>
                {c.parentCaseId ? (
                  <Link to="/cases/$caseId" params={{ caseId: c.parentCaseId }} className="text-accent hover:underline">
                    {parent ? `${parent.code} · ${parent.name}` : t("inventory.case.openParent")}
                  </Link>
                ) : t("inventory.case.noParent")}
              </dd>
              <dt>{t("inventory.asset.updated")}</dt>
              <dd>{formatDateTime(toDate(c.updateTime), locale)}</dd>
            </dl>
          </section>
          <div className="grid gap-4 lg:grid-cols-2">
            <CaseAssets theCase={c} />
            <NestedCases theCase={c} />
          </div>
          <EntityHistory entityType={EntityType.CASE} entityId={c.id} />
        </>
      )}
    </InventoryPage>
  );
}
