/**
 * What an API error means for a form: the message for the whole form, and a message per field
 * from the `google.rpc.BadRequest` detail (the API renders its field violations in `debug`).
 */
import { ConnectError } from "@connectrpc/connect";

export interface FormError {
  message: string;
  fields: Record<string, string>;
  code: string;
}

interface Violation {
  field?: unknown;
  description?: unknown;
}

export function formError(err: unknown): FormError {
  const connect = ConnectError.from(err);
  const fields: Record<string, string> = {};
  for (const detail of connect.details) {
    if (!("debug" in detail) || detail.type !== "google.rpc.BadRequest") continue;
    const debug = detail.debug as { fieldViolations?: Violation[] } | undefined;
    for (const v of debug?.fieldViolations ?? []) {
      if (typeof v.field === "string" && typeof v.description === "string") {
        fields[fieldKey(v.field)] = v.description;
      }
    }
  }
  return { message: connect.rawMessage, fields, code: codeName(connect.code) };
}

/** `product.daily_rate` and `dailyRate` both name the form field `dailyRate`. */
export function fieldKey(field: string): string {
  const last = field.split(".").pop() ?? field;
  return last.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

function codeName(code: number): string {
  const names = [
    "ok", "canceled", "unknown", "invalid_argument", "deadline_exceeded", "not_found",
    "already_exists", "permission_denied", "resource_exhausted", "failed_precondition",
    "aborted", "out_of_range", "unimplemented", "internal", "unavailable", "data_loss",
    "unauthenticated",
  ];
  return names[code] ?? "unknown";
}
