/**
 * A small typed wrapper over the raw IndexedDB API (no dependency): open a database with its
 * upgrade, and object-store calls as promises, each in its own transaction that has committed
 * when the promise resolves.
 */
export function requestResult<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("IndexedDB request failed"));
  });
}

function committed(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error("IndexedDB transaction failed"));
    tx.onabort = () => reject(tx.error ?? new Error("IndexedDB transaction aborted"));
  });
}

export function openDatabase(
  name: string,
  version: number,
  upgrade: (db: IDBDatabase, oldVersion: number) => void,
  factory: IDBFactory = globalThis.indexedDB,
): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    if (!factory) {
      reject(new Error("IndexedDB is not available"));
      return;
    }
    const request = factory.open(name, version);
    request.onupgradeneeded = (event) => upgrade(request.result, event.oldVersion);
    request.onerror = () => reject(request.error ?? new Error("IndexedDB open failed"));
    request.onsuccess = () => {
      const db = request.result;
      // Another tab upgrading the schema: step aside instead of blocking it.
      db.onversionchange = () => db.close();
      resolve(db);
    };
  });
}

/** One object store of `T` values with primary keys `K`. */
export class TypedStore<T, K extends IDBValidKey> {
  constructor(
    private readonly db: IDBDatabase,
    private readonly name: string,
  ) {}

  private async run<R>(mode: IDBTransactionMode, call: (store: IDBObjectStore) => IDBRequest<R>): Promise<R> {
    const tx = this.db.transaction(this.name, mode);
    const [result] = await Promise.all([requestResult(call(tx.objectStore(this.name))), committed(tx)]);
    return result;
  }

  /** Adds a value; answers its key (the generated one for auto-increment stores). */
  add(value: T): Promise<K> {
    return this.run("readwrite", (store) => store.add(value)) as Promise<K>;
  }

  /** Values whose `index` equals `key`, in index order then primary-key order. */
  allByIndex(index: string, key: IDBValidKey): Promise<T[]> {
    return this.run("readonly", (store) => store.index(index).getAll(key)) as Promise<T[]>;
  }

  /** The first value (lowest primary key) whose `index` equals `key`. */
  async firstByIndex(index: string, key: IDBValidKey): Promise<T | undefined> {
    const cursor = await this.run("readonly", (store) => store.index(index).openCursor(key));
    return (cursor?.value as T | undefined) ?? undefined;
  }

  countByIndex(index: string, key: IDBValidKey): Promise<number> {
    return this.run("readonly", (store) => store.index(index).count(key));
  }

  async delete(key: K): Promise<void> {
    await this.run("readwrite", (store) => store.delete(key));
  }
}
