/**
 * One event: what, for whom, where and when (in the person's time zone), its status with the
 * moves it allows, and its pull list with live availability. Soft-deleted events stay readable
 * and can be restored.
 */
import { Code, ConnectError } from "@connectrpc/connect";
import { useQuery, useSuspenseQuery } from "@tanstack/react-query";
import { Link, useParams } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";
import { planning } from "../../api/clients.js";
import { meQuery } from "../../app/session.js";
import { useLocale } from "../../app/useLocale.js";
import { EventStatus, type Event } from "../../gen/eventkit/v1/planning_pb.js";
import { formatDateTime, toDate } from "../../lib/format.js";
import { holds, PERMISSIONS } from "../../lib/navigation.js";
import { Notice } from "../../ui/controls.js";
import { EventActions } from "./EventActions.js";
import { EventProgress } from "./EventProgress.js";
import { PullList } from "./PullList.js";
import { eventQuery } from "./queries.js";
import { isUnderWay } from "./status.js";
import { StatusBadge } from "./StatusBadge.js";

export function EventDetailPage() {
  const { t } = useTranslation();
  const { eventId = "" } = useParams({ strict: false });
  const event = useQuery(eventQuery(eventId));
  const { data: me } = useSuspenseQuery(meQuery);
  const canWrite = holds(me?.permissions ?? [], PERMISSIONS.planningWrite);

  if (event.isPending) return <p className="text-muted" aria-live="polite">{t("app.loading")}</p>;
  if (event.isError || !event.data) {
    const missing = event.isError && ConnectError.from(event.error).code === Code.NotFound;
    return (
      <div className="flex flex-col items-start gap-3">
        <Notice tone="error">{missing || !event.data ? t("planning.detail.notFound") : t("errors.generic", { message: event.error?.message })}</Notice>
        <Link to="/events" className="btn btn-secondary">{t("planning.detail.back")}</Link>
      </div>
    );
  }
  const current = event.data;
  return (
    <article className="flex flex-col gap-6" aria-labelledby="event-title">
      <EventSummary event={current} />
      {canWrite && <EventActions event={current} />}
      {isUnderWay(current.status) && <EventProgress eventId={current.id} returned={current.status === EventStatus.RETURNED} />}
      <PullList event={current} canWrite={canWrite && !current.deleteTime} />
    </article>
  );
}

function EventSummary({ event }: { event: Event }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const project = useQuery({
    queryKey: ["planning", "project", event.projectId],
    queryFn: async () => (await planning.getProject({ id: event.projectId })).project,
    enabled: event.projectId !== "",
  });
  const facts: [string, string][] = [
    [t("planning.detail.period"), event.period
      ? `${formatDateTime(toDate(event.period.start), locale)} – ${formatDateTime(toDate(event.period.end), locale)}`
      : t("planning.noPeriod")],
    [t("planning.detail.prep"), event.prepTime ? formatDateTime(toDate(event.prepTime), locale) : "—"],
    [t("planning.detail.client"), event.clientName || "—"],
    [t("planning.detail.venue"), event.venue || "—"],
    [t("planning.detail.project"), event.projectId ? project.data?.name ?? "…" : t("planning.form.noProject")],
  ];
  return (
    <header className="flex flex-col gap-3">
      <Link to="/events" className="text-sm text-muted hover:text-fg self-start">← {t("planning.detail.back")}</Link>
      <div className="flex flex-wrap items-center gap-3">
        <h1 id="event-title" className="text-2xl font-bold break-words min-w-0">{event.name}</h1>
        <StatusBadge status={event.status} />
        {event.deleteTime && <span className="badge text-danger border-danger">{t("planning.deleted")}</span>}
        {event.seriesId && <span className="badge">{t("planning.detail.series")}</span>}
      </div>
      {event.deleteTime && (
        <Notice tone="info">{t("planning.detail.deletedNote", { when: formatDateTime(toDate(event.deleteTime), locale) })}</Notice>
      )}
      <dl className="card p-4 grid gap-x-6 gap-y-3 sm:grid-cols-2 lg:grid-cols-3">
        {facts.map(([term, value]) => (
          <div key={term} className="min-w-0">
            <dt className="text-sm text-muted">{term}</dt>
            <dd className="break-words">{value}</dd>
          </div>
        ))}
      </dl>
    </header>
  );
}
