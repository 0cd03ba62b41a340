/**
 * The calendar's date maths, pure so it can be tested: which weekday a week starts on for a
 * language, the weeks of a month, the days of a week, the instants a row of days covers in the
 * person's time zone (a daylight-saving week is an hour shorter or longer), and where each event
 * is drawn: from which day to which day of a week row, in which lane.
 */
import { addDays, compareDates, dayOfWeek, parseDateKey, startOfDay, type CivilDate } from "./zonedTime.js";

export type CalendarView = "month" | "week";

/** Sunday first in English (US), Monday first in German; per Intl where it knows. 0 = Sunday. */
export function weekStartFor(language: string): number {
  const tag = localeTag(language);
  try {
    const locale = new Intl.Locale(tag) as Intl.Locale & {
      getWeekInfo?: () => { firstDay: number };
      weekInfo?: { firstDay: number };
    };
    const firstDay = locale.getWeekInfo?.().firstDay ?? locale.weekInfo?.firstDay;
    if (firstDay) return firstDay % 7;
  } catch {
    // An unknown tag: fall through to the default.
  }
  return tag.startsWith("en-US") ? 0 : 1;
}

export function startOfWeek(date: CivilDate, weekStart: number): CivilDate {
  return addDays(date, -((dayOfWeek(date) - weekStart + 7) % 7));
}

export function weekDays(anchor: CivilDate, weekStart: number): CivilDate[] {
  const first = startOfWeek(anchor, weekStart);
  return Array.from({ length: 7 }, (_, i) => addDays(first, i));
}

/** The weeks (rows of seven days) that show the whole month of `anchor`. */
export function monthWeeks(anchor: CivilDate, weekStart: number): CivilDate[][] {
  const first = { year: anchor.year, month: anchor.month, day: 1 };
  const weeks: CivilDate[][] = [];
  let start = startOfWeek(first, weekStart);
  while (weeks.length === 0 || start.month === anchor.month) {
    weeks.push(Array.from({ length: 7 }, (_, i) => addDays(start, i)));
    start = addDays(start, 7);
  }
  return weeks;
}

/** The days a view shows around `anchor`. */
export function visibleWeeks(view: CalendarView, anchor: CivilDate, weekStart: number): CivilDate[][] {
  return view === "month" ? monthWeeks(anchor, weekStart) : [weekDays(anchor, weekStart)];
}

/** The half-open span of instants from the first day's midnight to the midnight after the last day. */
export function spanOf(days: CivilDate[], timeZone: string): { start: Date; end: Date } {
  const first = days[0];
  const last = days[days.length - 1];
  if (!first || !last) throw new Error("spanOf needs at least one day");
  return { start: startOfDay(first, timeZone), end: startOfDay(addDays(last, 1), timeZone) };
}

export interface Timed {
  id: string;
  start: Date;
  end: Date;
}

/** An event's bar in one row of days. Columns are inclusive. */
export interface Segment<T extends Timed> {
  event: T;
  startColumn: number;
  endColumn: number;
  lane: number;
  /** The event began before this row (draw the bar open on the left). */
  continuesBefore: boolean;
  /** The event goes on after this row. */
  continuesAfter: boolean;
}

/** Whether the event occupies [dayStart, dayEnd); an event of no length occupies its start's day. */
function occupies(event: Timed, dayStart: Date, dayEnd: Date): boolean {
  if (event.end.getTime() <= event.start.getTime()) {
    return event.start >= dayStart && event.start < dayEnd;
  }
  return event.start < dayEnd && event.end > dayStart;
}

/** The bars of a row of days, each event in the lowest lane free across its days. */
export function placeEvents<T extends Timed>(events: readonly T[], days: CivilDate[], timeZone: string): Segment<T>[] {
  const bounds = [...days, addDays(days[days.length - 1] ?? days[0]!, 1)].map((d) => startOfDay(d, timeZone));
  const segments: Omit<Segment<T>, "lane">[] = [];
  for (const event of events) {
    let startColumn = -1;
    let endColumn = -1;
    days.forEach((_, i) => {
      if (occupies(event, bounds[i]!, bounds[i + 1]!)) {
        if (startColumn < 0) startColumn = i;
        endColumn = i;
      }
    });
    if (startColumn < 0) continue;
    segments.push({
      event,
      startColumn,
      endColumn,
      continuesBefore: event.start < bounds[0]!,
      continuesAfter: event.end > bounds[days.length]!,
    });
  }
  segments.sort((a, b) => a.startColumn - b.startColumn || b.endColumn - a.endColumn ||
    a.event.start.getTime() - b.event.start.getTime() || a.event.id.localeCompare(b.event.id));
  const laneEnds: number[] = [];
  return segments.map((segment) => {
    let lane = laneEnds.findIndex((end) => end < segment.startColumn);
    if (lane < 0) lane = laneEnds.length;
    laneEnds[lane] = segment.endColumn;
    return { ...segment, lane };
  });
}

/** For the agenda: each day of `days` with the events on it, days without events left out. */
export function agenda<T extends Timed>(events: readonly T[], days: CivilDate[], timeZone: string): { day: CivilDate; events: T[] }[] {
  const bounds = [...days, addDays(days[days.length - 1] ?? days[0]!, 1)].map((d) => startOfDay(d, timeZone));
  return days
    .map((day, i) => ({
      day,
      events: events
        .filter((e) => occupies(e, bounds[i]!, bounds[i + 1]!))
        .sort((a, b) => a.start.getTime() - b.start.getTime()),
    }))
    .filter((entry) => entry.events.length > 0);
}

/** The anchor of the previous (-1) or next (+1) page of a view. */
export function shiftAnchor(view: CalendarView, anchor: CivilDate, step: number): CivilDate {
  if (view === "week") return addDays(anchor, 7 * step);
  const shifted = { year: anchor.year, month: anchor.month + step, day: 1 };
  const normal = new Date(Date.UTC(shifted.year, shifted.month - 1, 1));
  return { year: normal.getUTCFullYear(), month: normal.getUTCMonth() + 1, day: 1 };
}

export function isSameDay(a: CivilDate, b: CivilDate): boolean {
  return compareDates(a, b) === 0;
}

/** The calendar's URL search: which view, around which day (`2025-03-30`); today when absent. */
export interface CalendarSearch {
  view?: CalendarView;
  date?: string;
}

export function validateCalendarSearch(raw: Record<string, unknown>): CalendarSearch {
  return {
    view: raw.view === "week" || raw.view === "month" ? raw.view : undefined,
    date: typeof raw.date === "string" && parseDateKey(raw.date) ? raw.date : undefined,
  };
}

/** The BCP 47 tag Intl formats a language with (as lib/format does). */
export function localeTag(language: string): string {
  return language === "en" ? "en-US" : language === "de" ? "de-DE" : language;
}
