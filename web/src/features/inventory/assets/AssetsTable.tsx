/**
 * The assets table: a checkbox column (click, shift-click for a range, one to select all loaded
 * rows), the chosen columns with sortable headers, and only the rows on screen in the DOM.
 */
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import { useLocale } from "../../../app/useLocale.js";
import type { Asset } from "../../../gen/eventkit/v1/inventory_pb.js";
import { SortHeader } from "../components/SortHeader.js";
import type { Selection } from "../logic/selection.js";
import type { Sort } from "../logic/tableState.js";
import type { AssetColumn, AssetLookups } from "./assetColumns.js";
import { RowCheckbox, SelectAllCheckbox } from "./SelectionBoxes.js";

const ROW_HEIGHT = 44;

interface Props {
  rows: Asset[];
  columns: readonly AssetColumn[];
  lookups: AssetLookups;
  sort: Sort | undefined;
  onSort: (sort: Sort | undefined) => void;
  selection: Selection;
  order: string[];
  onSelect: (selection: Selection) => void;
  hasMore: boolean;
  loadingMore: boolean;
  onMore: () => void;
}

export function AssetsTable({ rows, columns, lookups, sort, onSort, selection, order, onSelect, hasMore, loadingMore, onMore }: Props) {
  const { t } = useTranslation();
  const locale = useLocale();
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });
  const items = virtual.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? 0;
  useEffect(() => {
    if (hasMore && !loadingMore && lastIndex >= rows.length - 20) onMore();
  }, [lastIndex, rows.length, hasMore, loadingMore, onMore]);

  const template = ["2.5rem", ...columns.map((c) => (c.grow ? `minmax(${c.width}rem, 1fr)` : `${c.width}rem`))].join(" ");
  const minWidth = `${2.5 + columns.reduce((sum, c) => sum + c.width + 0.75, 2)}rem`;
  const rowStyle = { gridTemplateColumns: template, minWidth };

  return (
    <div className="card overflow-hidden">
      <div ref={scroller} className="overflow-auto" style={{ height: "min(70vh, 44rem)" }}
        role="table" aria-label={t("inventory.assets.title")} aria-rowcount={rows.length + 1} tabIndex={0}>
        <div role="rowgroup" className="inv-thead">
          <div role="row" className="inv-row" style={rowStyle}>
            <span role="columnheader"><SelectAllCheckbox selection={selection} order={order} onSelect={onSelect} /></span>
            {columns.map((c) => (
              <SortHeader key={c.id} column={c.id} label={t(c.label)} sort={sort} onSort={onSort} />
            ))}
          </div>
        </div>
        <div role="rowgroup" style={{ height: virtual.getTotalSize(), position: "relative", minWidth }}>
          {items.map((item) => {
            const asset = rows[item.index];
            if (!asset) return null;
            const checked = selection.ids.has(asset.id);
            return (
              <div key={asset.id} role="row" aria-rowindex={item.index + 2} aria-selected={checked}
                className={`inv-row border-b border-line ${checked ? "bg-raised" : ""}`}
                style={{ ...rowStyle, position: "absolute", top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}>
                <span role="cell">
                  <RowCheckbox id={asset.id} label={asset.code} selection={selection} order={order} onSelect={onSelect} />
                </span>
                {columns.map((c) => (
                  <span key={c.id} role="cell" className="truncate">
                    {c.render ? c.render(asset, lookups, t, locale) : c.text(asset, lookups, t, locale) || "—"}
                  </span>
                ))}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
