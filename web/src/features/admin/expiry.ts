/**
 * Days from date fields (`YYYY-MM-DD`) in the person's time zone: an API key works to the end of
 * its last day (empty: no expiry); a replay period runs from the start of its first day.
 */
export function startOfDay(date: string, timeZone: string, addDays = 0): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return undefined;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  // Midnight in UTC, moved by the zone's offset at that moment.
  const utcMidnight = Date.UTC(y, m - 1, d + addDays);
  return new Date(utcMidnight - offsetMs(utcMidnight, timeZone));
}

export function endOfDay(date: string, timeZone: string): Date | undefined {
  const next = startOfDay(date, timeZone, 1);
  return next && new Date(next.getTime() - 1);
}

/** How far the zone is ahead of UTC at `at` (e.g. +2 h in Berlin in summer). */
function offsetMs(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(at));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const local = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return local - at;
}

/** Today as `YYYY-MM-DD` in the zone, the earliest a date field may offer. */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(now);
}
