import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { CheckAvailabilityResponseSchema, ConflictSchema, EventStatus } from "../../gen/eventkit/v1/planning_pb.js";
import { clashesForLine, clashesOf, lineAvailability } from "./availability.js";
import { byStart, matchesSearch, presetPeriod } from "./eventFilters.js";
import { currencyDigits, parseAmount } from "./money.js";
import { buildRrule } from "./recurrence.js";
import { allowedTransitions, pullListOpen } from "./status.js";

describe("status machine", () => {
  it("offers the moves the API allows", () => {
    expect(allowedTransitions(EventStatus.CONFIRMED)).toEqual([EventStatus.PROVISIONAL, EventStatus.PREPPED, EventStatus.CANCELLED]);
    expect(allowedTransitions(EventStatus.CANCELLED)).toEqual([EventStatus.ENQUIRY]);
    expect(allowedTransitions(EventStatus.COMPLETED)).toEqual([]);
    expect(pullListOpen(EventStatus.RETURNED)).toBe(false);
    expect(pullListOpen(EventStatus.OUT)).toBe(true);
  });
});

describe("recurrence", () => {
  it("writes the RRULE subset", () => {
    expect(buildRrule({ frequency: "WEEKLY", interval: 1, byDay: ["SA", "FR"], end: { kind: "count", count: 10 } }))
      .toBe("FREQ=WEEKLY;BYDAY=FR,SA;COUNT=10");
    expect(buildRrule({ frequency: "MONTHLY", interval: 2, byDay: ["MO"], end: { kind: "until", until: new Date("2025-12-31T22:59:59Z") } }))
      .toBe("FREQ=MONTHLY;INTERVAL=2;UNTIL=20251231T225959Z");
  });
});

describe("availability", () => {
  const check = create(CheckAvailabilityResponseSchema, {
    available: false,
    availableQuantity: 0,
    shortQuantity: 9,
    ownedQuantity: 10,
    inRepairQuantity: 2,
    bookings: [
      { eventId: "me", eventName: "Us", quantity: 5 },
      { eventId: "other", eventName: "Them", quantity: 6 },
    ],
    components: [{ productId: "cable", quantityPerKit: 2, shortQuantity: 12, availableQuantity: 0 }],
  });

  it("takes this event's own reservation out of the shortage", () => {
    const a = lineAvailability(check, "me", 5);
    expect(a.short).toBe(4);
    expect(a.free).toBe(1);
    expect(a.otherBookings.map((b) => b.eventId)).toEqual(["other"]);
    expect(a.components).toEqual([{ productId: "cable", perKit: 2, short: 2, free: 8 }]);
  });

  it("keeps the shortage when the event does not reserve yet", () => {
    expect(lineAvailability(check, "enquiry", 5).short).toBe(9);
  });

  it("counts this event's own units as free for it when nothing is short", () => {
    const roomy = create(CheckAvailabilityResponseSchema, { available: true, availableQuantity: 3, bookings: [{ eventId: "me", quantity: 4 }] });
    expect(lineAvailability(roomy, "me", 4)).toMatchObject({ short: 0, free: 7 });
  });

  it("finds the other side of this event's conflicts, inside cases too", () => {
    const conflicts = [
      create(ConflictSchema, { assetId: "a1", caseId: "c1", first: { eventId: "me" }, second: { eventId: "x" }, doubleBooked: true }),
      create(ConflictSchema, { assetId: "a2", first: { eventId: "y" }, second: { eventId: "me" } }),
      create(ConflictSchema, { assetId: "a3", first: { eventId: "y" }, second: { eventId: "z" } }),
    ];
    const clashes = clashesOf(conflicts, "me");
    expect(clashes.map((c) => c.other.eventId)).toEqual(["x", "y"]);
    expect(clashesForLine(clashes, { caseId: "c1" }).map((c) => c.assetId)).toEqual(["a1"]);
    expect(clashesForLine(clashes, { assetId: "a2" })).toHaveLength(1);
  });
});

describe("money input", () => {
  it("reads amounts in minor units", () => {
    expect(currencyDigits("EUR")).toBe(2);
    expect(parseAmount("12,50", 2)).toBe(1250n);
    expect(parseAmount("12.5", 2)).toBe(1250n);
    expect(parseAmount("1.234,50", 2)).toBe(123450n);
    expect(parseAmount("1,234.50", 2)).toBe(123450n);
    expect(parseAmount("1.234", 2)).toBe(123400n);
    expect(parseAmount("300", 0)).toBe(300n);
    expect(parseAmount("12,345", 2)).toBe(1234500n);
    expect(parseAmount("1.2.3", 2)).toBeUndefined();
    expect(parseAmount("-5", 2)).toBeUndefined();
    expect(parseAmount("1,999", 3)).toBe(1999n);
  });
});

describe("event filters", () => {
  it("counts presets in whole local days", () => {
    const period = presetPeriod("next30", new Date("2025-03-20T23:30:00Z"), "Europe/Vienna");
    expect(period?.start.toISOString()).toBe("2025-03-20T23:00:00.000Z");
    expect(period?.end.toISOString()).toBe("2025-04-19T22:00:00.000Z");
    expect(presetPeriod("all", new Date(), "UTC")).toBeUndefined();
  });

  it("matches every word in name, client or venue", () => {
    const e = { name: "Summer Gala", clientName: "ACME", venue: "Hofburg Wien" };
    expect(matchesSearch(e, "gala hofburg")).toBe(true);
    expect(matchesSearch(e, "gala berlin")).toBe(false);
    expect(matchesSearch(e, "  ")).toBe(true);
  });

  it("orders by start, undated last", () => {
    const at = (s: number, name: string) => ({ name, period: { start: { seconds: BigInt(s), nanos: 0 } } }) as never;
    const list = [at(5, "b"), { name: "undated" } as never, at(1, "a")].sort(byStart);
    expect(list.map((e: { name: string }) => e.name)).toEqual(["a", "b", "undated"]);
  });
});
