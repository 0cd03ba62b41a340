/**
 * What the person holding the scanner is told about a scan: a tone (shown as colour AND as text,
 * and heard as a sound) and a headline from the catalogues, with the server's own sentence as the
 * detail. Maps every `ScanOutcome` and the API's errors.
 */
import { formError } from "../../api/errors.js";
import { ScanOutcome, type ScanResult } from "../../gen/eventkit/v1/scanning_pb.js";

/** `ok` counted; `warn` harmless (a repeat, a discrepancy); `problem` look at it; `queued` sent later. */
export type Tone = "ok" | "warn" | "problem" | "queued";

export type Mode = "checkOut" | "checkIn" | "stocktake" | "packing";

export interface Feedback {
  tone: Tone;
  /** A key under `scanning.` in the catalogues. */
  title: string;
  values?: Record<string, string | number>;
  /** The server's sentence, or the error's message; shown as is. */
  detail?: string;
}

const WARN_OUTCOMES = new Set([
  ScanOutcome.ALREADY_OUT,
  ScanOutcome.ALREADY_RETURNED,
  ScanOutcome.ALREADY_COUNTED,
  ScanOutcome.NOT_EXPECTED,
]);

export function toneOf(outcome: ScanOutcome): Tone {
  if (outcome === ScanOutcome.DONE) return "ok";
  return WARN_OUTCOMES.has(outcome) ? "warn" : "problem";
}

/** The answer of a check-out, check-in or stocktake scan. */
export function feedbackForResult(result: ScanResult | undefined, mode: Mode): Feedback {
  const outcome = result?.outcome ?? ScanOutcome.UNSPECIFIED;
  const name = ScanOutcome[outcome] ?? "UNSPECIFIED";
  const title = outcome === ScanOutcome.DONE ? `outcome.DONE_${mode}` : `outcome.${name}`;
  const quantity = result?.quantity ?? 0;
  const assets = result?.assetIds.length ?? 0;
  return {
    tone: toneOf(outcome),
    title,
    values: { count: Math.max(quantity, assets, 1) },
    detail: result?.message || undefined,
  };
}

/** API error codes with a headline of their own; the rest say "not done" with the message. */
const KNOWN_ERRORS = new Set(["not_found", "failed_precondition", "invalid_argument", "permission_denied"]);

export function feedbackForError(err: unknown): Feedback {
  const error = formError(err);
  const detail = Object.values(error.fields)[0] ?? error.message;
  return {
    tone: "problem",
    title: KNOWN_ERRORS.has(error.code) ? `error.${error.code}` : "error.other",
    detail: detail || undefined,
  };
}

export const QUEUED: Feedback = { tone: "queued", title: "outcome.QUEUED" };

export type Settlement =
  | { kind: "answered"; result: ScanResult | undefined }
  | { kind: "rejected"; error: unknown }
  | { kind: "queued" };

/** What to say about a scan, however it ended: answered, refused, or waiting in the queue. */
export function feedbackFor(settlement: Settlement, mode: Mode): Feedback {
  switch (settlement.kind) {
    case "answered":
      return feedbackForResult(settlement.result, mode);
    case "rejected":
      return feedbackForError(settlement.error);
    case "queued":
      return QUEUED;
  }
}
