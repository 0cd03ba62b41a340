/**
 * One row of seven days in the calendar: the day numbers (today marked), and every event as a
 * bar across the days it covers, in lanes so that overlapping events stack. Bars open on a side
 * when the event goes on beyond the row. Each bar links to the event.
 */
import { Link } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";
import { EventStatus, type Event } from "../../gen/eventkit/v1/planning_pb.js";
import { isSameDay, placeEvents, type Timed } from "./calendar.js";
import { statusKey, statusTone } from "./status.js";
import { dateKey, type CivilDate } from "./zonedTime.js";

export interface CalendarEvent extends Timed {
  event: Event;
}

interface Props {
  days: CivilDate[];
  events: readonly CalendarEvent[];
  timeZone: string;
  today: CivilDate;
  /** The month shown: days of other months are dimmed. Absent in the week view. */
  month?: number;
  tall?: boolean;
  formatDay: (day: CivilDate) => string;
  formatTime: (instant: Date) => string;
  formatRange: (event: CalendarEvent) => string;
}

export function CalendarWeek({ days, events, timeZone, today, month, tall, formatDay, formatTime, formatRange }: Props) {
  const { t } = useTranslation();
  const segments = placeEvents(events, days, timeZone);
  const lanes = segments.reduce((max, s) => Math.max(max, s.lane + 1), 0);
  return (
    <div className={`cal-week ${tall ? "cal-week-tall" : ""}`}
      style={{ gridTemplateRows: `2rem ${"auto ".repeat(lanes)}minmax(0.75rem, 1fr)` }}>
      {days.map((day, i) => {
        const isToday = isSameDay(day, today);
        const outside = month !== undefined && day.month !== month;
        return (
          <div key={`bg-${dateKey(day)}`} className={`cal-day ${isToday ? "cal-today" : ""} ${outside ? "cal-outside" : ""}`}
            style={{ gridColumn: i + 1, gridRow: "1 / -1" }} />
        );
      })}
      {days.map((day, i) => {
        const isToday = isSameDay(day, today);
        return (
          <div key={`n-${dateKey(day)}`} className="cal-day-number" style={{ gridColumn: i + 1, gridRow: 1 }}>
            <time dateTime={dateKey(day)} aria-label={formatDay(day)} className={isToday ? "cal-today-number" : ""}
              aria-current={isToday ? "date" : undefined}>
              {day.day}
            </time>
            {isToday && <span className="sr-only">{t("planning.calendar.today")}</span>}
          </div>
        );
      })}
      {segments.map((s) => {
        const { event } = s.event;
        return (
          <Link key={`${event.id}-${s.startColumn}`} to="/events/$eventId" params={{ eventId: event.id }}
            className={`cal-bar ${statusTone(event.status)} ${s.continuesBefore ? "cal-open-start" : ""} ${s.continuesAfter ? "cal-open-end" : ""} ${event.status === EventStatus.CANCELLED ? "line-through" : ""}`}
            style={{ gridColumn: `${s.startColumn + 1} / ${s.endColumn + 2}`, gridRow: s.lane + 2 }}
            aria-label={t("planning.calendar.barLabel", { name: event.name, when: formatRange(s.event), status: t(statusKey(event.status)) })}
            title={`${event.name} · ${formatRange(s.event)}`}>
            {!s.continuesBefore && <span className="cal-bar-time">{formatTime(s.event.start)}</span>}
            <span className="truncate">{event.name}</span>
            {tall && <span className="cal-bar-detail truncate">{formatRange(s.event)}</span>}
          </Link>
        );
      })}
    </div>
  );
}
