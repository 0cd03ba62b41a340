/**
 * Creates an API key (CreateApiKey): a name, its scopes and an optional last day. The answer's
 * secret goes straight to the caller's secret dialog and nowhere else. No Idempotency-Key: the
 * API never keeps answers that hold a secret, so a retry would make a second key.
 */
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { admin } from "../../../api/clients.js";
import { useSubmit } from "../../../api/useSubmit.js";
import { useLocale } from "../../../app/useLocale.js";
import { PERMISSIONS } from "../../../lib/navigation.js";
import { Button, Field, Notice } from "../../../ui/controls.js";
import { Dialog } from "../../../ui/Dialog.js";
import { endOfDay, todayIn } from "../expiry.js";
import { PermissionPicker } from "../roles/PermissionPicker.js";
import { useHeld } from "../shared/queries.js";
import { useFocusError } from "../shared/useFocusError.js";
import { useGrants } from "../shared/useGrants.js";

interface CreateKeyDialogProps {
  onClose: () => void;
  onCreated: (secret: string) => void;
}

export function CreateKeyDialog({ onClose, onCreated }: CreateKeyDialogProps) {
  const { t } = useTranslation();
  const { timeZone } = useLocale();
  const grants = useGrants(useHeld().includes(PERMISSIONS.adminUsers));
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<string[]>([]);
  const [expiry, setExpiry] = useState("");
  const submit = useSubmit();
  const formRef = useFocusError(submit.error);

  const create = async () => {
    const expireAt = endOfDay(expiry, timeZone);
    const answer = await submit.run(() =>
      admin.createApiKey({ name: name.trim(), scopes, expireTime: expireAt ? timestampFromDate(expireAt) : undefined }),
    );
    if (answer) onCreated(answer.secret);
  };
  const fields = submit.error?.fields ?? {};
  const known = fields.name || fields.scopes || fields.expireTime;

  return (
    <Dialog open onOpenChange={(open) => !open && onClose()} size="wide" title={t("admin.keys.createTitle")}
      description={t("admin.keys.createText")}
      footer={
        <>
          <Button type="button" variant="secondary" onClick={onClose}>{t("admin.cancel")}</Button>
          <Button type="submit" form="key-form" disabled={submit.busy} aria-busy={submit.busy}>{t("admin.keys.create")}</Button>
        </>
      }>
      <form id="key-form" ref={formRef} className="flex flex-col gap-4" noValidate onSubmit={(e) => { e.preventDefault(); void create(); }}>
        <Field label={t("admin.keys.name")} hint={t("admin.keys.nameHint")} value={name} maxLength={200} required
          onChange={(e) => setName(e.target.value)} error={fields.name} />
        <PermissionPicker legend={t("admin.keys.scopes")} groups={grants.groups} chosen={scopes} onChange={setScopes}
          allowEvery={grants.holdsAll} error={fields.scopes} />
        <Field label={t("admin.keys.expiry")} hint={t("admin.keys.expiryHint")} type="date" min={todayIn(timeZone)}
          value={expiry} onChange={(e) => setExpiry(e.target.value)} error={fields.expireTime} />
        {submit.error && !known && <Notice tone="error">{submit.error.message}</Notice>}
      </form>
    </Dialog>
  );
}
