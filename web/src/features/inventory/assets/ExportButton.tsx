/**
 * Exports the filtered list as CSV: at once when every page is loaded, else after reading the
 * remaining pages with the same filters (progress shown, can be cancelled).
 */
import { create } from "@bufbuild/protobuf";
import { useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { inventory } from "../../../api/clients.js";
import { useLocale } from "../../../app/useLocale.js";
import { ListAssetsRequestSchema, type Asset, type AssetStatus } from "../../../gen/eventkit/v1/inventory_pb.js";
import { Button, Notice } from "../../../ui/controls.js";
import { Dialog } from "../../../ui/Dialog.js";
import { describeError } from "../data/bulkCalls.js";
import { csvFileName, downloadCsv, toCsv } from "../logic/csv.js";
import { assetCsvRows, type AssetColumn, type AssetLookups } from "./assetColumns.js";

interface Props {
  request: { query: string; status: AssetStatus; productId: string; locationId: string };
  /** The loaded rows, in the table's order. */
  loaded: Asset[];
  complete: boolean;
  columns: readonly AssetColumn[];
  lookups: AssetLookups;
}

export function ExportButton({ request, loaded, complete, columns, lookups }: Props) {
  const { t } = useTranslation();
  const locale = useLocale();
  const [reading, setReading] = useState<{ count: number; error?: string; done?: boolean }>();
  const abort = useRef<AbortController>(undefined);

  const save = (rows: Asset[]) => {
    const csv = assetCsvRows(rows, columns, lookups, t, locale);
    downloadCsv(csvFileName(t("inventory.bulk.fileList"), new Date()), toCsv(csv.header, csv.rows));
  };
  const readAll = async () => {
    abort.current = new AbortController();
    const signal = abort.current.signal;
    const rows: Asset[] = [];
    let pageToken = "";
    setReading({ count: 0 });
    try {
      do {
        const page = await inventory.listAssets(create(ListAssetsRequestSchema, { ...request, page: { pageSize: 500, pageToken } }), { signal });
        rows.push(...page.assets);
        setReading({ count: rows.length });
        pageToken = page.page?.nextPageToken ?? "";
      } while (pageToken && !signal.aborted);
      if (signal.aborted) return setReading(undefined);
      save(rows);
      setReading({ count: rows.length, done: true });
    } catch (err) {
      setReading(signal.aborted ? undefined : { count: rows.length, error: describeError(err) });
    }
  };

  return (
    <>
      <Button variant="secondary" disabled={loaded.length === 0} onClick={() => (complete ? save(loaded) : void readAll())}>
        {t("inventory.bulk.exportList")}
      </Button>
      {reading && (
        <Dialog open onOpenChange={(open) => !open && (abort.current?.abort(), setReading(undefined))}
          title={t("inventory.bulk.exportTitle")}
          footer={
            reading.done || reading.error ? (
              <Button onClick={() => setReading(undefined)}>{t("inventory.common.close")}</Button>
            ) : (
              <Button variant="secondary" onClick={() => abort.current?.abort()}>{t("inventory.bulk.cancel")}</Button>
            )
          }>
          <p role="status" aria-live="polite">
            {reading.done ? t("inventory.bulk.exported", { count: reading.count }) : t("inventory.bulk.reading", { count: reading.count })}
          </p>
          {reading.error && <Notice tone="error">{reading.error}</Notice>}
        </Dialog>
      )}
    </>
  );
}
