import "fake-indexeddb/auto";
import { Code, ConnectError } from "@connectrpc/connect";
import { IDBFactory } from "fake-indexeddb";
import { beforeEach, describe, expect, it } from "vitest";
import { drainQueue, type Settled } from "./replay.js";
import { MemoryScanQueue, ScanQueue, type PendingScan, type QueuedScan } from "./scanQueue.js";

let factory: IDBFactory;
beforeEach(() => {
  factory = new IDBFactory();
});

let made = 0;
function scan(code: string): PendingScan {
  made++;
  return { kind: "checkOut", clientScanId: `id-${code}`, code, eventId: "event-1", quantity: 1, madeAt: made };
}

const offline = () => new ConnectError("Failed to fetch", Code.Unknown, undefined, undefined, new TypeError("Failed to fetch"));
const refused = () => {
  const err = new ConnectError("stocktake is closed", Code.FailedPrecondition);
  err.isWireError = true;
  return err;
};

describe("scan queue (IndexedDB)", () => {
  it("keeps scans in the order they were made", async () => {
    const queue = await ScanQueue.open("tenant/user", factory);
    for (const code of ["A1", "A2", "A3"]) await queue.enqueue(scan(code));
    expect((await queue.list()).map((s) => s.code)).toEqual(["A1", "A2", "A3"]);
    expect((await queue.peek())?.code).toBe("A1");
    expect(await queue.count()).toBe(3);
  });

  it("survives closing and opening again (a reload)", async () => {
    const first = await ScanQueue.open("tenant/user", factory);
    await first.enqueue(scan("B1"));
    await first.enqueue(scan("B2"));
    first.close();
    const again = await ScanQueue.open("tenant/user", factory);
    expect((await again.list()).map((s) => [s.code, s.clientScanId])).toEqual([
      ["B1", "id-B1"],
      ["B2", "id-B2"],
    ]);
  });

  it("keeps each owner's scans apart", async () => {
    const mine = await ScanQueue.open("tenant-a/user", factory);
    const theirs = await ScanQueue.open("tenant-b/user", factory);
    await mine.enqueue(scan("C1"));
    await theirs.enqueue(scan("C2"));
    expect((await mine.list()).map((s) => s.code)).toEqual(["C1"]);
    expect(await theirs.count()).toBe(1);
  });
});

describe("replay", () => {
  async function filled(...codes: string[]) {
    const queue = await ScanQueue.open("tenant/user", factory);
    for (const code of codes) await queue.enqueue(scan(code));
    return queue;
  }

  it("sends in order with the same client scan ids and empties the queue", async () => {
    const queue = await filled("D1", "D2", "D3");
    const sent: string[] = [];
    const report = await drainQueue(
      queue,
      async (s) => {
        sent.push(s.clientScanId);
        return s.code;
      },
      () => undefined,
    );
    expect(sent).toEqual(["id-D1", "id-D2", "id-D3"]);
    expect(report).toEqual({ sent: 3, rejected: 0 });
    expect(await queue.count()).toBe(0);
  });

  it("stops at the first network failure and keeps that scan first", async () => {
    const queue = await filled("E1", "E2", "E3");
    const sent: string[] = [];
    const report = await drainQueue(
      queue,
      async (s) => {
        if (s.code === "E2") throw offline();
        sent.push(s.code);
        return s.code;
      },
      () => undefined,
    );
    expect(sent).toEqual(["E1"]);
    expect(report.sent).toBe(1);
    expect(report.stoppedBy).toBeInstanceOf(ConnectError);
    expect((await queue.list()).map((s) => s.code)).toEqual(["E2", "E3"]);

    const later: string[] = [];
    await drainQueue(queue, async (s) => later.push(s.code), () => undefined);
    expect(later).toEqual(["E2", "E3"]);
  });

  it("takes a scan the server refuses out of the queue with its answer and goes on", async () => {
    const queue = await filled("F1", "F2");
    const settled: [QueuedScan, Settled<string>][] = [];
    const report = await drainQueue(
      queue,
      async (s) => {
        if (s.code === "F1") throw refused();
        return "done";
      },
      (s, result) => settled.push([s, result]),
    );
    expect(report).toEqual({ sent: 1, rejected: 1 });
    expect(settled.map(([s, r]) => [s.code, r.kind])).toEqual([
      ["F1", "rejected"],
      ["F2", "answered"],
    ]);
    const [, first] = settled[0]!;
    expect(first.kind === "rejected" && ConnectError.from(first.error).code).toBe(Code.FailedPrecondition);
    expect(await queue.count()).toBe(0);
  });

  it("works the same on the in-memory stand-in", async () => {
    const queue = new MemoryScanQueue("tenant/user");
    await queue.enqueue(scan("G1"));
    await queue.enqueue(scan("G2"));
    const sent: string[] = [];
    await drainQueue(queue, async (s) => {
      if (s.code === "G2") throw offline();
      sent.push(s.code);
    }, () => undefined);
    expect(sent).toEqual(["G1"]);
    expect((await queue.list()).map((s) => s.code)).toEqual(["G2"]);
    expect(queue.persistent).toBe(false);
  });
});
