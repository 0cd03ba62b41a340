/**
 * `Idempotency-Key`s for writes a person may retry (docs/api.md, "Retries"). `idempotent(key)`
 * is the call option for one key. `idempotencyKeys()` keeps a key per request: the same request
 * sent again (a double click, a retry after a lost answer) keeps its key, so the API answers it
 * once; a changed request gets a new key (the API refuses one key for two requests, and keeps
 * refusals such as field errors). A batch retried after a partial failure reuses each request's
 * key. Not for calls whose answer holds a secret (CreateApiKey, RotateApiKey, webhook secrets):
 * those answers are never kept for replay.
 */
import { useState } from "react";

/** The second argument of a client call that sends `key` (a new one when left out). */
export function idempotent(key: string = crypto.randomUUID()) {
  return { headers: { "Idempotency-Key": key } };
}

export function fingerprint(request: unknown): string {
  return JSON.stringify(request, (_, value: unknown) => (typeof value === "bigint" ? `${value}n` : value));
}

export interface IdempotencyKeys {
  /** The call options carrying the key for this request. */
  options(request: unknown): { headers: Record<string, string> };
  /** Forgets the keys after a success: the next request is a new one even if it looks the same. */
  settle(): void;
}

export function idempotencyKeys(newKey: () => string = () => crypto.randomUUID()): IdempotencyKeys {
  const keys = new Map<string, string>();
  return {
    options(request) {
      const print = fingerprint(request);
      const key = keys.get(print) ?? newKey();
      keys.set(print, key);
      return idempotent(key);
    },
    settle() {
      keys.clear();
    },
  };
}

/** One form's keys, kept for the form's lifetime. */
export function useIdempotencyKeys(): IdempotencyKeys {
  const [keys] = useState(() => idempotencyKeys());
  return keys;
}
