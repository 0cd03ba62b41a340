/**
 * Work on several items one after another (replaying chosen webhook deliveries), reporting
 * progress after each and collecting what failed, so one refusal does not stop the rest.
 */
export interface BatchResult<T> {
  done: T[];
  failed: { item: T; error: unknown }[];
}

export async function runEach<T>(
  items: readonly T[],
  work: (item: T) => Promise<unknown>,
  progress: (finished: number, total: number) => void = () => undefined,
): Promise<BatchResult<T>> {
  const result: BatchResult<T> = { done: [], failed: [] };
  for (const item of items) {
    try {
      await work(item);
      result.done.push(item);
    } catch (error) {
      result.failed.push({ item, error });
    }
    progress(result.done.length + result.failed.length, items.length);
  }
  return result;
}
