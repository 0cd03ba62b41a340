/**
 * What a table shows and how: visible columns, sort and filters, and the person's saved views
 * (name + filters + columns + sort). Pure functions; `viewStore.ts` keeps them in localStorage.
 */
export type SortDir = "asc" | "desc";

export interface Sort {
  column: string;
  dir: SortDir;
}

export interface ViewState<F> {
  filters: F;
  /** Ids of the visible columns, in the table's column order. */
  columns: string[];
  sort?: Sort;
}

export interface SavedView<F> extends ViewState<F> {
  name: string;
}

/** Shows or hides a column; the table's order is kept and the last visible column stays. */
export function toggleColumn(visible: readonly string[], id: string, all: readonly string[]): string[] {
  const set = new Set(visible);
  if (set.has(id)) {
    if (set.size === 1) return [...visible];
    set.delete(id);
  } else if (all.includes(id)) {
    set.add(id);
  }
  return all.filter((column) => set.has(column));
}

/** A click on a column header: ascending, then descending, then unsorted. */
export function nextSort(current: Sort | undefined, column: string): Sort | undefined {
  if (current?.column !== column) return { column, dir: "asc" };
  return current.dir === "asc" ? { column, dir: "desc" } : undefined;
}

export type SortValue = string | number | bigint | boolean | undefined;

/** Sorts the loaded rows (stable; empty values last; text by the person's language, numerically). */
export function sortRows<T>(
  rows: readonly T[],
  sort: Sort | undefined,
  accessors: Record<string, (row: T) => SortValue>,
  language: string,
): T[] {
  const get = sort ? accessors[sort.column] : undefined;
  if (!sort || !get) return [...rows];
  const collator = new Intl.Collator(language, { numeric: true, sensitivity: "base" });
  const sign = sort.dir === "asc" ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index, value: get(row) }))
    .sort((a, b) => {
      const empty = (v: SortValue) => v === undefined || v === "";
      if (empty(a.value) || empty(b.value)) {
        if (empty(a.value) && empty(b.value)) return a.index - b.index;
        return empty(a.value) ? 1 : -1;
      }
      const order = compare(a.value, b.value, collator);
      return order === 0 ? a.index - b.index : sign * order;
    })
    .map((entry) => entry.row);
}

function compare(a: SortValue, b: SortValue, collator: Intl.Collator): number {
  if (typeof a === "string" || typeof b === "string") return collator.compare(String(a), String(b));
  if (a === b) return 0;
  return (a as number) < (b as number) ? -1 : 1;
}

function sameName(a: string, b: string): boolean {
  return a.trim().toLocaleLowerCase() === b.trim().toLocaleLowerCase();
}

/** Adds a view, or replaces the one with the same name (ignoring case and outer spaces). */
export function upsertView<F>(views: readonly SavedView<F>[], view: SavedView<F>): SavedView<F>[] {
  const named = { ...view, name: view.name.trim() };
  const at = views.findIndex((v) => sameName(v.name, named.name));
  if (at < 0) return [...views, named];
  return views.map((v, i) => (i === at ? named : v));
}

export function removeView<F>(views: readonly SavedView<F>[], name: string): SavedView<F>[] {
  return views.filter((v) => !sameName(v.name, name));
}

export function findView<F>(views: readonly SavedView<F>[], name: string): SavedView<F> | undefined {
  return views.find((v) => sameName(v.name, name));
}

/**
 * Reads a stored state, dropping what no longer fits: unknown columns, a sort on a column that
 * is gone, filters the table cannot read (then its defaults).
 */
export function parseState<F>(
  raw: unknown,
  allColumns: readonly string[],
  readFilters: (value: unknown) => F | undefined,
  fallback: ViewState<F>,
): ViewState<F> {
  if (typeof raw !== "object" || raw === null) return fallback;
  const value = raw as Record<string, unknown>;
  const listed = Array.isArray(value.columns) ? value.columns.filter((c) => typeof c === "string") : [];
  const columns = allColumns.filter((c) => listed.includes(c));
  const sort = value.sort as Partial<Sort> | undefined;
  const sortOk =
    typeof sort?.column === "string" && allColumns.includes(sort.column) && (sort.dir === "asc" || sort.dir === "desc");
  return {
    filters: readFilters(value.filters) ?? fallback.filters,
    columns: columns.length > 0 ? columns : fallback.columns,
    sort: sortOk ? { column: sort.column as string, dir: sort.dir as SortDir } : undefined,
  };
}

export function parseViews<F>(
  raw: string | null,
  allColumns: readonly string[],
  readFilters: (value: unknown) => F | undefined,
  fallback: ViewState<F>,
): SavedView<F>[] {
  let list: unknown;
  try {
    list = raw ? JSON.parse(raw) : [];
  } catch {
    return [];
  }
  if (!Array.isArray(list)) return [];
  const views: SavedView<F>[] = [];
  for (const item of list) {
    const name = (item as { name?: unknown } | null)?.name;
    if (typeof name !== "string" || name.trim() === "") continue;
    views.push({ name: name.trim(), ...parseState(item, allColumns, readFilters, fallback) });
  }
  return views;
}

/** Saved views are per person and per table on this device (not secret). */
export function storageKey(userId: string, table: string, part: "views" | "current"): string {
  return `ek.inventory.${table}.${part}.${userId}`;
}
