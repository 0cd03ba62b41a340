/**
 * One member (GetUser): their roles as checkboxes saved with SetUserRoles, and removal from the
 * tenant (RemoveUser) behind a confirmation. The API keeps the last Admin in place and says so.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "@tanstack/react-router";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { admin } from "../../../api/clients.js";
import { useSubmit } from "../../../api/useSubmit.js";
import { useLocale } from "../../../app/useLocale.js";
import type { User } from "../../../gen/eventkit/v1/identity_pb.js";
import { formatDate, toDate } from "../../../lib/format.js";
import { ConfirmDialog } from "../../../ui/ConfirmDialog.js";
import { Button, Notice } from "../../../ui/controls.js";
import { sameSet } from "../selection.js";
import { adminKeys } from "../shared/queries.js";
import { LoadError, Loading, SectionPage } from "../shared/SectionPage.js";
import { useIdempotencyKeys } from "../../../api/idempotency.js";
import { RoleChoices } from "./RoleChoices.js";

export function UserDetail() {
  const { t } = useTranslation();
  const { userId = "" } = useParams({ strict: false });
  const user = useQuery({
    queryKey: adminKeys.user(userId),
    queryFn: async () => (await admin.getUser({ id: userId })).user,
  });
  return (
    <SectionPage title={user.data ? user.data.displayName || user.data.email : t("admin.users.member")}
      actions={<Link to="/admin/users" className="btn btn-secondary">{t("admin.users.back")}</Link>}>
      {user.isPending && <Loading />}
      {user.isError && <LoadError error={user.error} />}
      {user.data && <MemberForm key={user.data.id} user={user.data} />}
    </SectionPage>
  );
}

function MemberForm({ user }: { user: User }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const queries = useQueryClient();
  const navigate = useNavigate();
  const saved = user.roles.map((r) => r.id);
  const [roleIds, setRoleIds] = useState(saved);
  const [done, setDone] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const save = useSubmit();
  const remove = useSubmit();
  const keys = useIdempotencyKeys();

  const submit = async () => {
    setDone(false);
    const request = { userId: user.id, roleIds };
    const answer = await save.run(() => admin.setUserRoles(request, keys.options(request)));
    if (!answer) return;
    keys.settle();
    if (answer.user) queries.setQueryData(adminKeys.user(user.id), answer.user);
    await queries.invalidateQueries({ queryKey: adminKeys.users });
    setDone(true);
  };
  const removeUser = async () => {
    const request = { userId: user.id };
    const answer = await remove.run(() => admin.removeUser(request, keys.options(request)));
    if (!answer) return;
    keys.settle();
    queries.removeQueries({ queryKey: adminKeys.user(user.id) });
    await queries.invalidateQueries({ queryKey: adminKeys.users });
    await navigate({ to: "/admin/users" });
  };

  return (
    <div className="flex flex-col gap-4">
      <dl className="card grid gap-x-6 gap-y-2 p-4 sm:grid-cols-[max-content_1fr]">
        <dt className="text-muted">{t("admin.users.email")}</dt>
        <dd className="break-all">{user.email}</dd>
        <dt className="text-muted">{t("admin.users.secondFactor")}</dt>
        <dd>{user.totpEnabled ? t("admin.users.totpOn") : t("admin.users.totpOff")}</dd>
        <dt className="text-muted">{t("admin.users.joinedLabel")}</dt>
        <dd>{formatDate(toDate(user.joinTime), locale)}</dd>
      </dl>
      <form className="card flex flex-col gap-4 p-4" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <RoleChoices chosen={roleIds} error={save.error?.fields.roleIds}
          onChange={(ids) => { setRoleIds(ids); setDone(false); }} />
        {save.error && !save.error.fields.roleIds && <Notice tone="error">{save.error.message}</Notice>}
        <div aria-live="polite">{done && <Notice tone="ok">{t("admin.users.rolesSaved")}</Notice>}</div>
        <div className="flex flex-wrap gap-2">
          <Button type="submit" disabled={save.busy || roleIds.length === 0 || sameSet(roleIds, saved)} aria-busy={save.busy}>
            {t("admin.users.saveRoles")}
          </Button>
          <Button type="button" variant="secondary" className="btn-danger ml-auto" onClick={() => { remove.reset(); setConfirming(true); }}>
            {t("admin.users.remove")}
          </Button>
        </div>
        {roleIds.length === 0 && <p className="field-hint">{t("admin.users.atLeastOneRole")}</p>}
      </form>
      <ConfirmDialog open={confirming} onOpenChange={setConfirming}
        title={t("admin.users.removeTitle", { name: user.displayName || user.email })}
        description={t("admin.users.removeText")} confirmLabel={t("admin.users.remove")} cancelLabel={t("admin.cancel")}
        busy={remove.busy} error={remove.error?.message} onConfirm={() => void removeUser()} />
    </div>
  );
}
