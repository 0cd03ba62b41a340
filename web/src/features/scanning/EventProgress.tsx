/**
 * What the event's pull list asks for, what went out, what came back and what is missing
 * (GetEventProgress), refreshed after every scan. Open lines come first.
 */
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { formError } from "../../api/errors.js";
import type { LineProgress } from "../../gen/eventkit/v1/scanning_pb.js";
import { Notice } from "../../ui/controls.js";
import { AssetCode, AssetCodeList } from "./AssetCodes.js";
import { casesQuery, productNamesQuery, progressQuery } from "./api.js";
import { lineOpen, orderLines, progressTotals } from "./choices.js";

function ItemName({ line }: { line: LineProgress }) {
  const products = useQuery(productNamesQuery);
  const cases = useQuery({ ...casesQuery, enabled: line.item.case === "caseId" });
  const { t } = useTranslation();
  switch (line.item.case) {
    case "productId":
      return <>{products.data?.get(line.item.value) ?? "…"}</>;
    case "assetId":
      return <>{t("scanning.progress.asset")} <AssetCode id={line.item.value} /></>;
    case "caseId": {
      const id = line.item.value;
      const found = cases.data?.find((c) => c.id === id);
      return <>{t("scanning.progress.case", { name: found ? `${found.name} (${found.code})` : "…" })}</>;
    }
    default:
      return <>—</>;
  }
}

export function EventProgress({ eventId, mode }: { eventId: string; mode: "checkOut" | "checkIn" }) {
  const { t } = useTranslation();
  const progress = useQuery(progressQuery(eventId));
  if (progress.isPending) return <p className="text-muted">{t("app.loading")}</p>;
  if (progress.isError) {
    return <Notice tone="error">{t("errors.generic", { message: formError(progress.error).message })}</Notice>;
  }
  const { lines, missingAssetIds } = progress.data;
  const totals = progressTotals(lines);
  return (
    <section aria-labelledby="progress-title" className="card p-4 flex flex-col gap-3">
      <h2 id="progress-title" className="text-lg font-semibold">{t("scanning.progress.title")}</h2>
      {lines.length === 0 ? (
        <p className="text-muted">{t("scanning.progress.empty")}</p>
      ) : (
        <>
          <dl className="scan-totals" aria-live="polite">
            <div><dt>{t("scanning.progress.asked")}</dt><dd>{totals.asked}</dd></div>
            <div><dt>{t("scanning.progress.out")}</dt><dd>{totals.out}</dd></div>
            <div><dt>{t("scanning.progress.returned")}</dt><dd>{totals.returned}</dd></div>
            <div className={totals.missing > 0 ? "text-warn" : ""}>
              <dt>{t("scanning.progress.missing")}</dt><dd>{totals.missing}</dd>
            </div>
            {mode === "checkOut" && (
              <div className={totals.toGo > 0 ? "text-warn" : "text-ok"}>
                <dt>{t("scanning.progress.toGo")}</dt><dd>{totals.toGo}</dd>
              </div>
            )}
          </dl>
          <ul className="flex flex-col divide-y divide-line">
            {orderLines(lines, mode).map((line) => (
              <li key={line.lineId} className="py-2 flex flex-wrap items-baseline gap-x-3">
                <span className={`mr-auto ${lineOpen(line, mode) ? "font-semibold" : "text-muted"}`}><ItemName line={line} /></span>
                <span className="text-sm">
                  {mode === "checkOut"
                    ? t("scanning.progress.lineOut", { out: line.outQuantity, asked: line.quantity })
                    : t("scanning.progress.lineIn", { returned: line.returnedQuantity, out: line.outQuantity })}
                  {mode === "checkIn" && line.missingQuantity > 0 && (
                    <span className="text-warn"> · {t("scanning.progress.lineMissing", { count: line.missingQuantity })}</span>
                  )}
                  {line.consumedQuantity > 0 && (
                    <span className="text-muted"> · {t("scanning.progress.lineConsumed", { count: line.consumedQuantity })}</span>
                  )}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
      {missingAssetIds.length > 0 && (
        <details>
          <summary className="cursor-pointer font-semibold">
            {t("scanning.progress.missingAssets", { count: missingAssetIds.length })}
          </summary>
          <div className="pt-2">
            <AssetCodeList ids={missingAssetIds} empty={t("scanning.progress.noneMissing")} />
          </div>
        </details>
      )}
    </section>
  );
}
