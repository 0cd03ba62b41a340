/** Paging to the end of a List RPC: every page, in order (the API answers at most 500 items a page). */
export async function fetchAll<T>(
  page: (pageToken: string) => Promise<{ items: T[]; next: string }>,
  onPage?: (loaded: number) => void,
): Promise<T[]> {
  const all: T[] = [];
  let token = "";
  do {
    const answer = await page(token);
    all.push(...answer.items);
    onPage?.(all.length);
    token = answer.next;
  } while (token);
  return all;
}
