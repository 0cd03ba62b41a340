import { describe, expect, it } from "vitest";
import { agenda, monthWeeks, placeEvents, shiftAnchor, spanOf, weekDays, weekStartFor } from "./calendar.js";
import { dateKey } from "./zonedTime.js";

const VIENNA = "Europe/Vienna";
const event = (id: string, start: string, end: string) => ({ id, start: new Date(start), end: new Date(end) });

describe("calendar", () => {
  it("starts weeks on Sunday in English and Monday in German", () => {
    expect(weekStartFor("en")).toBe(0);
    expect(weekStartFor("de")).toBe(1);
  });

  it("lays a month out in whole weeks", () => {
    const de = monthWeeks({ year: 2025, month: 3, day: 14 }, 1);
    expect(de.map((w) => dateKey(w[0]!))).toEqual(["2025-02-24", "2025-03-03", "2025-03-10", "2025-03-17", "2025-03-24", "2025-03-31"]);
    const en = monthWeeks({ year: 2025, month: 3, day: 14 }, 0);
    expect(dateKey(en[0]![0]!)).toBe("2025-02-23");
    expect(dateKey(en.at(-1)!.at(-1)!)).toBe("2025-04-05");
    expect(monthWeeks({ year: 2021, month: 2, day: 1 }, 1)).toHaveLength(4);
  });

  it("covers the DST week in Vienna with 167 hours from local midnight to local midnight", () => {
    const days = weekDays({ year: 2025, month: 3, day: 30 }, 1);
    expect(dateKey(days[0]!)).toBe("2025-03-24");
    const span = spanOf(days, VIENNA);
    expect(span.start.toISOString()).toBe("2025-03-23T23:00:00.000Z");
    expect(span.end.toISOString()).toBe("2025-03-30T22:00:00.000Z");
    expect((span.end.getTime() - span.start.getTime()) / 3_600_000).toBe(167);
  });

  it("places events in the DST week on the right local days", () => {
    const days = weekDays({ year: 2025, month: 3, day: 26 }, 1);
    // Sunday 30 March 23:30 local time is 21:30 UTC (summer time): still Sunday, the last column.
    const late = event("late", "2025-03-30T21:30:00Z", "2025-03-30T21:45:00Z");
    // Saturday 18:00 to Monday 10:00 local: runs off the end of the week.
    const weekend = event("weekend", "2025-03-29T17:00:00Z", "2025-03-31T08:00:00Z");
    const placed = placeEvents([late, weekend], days, VIENNA);
    expect(placed.find((s) => s.event.id === "late")).toMatchObject({ startColumn: 6, endColumn: 6, continuesAfter: false });
    expect(placed.find((s) => s.event.id === "weekend")).toMatchObject({ startColumn: 5, endColumn: 6, continuesAfter: true, continuesBefore: false });
  });

  it("treats periods as half-open and stacks overlapping events in lanes", () => {
    const days = weekDays({ year: 2025, month: 6, day: 2 }, 1);
    const a = event("a", "2025-06-01T22:00:00Z", "2025-06-03T22:00:00Z"); // Mon 00:00 – Wed 00:00
    const b = event("b", "2025-06-03T08:00:00Z", "2025-06-05T08:00:00Z"); // Tue – Thu
    const c = event("c", "2025-06-04T08:00:00Z", "2025-06-04T09:00:00Z"); // Wed
    const before = event("before", "2025-05-20T08:00:00Z", "2025-06-02T08:00:00Z");
    const placed = placeEvents([c, b, a, before], days, VIENNA);
    const by = (id: string) => placed.find((s) => s.event.id === id);
    expect(by("a")).toMatchObject({ startColumn: 0, endColumn: 1 });
    expect(by("before")).toMatchObject({ startColumn: 0, endColumn: 0, continuesBefore: true });
    expect(by("b")).toMatchObject({ startColumn: 1, endColumn: 3 });
    expect(by("a")!.lane).not.toBe(by("before")!.lane);
    expect(by("a")!.lane).not.toBe(by("b")!.lane);
    expect(by("c")!.lane).not.toBe(by("b")!.lane);
  });

  it("leaves out events outside the row and lists days with events for the agenda", () => {
    const days = weekDays({ year: 2025, month: 6, day: 2 }, 1);
    const outside = event("x", "2025-07-01T08:00:00Z", "2025-07-02T08:00:00Z");
    const point = event("p", "2025-06-04T08:00:00Z", "2025-06-04T08:00:00Z");
    expect(placeEvents([outside], days, VIENNA)).toEqual([]);
    const list = agenda([outside, point], days, VIENNA);
    expect(list.map((d) => dateKey(d.day))).toEqual(["2025-06-04"]);
  });

  it("pages by month or week", () => {
    expect(dateKey(shiftAnchor("month", { year: 2025, month: 1, day: 31 }, -1))).toBe("2024-12-01");
    expect(dateKey(shiftAnchor("week", { year: 2025, month: 3, day: 27 }, 1))).toBe("2025-04-03");
  });
});
