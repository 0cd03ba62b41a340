/**
 * Idempotency keys for the planning writes that create something (docs/api.md, Retries): the
 * same request sent again (a double click, a retry after a dropped connection) carries the same
 * key, so the API answers it once. A changed request gets a new key, because the API refuses a
 * key it has seen with a different request, and it keeps refusals such as field errors.
 */
import { useState } from "react";

type Json = (value: unknown) => string;

const stableJson: Json = (value) =>
  JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));

export class IdempotencyKeys {
  private last: { body: string; key: string } | undefined;

  constructor(private readonly makeKey: () => string = () => crypto.randomUUID()) {}

  /** The key for this request: the previous one when the request is the same. */
  keyFor(request: unknown): string {
    const body = stableJson(request);
    if (this.last?.body !== body) this.last = { body, key: this.makeKey() };
    return this.last.key;
  }

  /** After a success: the next request, even an identical one, is a new write. */
  done() {
    this.last = undefined;
  }
}

/** The second argument of a client call that sends the key. */
export function withKey(key: string) {
  return { headers: { "Idempotency-Key": key } };
}

/** One key keeper per form, for the form's lifetime. */
export function useIdempotencyKeys(): IdempotencyKeys {
  const [keys] = useState(() => new IdempotencyKeys());
  return keys;
}
