/** Periods relative to now, as the API's `Period` messages, for "the next N days" style reads. */
import { timestampFromDate } from "@bufbuild/protobuf/wkt";

export const DAY_MS = 86_400_000;

/** From `fromDays` to `toDays` days from now (negative: in the past). */
export function daysFromNow(fromDays: number, toDays: number) {
  const now = Date.now();
  return {
    start: timestampFromDate(new Date(now + fromDays * DAY_MS)),
    end: timestampFromDate(new Date(now + toDays * DAY_MS)),
  };
}
