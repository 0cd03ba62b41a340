/**
 * An endpoint's deliveries (ListWebhookDeliveries), newest first, each with its attempts; chosen
 * ones are sent again one by one (ReplayWebhookDeliveries), with progress and what failed.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { admin } from "../../../api/clients.js";
import { formError } from "../../../api/errors.js";
import { useLocale } from "../../../app/useLocale.js";
import { WebhookDeliveryStatus } from "../../../gen/eventkit/v1/admin_pb.js";
import { formatDateTime, toDate } from "../../../lib/format.js";
import { Button, Notice } from "../../../ui/controls.js";
import { runEach } from "../batch.js";
import { toggleIn } from "../selection.js";
import { adminKeys } from "../shared/queries.js";
import { EmptyState, LoadError, LoadMore, Loading } from "../shared/SectionPage.js";
import { useIdempotencyKeys } from "../../../api/idempotency.js";
import { usePaged } from "../shared/usePaged.js";
import { DeliveryAttempts, DeliveryStatusBadge } from "./DeliveryAttempts.js";
import { ReplayFailed } from "./ReplayFailed.js";

const FILTERS = [
  WebhookDeliveryStatus.UNSPECIFIED,
  WebhookDeliveryStatus.PENDING,
  WebhookDeliveryStatus.DELIVERED,
  WebhookDeliveryStatus.FAILED,
];

type Outcome = { replayed: number; failed: string[] };

export function Deliveries({ endpointId }: { endpointId: string }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const queries = useQueryClient();
  const [status, setStatus] = useState(WebhookDeliveryStatus.UNSPECIFIED);
  const [chosen, setChosen] = useState<string[]>([]);
  const [progress, setProgress] = useState<{ finished: number; total: number }>();
  const [outcome, setOutcome] = useState<Outcome>();
  const keys = useIdempotencyKeys();
  const list = usePaged(adminKeys.deliveries(endpointId, status), async (pageToken) => {
    const answer = await admin.listWebhookDeliveries({ endpointId, status, page: { pageSize: 50, pageToken } });
    return { items: answer.deliveries, next: answer.page?.nextPageToken ?? "" };
  });
  const refresh = () => queries.invalidateQueries({ queryKey: ["admin", "deliveries", endpointId] });

  const replay = async () => {
    setOutcome(undefined);
    setProgress({ finished: 0, total: chosen.length });
    const result = await runEach(
      chosen,
      (deliveryId) => {
        const request = { target: { case: "deliveryId" as const, value: deliveryId } };
        return admin.replayWebhookDeliveries(request, keys.options(request));
      },
      (finished, total) => setProgress({ finished, total }),
    );
    setProgress(undefined);
    if (result.failed.length === 0) keys.settle();
    setOutcome({ replayed: result.done.length, failed: result.failed.map((f) => formError(f.error).message) });
    setChosen(result.failed.map((f) => f.item));
    await refresh();
  };

  return (
    <section aria-labelledby="deliveries-title" className="flex flex-col gap-3">
      <div className="flex flex-wrap items-end gap-3">
        <h3 id="deliveries-title" className="mr-auto w-full text-lg font-semibold sm:w-auto">{t("admin.deliveries.title")}</h3>
        <label className="field">
          <span className="field-label">{t("admin.deliveries.status")}</span>
          <select className="select" value={status} onChange={(e) => { setStatus(Number(e.target.value)); setChosen([]); }}>
            {FILTERS.map((s) => (
              <option key={s} value={s}>{t(`admin.deliveries.state.${WebhookDeliveryStatus[s]}`)}</option>
            ))}
          </select>
        </label>
        <Button type="button" variant="secondary" onClick={() => void refresh()}>{t("admin.deliveries.refresh")}</Button>
        <Button type="button" disabled={chosen.length === 0 || progress !== undefined} aria-busy={progress !== undefined}
          onClick={() => void replay()}>
          {chosen.length ? t("admin.deliveries.replayChosen", { count: chosen.length }) : t("admin.deliveries.replayNone")}
        </Button>
      </div>
      <div aria-live="polite" className="flex flex-col gap-2">
        {progress && <p className="text-sm text-muted">{t("admin.deliveries.replaying", progress)}</p>}
        {progress && <progress className="w-full" max={progress.total} value={progress.finished} />}
        {outcome && outcome.replayed > 0 && <Notice tone="ok">{t("admin.deliveries.replayed", { count: outcome.replayed })}</Notice>}
        {outcome && outcome.failed.length > 0 && (
          <Notice tone="error">{t("admin.deliveries.replayFailed", { count: outcome.failed.length, message: outcome.failed[0] })}</Notice>
        )}
      </div>
      {list.query.isPending ? <Loading /> : list.query.isError ? <LoadError error={list.query.error} /> : null}
      {list.query.isSuccess && list.items.length === 0 && (
        <EmptyState>{status === WebhookDeliveryStatus.UNSPECIFIED ? t("admin.deliveries.empty") : t("admin.deliveries.emptyFiltered")}</EmptyState>
      )}
      {list.items.length > 0 && (
        <ul className="card divide-y divide-line" aria-label={t("admin.deliveries.title")}>
          {list.items.map((d) => (
            <li key={d.id} className="flex flex-col gap-2 p-4">
              <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
                <label className="check mr-auto min-w-0">
                  <input type="checkbox" checked={chosen.includes(d.id)}
                    onChange={(e) => setChosen(toggleIn(chosen, d.id, e.target.checked))}
                    aria-label={t("admin.deliveries.choose", { type: d.eventType, date: formatDateTime(toDate(d.createTime), locale) })} />
                  <code className="font-semibold break-all">{d.eventType}</code>
                </label>
                <DeliveryStatusBadge status={d.status} />
                <span className="text-sm text-muted">{formatDateTime(toDate(d.createTime), locale)}</span>
              </div>
              <p className="text-sm text-muted break-all">
                {t("admin.deliveries.eventId", { id: d.eventId })}
                {d.nextAttemptTime && ` · ${t("admin.deliveries.nextAttempt", { date: formatDateTime(toDate(d.nextAttemptTime), locale) })}`}
              </p>
              <DeliveryAttempts attempts={d.attempts} />
            </li>
          ))}
        </ul>
      )}
      <LoadMore {...list.more} />
      <ReplayFailed endpointId={endpointId} onReplayed={() => void refresh()} />
    </section>
  );
}
