import { describe, expect, it } from "vitest";
import { draftProblems, eventFields, NO_RECURRENCE, rruleOf, type EventDraft } from "./eventDraft.js";

const VIENNA = "Europe/Vienna";
const draft: EventDraft = {
  name: " Gala ", clientName: "ACME", venue: "Hofburg", projectId: "",
  prepTime: "2025-03-27T08:00", start: "2025-03-28T18:00", end: "2025-03-30T12:00",
};

describe("event draft", () => {
  it("turns local date-times into instants of the person's zone", () => {
    const fields = eventFields(draft, VIENNA);
    expect(fields.name).toBe("Gala");
    expect(fields.period?.start?.seconds).toBe(BigInt(Date.parse("2025-03-28T17:00:00Z") / 1000));
    // After the change to summer time: UTC+2.
    expect(fields.period?.end?.seconds).toBe(BigInt(Date.parse("2025-03-30T10:00:00Z") / 1000));
    expect(eventFields({ ...draft, start: "", end: "" }, VIENNA).period).toBeUndefined();
  });

  it("finds what needs no server to be wrong", () => {
    expect(draftProblems(draft, NO_RECURRENCE, VIENNA)).toEqual({});
    expect(draftProblems({ ...draft, end: "2025-03-28T17:00" }, NO_RECURRENCE, VIENNA)).toEqual({ end: "planning.form.endBeforeStart" });
    expect(draftProblems({ ...draft, end: "" }, NO_RECURRENCE, VIENNA)).toEqual({ end: "planning.form.endMissing" });
    const series = { ...NO_RECURRENCE, repeat: true, count: "400" };
    expect(draftProblems({ ...draft, start: "", end: "", prepTime: "" }, series, VIENNA))
      .toEqual({ start: "planning.form.seriesNeedsPeriod", count: "planning.form.countRange" });
  });

  it("writes a weekly rule on the start's weekday, or until the end of a local day", () => {
    expect(rruleOf({ ...NO_RECURRENCE, repeat: true }, draft, VIENNA)).toBe("FREQ=WEEKLY;BYDAY=FR;COUNT=4");
    const until = { ...NO_RECURRENCE, repeat: true, frequency: "MONTHLY" as const, endKind: "until" as const, until: "2025-06-30" };
    expect(rruleOf(until, draft, VIENNA)).toBe("FREQ=MONTHLY;UNTIL=20250630T215959Z");
  });
});
