/**
 * The event form's state as the person types it (local date-times in their time zone) and its
 * translation into the API's fields: CreateEvent / UpdateEvent fields and, for a series, the
 * RRULE of CreateRecurringEvents. Checks that need no server (both ends of the period, end after
 * start) happen here; everything else the API answers field by field.
 */
import { timestampFromDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import type { Event } from "../../gen/eventkit/v1/planning_pb.js";
import { toDate } from "../../lib/format.js";
import { buildRrule, MAX_OCCURRENCES, WEEKDAYS, type Frequency, type Weekday } from "./recurrence.js";
import { addDays, dayOfWeek, fromLocalInput, parseDateKey, startOfDay, toLocalInput, wallClock } from "./zonedTime.js";

export interface EventDraft {
  name: string;
  clientName: string;
  venue: string;
  projectId: string;
  prepTime: string;
  start: string;
  end: string;
}

export interface RecurrenceDraft {
  repeat: boolean;
  frequency: Frequency;
  interval: string;
  byDay: Weekday[];
  endKind: "count" | "until";
  count: string;
  until: string;
}

export function draftFrom(event: Event | undefined, timeZone: string): EventDraft {
  return {
    name: event?.name ?? "",
    clientName: event?.clientName ?? "",
    venue: event?.venue ?? "",
    projectId: event?.projectId ?? "",
    prepTime: toLocalInput(toDate(event?.prepTime), timeZone),
    start: toLocalInput(toDate(event?.period?.start), timeZone),
    end: toLocalInput(toDate(event?.period?.end), timeZone),
  };
}

export const NO_RECURRENCE: RecurrenceDraft = {
  repeat: false,
  frequency: "WEEKLY",
  interval: "1",
  byDay: [],
  endKind: "count",
  count: "4",
  until: "",
};

/** Field → catalogue key of what is wrong, for the checks that need no server. */
export function draftProblems(draft: EventDraft, recurrence: RecurrenceDraft, timeZone: string): Record<string, string> {
  const problems: Record<string, string> = {};
  const start = fromLocalInput(draft.start, timeZone);
  const end = fromLocalInput(draft.end, timeZone);
  if (start && !end) problems.end = "planning.form.endMissing";
  if (end && !start) problems.start = "planning.form.startMissing";
  if (start && end && end <= start) problems.end = "planning.form.endBeforeStart";
  const prep = fromLocalInput(draft.prepTime, timeZone);
  if (prep && start && prep > start) problems.prepTime = "planning.form.prepAfterStart";
  if (recurrence.repeat) {
    if (!start || !end) problems.start ??= "planning.form.seriesNeedsPeriod";
    const interval = Number(recurrence.interval);
    if (!Number.isInteger(interval) || interval < 1) problems.interval = "planning.form.wholeNumber";
    if (recurrence.endKind === "count") {
      const count = Number(recurrence.count);
      if (!Number.isInteger(count) || count < 1 || count > MAX_OCCURRENCES) problems.count = "planning.form.countRange";
    } else if (!parseDateKey(recurrence.until)) {
      problems.until = "planning.form.untilMissing";
    }
  }
  return problems;
}

function timestamp(value: string, timeZone: string): Timestamp | undefined {
  const instant = fromLocalInput(value, timeZone);
  return instant ? timestampFromDate(instant) : undefined;
}

/** The fields CreateEvent, CreateRecurringEvents and UpdateEvent share. */
export function eventFields(draft: EventDraft, timeZone: string) {
  const start = timestamp(draft.start, timeZone);
  const end = timestamp(draft.end, timeZone);
  return {
    name: draft.name.trim(),
    clientName: draft.clientName.trim(),
    venue: draft.venue.trim(),
    projectId: draft.projectId,
    prepTime: timestamp(draft.prepTime, timeZone),
    period: start && end ? { start, end } : undefined,
  };
}

/** UpdateEvent's mask: every field the form edits (an emptied field is cleared). */
export const UPDATE_MASK = ["name", "client_name", "venue", "project_id", "prep_time", "period"];

/** The RRULE of a series; UNTIL is the end of the chosen day in the person's time zone. */
export function rruleOf(recurrence: RecurrenceDraft, draft: EventDraft, timeZone: string): string {
  const start = fromLocalInput(draft.start, timeZone);
  const startDay = start ? WEEKDAYS[dayOfWeek(wallClock(start, timeZone))] : undefined;
  const byDay = recurrence.byDay.length > 0 ? recurrence.byDay : startDay ? [startDay] : [];
  const untilDay = parseDateKey(recurrence.until);
  const end =
    recurrence.endKind === "until" && untilDay
      ? { kind: "until" as const, until: new Date(startOfDay(addDays(untilDay, 1), timeZone).getTime() - 1000) }
      : { kind: "count" as const, count: Number(recurrence.count) };
  return buildRrule({ frequency: recurrence.frequency, interval: Number(recurrence.interval), byDay, end });
}
