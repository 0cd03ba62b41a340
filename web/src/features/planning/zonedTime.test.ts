import { describe, expect, it } from "vitest";
import { addDays, dateKey, dayOfWeek, fromLocalInput, instantOf, parseDateKey, startOfDay, toLocalInput, wallClock } from "./zonedTime.js";

const VIENNA = "Europe/Vienna";

describe("zoned time", () => {
  it("reads the wall clock of an instant in a zone", () => {
    expect(wallClock(new Date("2025-07-01T10:15:00Z"), VIENNA)).toMatchObject({ hour: 12, minute: 15, day: 1 });
    expect(wallClock(new Date("2025-01-01T10:15:00Z"), VIENNA)).toMatchObject({ hour: 11 });
  });

  it("finds the instant of a wall-clock time in summer and winter", () => {
    expect(instantOf({ year: 2025, month: 7, day: 1, hour: 9, minute: 0 }, VIENNA).toISOString()).toBe("2025-07-01T07:00:00.000Z");
    expect(instantOf({ year: 2025, month: 1, day: 1, hour: 9, minute: 0 }, VIENNA).toISOString()).toBe("2025-01-01T08:00:00.000Z");
    expect(instantOf({ year: 2025, month: 1, day: 1, hour: 9, minute: 0 }, "America/New_York").toISOString()).toBe("2025-01-01T14:00:00.000Z");
  });

  it("moves a time skipped by the spring change forward, and takes the earlier of a doubled time", () => {
    expect(instantOf({ year: 2025, month: 3, day: 30, hour: 2, minute: 30 }, VIENNA).toISOString()).toBe("2025-03-30T01:30:00.000Z");
    expect(instantOf({ year: 2025, month: 10, day: 26, hour: 2, minute: 30 }, VIENNA).toISOString()).toBe("2025-10-26T00:30:00.000Z");
  });

  it("starts days at local midnight across a DST change", () => {
    expect(startOfDay({ year: 2025, month: 3, day: 30 }, VIENNA).toISOString()).toBe("2025-03-29T23:00:00.000Z");
    expect(startOfDay({ year: 2025, month: 3, day: 31 }, VIENNA).toISOString()).toBe("2025-03-30T22:00:00.000Z");
  });

  it("does civil day arithmetic across months and years", () => {
    expect(dateKey(addDays({ year: 2024, month: 12, day: 30 }, 3))).toBe("2025-01-02");
    expect(dateKey(addDays({ year: 2024, month: 3, day: 1 }, -1))).toBe("2024-02-29");
    expect(dayOfWeek({ year: 2025, month: 3, day: 30 })).toBe(0);
  });

  it("parses only real date keys", () => {
    expect(parseDateKey("2025-02-28")).toEqual({ year: 2025, month: 2, day: 28 });
    expect(parseDateKey("2025-02-30")).toBeUndefined();
    expect(parseDateKey("soon")).toBeUndefined();
  });

  it("round-trips datetime-local values in the person's zone", () => {
    const instant = fromLocalInput("2025-03-30T18:00", VIENNA);
    expect(instant?.toISOString()).toBe("2025-03-30T16:00:00.000Z");
    expect(toLocalInput(instant, VIENNA)).toBe("2025-03-30T18:00");
    expect(toLocalInput(instant, "UTC")).toBe("2025-03-30T16:00");
    expect(fromLocalInput("", VIENNA)).toBeUndefined();
  });
});
