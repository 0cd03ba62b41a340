/**
 * A table's current view (filters, columns, sort) and the person's saved views, kept in
 * localStorage per person and table so they come back on the next visit.
 */
import { useCallback, useEffect, useState } from "react";
import {
  findView,
  parseState,
  parseViews,
  removeView,
  storageKey,
  upsertView,
  type SavedView,
  type Sort,
  type ViewState,
} from "../logic/tableState.js";

function read(key: string): string | null {
  try {
    return globalThis.localStorage?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

function write(key: string, value: unknown) {
  try {
    globalThis.localStorage?.setItem(key, JSON.stringify(value));
  } catch {
    // No storage (private mode): the view lasts for this page.
  }
}

export interface TableViewConfig<F> {
  table: string;
  userId: string;
  columns: readonly string[];
  defaults: ViewState<F>;
  readFilters: (value: unknown) => F | undefined;
}

export function useTableView<F>({ table, userId, columns, defaults, readFilters }: TableViewConfig<F>) {
  const currentKey = storageKey(userId, table, "current");
  const viewsKey = storageKey(userId, table, "views");
  const [state, setState] = useState<ViewState<F>>(() => {
    const raw = read(currentKey);
    let parsed: unknown;
    try {
      parsed = raw ? JSON.parse(raw) : undefined;
    } catch {
      parsed = undefined;
    }
    return parseState(parsed, columns, readFilters, defaults);
  });
  const [views, setViews] = useState<SavedView<F>[]>(() => parseViews(read(viewsKey), columns, readFilters, defaults));

  useEffect(() => write(currentKey, state), [currentKey, state]);

  const setFilters = useCallback((change: Partial<F>) => setState((s) => ({ ...s, filters: { ...s.filters, ...change } })), []);
  const setColumns = useCallback((visible: string[]) => setState((s) => ({ ...s, columns: visible })), []);
  const setSort = useCallback((sort: Sort | undefined) => setState((s) => ({ ...s, sort })), []);

  const saveView = (name: string) => {
    const next = upsertView(views, { name, ...state });
    setViews(next);
    write(viewsKey, next);
  };
  const deleteView = (name: string) => {
    const next = removeView(views, name);
    setViews(next);
    write(viewsKey, next);
  };
  const applyView = (name: string) => {
    const view = findView(views, name);
    if (view) setState({ filters: view.filters, columns: view.columns, sort: view.sort });
  };
  const reset = () => setState(defaults);

  return { state, setFilters, setColumns, setSort, views, saveView, deleteView, applyView, reset };
}

export type TableView<F> = ReturnType<typeof useTableView<F>>;
