/**
 * The lists the person picks from: events a scan can be made for (search by name, client or
 * venue), locations by their full path ("Main › Lighting › Bin 3"), and what an event's
 * progress adds up to.
 */
import { EventStatus, type Event } from "../../gen/eventkit/v1/planning_pb.js";
import type { Location } from "../../gen/eventkit/v1/inventory_pb.js";
import type { LineProgress } from "../../gen/eventkit/v1/scanning_pb.js";

/** Check-out needs a confirmed, prepped or out event; things come back from out or returned ones. */
export const EVENT_STATUSES = {
  checkOut: [EventStatus.CONFIRMED, EventStatus.PREPPED, EventStatus.OUT],
  checkIn: [EventStatus.PREPPED, EventStatus.OUT, EventStatus.RETURNED],
} as const;

const startOf = (event: Event) => Number(event.period?.start?.seconds ?? event.prepTime?.seconds ?? 0n);

/** Events matching every word of `query`, soonest start first. */
export function matchEvents(events: readonly Event[], query: string): Event[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return events
    .filter((event) => {
      const text = `${event.name} ${event.clientName} ${event.venue}`.toLowerCase();
      return words.every((word) => text.includes(word));
    })
    .sort((a, b) => startOf(a) - startOf(b) || a.name.localeCompare(b.name));
}

export interface LocationChoice {
  id: string;
  label: string;
}

/** Every location labelled with its path from the warehouse, sorted by that path. */
export function locationChoices(locations: readonly Location[]): LocationChoice[] {
  const byId = new Map(locations.map((l) => [l.id, l]));
  const label = (location: Location): string => {
    const names = [location.name];
    const seen = new Set([location.id]);
    for (let parent = byId.get(location.parentId); parent && !seen.has(parent.id); parent = byId.get(parent.parentId)) {
      names.unshift(parent.name);
      seen.add(parent.id);
    }
    return names.join(" › ");
  };
  return locations.map((l) => ({ id: l.id, label: label(l) })).sort((a, b) => a.label.localeCompare(b.label));
}

export interface ProgressTotals {
  asked: number;
  out: number;
  returned: number;
  missing: number;
  consumed: number;
  /** Asked for and not out yet. */
  toGo: number;
}

export function progressTotals(lines: readonly LineProgress[]): ProgressTotals {
  const totals: ProgressTotals = { asked: 0, out: 0, returned: 0, missing: 0, consumed: 0, toGo: 0 };
  for (const line of lines) {
    totals.asked += line.quantity;
    totals.out += line.outQuantity;
    totals.returned += line.returnedQuantity;
    totals.missing += line.missingQuantity;
    totals.consumed += line.consumedQuantity;
    totals.toGo += Math.max(0, line.quantity - line.outQuantity);
  }
  return totals;
}

/** Whether a line still needs scanning in this mode: not all out (check-out), not all back (check-in). */
export function lineOpen(line: LineProgress, mode: "checkOut" | "checkIn"): boolean {
  return mode === "checkOut" ? line.outQuantity < line.quantity : line.missingQuantity > 0;
}

/** Open lines first, in pull-list order otherwise. */
export function orderLines(lines: readonly LineProgress[], mode: "checkOut" | "checkIn"): LineProgress[] {
  return lines
    .map((line, index) => ({ line, index }))
    .sort((a, b) => Number(lineOpen(b.line, mode)) - Number(lineOpen(a.line, mode)) || a.index - b.index)
    .map(({ line }) => line);
}
