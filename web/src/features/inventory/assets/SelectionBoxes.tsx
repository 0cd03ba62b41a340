/** The checkboxes of a selectable list: one per row (shift-click selects a range) and "all loaded". */
import { useTranslation } from "react-i18next";
import { allState, clickRow, toggleAll, type Selection } from "../logic/selection.js";

interface Common {
  selection: Selection;
  order: string[];
  onSelect: (selection: Selection) => void;
}

export function RowCheckbox({ id, label, selection, order, onSelect }: Common & { id: string; label: string }) {
  const { t } = useTranslation();
  return (
    <input type="checkbox" className="inv-check" checked={selection.ids.has(id)} readOnly
      aria-label={t("inventory.bulk.selectOne", { code: label })}
      onClick={(e) => onSelect(clickRow(selection, id, order, e.shiftKey))} />
  );
}

export function SelectAllCheckbox({ selection, order, onSelect }: Common) {
  const { t } = useTranslation();
  const state = allState(selection, order);
  return (
    <input type="checkbox" className="inv-check" checked={state === "all"} readOnly
      ref={(box) => {
        if (box) box.indeterminate = state === "some";
      }}
      aria-label={t("inventory.bulk.selectAll", { count: order.length })}
      onClick={() => onSelect(toggleAll(selection, order))} />
  );
}
