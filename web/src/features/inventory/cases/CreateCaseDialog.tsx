/** Creates a case (code, name, kind, location) and opens it. */
import { useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { inventory } from "../../../api/clients.js";
import { useSubmit } from "../../../api/useSubmit.js";
import { CaseKind } from "../../../gen/eventkit/v1/inventory_pb.js";
import { Button, Field, Notice } from "../../../ui/controls.js";
import { Dialog } from "../../../ui/Dialog.js";
import { LocationOptions } from "../components/LocationOptions.js";
import { SelectField } from "../components/SelectField.js";
import { idempotent, invalidateInventory, useLookups } from "../data/queries.js";

export function CreateCaseDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const navigate = useNavigate();
  const lookups = useLookups();
  const submit = useSubmit();
  const [draft, setDraft] = useState({ code: "", name: "", kind: CaseKind.PERMANENT, locationId: "" });
  const set = (change: Partial<typeof draft>) => setDraft((d) => ({ ...d, ...change }));
  const err = submit.error?.fields ?? {};
  const save = async () => {
    const answer = await submit.run(() => inventory.createCase(draft, idempotent()));
    if (!answer?.case) return;
    await invalidateInventory(queries);
    onClose();
    void navigate({ to: "/cases/$caseId", params: { caseId: answer.case.id } });
  };
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title={t("inventory.cases.create")}
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>{t("inventory.common.cancel")}</Button>
          <Button type="submit" form="case-form" disabled={submit.busy}>{t("inventory.common.create")}</Button>
        </>
      }>
      <form id="case-form" className="flex flex-col gap-3" onSubmit={(e) => { e.preventDefault(); void save(); }}>
        <Field label={t("inventory.case.code")} value={draft.code} error={err.code} required maxLength={64} autoFocus
          hint={t("inventory.case.codeHint")} onChange={(e) => set({ code: e.target.value })} />
        <Field label={t("inventory.case.name")} value={draft.name} error={err.name} required maxLength={200}
          onChange={(e) => set({ name: e.target.value })} />
        <SelectField label={t("inventory.case.kind")} value={draft.kind} error={err.kind} hint={t("inventory.case.kindHint")}
          onChange={(e) => set({ kind: Number(e.target.value) as CaseKind })}>
          <option value={CaseKind.PERMANENT}>{t("inventory.case.permanent")}</option>
          <option value={CaseKind.TEMPORARY}>{t("inventory.case.temporary")}</option>
        </SelectField>
        <SelectField label={t("inventory.asset.location")} value={draft.locationId} error={err.locationId}
          onChange={(e) => set({ locationId: e.target.value })}>
          <option value="">{t("inventory.asset.noLocation")}</option>
          <LocationOptions locations={lookups.locations} />
        </SelectField>
        {submit.error && <Notice tone="error">{submit.error.message}</Notice>}
      </form>
    </Dialog>
  );
}
