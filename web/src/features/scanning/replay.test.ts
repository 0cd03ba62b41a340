import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { backoffDelay, isNetworkFailure, Replayer, type ReplayState } from "./replay.js";
import { MemoryScanQueue } from "./scanQueue.js";

function wire(code: Code) {
  const err = new ConnectError("answer", code);
  err.isWireError = true;
  return err;
}

describe("network failures", () => {
  it("counts a failed fetch, unavailable and rate limits as the network", () => {
    expect(isNetworkFailure(new ConnectError("Failed to fetch", Code.Unknown))).toBe(true);
    expect(isNetworkFailure(wire(Code.Unavailable))).toBe(true);
    expect(isNetworkFailure(wire(Code.ResourceExhausted))).toBe(true);
    expect(isNetworkFailure(new TypeError("Failed to fetch"))).toBe(true);
  });

  it("counts the server's refusals as answers", () => {
    expect(isNetworkFailure(wire(Code.InvalidArgument))).toBe(false);
    expect(isNetworkFailure(wire(Code.NotFound))).toBe(false);
    expect(isNetworkFailure(wire(Code.FailedPrecondition))).toBe(false);
    expect(isNetworkFailure(wire(Code.Unknown))).toBe(false);
  });
});

describe("back-off", () => {
  it("doubles from 2 s up to a minute", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map((a) => backoffDelay(a))).toEqual([
      2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000,
    ]);
  });
});

describe("replayer", () => {
  function setup(online: () => boolean, send: (code: string) => Promise<string>) {
    const queue = new MemoryScanQueue("t/u");
    const timers: { run: () => void; ms: number }[] = [];
    const states: ReplayState[] = [];
    const settled: string[] = [];
    const replayer = new Replayer<string>({
      queue,
      send: (s) => send(s.code),
      onSettled: (s) => settled.push(s.code),
      onState: (state) => states.push(state),
      isOnline: online,
      setTimer: (run, ms) => timers.push({ run, ms }),
      clearTimer: () => undefined,
    });
    const add = (code: string) =>
      queue.enqueue({ kind: "stocktake", clientScanId: code, code, stocktakeId: "s", madeAt: 0 });
    return { queue, timers, states, settled, replayer, add };
  }

  it("does not send while offline and retries on a timer", async () => {
    let online = false;
    const { timers, settled, replayer, add, states } = setup(() => online, async (c) => c);
    await add("H1");
    await replayer.kick();
    expect(settled).toEqual([]);
    expect(states.at(-1)?.waiting).toBe(1);
    expect(timers).toHaveLength(1);
    online = true;
    timers[0]!.run();
    await replayer.kick();
    expect(settled).toEqual(["H1"]);
    expect(states.at(-1)).toMatchObject({ waiting: 0, attempt: 0, lastError: undefined });
  });

  it("backs off longer after each failed replay and keeps the error", async () => {
    const { timers, replayer, add, states } = setup(() => true, async () => {
      throw new ConnectError("Failed to fetch", Code.Unknown);
    });
    await add("I1");
    await replayer.kick();
    await replayer.kick();
    expect(timers.map((t) => t.ms)).toEqual([2000, 4000]);
    expect(states.at(-1)?.attempt).toBe(2);
    expect(ConnectError.from(states.at(-1)?.lastError).rawMessage).toBe("Failed to fetch");
  });

  it("goes on with scans queued while a replay runs", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { settled, replayer, add } = setup(() => true, async (c) => {
      if (c === "J1") await gate;
      return c;
    });
    await add("J1");
    const first = replayer.kick();
    await add("J2");
    const second = replayer.kick();
    release();
    await Promise.all([first, second]);
    expect(settled).toEqual(["J1", "J2"]);
  });
});
