/** A column header that sorts on click (ascending, descending, off) and says so to screen readers. */
import { useTranslation } from "react-i18next";
import { nextSort, type Sort } from "../logic/tableState.js";

interface SortHeaderProps {
  column: string;
  label: string;
  sort: Sort | undefined;
  onSort: (sort: Sort | undefined) => void;
  className?: string;
}

export function SortHeader({ column, label, sort, onSort, className = "" }: SortHeaderProps) {
  const { t } = useTranslation();
  const dir = sort?.column === column ? sort.dir : undefined;
  return (
    <span role="columnheader" className={className}
      aria-sort={dir === "asc" ? "ascending" : dir === "desc" ? "descending" : "none"}>
      <button type="button" className="inv-sort" onClick={() => onSort(nextSort(sort, column))}
        title={t("inventory.table.sortBy", { column: label })}>
        {label}
        <span aria-hidden="true" className="text-muted">{dir === "asc" ? " ▲" : dir === "desc" ? " ▼" : ""}</span>
      </button>
    </span>
  );
}
