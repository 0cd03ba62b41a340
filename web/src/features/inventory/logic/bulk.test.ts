import { describe, expect, it } from "vitest";
import { runBulk, type BulkProgress } from "./bulk.js";

const items = ["a", "b", "c", "d"].map((id) => ({ id, label: id.toUpperCase() }));
let counter = 0;
const newKey = () => `k${++counter}`;

describe("runBulk", () => {
  it("runs every item, reports n of m and lists failures per item", async () => {
    const seen: BulkProgress[] = [];
    const result = await runBulk(
      items,
      async (item) => {
        if (item.id === "c") throw new Error("code taken");
      },
      { concurrency: 2, onProgress: (p) => seen.push(p), newKey },
    );
    expect(result).toMatchObject({ total: 4, done: 4, succeeded: 3, state: "finished" });
    expect(result.failures).toEqual([{ id: "c", label: "C", message: "code taken" }]);
    expect(seen.map((p) => p.done)).toEqual([0, 1, 2, 3, 4, 4]);
  });

  it("retries retryable errors with the same idempotency key", async () => {
    const keys: string[] = [];
    let fails = 2;
    const result = await runBulk(
      items.slice(0, 1),
      async (_item, key) => {
        keys.push(key);
        if (fails-- > 0) throw new Error("busy");
      },
      { retryable: () => true, wait: async () => undefined, newKey },
    );
    expect(result.succeeded).toBe(1);
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
  });

  it("uses a different key per item", async () => {
    const keys = new Set<string>();
    await runBulk(items, async (_i, key) => void keys.add(key), { newKey });
    expect(keys.size).toBe(4);
  });

  it("stops starting items once cancelled", async () => {
    const abort = new AbortController();
    const ran: string[] = [];
    const result = await runBulk(
      items,
      async (item) => {
        ran.push(item.id);
        if (item.id === "b") abort.abort();
      },
      { concurrency: 1, signal: abort.signal, newKey },
    );
    expect(ran).toEqual(["a", "b"]);
    expect(result).toMatchObject({ done: 2, succeeded: 2, state: "cancelled" });
  });

  it("finishes at once with nothing to do", async () => {
    expect(await runBulk([], async () => undefined)).toMatchObject({ total: 0, done: 0, state: "finished" });
  });
});
