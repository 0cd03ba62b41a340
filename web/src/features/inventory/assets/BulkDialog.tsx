/**
 * A bulk action on the selected assets: choose the new status, location or event, then watch it
 * run — "n of m", a progress bar, each failure with its asset — and cancel it midway if need be.
 */
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { planning } from "../../../api/clients.js";
import { useLocale } from "../../../app/useLocale.js";
import { AssetStatus, type Asset } from "../../../gen/eventkit/v1/inventory_pb.js";
import { EventStatus } from "../../../gen/eventkit/v1/planning_pb.js";
import { formatPeriod, toDate } from "../../../lib/format.js";
import { Button } from "../../../ui/controls.js";
import { Dialog } from "../../../ui/Dialog.js";
import { LocationOptions } from "../components/LocationOptions.js";
import { ASSET_STATUSES, statusKey } from "../components/StatusBadge.js";
import { bulkCall, describeError, retryable, type BulkAction } from "../data/bulkCalls.js";
import { invalidateInventory, KEY } from "../data/queries.js";
import { runBulk, type BulkProgress } from "../logic/bulk.js";
import type { AssetLookups } from "./assetColumns.js";

export type BulkKind = BulkAction["kind"];

const OPEN_EVENTS = [EventStatus.ENQUIRY, EventStatus.PROVISIONAL, EventStatus.CONFIRMED, EventStatus.PREPPED];

interface Props {
  kind: BulkKind;
  assets: Asset[];
  lookups: AssetLookups;
  onClose: () => void;
}

export function BulkDialog({ kind, assets, lookups, onClose }: Props) {
  const { t } = useTranslation();
  const locale = useLocale();
  const queries = useQueryClient();
  const [value, setValue] = useState(kind === "status" ? String(AssetStatus.AVAILABLE) : "");
  const [progress, setProgress] = useState<BulkProgress>();
  const abort = useRef<AbortController>(undefined);
  const events = useQuery({
    queryKey: [KEY, "bulk-events"],
    enabled: kind === "event",
    queryFn: async () => {
      const now = new Date();
      const period = { start: timestampFromDate(now), end: timestampFromDate(new Date(now.getTime() + 365 * 86_400_000)) };
      return (await planning.listEvents({ statuses: OPEN_EVENTS, period, page: { pageSize: 200 } })).events;
    },
  });

  const action = (): BulkAction | undefined => {
    if (kind === "status") return { kind, status: Number(value) as AssetStatus };
    if (kind === "location") return { kind, locationId: value };
    return value ? { kind, eventId: value } : undefined;
  };
  const start = async () => {
    const chosen = action();
    if (!chosen) return;
    abort.current = new AbortController();
    const items = assets.map((a) => ({ id: a.id, label: a.code }));
    await runBulk(items, (item, key) => bulkCall(chosen, item.id, key), {
      signal: abort.current.signal, onProgress: setProgress, retryable, describe: describeError,
    });
    await invalidateInventory(queries);
  };
  const running = progress?.state === "running";

  return (
    <Dialog open onOpenChange={(open) => !open && !running && onClose()} title={t(`inventory.bulk.${kind}Title`, { count: assets.length })}
      footer={
        progress ? (
          running ? (
            <Button variant="secondary" onClick={() => abort.current?.abort()}>{t("inventory.bulk.cancel")}</Button>
          ) : (
            <Button onClick={onClose}>{t("inventory.common.close")}</Button>
          )
        ) : (
          <>
            <Button variant="secondary" onClick={onClose}>{t("inventory.common.cancel")}</Button>
            <Button disabled={kind === "event" && !value} onClick={() => void start()}>
              {t("inventory.bulk.apply", { count: assets.length })}
            </Button>
          </>
        )
      }>
      {!progress && (
        <label className="field">
          <span className="field-label">{t(`inventory.bulk.${kind}Field`)}</span>
          <select className="select" value={value} onChange={(e) => setValue(e.target.value)}>
            {kind === "status" && ASSET_STATUSES.map((s) => <option key={s} value={s}>{t(statusKey(s))}</option>)}
            {kind === "location" && (
              <>
                <option value="">{t("inventory.asset.noLocation")}</option>
                <LocationOptions locations={lookups.locations} />
              </>
            )}
            {kind === "event" && (
              <>
                <option value="">{t("inventory.bulk.chooseEvent")}</option>
                {(events.data ?? []).map((e) => (
                  <option key={e.id} value={e.id}>
                    {`${e.name} · ${formatPeriod(toDate(e.period?.start), toDate(e.period?.end), locale)}`}
                  </option>
                ))}
              </>
            )}
          </select>
          {kind === "event" && events.isSuccess && events.data.length === 0 && (
            <span className="field-hint">{t("inventory.bulk.noEvents")}</span>
          )}
          {kind === "event" && <span className="field-hint">{t("inventory.bulk.eventHint")}</span>}
        </label>
      )}
      {progress && <ProgressReport progress={progress} />}
    </Dialog>
  );
}

export function ProgressReport({ progress }: { progress: BulkProgress }) {
  const { t } = useTranslation();
  return (
    <div className="flex flex-col gap-3">
      <progress className="inv-progress" max={Math.max(1, progress.total)} value={progress.done}
        aria-label={t("inventory.bulk.progress", { done: progress.done, total: progress.total })} />
      <p aria-live="polite" role="status">
        {t("inventory.bulk.progress", { done: progress.done, total: progress.total })}
        {progress.state === "finished" && ` · ${t("inventory.bulk.finished", { count: progress.succeeded })}`}
        {progress.state === "cancelled" && ` · ${t("inventory.bulk.cancelled", { count: progress.total - progress.done })}`}
      </p>
      {progress.failures.length > 0 && (
        <div>
          <p className="font-semibold text-danger">{t("inventory.bulk.failures", { count: progress.failures.length })}</p>
          <ul className="text-sm flex flex-col gap-1 max-h-48 overflow-y-auto">
            {progress.failures.map((f) => (
              <li key={f.id}><span className="font-mono">{f.label}</span>: {f.message}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
