/**
 * Invites a person by email with roles (InviteUser). The link goes to the person by email and is
 * never shown here; the API's field errors (email, roles) appear next to their fields.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { admin } from "../../../api/clients.js";
import { useSubmit } from "../../../api/useSubmit.js";
import { Button, Field, Notice } from "../../../ui/controls.js";
import { Dialog } from "../../../ui/Dialog.js";
import { useFocusError } from "../shared/useFocusError.js";
import { useIdempotencyKeys } from "../../../api/idempotency.js";
import { RoleChoices } from "./RoleChoices.js";

interface InviteDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onInvited: (email: string) => void;
}

export function InviteDialog({ open, onOpenChange, onInvited }: InviteDialogProps) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [email, setEmail] = useState("");
  const [roleIds, setRoleIds] = useState<string[]>([]);
  const submit = useSubmit();
  const formRef = useFocusError(submit.error);
  const keys = useIdempotencyKeys();

  const invite = async () => {
    const request = { email: email.trim(), roleIds };
    const answer = await submit.run(() => admin.inviteUser(request, keys.options(request)));
    if (!answer) return;
    keys.settle();
    await queries.invalidateQueries({ queryKey: ["admin", "invitations"] });
    onInvited(request.email);
    setEmail("");
    setRoleIds([]);
    onOpenChange(false);
  };
  const fields = submit.error?.fields ?? {};
  const formMessage = submit.error && !fields.email && !fields.roleIds ? submit.error.message : undefined;

  return (
    <Dialog open={open} onOpenChange={(next) => { if (!next) submit.reset(); onOpenChange(next); }}
      title={t("admin.invitations.inviteTitle")} description={t("admin.invitations.inviteText")}
      footer={
        <>
          <Button type="button" variant="secondary" onClick={() => onOpenChange(false)}>{t("admin.cancel")}</Button>
          <Button type="submit" form="invite-form" disabled={submit.busy} aria-busy={submit.busy}>{t("admin.invitations.send")}</Button>
        </>
      }>
      <form id="invite-form" ref={formRef} className="flex flex-col gap-4" noValidate
        onSubmit={(e) => { e.preventDefault(); void invite(); }}>
        <Field label={t("admin.invitations.email")} type="email" autoComplete="off" required value={email}
          onChange={(e) => setEmail(e.target.value)} error={fields.email} />
        <RoleChoices chosen={roleIds} onChange={setRoleIds} error={fields.roleIds} />
        {formMessage && <Notice tone="error">{formMessage}</Notice>}
      </form>
    </Dialog>
  );
}
