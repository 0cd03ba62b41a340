/**
 * How a field-level history entry reads: a JSON value as text, who made the change, and the
 * entries newest first.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function valueText(value: Json | undefined): string {
  if (value === undefined || value === null || value === "") return "—";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

export type Actor = { kind: "me" } | { kind: "user"; id: string } | { kind: "apiKey"; id: string } | { kind: "other"; id: string };

/** `user:<subject>` or `api_key:<id>`, as the API records it. */
export function parseActor(actor: string, myUserId: string): Actor {
  const [kind, ...rest] = actor.split(":");
  const id = rest.join(":");
  if (kind === "user") return id === myUserId ? { kind: "me" } : { kind: "user", id };
  if (kind === "api_key") return { kind: "apiKey", id };
  return { kind: "other", id: actor };
}

export function newestFirst<T extends { createTime?: { seconds: bigint; nanos: number } }>(entries: readonly T[]): T[] {
  const at = (e: T) => Number(e.createTime?.seconds ?? 0n) * 1000 + Math.floor((e.createTime?.nanos ?? 0) / 1e6);
  return entries.map((e, i) => ({ e, i })).sort((a, b) => at(b.e) - at(a.e) || b.i - a.i).map((x) => x.e);
}
