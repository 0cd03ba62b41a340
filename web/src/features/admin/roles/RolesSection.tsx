/**
 * Roles (ListRoles): the seven built-in ones, marked and read-only, and the tenant's custom roles,
 * which can be created, changed and deleted (DeleteRole refuses while a member holds the role).
 */
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { admin } from "../../../api/clients.js";
import { useSubmit } from "../../../api/useSubmit.js";
import type { Role } from "../../../gen/eventkit/v1/identity_pb.js";
import { ConfirmDialog } from "../../../ui/ConfirmDialog.js";
import { Button } from "../../../ui/controls.js";
import { permissionKey } from "../permissions.js";
import { adminKeys, useRoles } from "../shared/queries.js";
import { EmptyState, LoadError, Loading, SectionPage } from "../shared/SectionPage.js";
import { useIdempotencyKeys } from "../../../api/idempotency.js";
import { RoleDialog } from "./RoleDialog.js";

export function RolesSection() {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const roles = useRoles();
  const [editing, setEditing] = useState<Role | "new">();
  const [deleting, setDeleting] = useState<Role>();
  const remove = useSubmit();
  const keys = useIdempotencyKeys();
  const list = roles.data ?? [];
  const custom = list.filter((r) => !r.builtin);

  const confirmDelete = async () => {
    if (!deleting) return;
    const request = { id: deleting.id };
    const answer = await remove.run(() => admin.deleteRole(request, keys.options(request)));
    if (!answer) return;
    keys.settle();
    setDeleting(undefined);
    await queries.invalidateQueries({ queryKey: adminKeys.roles });
  };
  const permissionLabel = (p: string) => t(`admin.permissions.${permissionKey(p)}`, { defaultValue: p });

  return (
    <SectionPage title={t("admin.sections.roles")} intro={t("admin.roles.intro")}
      actions={<Button type="button" onClick={() => setEditing("new")}>{t("admin.roles.new")}</Button>}>
      {roles.isPending && <Loading />}
      {roles.isError && <LoadError error={roles.error} />}
      {roles.isSuccess && custom.length === 0 && <EmptyState>{t("admin.roles.emptyCustom")}</EmptyState>}
      {list.length > 0 && (
        <ul className="card divide-y divide-line" aria-label={t("admin.sections.roles")}>
          {list.map((role) => (
            <li key={role.id} className="flex flex-col gap-2 p-4">
              <div className="flex flex-wrap items-center gap-2">
                <span className="font-semibold mr-auto break-words">
                  {role.name}
                  {role.builtin && <span className="badge ml-2">{t("admin.roles.builtin")}</span>}
                </span>
                {!role.builtin && (
                  <>
                    <Button type="button" variant="secondary" onClick={() => setEditing(role)}>{t("admin.edit")}</Button>
                    <Button type="button" variant="secondary" className="btn-danger"
                      onClick={() => { remove.reset(); setDeleting(role); }}>
                      {t("admin.delete")}
                    </Button>
                  </>
                )}
              </div>
              {role.description && <p className="text-sm text-muted">{role.description}</p>}
              <ul className="flex flex-wrap gap-1" aria-label={t("admin.roles.permissions")}>
                {role.permissions.map((p) => <li key={p} className="badge" title={p}>{permissionLabel(p)}</li>)}
              </ul>
            </li>
          ))}
        </ul>
      )}
      {editing && <RoleDialog role={editing === "new" ? undefined : editing} onClose={() => setEditing(undefined)} />}
      <ConfirmDialog open={deleting !== undefined} onOpenChange={(open) => !open && setDeleting(undefined)}
        title={t("admin.roles.deleteTitle", { name: deleting?.name ?? "" })} description={t("admin.roles.deleteText")}
        confirmLabel={t("admin.delete")} cancelLabel={t("admin.cancel")} busy={remove.busy} error={remove.error?.message}
        onConfirm={() => void confirmDelete()} />
    </SectionPage>
  );
}
