/** The recent scans, newest first, with what each did (and whether it was answered later). */
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useLocale } from "../../app/useLocale.js";
import { formatDateTime } from "../../lib/format.js";
import type { RecentScan } from "./recentScans.js";

const TONE_CLASS = { ok: "text-ok", warn: "text-warn", problem: "text-danger", queued: "text-muted" } as const;

/** `children`: settings shown beside the heading (the sound switch). */
export function RecentScans({ scans, children }: { scans: RecentScan[]; children?: ReactNode }) {
  const { t } = useTranslation();
  const locale = useLocale();
  return (
    <section aria-labelledby="recent-scans" className="card p-4 flex flex-col gap-2">
      <div className="flex flex-wrap items-center gap-2">
        <h2 id="recent-scans" className="text-lg font-semibold mr-auto">{t("scanning.recent.title")}</h2>
        {children}
      </div>
      {scans.length === 0 ? (
        <p className="text-muted">{t("scanning.recent.empty")}</p>
      ) : (
        <ol aria-labelledby="recent-scans" className="flex flex-col divide-y divide-line">
          {scans.map((scan) => (
            <li key={scan.id} className="py-2 flex flex-wrap items-baseline gap-x-3 gap-y-1">
              <span className="font-mono font-semibold">{scan.code}</span>
              <span className={`font-medium ${TONE_CLASS[scan.feedback.tone]}`}>
                {t(`scanning.tone.${scan.feedback.tone}`)}: {t(`scanning.${scan.feedback.title}`, scan.feedback.values)}
              </span>
              <span className="text-sm text-muted ml-auto">
                {t(`scanning.mode.${scan.mode}`)} · {formatDateTime(new Date(scan.madeAt), locale)}
                {scan.later ? ` · ${t("scanning.recent.later")}` : ""}
              </span>
              {scan.feedback.detail && <span className="w-full text-sm text-muted">{scan.feedback.detail}</span>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
