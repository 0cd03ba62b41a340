/**
 * Sends the queued scans, oldest first, one at a time. A network failure stops the replay (the
 * scan stays first in the queue, so the order holds) and a retry is scheduled with back-off; a
 * scan the server refuses for a reason of its own leaves the queue with that answer. One replay
 * runs at a time; asking again while one runs makes it go on until the queue is empty.
 */
import { Code, ConnectError } from "@connectrpc/connect";
import type { QueuedScan, ScanStore } from "./scanQueue.js";

/** True when the failure says nothing about the scan: no connection, or try again later. */
export function isNetworkFailure(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const connect = ConnectError.from(err);
  switch (connect.code) {
    case Code.Unavailable:
    case Code.DeadlineExceeded:
    case Code.Canceled:
    case Code.Aborted:
    case Code.ResourceExhausted:
    case Code.Internal:
    case Code.Unauthenticated: // the session ran out: the scan waits for the next sign-in
      return true;
    case Code.Unknown:
      // fetch() itself failed (no connection): not an answer from the server.
      return !connect.isWireError;
    default:
      return false;
  }
}

/** Wait before retry number `attempt` (1, 2, …): 2 s doubling to at most a minute. */
export function backoffDelay(attempt: number, baseMs = 2_000, maxMs = 60_000): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

export type Settled<R> = { kind: "answered"; result: R } | { kind: "rejected"; error: unknown };

export interface DrainReport {
  sent: number;
  rejected: number;
  /** The network failure that stopped the replay; undefined when the queue is empty. */
  stoppedBy?: unknown;
}

/** Sends every queued scan in order until the queue is empty or the network fails. */
export async function drainQueue<R>(
  queue: ScanStore,
  send: (scan: QueuedScan) => Promise<R>,
  onSettled: (scan: QueuedScan, settled: Settled<R>) => void,
  networkFailure: (err: unknown) => boolean = isNetworkFailure,
): Promise<DrainReport> {
  const report: DrainReport = { sent: 0, rejected: 0 };
  for (let next = await queue.peek(); next; next = await queue.peek()) {
    let settled: Settled<R>;
    try {
      settled = { kind: "answered", result: await send(next) };
      report.sent++;
    } catch (err) {
      if (networkFailure(err)) return { ...report, stoppedBy: err };
      settled = { kind: "rejected", error: err };
      report.rejected++;
    }
    await queue.remove(next.seq);
    onSettled(next, settled);
  }
  return report;
}

export interface ReplayState {
  waiting: number;
  running: boolean;
  /** Retries since the last replay that emptied the queue. */
  attempt: number;
  /** The network failure that stopped the last replay (cleared when one empties the queue). */
  lastError?: unknown;
  /** The last replay's report. */
  last?: DrainReport;
}

export interface ReplayerDeps<R> {
  queue: ScanStore;
  send: (scan: QueuedScan) => Promise<R>;
  onSettled: (scan: QueuedScan, settled: Settled<R>) => void;
  onState: (state: ReplayState) => void;
  isOnline: () => boolean;
  setTimer: (run: () => void, ms: number) => unknown;
  clearTimer: (timer: unknown) => void;
  networkFailure?: (err: unknown) => boolean;
}

export class Replayer<R> {
  private state: ReplayState = { waiting: 0, running: false, attempt: 0 };
  private current?: Promise<void>;
  private again = false;
  private timer: unknown;
  private stopped = false;

  constructor(private readonly deps: ReplayerDeps<R>) {}

  /** Replays now; resolves when the queue is empty or the replay stopped on a network failure. */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.current) {
      this.again = true;
      return this.current;
    }
    this.current = this.loop().finally(() => {
      this.current = undefined;
    });
    return this.current;
  }

  /** Counts the queue again (after a scan was queued without a replay). */
  async refresh() {
    this.update({ waiting: await this.deps.queue.count() });
  }

  stop() {
    this.stopped = true;
    if (this.timer !== undefined) this.deps.clearTimer(this.timer);
    this.timer = undefined;
  }

  private async loop() {
    if (this.timer !== undefined) this.deps.clearTimer(this.timer);
    this.timer = undefined;
    do {
      this.again = false;
      if (!this.deps.isOnline()) {
        this.update({ waiting: await this.deps.queue.count(), attempt: this.state.attempt + 1 });
        this.schedule();
        return;
      }
      this.update({ running: true });
      let report: DrainReport;
      try {
        report = await drainQueue(this.deps.queue, this.deps.send, this.deps.onSettled, this.deps.networkFailure);
      } catch (storageError) {
        // The queue itself failed (storage full, database closed): try again later.
        report = { sent: 0, rejected: 0, stoppedBy: storageError };
      }
      const waiting = await this.deps.queue.count().catch(() => this.state.waiting);
      const stopped = report.stoppedBy !== undefined;
      this.update({
        running: false,
        waiting,
        last: report,
        lastError: report.stoppedBy,
        attempt: stopped ? this.state.attempt + 1 : 0,
      });
      if (stopped) {
        this.schedule();
        return;
      }
    } while (this.again);
  }

  private schedule() {
    if (this.stopped || this.state.waiting === 0) return;
    const delay = backoffDelay(Math.max(1, this.state.attempt));
    this.timer = this.deps.setTimer(() => {
      this.timer = undefined;
      void this.kick();
    }, delay);
  }

  private update(change: Partial<ReplayState>) {
    this.state = { ...this.state, ...change };
    this.deps.onState(this.state);
  }
}
