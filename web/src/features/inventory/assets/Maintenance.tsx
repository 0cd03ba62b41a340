/**
 * An asset's repairs (ListMaintenanceRecords): open one for an available asset with a note of
 * what is wrong, close the open one with what was done (the asset is then available again).
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { inventory } from "../../../api/clients.js";
import { useSubmit } from "../../../api/useSubmit.js";
import { useLocale } from "../../../app/useLocale.js";
import { AssetStatus, type Asset } from "../../../gen/eventkit/v1/inventory_pb.js";
import { formatDateTime, toDate } from "../../../lib/format.js";
import { Button, Field, Notice } from "../../../ui/controls.js";
import { Dialog } from "../../../ui/Dialog.js";
import { QueryNotice } from "../components/QueryNotice.js";
import { fetchAll, idempotent, invalidateInventory, KEY } from "../data/queries.js";
import { useCan } from "../data/permissions.js";
import type { MaintenanceRecord } from "../../../gen/eventkit/v1/inventory_pb.js";

export function Maintenance({ asset }: { asset: Asset }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const can = useCan();
  const [dialog, setDialog] = useState<{ closing?: MaintenanceRecord }>();
  const records = useQuery({
    queryKey: [KEY, "maintenance", asset.id],
    queryFn: () =>
      fetchAll<MaintenanceRecord>(async (pageToken) => {
        const a = await inventory.listMaintenanceRecords({ assetId: asset.id, page: { pageSize: 500, pageToken } });
        return { items: a.records, next: a.page?.nextPageToken ?? "" };
      }),
  });
  const list = [...(records.data ?? [])].reverse();
  const open = list.find((r) => !r.closeTime);

  return (
    <section className="card p-4 flex flex-col gap-3" aria-labelledby="maintenance-title">
      <div className="flex flex-wrap items-center gap-2">
        <h2 id="maintenance-title" className="text-lg font-semibold mr-auto">{t("inventory.maintenance.title")}</h2>
        {can.write && open && <Button variant="secondary" onClick={() => setDialog({ closing: open })}>{t("inventory.maintenance.close")}</Button>}
        {can.write && !open && asset.status === AssetStatus.AVAILABLE && (
          <Button variant="secondary" onClick={() => setDialog({})}>{t("inventory.maintenance.open")}</Button>
        )}
      </div>
      <QueryNotice loading={records.isPending} error={records.error} />
      {records.isSuccess && list.length === 0 && <p className="text-muted">{t("inventory.maintenance.empty")}</p>}
      <ol className="flex flex-col divide-y divide-line">
        {list.map((r) => (
          <li key={r.id} className="py-2 flex flex-col gap-1">
            <div className="flex flex-wrap items-center gap-2">
              <span className={`badge ${r.closeTime ? "" : "text-danger border-danger"}`}>
                {r.closeTime ? t("inventory.maintenance.closed") : t("inventory.maintenance.isOpen")}
              </span>
              <span className="text-sm text-muted">
                {formatDateTime(toDate(r.openTime), locale)}
                {r.closeTime && ` – ${formatDateTime(toDate(r.closeTime), locale)}`}
              </span>
              {r.eventId && <span className="text-sm text-muted">{t("inventory.maintenance.fromEvent")}</span>}
            </div>
            <p className="break-words">{r.note || t("inventory.maintenance.noNote")}</p>
            {r.closeNote && <p className="text-sm text-muted break-words">{t("inventory.maintenance.done", { note: r.closeNote })}</p>}
          </li>
        ))}
      </ol>
      {dialog && <RecordDialog asset={asset} closing={dialog.closing} onClose={() => setDialog(undefined)} />}
    </section>
  );
}

function RecordDialog({ asset, closing, onClose }: { asset: Asset; closing?: MaintenanceRecord; onClose: () => void }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const submit = useSubmit();
  const [note, setNote] = useState("");
  const save = async () => {
    const answer = await submit.run<unknown>(() =>
      closing
        ? inventory.closeMaintenanceRecord({ id: closing.id, note }, idempotent())
        : inventory.openMaintenanceRecord({ assetId: asset.id, note }, idempotent()),
    );
    if (answer) {
      await invalidateInventory(queries);
      onClose();
    }
  };
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()}
      title={closing ? t("inventory.maintenance.closeTitle") : t("inventory.maintenance.openTitle", { code: asset.code })}
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>{t("inventory.common.cancel")}</Button>
          <Button type="submit" form="maintenance-form" disabled={submit.busy}>
            {closing ? t("inventory.maintenance.close") : t("inventory.maintenance.open")}
          </Button>
        </>
      }>
      <form id="maintenance-form" className="flex flex-col gap-3" onSubmit={(e) => { e.preventDefault(); void save(); }}>
        <Field label={closing ? t("inventory.maintenance.closeNote") : t("inventory.maintenance.note")} value={note}
          maxLength={1000} required={!closing} error={submit.error?.fields.note} autoFocus
          onChange={(e) => setNote(e.target.value)} />
        {submit.error && <Notice tone="error">{submit.error.message}</Notice>}
      </form>
    </Dialog>
  );
}
