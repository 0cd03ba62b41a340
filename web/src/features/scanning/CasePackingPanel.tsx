/**
 * Case packing: scan a case's code, then the codes of the assets to put in it
 * (AddAssetToCase, which also takes an asset out of any other case). Scanning another case's
 * code moves on to that case. The API finds cases by id only, so case codes are matched against
 * the list of cases; packing needs a connection (it is not queued offline).
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { inventory } from "../../api/clients.js";
import { formError } from "../../api/errors.js";
import type { Case } from "../../gen/eventkit/v1/inventory_pb.js";
import { Button } from "../../ui/controls.js";
import { AssetCodeList } from "./AssetCodes.js";
import { caseQuery, casesQuery, idempotent } from "./api.js";
import { feedbackForError, type Feedback } from "./outcome.js";
import type { RecentScan } from "./recentScans.js";
import { newScanId } from "./scanQueue.js";
import { ScanStation } from "./ScanStation.js";

interface Props {
  record: (scan: RecentScan) => void;
  online: boolean;
}

const caseLabel = (c: Pick<Case, "name" | "code">) => `${c.name} (${c.code})`;

export function CasePackingPanel({ record, online }: Props) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [caseId, setCaseId] = useState<string>();
  const cases = useQuery(casesQuery);
  const current = useQuery({ ...caseQuery(caseId ?? ""), enabled: !!caseId });

  const findCase = async (code: string): Promise<Case | undefined> => {
    const list = await queries.ensureQueryData(casesQuery);
    const found = list.find((c) => c.code === code);
    if (found) return found;
    // A case made since the list was read: read it again once.
    const fresh = await queries.fetchQuery({ ...casesQuery, staleTime: 0 });
    return fresh.find((c) => c.code === code);
  };

  const pack = async (code: string): Promise<Feedback> => {
    if (!online) return { tone: "problem", title: "packing.offline" };
    const box = await findCase(code);
    if (box) {
      setCaseId(box.id);
      return { tone: "ok", title: "packing.started", values: { name: caseLabel(box) } };
    }
    if (!caseId || !current.data) return { tone: "problem", title: "packing.noCase" };
    const target = current.data;
    const asset = await inventory.lookupAssetByCode({ code }).then(
      (answer) => answer.asset,
      (err: unknown) => {
        if (formError(err).code === "not_found") return undefined;
        throw err;
      },
    );
    if (!asset) return { tone: "problem", title: "outcome.UNKNOWN_CODE" };
    if (asset.caseId === target.id) return { tone: "warn", title: "packing.already", values: { name: caseLabel(target) } };
    const previous = cases.data?.find((c) => c.id === asset.caseId);
    const answer = await inventory.addAssetToCase({ caseId: target.id, assetId: asset.id }, idempotent(newScanId()));
    if (answer.case) queries.setQueryData(caseQuery(target.id).queryKey, answer.case);
    if (previous) void queries.invalidateQueries({ queryKey: caseQuery(previous.id).queryKey });
    return {
      tone: "ok",
      title: previous ? "packing.moved" : "packing.added",
      values: { name: caseLabel(target), from: previous ? caseLabel(previous) : "", count: answer.case?.assetIds.length ?? 0 },
    };
  };

  const onCode = async (code: string) => {
    const feedback = await pack(code).catch(feedbackForError);
    record({ id: newScanId(), code, mode: "packing", madeAt: Date.now(), feedback });
    return feedback;
  };

  const box = current.data;
  return (
    <div className="flex flex-col gap-4">
      <div className="scan-context">
        <div className="min-w-0 mr-auto">
          <p className={box ? "font-semibold truncate" : "font-semibold"}>
            {box ? t("scanning.packing.packing", { name: caseLabel(box) }) : t("scanning.packing.none")}
          </p>
          {box && <p className="text-sm text-muted">{t("scanning.packing.holds", { count: box.assetIds.length })}</p>}
        </div>
        {box && (
          <Button variant="secondary" className="scan-touch" aria-label={t("scanning.packing.finish")}
            onClick={() => setCaseId(undefined)}>
            {t("scanning.packing.finishShort")}
          </Button>
        )}
      </div>
      <ScanStation label={box ? t("scanning.field.packAsset") : t("scanning.field.packCase")}
        hint={cases.isSuccess && cases.data.length === 0 ? t("scanning.packing.noCases") : undefined} onCode={onCode} />
      {box && (
        <section aria-labelledby="case-contents" className="card p-4 flex flex-col gap-3">
          <h2 id="case-contents" className="text-lg font-semibold">{t("scanning.packing.contents")}</h2>
          <AssetCodeList ids={box.assetIds} empty={t("scanning.packing.empty")} />
        </section>
      )}
    </div>
  );
}
