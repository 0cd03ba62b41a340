/**
 * The warehouse scanning screen (/scan): pick a mode, then scan. Check-out and check-in go
 * against an event, stocktakes against a location, case packing into a case. Every scan goes
 * through the offline queue (see useScanQueue), and the recent-scans list tells what each did.
 */
import { useSuspenseQuery } from "@tanstack/react-query";
import { useNavigate, useSearch } from "@tanstack/react-router";
import { useCallback, useReducer, useState } from "react";
import { useTranslation } from "react-i18next";
import { formError } from "../../api/errors.js";
import { meQuery } from "../../app/session.js";
import { PERMISSIONS } from "../../lib/navigation.js";
import { CasePackingPanel } from "./CasePackingPanel.js";
import { EventScanPanel } from "./EventScanPanel.js";
import { ModeSwitch } from "./ModeSwitch.js";
import { feedbackFor, QUEUED, type Feedback } from "./outcome.js";
import { QueueStatus, type ReplayProblem } from "./QueueStatus.js";
import { recentReducer, type RecentScan } from "./recentScans.js";
import { RecentScans } from "./RecentScans.js";
import type { PendingScan, QueuedScan } from "./scanQueue.js";
import type { ScanMode, ScanSearch } from "./search.js";
import { setSoundOn, soundOn } from "./sound.js";
import { StocktakePanel } from "./StocktakePanel.js";
import { useScanQueue } from "./useScanQueue.js";

/** The modes a person may use, from what they hold. */
export function modesFor(held: readonly string[]): ScanMode[] {
  const has = (p: string) => held.includes(p) || held.includes("*");
  const modes: ScanMode[] = [];
  if (has(PERMISSIONS.scanningWrite) && has(PERMISSIONS.planningRead)) modes.push("checkOut", "checkIn");
  if (has(PERMISSIONS.scanningWrite) && has(PERMISSIONS.inventoryRead)) modes.push("stocktake");
  if (has(PERMISSIONS.inventoryWrite) && has(PERMISSIONS.inventoryRead)) modes.push("packing");
  return modes;
}

const recentOf = (scan: PendingScan, feedback: Feedback, later?: boolean): RecentScan => ({
  id: scan.clientScanId,
  code: scan.code,
  mode: scan.kind,
  madeAt: scan.madeAt,
  feedback,
  ...(later ? { later } : {}),
});

export function ScanPage() {
  const { t } = useTranslation();
  const { data: me } = useSuspenseQuery(meQuery);
  const search = useSearch({ from: "/signed-in/scan" });
  const navigate = useNavigate({ from: "/scan" });
  const modes = modesFor(me?.permissions ?? []);
  const mode = search.mode && modes.includes(search.mode) ? search.mode : modes[0];
  const owner = `${me?.tenant?.tenantId ?? ""}/${me?.userId ?? ""}`;

  const [recent, dispatch] = useReducer(recentReducer, []);
  const [refused, setRefused] = useState<ReplayProblem>();
  const [sound, setSound] = useState(soundOn);
  const onLate = useCallback((scan: QueuedScan, settled: Parameters<typeof feedbackFor>[0]) => {
    dispatch({ type: "settle", scan: recentOf(scan, feedbackFor(settled, scan.kind), true) });
    if (settled.kind === "rejected") setRefused({ code: scan.code, message: formError(settled.error).message });
  }, []);
  const onRestore = useCallback((scans: QueuedScan[]) => {
    dispatch({ type: "restore", scans: scans.map((s) => recentOf(s, QUEUED)) });
  }, []);
  const queue = useScanQueue(owner, onLate, onRestore);
  const { submit } = queue;

  const scan = useCallback(
    async (pending: PendingScan): Promise<Feedback> => {
      dispatch({ type: "add", scan: recentOf(pending, { tone: "queued", title: "outcome.SENDING" }) });
      const feedback = feedbackFor(await submit(pending), pending.kind);
      dispatch({ type: "settle", scan: recentOf(pending, feedback) });
      return feedback;
    },
    [submit],
  );
  const record = useCallback((entry: RecentScan) => dispatch({ type: "add", scan: entry }), []);

  const setSearch = (next: { mode?: ScanMode; event?: string }) =>
    void navigate({ to: "/scan", search: (prev: ScanSearch) => ({ ...prev, ...next }), replace: true });

  return (
    <section aria-labelledby="scan-title" className="flex flex-col gap-4 max-w-3xl mx-auto w-full">
      <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
        <h1 id="scan-title" className="text-2xl font-bold mr-auto">{t("scanning.title")}</h1>
        <QueueStatus state={queue.state} online={queue.online} persistent={queue.persistent} refused={refused}
          onReplay={() => void queue.replayNow()} />
      </div>
      {!mode ? (
        <p className="card p-6 text-muted">{t("scanning.noModes")}</p>
      ) : (
        <>
          <ModeSwitch modes={modes} value={mode} onChange={(next) => setSearch({ mode: next })} />
          {(mode === "checkOut" || mode === "checkIn") && (
            <EventScanPanel key={mode} mode={mode} eventId={search.event} scan={scan}
              onEvent={(event) => setSearch({ event })} />
          )}
          {mode === "stocktake" && <StocktakePanel owner={owner} scan={scan} />}
          {mode === "packing" && <CasePackingPanel record={record} online={queue.online} />}
        </>
      )}
      <RecentScans scans={recent}>
        <label className="scan-check text-sm min-h-9">
          <input type="checkbox" className="scan-sound" checked={sound} onChange={(e) => {
            setSoundOn(e.target.checked);
            setSound(e.target.checked);
          }} />
          <span>{t("scanning.sound")}</span>
        </label>
      </RecentScans>
    </section>
  );
}
