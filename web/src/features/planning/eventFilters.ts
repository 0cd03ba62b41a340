/**
 * The events list's filters: period presets counted in whole days of the person's time zone,
 * the text search (the API filters by status and period but not by words), and the order.
 */
import type { Event } from "../../gen/eventkit/v1/planning_pb.js";
import { addDays, civilDateOf, startOfDay } from "./zonedTime.js";

export const PERIOD_PRESETS = ["upcoming", "next30", "past90", "all"] as const;
export type PeriodPreset = (typeof PERIOD_PRESETS)[number];

/** The period a preset means today, or undefined for all events. */
export function presetPeriod(preset: PeriodPreset, now: Date, timeZone: string): { start: Date; end: Date } | undefined {
  const today = civilDateOf(now, timeZone);
  const midnight = (days: number) => startOfDay(addDays(today, days), timeZone);
  switch (preset) {
    case "upcoming":
      return { start: midnight(0), end: midnight(366) };
    case "next30":
      return { start: midnight(0), end: midnight(30) };
    case "past90":
      return { start: midnight(-90), end: midnight(1) };
    case "all":
      return undefined;
  }
}

/** Events whose name, client or venue contain every word of the search (any case). */
export function matchesSearch(event: Pick<Event, "name" | "clientName" | "venue">, search: string): boolean {
  const words = search.toLocaleLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const text = `${event.name} ${event.clientName} ${event.venue}`.toLocaleLowerCase();
  return words.every((w) => text.includes(w));
}

/** By period start (events without a period last), then by name. */
export function byStart(a: Pick<Event, "period" | "name">, b: Pick<Event, "period" | "name">): number {
  const sa = a.period?.start?.seconds;
  const sb = b.period?.start?.seconds;
  if (sa !== undefined && sb !== undefined && sa !== sb) return sa < sb ? -1 : 1;
  if (sa === undefined && sb !== undefined) return 1;
  if (sb === undefined && sa !== undefined) return -1;
  return a.name.localeCompare(b.name);
}

/** The events list's URL search: its filters survive a visit to an event and back. */
export interface EventsSearch {
  status?: number;
  period?: PeriodPreset;
  q?: string;
  deleted?: boolean;
}

export function validateEventsSearch(raw: Record<string, unknown>): EventsSearch {
  const status = Number(raw.status);
  const period = PERIOD_PRESETS.find((p) => p === raw.period);
  return {
    status: Number.isInteger(status) && status >= 1 && status <= 8 ? status : undefined,
    period,
    q: typeof raw.q === "string" && raw.q !== "" ? raw.q : undefined,
    deleted: raw.deleted === true || raw.deleted === "true" ? true : undefined,
  };
}
