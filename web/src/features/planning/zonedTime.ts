/**
 * Wall-clock dates and times in a named time zone (the person's, from preferences), without a
 * date library: Intl tells the wall clock of an instant, and the reverse is found from the zone's
 * offset. Calendar days are civil dates (year, month, day) so that day arithmetic never trips
 * over a 23- or 25-hour day at a daylight-saving change.
 */
export interface CivilDate {
  year: number;
  /** 1 to 12. */
  month: number;
  day: number;
}

export interface CivilDateTime extends CivilDate {
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** The wall clock in `timeZone` at `instant`. */
export function wallClock(instant: Date, timeZone: string): CivilDateTime & { second: number } {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(instant)) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: (parts.hour ?? 0) % 24,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** How far `timeZone` is ahead of UTC at `instant`, in milliseconds. */
export function offsetMs(instant: Date, timeZone: string): number {
  const w = wallClock(instant, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/**
 * The instant at which the wall clock in `timeZone` shows `when`. A time that does not exist
 * (skipped when clocks go forward) moves forward by the gap; a time that exists twice (when
 * clocks go back) is the earlier one.
 */
export function instantOf(when: CivilDateTime, timeZone: string): Date {
  const naive = Date.UTC(when.year, when.month - 1, when.day, when.hour, when.minute);
  const before = offsetMs(new Date(naive - 86_400_000), timeZone);
  const after = offsetMs(new Date(naive + 86_400_000), timeZone);
  const candidates = [naive - before, naive - after]
    .filter((t) => sameWallClock(new Date(t), when, timeZone))
    .sort((a, b) => a - b);
  // None fits in a gap: the offset before the change lands just after the gap on the wall clock.
  return new Date(candidates[0] ?? naive - before);
}

function sameWallClock(instant: Date, when: CivilDateTime, timeZone: string): boolean {
  const w = wallClock(instant, timeZone);
  return w.year === when.year && w.month === when.month && w.day === when.day &&
    w.hour === when.hour && w.minute === when.minute;
}

/** The first instant of a civil day in `timeZone`. */
export function startOfDay(date: CivilDate, timeZone: string): Date {
  return instantOf({ ...date, hour: 0, minute: 0 }, timeZone);
}

export function civilDateOf(instant: Date, timeZone: string): CivilDate {
  const { year, month, day } = wallClock(instant, timeZone);
  return { year, month, day };
}

export function addDays(date: CivilDate, days: number): CivilDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(date: CivilDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
}

export function compareDates(a: CivilDate, b: CivilDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** `2025-03-30`: a day's key, also the calendar's URL parameter. */
export function dateKey(date: CivilDate): string {
  return `${pad(date.year, 4)}-${pad(date.month)}-${pad(date.day)}`;
}

export function parseDateKey(key: string): CivilDate | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(key);
  if (!match) return undefined;
  const date = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
  return compareDates(addDays(date, 0), date) === 0 ? date : undefined;
}

/** The value of an `<input type="datetime-local">` showing `instant` in `timeZone`. */
export function toLocalInput(instant: Date | undefined, timeZone: string): string {
  if (!instant) return "";
  const w = wallClock(instant, timeZone);
  return `${dateKey(w)}T${pad(w.hour)}:${pad(w.minute)}`;
}

/** The instant an `<input type="datetime-local">` value means in `timeZone`; undefined if empty. */
export function fromLocalInput(value: string, timeZone: string): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour, minute] = match.map(Number) as [number, number, number, number, number, number];
  return instantOf({ year, month, day, hour, minute }, timeZone);
}
