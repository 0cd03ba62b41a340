/**
 * Wires the offline queue into the screen: every scan is written to the queue first and the
 * queue is replayed at once, so scans always reach the server in the order they were made. A
 * scan answered right away settles its own `submit`; one that had to wait settles as `queued`,
 * and its answer arrives later through `onLate`. Replays run on the `online` event, on a retry
 * timer with back-off, and on demand.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";
import type { ScanResult } from "../../gen/eventkit/v1/scanning_pb.js";
import { keyAfter, sendScan } from "./api.js";
import type { Settlement } from "./outcome.js";
import { Replayer, type ReplayState, type Settled } from "./replay.js";
import { openScanStore, type PendingScan, type QueuedScan, type ScanStore } from "./scanQueue.js";

type Answer = ScanResult | undefined;

interface Engine {
  queue: ScanStore;
  replayer: Replayer<Answer>;
}

const isOnline = () => globalThis.navigator?.onLine ?? true;

export function useScanQueue(
  owner: string,
  onLate: (scan: QueuedScan, settled: Settled<Answer>) => void,
  onRestore: (scans: QueuedScan[]) => void,
) {
  const queries = useQueryClient();
  const [state, setState] = useState<ReplayState>({ waiting: 0, running: false, attempt: 0 });
  const [online, setOnline] = useState(isOnline);
  const [persistent, setPersistent] = useState(true);
  const engine = useRef<Promise<Engine>>(undefined);
  const waitingFor = useRef(new Map<string, (settled: Settlement) => void>());
  const callbacks = useRef({ onLate, onRestore });
  useEffect(() => {
    callbacks.current = { onLate, onRestore };
  });

  useEffect(() => {
    let replayer: Replayer<Answer> | undefined;
    let queue: ScanStore | undefined;
    let active = true;
    const onSettled = (scan: QueuedScan, settled: Settled<Answer>) => {
      void queries.invalidateQueries({ queryKey: keyAfter(scan) });
      const resolve = waitingFor.current.get(scan.clientScanId);
      waitingFor.current.delete(scan.clientScanId);
      if (resolve) resolve(settled);
      else callbacks.current.onLate(scan, settled);
    };
    engine.current = openScanStore(owner).then(async (store) => {
      queue = store;
      replayer = new Replayer<Answer>({
        queue: store,
        send: sendScan,
        onSettled,
        onState: (next) => active && setState(next),
        isOnline,
        setTimer: (run, ms) => setTimeout(run, ms),
        clearTimer: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
      });
      if (active) {
        setPersistent(store.persistent);
        callbacks.current.onRestore(await store.list());
        void replayer.kick();
      }
      return { queue: store, replayer };
    });
    const up = () => {
      setOnline(true);
      void replayer?.kick();
    };
    const down = () => setOnline(false);
    window.addEventListener("online", up);
    window.addEventListener("offline", down);
    return () => {
      active = false;
      window.removeEventListener("online", up);
      window.removeEventListener("offline", down);
      replayer?.stop();
      queue?.close();
    };
  }, [owner, queries]);

  /** Queues the scan and replays; answers the scan's own result, or `queued` if it must wait. */
  const submit = useCallback(async (scan: PendingScan): Promise<Settlement> => {
    const { queue, replayer } = await engine.current!;
    const settled = new Promise<Settlement>((resolve) => waitingFor.current.set(scan.clientScanId, resolve));
    try {
      await queue.enqueue(scan);
    } catch (err) {
      waitingFor.current.delete(scan.clientScanId);
      return { kind: "rejected", error: err };
    }
    await replayer.kick();
    const resolve = waitingFor.current.get(scan.clientScanId);
    if (resolve) {
      // Still in the queue: a network failure stopped the replay before it.
      waitingFor.current.delete(scan.clientScanId);
      resolve({ kind: "queued" });
    }
    return settled;
  }, []);

  const replayNow = useCallback(async () => {
    const { replayer } = await engine.current!;
    await replayer.kick();
  }, []);

  return { state, online, persistent, submit, replayNow };
}
