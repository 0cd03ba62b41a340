/**
 * Creates a custom role (CreateRole) or changes one (UpdateRole, with a mask of the changed
 * fields): a name, a description and its permissions.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { admin } from "../../../api/clients.js";
import { useSubmit } from "../../../api/useSubmit.js";
import type { Role } from "../../../gen/eventkit/v1/identity_pb.js";
import { Button, Field, Notice } from "../../../ui/controls.js";
import { Dialog } from "../../../ui/Dialog.js";
import { sameSet } from "../selection.js";
import { adminKeys } from "../shared/queries.js";
import { useGrants } from "../shared/useGrants.js";
import { useFocusError } from "../shared/useFocusError.js";
import { useIdempotencyKeys } from "../../../api/idempotency.js";
import { PermissionPicker } from "./PermissionPicker.js";

interface RoleDialogProps {
  /** The role to change; undefined for a new one. */
  role?: Role;
  onClose: () => void;
}

export function RoleDialog({ role, onClose }: RoleDialogProps) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const grants = useGrants();
  const [name, setName] = useState(role?.name ?? "");
  const [description, setDescription] = useState(role?.description ?? "");
  const [permissions, setPermissions] = useState<string[]>(role?.permissions ?? []);
  const submit = useSubmit();
  const formRef = useFocusError(submit.error);
  const keys = useIdempotencyKeys();

  const save = async () => {
    const call = (): Promise<unknown> => {
      if (!role) {
        const request = { name: name.trim(), description: description.trim(), permissions };
        return admin.createRole(request, keys.options(request));
      }
      const paths = [
        name.trim() !== role.name ? "name" : "",
        description.trim() !== role.description ? "description" : "",
        !sameSet(permissions, role.permissions) ? "permissions" : "",
      ].filter(Boolean);
      const request = {
        role: { id: role.id, name: name.trim(), description: description.trim(), permissions },
        updateMask: { paths },
      };
      return admin.updateRole(request, keys.options(request));
    };
    const answer = await submit.run(call);
    if (!answer) return;
    keys.settle();
    await queries.invalidateQueries({ queryKey: adminKeys.roles });
    await queries.invalidateQueries({ queryKey: adminKeys.users });
    onClose();
  };
  const fields = submit.error?.fields ?? {};
  const known = fields.name || fields.description || fields.permissions;

  return (
    <Dialog open onOpenChange={(open) => !open && onClose()} size="wide"
      title={role ? t("admin.roles.editTitle", { name: role.name }) : t("admin.roles.createTitle")}
      description={t("admin.roles.dialogText")}
      footer={
        <>
          <Button type="button" variant="secondary" onClick={onClose}>{t("admin.cancel")}</Button>
          <Button type="submit" form="role-form" disabled={submit.busy} aria-busy={submit.busy}>
            {role ? t("admin.save") : t("admin.roles.create")}
          </Button>
        </>
      }>
      <form id="role-form" ref={formRef} className="flex flex-col gap-4" noValidate onSubmit={(e) => { e.preventDefault(); void save(); }}>
        <Field label={t("admin.roles.name")} value={name} maxLength={100} required
          onChange={(e) => setName(e.target.value)} error={fields.name} />
        <Field label={t("admin.roles.description")} value={description} maxLength={500}
          onChange={(e) => setDescription(e.target.value)} error={fields.description} />
        <PermissionPicker legend={t("admin.roles.permissions")} groups={grants.groups} chosen={permissions}
          onChange={setPermissions} allowEvery={grants.holdsAll} error={fields.permissions} />
        {submit.error && !known && <Notice tone="error">{submit.error.message}</Notice>}
      </form>
    </Dialog>
  );
}
