/**
 * The calendar: a month or a week of events (ListEvents over the visible days) in the person's
 * time zone and language, weeks starting as the language has it, today marked, events drawn
 * across the days they span. Previous / today / next page through it; the view and day are in
 * the URL. On a phone the same days show as an agenda list.
 */
import { useQuery } from "@tanstack/react-query";
import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { useLocale } from "../../app/useLocale.js";
import { Button, Notice } from "../../ui/controls.js";
import { agenda, localeTag, shiftAnchor, spanOf, visibleWeeks, weekStartFor, type CalendarSearch, type CalendarView } from "./calendar.js";
import { CalendarWeek, type CalendarEvent } from "./CalendarWeek.js";
import { listEventsIn, periodOf } from "./queries.js";
import { StatusBadge } from "./StatusBadge.js";
import { civilDateOf, dateKey, parseDateKey, type CivilDate } from "./zonedTime.js";

/** A civil date as an instant Intl can format in UTC without shifting the day. */
const noonUtc = (d: CivilDate) => new Date(Date.UTC(d.year, d.month - 1, d.day, 12));

export function CalendarPage() {
  const { t } = useTranslation();
  const { language, timeZone } = useLocale();
  const navigate = useNavigate();
  const search = useSearch({ strict: false }) as CalendarSearch;
  const view: CalendarView = search.view ?? "month";
  const today = civilDateOf(new Date(), timeZone);
  const anchor = (search.date && parseDateKey(search.date)) || today;
  const weekStart = weekStartFor(language);
  const weeks = visibleWeeks(view, anchor, weekStart);
  const days = weeks.flat();
  const span = spanOf(days, timeZone);
  const tag = localeTag(language);

  const go = (next: { view?: CalendarView; date?: CivilDate }) =>
    void navigate({ to: "/calendar", search: { view: next.view ?? view, date: dateKey(next.date ?? anchor) } });

  const events = useQuery({
    queryKey: ["planning", "calendar", span.start.getTime(), span.end.getTime()],
    queryFn: () => listEventsIn(span),
    placeholderData: (previous) => previous,
  });
  const timed = useMemo<CalendarEvent[]>(() => (events.data ?? []).flatMap((event) => {
    const period = periodOf(event);
    return period ? [{ id: event.id, start: period.start, end: period.end, event }] : [];
  }), [events.data]);

  const formats = useMemo(() => {
    const day = new Intl.DateTimeFormat(tag, { weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
    const time = new Intl.DateTimeFormat(tag, { hour: "2-digit", minute: "2-digit", timeZone });
    const dateTime = new Intl.DateTimeFormat(tag, { day: "2-digit", month: "2-digit", hour: "2-digit", minute: "2-digit", timeZone });
    return {
      day: (d: CivilDate) => day.format(noonUtc(d)),
      time: (instant: Date) => time.format(instant),
      range: (e: CalendarEvent) => `${dateTime.format(e.start)} – ${dateTime.format(e.end)}`,
      weekday: new Intl.DateTimeFormat(tag, { weekday: "short", timeZone: "UTC" }),
      month: new Intl.DateTimeFormat(tag, { month: "long", year: "numeric", timeZone: "UTC" }),
      short: new Intl.DateTimeFormat(tag, { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" }),
    };
  }, [tag, timeZone]);

  const first = days[0]!;
  const last = days[days.length - 1]!;
  const title = view === "month"
    ? formats.month.format(noonUtc(anchor))
    : `${formats.short.format(noonUtc(first))} – ${formats.short.format(noonUtc(last))}`;
  const list = agenda(timed, days, timeZone);

  return (
    <section className="flex flex-col gap-4" aria-labelledby="calendar-title">
      <div className="flex flex-wrap items-center gap-3">
        <h1 id="calendar-title" className="text-2xl font-bold mr-auto" aria-live="polite">{title}</h1>
        <div className="flex gap-1" role="group" aria-label={t("planning.calendar.view")}>
          {(["month", "week"] as const).map((v) => (
            <Button key={v} variant={v === view ? "primary" : "secondary"} aria-pressed={v === view} onClick={() => go({ view: v })}>
              {t(`planning.calendar.${v}`)}
            </Button>
          ))}
        </div>
        <div className="flex gap-1" role="group" aria-label={t("planning.calendar.paging")}>
          <Button variant="secondary" onClick={() => go({ date: shiftAnchor(view, anchor, -1) })}
            aria-label={t(`planning.calendar.previous_${view}`)}>‹</Button>
          <Button variant="secondary" onClick={() => go({ date: today })}>{t("planning.calendar.today")}</Button>
          <Button variant="secondary" onClick={() => go({ date: shiftAnchor(view, anchor, 1) })}
            aria-label={t(`planning.calendar.next_${view}`)}>›</Button>
        </div>
      </div>
      <p className="text-sm text-muted" aria-live="polite">
        {events.isFetching ? t("app.loading") : t("planning.calendar.count", { count: timed.length, zone: timeZone })}
      </p>
      {events.isError && <Notice tone="error">{t("errors.generic", { message: events.error.message })}</Notice>}
      {events.isSuccess && timed.length === 0 && (
        <div className="card p-4 flex flex-wrap items-center gap-3">
          <p className="text-muted mr-auto">{t(`planning.calendar.empty_${view}`)}</p>
          <Link to="/events" className="btn btn-secondary">{t("planning.calendar.toEvents")}</Link>
        </div>
      )}
      <div className="card overflow-hidden hidden sm:block">
        <div className="cal-head" aria-hidden="true">
          {weeks[0]!.map((d) => <span key={dateKey(d)}>{formats.weekday.format(noonUtc(d))}</span>)}
        </div>
        {weeks.map((week) => (
          <CalendarWeek key={dateKey(week[0]!)} days={week} events={timed} timeZone={timeZone} today={today}
            month={view === "month" ? anchor.month : undefined} tall={view === "week"}
            formatDay={formats.day} formatTime={formats.time} formatRange={formats.range} />
        ))}
      </div>
      <ol className="flex flex-col gap-3 sm:hidden" aria-label={t("planning.calendar.agenda")}>
        {list.map(({ day, events: onDay }) => (
          <li key={dateKey(day)} className="card p-3 flex flex-col gap-2">
            <h2 className={`font-semibold ${dateKey(day) === dateKey(today) ? "text-accent" : ""}`}>
              {formats.day(day)}{dateKey(day) === dateKey(today) ? ` · ${t("planning.calendar.today")}` : ""}
            </h2>
            <ul className="flex flex-col gap-2">
              {onDay.map((e) => (
                <li key={e.id} className="flex flex-col">
                  <Link to="/events/$eventId" params={{ eventId: e.id }} className="font-medium text-accent hover:underline">{e.event.name}</Link>
                  <span className="flex flex-wrap items-center gap-2 text-sm text-muted">
                    {formats.range(e)} <StatusBadge status={e.event.status} />
                  </span>
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ol>
    </section>
  );
}
