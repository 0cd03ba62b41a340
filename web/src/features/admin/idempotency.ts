/**
 * `Idempotency-Key`s for mutations a person may retry (docs/api.md, "Retries"): the same request
 * sent again keeps its key, so a retry after a lost answer writes nothing twice; a changed request
 * gets a new key (the API refuses one key for two requests). Keys are kept per request, so a batch
 * (replaying several deliveries) retried after a partial failure reuses each request's key and
 * nothing done already is done twice. Not for calls whose answer holds a
 * secret (CreateApiKey, RotateApiKey, webhook secrets): those answers are never kept.
 */
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
      return { headers: { "Idempotency-Key": key } };
    },
    settle() {
      keys.clear();
    },
  };
}
