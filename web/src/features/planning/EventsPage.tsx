/**
 * The events list: filter by status and period on the server and by words here, newest plans
 * first by date, each event linked to its detail page; "New event" for those who may plan.
 */
import { create } from "@bufbuild/protobuf";
import { useInfiniteQuery, useSuspenseQuery } from "@tanstack/react-query";
import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { planning } from "../../api/clients.js";
import { meQuery } from "../../app/session.js";
import { useLocale } from "../../app/useLocale.js";
import { ListEventsRequestSchema } from "../../gen/eventkit/v1/planning_pb.js";
import { formatDateTime, toDate } from "../../lib/format.js";
import { holds, PERMISSIONS } from "../../lib/navigation.js";
import { Button } from "../../ui/controls.js";
import { EventFormDialog } from "./EventFormDialog.js";
import { byStart, matchesSearch, PERIOD_PRESETS, presetPeriod, type EventsSearch } from "./eventFilters.js";
import { periodMessage } from "./queries.js";
import { EVENT_STATUSES, statusKey } from "./status.js";
import { StatusBadge } from "./StatusBadge.js";

export function EventsPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const navigate = useNavigate();
  const search = useSearch({ strict: false }) as EventsSearch;
  const { data: me } = useSuspenseQuery(meQuery);
  const canWrite = holds(me?.permissions ?? [], PERMISSIONS.planningWrite);
  const [creating, setCreating] = useState(false);
  const status = search.status ?? 0;
  const preset = search.period ?? "upcoming";
  const words = search.q ?? "";
  const deleted = search.deleted ?? false;
  const setSearch = (patch: Partial<EventsSearch>) =>
    void navigate({ to: "/events", search: { ...search, ...patch }, replace: true });

  const events = useInfiniteQuery({
    queryKey: ["planning", "events", status, preset, deleted, locale.timeZone],
    queryFn: ({ pageParam }) => {
      const period = presetPeriod(preset, new Date(), locale.timeZone);
      return planning.listEvents(create(ListEventsRequestSchema, {
        statuses: status ? [status] : [],
        period: period ? periodMessage(period) : undefined,
        showDeleted: deleted,
        page: { pageSize: 200, pageToken: pageParam },
      }));
    },
    initialPageParam: "",
    getNextPageParam: (last) => last.page?.nextPageToken || undefined,
  });
  const list = useMemo(
    () => (events.data?.pages.flatMap((p) => p.events) ?? []).filter((e) => matchesSearch(e, words)).sort(byStart),
    [events.data, words],
  );
  const filtered = status !== 0 || preset !== "upcoming" || words !== "" || deleted;

  return (
    <section className="flex flex-col gap-4" aria-labelledby="events-title">
      <div className="flex flex-wrap items-center gap-3">
        <h1 id="events-title" className="text-2xl font-bold mr-auto">{t("planning.events.title")}</h1>
        <Link to="/calendar" className="btn btn-secondary">{t("planning.events.calendar")}</Link>
        {canWrite && <Button onClick={() => setCreating(true)}>{t("planning.events.new")}</Button>}
      </div>
      <div className="flex flex-wrap items-end gap-3" role="search" aria-label={t("planning.events.filters")}>
        <label className="field grow sm:grow-0 sm:w-72">
          <span className="field-label">{t("planning.events.search")}</span>
          <input className="input" type="search" value={words} placeholder={t("planning.events.searchHint")}
            onChange={(e) => setSearch({ q: e.target.value || undefined })} />
        </label>
        <label className="field">
          <span className="field-label">{t("planning.events.status")}</span>
          <select className="select" value={status} onChange={(e) => setSearch({ status: Number(e.target.value) || undefined })}>
            <option value={0}>{t("planning.events.allStatuses")}</option>
            {EVENT_STATUSES.map((s) => <option key={s} value={s}>{t(statusKey(s))}</option>)}
          </select>
        </label>
        <label className="field">
          <span className="field-label">{t("planning.events.period")}</span>
          <select className="select" value={preset} onChange={(e) => setSearch({ period: e.target.value as EventsSearch["period"] })}>
            {PERIOD_PRESETS.map((p) => <option key={p} value={p}>{t(`planning.events.preset.${p}`)}</option>)}
          </select>
        </label>
        <label className="flex items-center gap-2 min-h-10">
          <input type="checkbox" checked={deleted} onChange={(e) => setSearch({ deleted: e.target.checked || undefined })} />
          {t("planning.events.showDeleted")}
        </label>
      </div>
      <p className="text-sm text-muted" aria-live="polite">
        {events.isPending ? t("app.loading") : t("planning.events.count", { count: list.length })}
      </p>
      {events.isError && <p className="notice notice-error" role="alert">{t("errors.generic", { message: events.error.message })}</p>}
      {events.isSuccess && list.length === 0 ? (
        <div className="card p-6 flex flex-col items-start gap-3">
          <p className="text-muted">{filtered ? t("planning.events.noMatch") : t("planning.events.empty")}</p>
          {canWrite && !filtered && <Button onClick={() => setCreating(true)}>{t("planning.events.new")}</Button>}
        </div>
      ) : (
        <div className="card overflow-x-auto">
          <table className="w-full text-left">
            <thead className="bg-raised text-sm">
              <tr>
                <th scope="col" className="px-4 py-2">{t("planning.events.name")}</th>
                <th scope="col" className="px-4 py-2 hidden md:table-cell">{t("planning.events.client")}</th>
                <th scope="col" className="px-4 py-2 hidden lg:table-cell">{t("planning.events.venue")}</th>
                <th scope="col" className="px-4 py-2 hidden sm:table-cell">{t("planning.events.period")}</th>
                <th scope="col" className="px-4 py-2">{t("planning.events.status")}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((event) => (
                <tr key={event.id} className="border-t border-line">
                  <td className="px-4 py-2">
                    <Link to="/events/$eventId" params={{ eventId: event.id }} className="font-medium text-accent hover:underline">
                      {event.name}
                    </Link>
                    <span className="block text-sm text-muted sm:hidden">
                      {formatDateTime(toDate(event.period?.start), locale)}
                    </span>
                  </td>
                  <td className="px-4 py-2 hidden md:table-cell text-muted">{event.clientName || "—"}</td>
                  <td className="px-4 py-2 hidden lg:table-cell text-muted">{event.venue || "—"}</td>
                  <td className="px-4 py-2 hidden sm:table-cell text-sm whitespace-nowrap">
                    {event.period ? `${formatDateTime(toDate(event.period.start), locale)} – ${formatDateTime(toDate(event.period.end), locale)}` : t("planning.noPeriod")}
                  </td>
                  <td className="px-4 py-2">
                    <StatusBadge status={event.status} />
                    {event.deleteTime && <span className="badge ml-1 text-danger border-danger">{t("planning.deleted")}</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {events.hasNextPage && (
        <Button variant="secondary" className="self-start" disabled={events.isFetchingNextPage} onClick={() => void events.fetchNextPage()}>
          {events.isFetchingNextPage ? t("app.loading") : t("planning.events.loadMore")}
        </Button>
      )}
      <EventFormDialog open={creating} onOpenChange={setCreating}
        onSaved={(event) => void navigate({ to: "/events/$eventId", params: { eventId: event.id } })} />
    </section>
  );
}

