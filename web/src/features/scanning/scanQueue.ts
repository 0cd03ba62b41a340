/**
 * The offline queue of scans: a scan made without a connection waits here, in IndexedDB, until
 * it can be sent, and survives a reload. Scans keep the order they were made in (an
 * auto-increment key) and belong to one person in one company (`owner`), so a queue filled in
 * one company is never sent to another.
 */
import { openDatabase, TypedStore } from "./idb.js";

interface ScanBase {
  /** Made by the scanner when the scan is made; the server answers a replay like the first time. */
  clientScanId: string;
  code: string;
  /** When the scan was made (ms since the epoch). */
  madeAt: number;
}

export type PendingScan =
  | (ScanBase & { kind: "checkOut"; eventId: string; quantity: number })
  | (ScanBase & { kind: "checkIn"; eventId: string; quantity: number; damaged: boolean; note: string })
  | (ScanBase & { kind: "stocktake"; stocktakeId: string });

export type ScanKind = PendingScan["kind"];

/** A scan in the queue: its place (`seq`) and whose it is. */
export type QueuedScan = PendingScan & { seq: number; owner: string };

export const QUEUE_DATABASE = "eventkit-scanning";
const STORE = "scans";
const BY_OWNER = "owner";

/** What the replay needs of a queue; `ScanQueue` (IndexedDB) and `MemoryScanQueue` have it. */
export interface ScanStore {
  /** False when scans do not survive a reload (the browser refused IndexedDB). */
  readonly persistent: boolean;
  enqueue(scan: PendingScan): Promise<QueuedScan>;
  list(): Promise<QueuedScan[]>;
  peek(): Promise<QueuedScan | undefined>;
  count(): Promise<number>;
  remove(seq: number): Promise<void>;
  close(): void;
}

export class ScanQueue implements ScanStore {
  readonly persistent = true;

  private constructor(
    private readonly store: TypedStore<QueuedScan | Omit<QueuedScan, "seq">, number>,
    private readonly db: IDBDatabase,
    readonly owner: string,
  ) {}

  static async open(owner: string, factory?: IDBFactory, name = QUEUE_DATABASE): Promise<ScanQueue> {
    const db = await openDatabase(
      name,
      1,
      (database) => {
        const store = database.createObjectStore(STORE, { keyPath: "seq", autoIncrement: true });
        store.createIndex(BY_OWNER, "owner");
      },
      factory,
    );
    return new ScanQueue(new TypedStore(db, STORE), db, owner);
  }

  /** Puts a scan at the end of the queue. */
  async enqueue(scan: PendingScan): Promise<QueuedScan> {
    const stored = { ...scan, owner: this.owner };
    const seq = await this.store.add(stored);
    return { ...stored, seq };
  }

  /** This owner's scans, oldest first. */
  async list(): Promise<QueuedScan[]> {
    return (await this.store.allByIndex(BY_OWNER, this.owner)) as QueuedScan[];
  }

  /** The oldest scan of this owner, the next to send. */
  async peek(): Promise<QueuedScan | undefined> {
    return (await this.store.firstByIndex(BY_OWNER, this.owner)) as QueuedScan | undefined;
  }

  count(): Promise<number> {
    return this.store.countByIndex(BY_OWNER, this.owner);
  }

  remove(seq: number): Promise<void> {
    return this.store.delete(seq);
  }

  close() {
    this.db.close();
  }
}

/** The stand-in when IndexedDB cannot be opened (some private modes): the same queue, in memory. */
export class MemoryScanQueue implements ScanStore {
  readonly persistent = false;
  private scans: QueuedScan[] = [];
  private next = 1;

  constructor(readonly owner: string) {}

  async enqueue(scan: PendingScan): Promise<QueuedScan> {
    const queued = { ...scan, owner: this.owner, seq: this.next++ };
    this.scans.push(queued);
    return queued;
  }

  async list() {
    return [...this.scans];
  }

  async peek() {
    return this.scans[0];
  }

  async count() {
    return this.scans.length;
  }

  async remove(seq: number) {
    this.scans = this.scans.filter((s) => s.seq !== seq);
  }

  close() {}
}

/** The IndexedDB queue, or the in-memory one when the browser refuses IndexedDB. */
export async function openScanStore(owner: string): Promise<ScanStore> {
  try {
    return await ScanQueue.open(owner);
  } catch {
    return new MemoryScanQueue(owner);
  }
}

/** A fresh client scan id: a UUID (crypto.randomUUID needs a secure context; the fallback does not). */
export function newScanId(): string {
  const crypto = globalThis.crypto;
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
