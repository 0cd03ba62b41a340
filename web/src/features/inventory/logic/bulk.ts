/**
 * Runs one API call per item (a bulk status change, move, add to an event) a few at a time,
 * reporting "n of m" as it goes, keeping each failure with its item, and stopping when
 * cancelled. Each item gets one idempotency key for all its tries, so a retry after a lost
 * answer never writes twice.
 */
export interface BulkItem {
  id: string;
  label: string;
}

export interface BulkFailure extends BulkItem {
  message: string;
}

export interface BulkProgress {
  total: number;
  done: number;
  succeeded: number;
  failures: BulkFailure[];
  state: "running" | "finished" | "cancelled";
}

export interface BulkOptions {
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (progress: BulkProgress) => void;
  /** Tries per item for errors worth retrying (rate limit, unavailable, aborted). */
  attempts?: number;
  retryable?: (err: unknown) => boolean;
  describe?: (err: unknown) => string;
  wait?: (ms: number) => Promise<void>;
  newKey?: () => string;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function runBulk<T extends BulkItem>(
  items: readonly T[],
  work: (item: T, idempotencyKey: string) => Promise<unknown>,
  options: BulkOptions = {},
): Promise<BulkProgress> {
  const {
    concurrency = 3,
    signal,
    onProgress,
    attempts = 3,
    retryable = () => false,
    describe = (err) => (err instanceof Error ? err.message : String(err)),
    wait = sleep,
    newKey = () => crypto.randomUUID(),
  } = options;
  const progress: BulkProgress = { total: items.length, done: 0, succeeded: 0, failures: [], state: "running" };
  const report = () => onProgress?.({ ...progress, failures: [...progress.failures] });
  report();
  let next = 0;

  async function one(item: T) {
    const key = newKey();
    for (let attempt = 1; ; attempt++) {
      try {
        await work(item, key);
        progress.succeeded++;
        return;
      } catch (err) {
        if (attempt < attempts && retryable(err) && !signal?.aborted) {
          await wait(500 * 2 ** (attempt - 1));
          continue;
        }
        progress.failures.push({ id: item.id, label: item.label, message: describe(err) });
        return;
      }
    }
  }

  async function worker() {
    while (next < items.length && !signal?.aborted) {
      const item = items[next++] as T;
      await one(item);
      progress.done++;
      report();
    }
  }

  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  progress.state = signal?.aborted && progress.done < progress.total ? "cancelled" : "finished";
  report();
  return progress;
}
