/**
 * `Idempotency-Key`s for mutations a person may retry (docs/api.md, "Retries"): the same request
 * sent again keeps its key, so a retry after a lost answer writes nothing twice; a changed request
 * gets a new key (the API refuses one key for two requests). Not for calls whose answer holds a
 * secret (CreateApiKey, RotateApiKey, webhook secrets): those answers are never kept.
 */
export function fingerprint(request: unknown): string {
  return JSON.stringify(request, (_, value: unknown) => (typeof value === "bigint" ? `${value}n` : value));
}

export interface IdempotencyKeys {
  /** The call options carrying the key for this request. */
  options(request: unknown): { headers: Record<string, string> };
  /** Forgets the key after a success: the next request is a new one even if it looks the same. */
  settle(): void;
}

export function idempotencyKeys(newKey: () => string = () => crypto.randomUUID()): IdempotencyKeys {
  let last: { print: string; key: string } | undefined;
  return {
    options(request) {
      const print = fingerprint(request);
      if (last?.print !== print) last = { print, key: newKey() };
      return { headers: { "Idempotency-Key": last.key } };
    },
    settle() {
      last = undefined;
    },
  };
}
