/** A stocktake's count and discrepancies: expected and not scanned (missing), scanned and not expected. */
import { useTranslation } from "react-i18next";
import type { Stocktake } from "../../gen/eventkit/v1/scanning_pb.js";
import { AssetCodeList } from "./AssetCodes.js";

export function StocktakeSummary({ stocktake }: { stocktake: Stocktake }) {
  const { t } = useTranslation();
  const { expectedCount, countedCount, missingAssetIds, unexpectedAssetIds } = stocktake;
  return (
    <section aria-labelledby="stocktake-discrepancies" className="card p-4 flex flex-col gap-3">
      <h2 id="stocktake-discrepancies" className="text-lg font-semibold">{t("scanning.stocktake.discrepancies")}</h2>
      <div className="flex flex-col gap-1">
        <label htmlFor="stocktake-progress" className="text-sm text-muted">
          {t("scanning.stocktake.counted", { counted: countedCount, expected: expectedCount })}
        </label>
        <progress id="stocktake-progress" className="scan-progress" max={Math.max(1, expectedCount)} value={countedCount} />
      </div>
      <details open={missingAssetIds.length > 0 && missingAssetIds.length <= 24}>
        <summary className="cursor-pointer font-semibold">
          {t("scanning.stocktake.missing", { count: missingAssetIds.length })}
        </summary>
        <div className="pt-2">
          <AssetCodeList ids={missingAssetIds} empty={t("scanning.stocktake.noneMissing")} />
        </div>
      </details>
      <details open={unexpectedAssetIds.length > 0}>
        <summary className="cursor-pointer font-semibold">
          {t("scanning.stocktake.unexpected", { count: unexpectedAssetIds.length })}
        </summary>
        <div className="pt-2">
          <AssetCodeList ids={unexpectedAssetIds} empty={t("scanning.stocktake.noneUnexpected")} />
        </div>
      </details>
    </section>
  );
}
