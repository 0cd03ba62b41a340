/**
 * The recurrence a person picks in the event form, written as the RRULE subset the API takes
 * (planning.proto, CreateRecurringEventsRequest.rrule): FREQ, INTERVAL, BYDAY for weekly rules,
 * and exactly one of COUNT and UNTIL.
 */
export type Frequency = "DAILY" | "WEEKLY" | "MONTHLY";
export const FREQUENCIES: readonly Frequency[] = ["DAILY", "WEEKLY", "MONTHLY"];
/** RFC 5545 weekday codes, Sunday first like Date#getUTCDay. */
export const WEEKDAYS = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** The API's limit on occurrences. */
export const MAX_OCCURRENCES = 366;

export interface Recurrence {
  frequency: Frequency;
  interval: number;
  byDay: readonly Weekday[];
  end: { kind: "count"; count: number } | { kind: "until"; until: Date };
}

const pad = (n: number) => String(n).padStart(2, "0");

/** `20250131T225959Z`: an UNTIL value in UTC. */
export function untilValue(until: Date): string {
  return `${until.getUTCFullYear()}${pad(until.getUTCMonth() + 1)}${pad(until.getUTCDate())}T` +
    `${pad(until.getUTCHours())}${pad(until.getUTCMinutes())}${pad(until.getUTCSeconds())}Z`;
}

export function buildRrule(rule: Recurrence): string {
  const parts = [`FREQ=${rule.frequency}`];
  if (rule.interval > 1) parts.push(`INTERVAL=${Math.floor(rule.interval)}`);
  if (rule.frequency === "WEEKLY" && rule.byDay.length > 0) {
    const ordered = WEEKDAYS.filter((d) => rule.byDay.includes(d));
    parts.push(`BYDAY=${ordered.join(",")}`);
  }
  parts.push(rule.end.kind === "count" ? `COUNT=${Math.floor(rule.end.count)}` : `UNTIL=${untilValue(rule.end.until)}`);
  return parts.join(";");
}
