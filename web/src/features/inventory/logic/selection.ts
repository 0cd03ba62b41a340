/**
 * Row selection of a table: click toggles a row, shift-click sets the range from the last
 * clicked row to this one, "select all" takes every loaded row. Pure; the table holds the state.
 */
export interface Selection {
  ids: ReadonlySet<string>;
  /** The row last clicked without shift: where a shift-click range starts. */
  anchor?: string;
}

export const EMPTY_SELECTION: Selection = { ids: new Set() };

export function clickRow(selection: Selection, id: string, order: readonly string[], shift: boolean): Selection {
  const ids = new Set(selection.ids);
  const selecting = !ids.has(id);
  const from = selection.anchor === undefined ? -1 : order.indexOf(selection.anchor);
  const to = order.indexOf(id);
  if (shift && from >= 0 && to >= 0) {
    const [lo, hi] = from < to ? [from, to] : [to, from];
    for (const rowId of order.slice(lo, hi + 1)) {
      if (selecting) ids.add(rowId);
      else ids.delete(rowId);
    }
    return { ids, anchor: selection.anchor };
  }
  if (selecting) ids.add(id);
  else ids.delete(id);
  return { ids, anchor: id };
}

/** Every loaded row selected: clears; otherwise selects all of them. */
export function toggleAll(selection: Selection, order: readonly string[]): Selection {
  const all = order.length > 0 && order.every((id) => selection.ids.has(id));
  return all ? EMPTY_SELECTION : { ids: new Set(order), anchor: selection.anchor };
}

export type AllState = "none" | "some" | "all";

export function allState(selection: Selection, order: readonly string[]): AllState {
  const held = order.filter((id) => selection.ids.has(id)).length;
  if (held === 0) return "none";
  return held === order.length ? "all" : "some";
}

/** Keeps only rows still in the list (after a filter changed). */
export function keepLoaded(selection: Selection, order: readonly string[]): Selection {
  const loaded = new Set(order);
  const ids = new Set([...selection.ids].filter((id) => loaded.has(id)));
  return ids.size === selection.ids.size ? selection : { ids, anchor: selection.anchor };
}
