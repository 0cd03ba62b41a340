/**
 * A plain table of loaded rows with the chosen columns and sortable headers (sorting happens
 * on the loaded rows). For lists that stay small enough for the DOM; assets use a virtual table.
 */
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useLocale } from "../../../app/useLocale.js";
import type { Locale } from "../../../lib/format.js";
import { sortRows, type Sort, type SortValue } from "../logic/tableState.js";
import type { TFunction } from "i18next";
import { SortHeader } from "./SortHeader.js";

export interface Column<T> {
  id: string;
  label: string;
  text: (row: T, t: TFunction, locale: Locale) => string;
  sortValue?: (row: T) => SortValue;
  render?: (row: T, t: TFunction, locale: Locale) => ReactNode;
  className?: string;
}

interface Props<T> {
  label: string;
  rows: readonly T[];
  rowKey: (row: T) => string;
  columns: readonly Column<T>[];
  visible: readonly string[];
  sort: Sort | undefined;
  onSort: (sort: Sort | undefined) => void;
}

export function DataTable<T>({ label, rows, rowKey, columns, visible, sort, onSort }: Props<T>) {
  const { t, i18n } = useTranslation();
  const locale = useLocale();
  const shown = columns.filter((c) => visible.includes(c.id));
  const sorters = Object.fromEntries(columns.map((c) => [c.id, c.sortValue ?? ((row: T) => c.text(row, t, locale))]));
  const sorted = sortRows(rows, sort, sorters, i18n.language);
  return (
    <div className="card overflow-x-auto">
      <div role="table" aria-label={label} aria-rowcount={rows.length + 1} className="inv-table">
        <div role="row" className="inv-table-head">
          {shown.map((c) => <SortHeader key={c.id} column={c.id} label={t(c.label)} sort={sort} onSort={onSort} />)}
        </div>
        {sorted.map((row) => (
          <div role="row" key={rowKey(row)} className="inv-table-row">
            {shown.map((c) => (
              <span role="cell" key={c.id} className={c.className}>{c.render ? c.render(row, t, locale) : c.text(row, t, locale) || "—"}</span>
            ))}
          </div>
        ))}
      </div>
    </div>
  );
}

/** The columns offered to the column chooser, with translated names. */
export function columnChoices<T>(columns: readonly Column<T>[], t: TFunction) {
  return columns.map((c) => ({ id: c.id, label: t(c.label) }));
}
