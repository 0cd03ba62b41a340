/** An asset's status changes (ScanningService.ListAssetStatusLog): from → to, why, who, when. */
import { useInfiniteQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";
import { scanning } from "../../../api/clients.js";
import { useLocale } from "../../../app/useLocale.js";
import { formatDateTime, toDate } from "../../../lib/format.js";
import { Button } from "../../../ui/controls.js";
import { QueryNotice } from "../components/QueryNotice.js";
import { StatusBadge } from "../components/StatusBadge.js";
import { KEY } from "../data/queries.js";
import { useActorName } from "../data/useActorName.js";

export function StatusLog({ assetId }: { assetId: string }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const actor = useActorName();
  const log = useInfiniteQuery({
    queryKey: [KEY, "status-log", assetId],
    queryFn: ({ pageParam }) => scanning.listAssetStatusLog({ assetId, page: { pageSize: 100, pageToken: pageParam } }),
    initialPageParam: "",
    getNextPageParam: (last) => last.page?.nextPageToken || undefined,
  });
  const changes = log.data?.pages.flatMap((p) => p.changes) ?? [];
  return (
    <section className="card p-4 flex flex-col gap-3" aria-labelledby="status-log-title">
      <h2 id="status-log-title" className="text-lg font-semibold">{t("inventory.statusLog.title")}</h2>
      <QueryNotice loading={log.isPending} error={log.error} />
      {log.isSuccess && changes.length === 0 && <p className="text-muted">{t("inventory.statusLog.empty")}</p>}
      <ol className="flex flex-col divide-y divide-line">
        {changes.map((c) => (
          <li key={c.id} className="py-2 flex flex-wrap items-center gap-x-3 gap-y-1">
            <StatusBadge status={c.fromStatus} />
            <span aria-hidden="true">→</span>
            <span className="sr-only">{t("inventory.history.to")}</span>
            <StatusBadge status={c.toStatus} />
            <span className="text-sm">{c.reason ? t(`inventory.statusLog.reasons.${c.reason}`, { defaultValue: c.reason }) : ""}</span>
            {c.eventId && (
              <Link to="/events" className="text-sm text-accent hover:underline">{t("inventory.statusLog.event")}</Link>
            )}
            <span className="text-sm text-muted sm:ml-auto">
              {actor(c.actor)} · <time>{formatDateTime(toDate(c.createTime), locale)}</time>
            </span>
          </li>
        ))}
      </ol>
      {log.hasNextPage && (
        <Button variant="secondary" className="self-start" disabled={log.isFetchingNextPage} onClick={() => void log.fetchNextPage()}>
          {t("inventory.common.loadMore")}
        </Button>
      )}
    </section>
  );
}
