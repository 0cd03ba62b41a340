/** What can be done with the selected assets: change status, move, add to an event, export. */
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useLocale } from "../../../app/useLocale.js";
import type { Asset } from "../../../gen/eventkit/v1/inventory_pb.js";
import { Button } from "../../../ui/controls.js";
import { useCan } from "../data/permissions.js";
import { csvFileName, downloadCsv, toCsv } from "../logic/csv.js";
import { assetCsvRows, type AssetColumn, type AssetLookups } from "./assetColumns.js";
import { BulkDialog, type BulkKind } from "./BulkDialog.js";

interface Props {
  selected: Asset[];
  lookups: AssetLookups;
  columns: readonly AssetColumn[];
  onClear: () => void;
}

export function BulkBar({ selected, lookups, columns, onClear }: Props) {
  const { t } = useTranslation();
  const locale = useLocale();
  const can = useCan();
  const [open, setOpen] = useState<BulkKind>();
  const exportSelection = () => {
    const csv = assetCsvRows(selected, columns, lookups, t, locale);
    downloadCsv(csvFileName(t("inventory.bulk.fileSelection"), new Date()), toCsv(csv.header, csv.rows));
  };
  return (
    <div className="inv-bulkbar card" role="region" aria-label={t("inventory.bulk.label")}>
      <p className="font-semibold mr-auto" aria-live="polite">{t("inventory.bulk.selected", { count: selected.length })}</p>
      {can.write && <Button variant="secondary" onClick={() => setOpen("status")}>{t("inventory.bulk.status")}</Button>}
      {can.write && <Button variant="secondary" onClick={() => setOpen("location")}>{t("inventory.bulk.move")}</Button>}
      {can.planWrite && <Button variant="secondary" onClick={() => setOpen("event")}>{t("inventory.bulk.event")}</Button>}
      <Button variant="secondary" onClick={exportSelection}>{t("inventory.bulk.export")}</Button>
      <Button variant="ghost" onClick={onClear}>{t("inventory.bulk.clear")}</Button>
      {open && <BulkDialog kind={open} assets={selected} lookups={lookups} onClose={() => setOpen(undefined)} />}
    </div>
  );
}
