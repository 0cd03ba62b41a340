/**
 * What a pull-list line's availability check means for this event. CheckAvailability counts
 * every reservation at the tightest moment, this event's own among them when its status
 * reserves; asking it for the line's quantity would then count the line twice. So this event's
 * own booking is taken back out, and what is left is what other events, repairs and missing
 * stock take away. Serialised assets and cases get their clashes from ListConflicts instead.
 */
import type { Booking, CheckAvailabilityResponse, Conflict } from "../../gen/eventkit/v1/planning_pb.js";
import { toDate } from "../../lib/format.js";

export interface ComponentShortage {
  productId: string;
  perKit: number;
  short: number;
  free: number;
}

export interface LineAvailability {
  /** Units missing for this line at the tightest moment (0: the line is covered). */
  short: number;
  /** Units free for this event at the tightest moment, its own reservation included. */
  free: number;
  owned: number;
  inRepair: number;
  subRented: number;
  /** The other events reserving the product at the tightest moment: why it is short. */
  otherBookings: Booking[];
  /** For a kit: the components that are short. */
  components: ComponentShortage[];
  /** The tightest stretch of the event's period. */
  tightest?: { start: Date; end: Date };
}

/**
 * `quantity`: what the line asks for. When it is short, what is free for this event is the
 * quantity less the shortage (the API's `availableQuantity` stops at 0 when over-booked).
 */
export function lineAvailability(check: CheckAvailabilityResponse, eventId: string, quantity: number): LineAvailability {
  const own = check.bookings.filter((b) => b.eventId === eventId).reduce((sum, b) => sum + b.quantity, 0);
  const freeFor = (need: number, short: number, available: number, held: number) =>
    short > 0 ? Math.max(0, need - short) : available + held;
  const short = Math.max(0, check.shortQuantity - own);
  return {
    short,
    free: freeFor(quantity, short, check.availableQuantity, own),
    owned: check.ownedQuantity,
    inRepair: check.inRepairQuantity,
    subRented: check.subRentedQuantity,
    otherBookings: check.bookings.filter((b) => b.eventId !== eventId),
    components: check.components
      .map((c) => {
        const componentShort = Math.max(0, c.shortQuantity - own * c.quantityPerKit);
        return {
          productId: c.productId,
          perKit: c.quantityPerKit,
          short: componentShort,
          free: freeFor(quantity * c.quantityPerKit, componentShort, c.availableQuantity, own * c.quantityPerKit),
        };
      })
      .filter((c) => c.short > 0),
    tightest: check.tightest?.start && check.tightest.end
      ? { start: toDate(check.tightest.start)!, end: toDate(check.tightest.end)! }
      : undefined,
  };
}

/** A clash of one serialised asset or case of this event with another event. */
export interface Clash {
  assetId: string;
  caseId: string;
  other: Booking;
  doubleBooked: boolean;
}

/** The conflicts that involve this event, seen from it: the other side is the other event. */
export function clashesOf(conflicts: readonly Conflict[], eventId: string): Clash[] {
  const clashes: Clash[] = [];
  for (const c of conflicts) {
    const other = c.first?.eventId === eventId ? c.second : c.second?.eventId === eventId ? c.first : undefined;
    if (!other) continue;
    clashes.push({ assetId: c.assetId, caseId: c.caseId, other, doubleBooked: c.doubleBooked });
  }
  return clashes;
}

/** The clashes that concern one line: its asset, or its case and whatever is inside the case. */
export function clashesForLine(clashes: readonly Clash[], line: { assetId?: string; caseId?: string }): Clash[] {
  if (line.assetId) return clashes.filter((c) => c.assetId === line.assetId);
  if (line.caseId) return clashes.filter((c) => c.caseId === line.caseId);
  return [];
}

/** Sub-rents help this event when their period overlaps its period. */
export function overlaps(a: { start: Date; end: Date }, b: { start: Date; end: Date }): boolean {
  return a.start < b.end && b.start < a.end;
}
