/**
 * Invitations (ListInvitations): open ones, or every one with "show all"; each with its state,
 * roles, who invited and until when it works; open ones can be revoked (RevokeInvitation).
 */
import { useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { admin } from "../../../api/clients.js";
import { useSubmit } from "../../../api/useSubmit.js";
import { useLocale } from "../../../app/useLocale.js";
import type { Invitation } from "../../../gen/eventkit/v1/identity_pb.js";
import { formatDateTime, toDate } from "../../../lib/format.js";
import { ConfirmDialog } from "../../../ui/ConfirmDialog.js";
import { Button, Notice } from "../../../ui/controls.js";
import { invitationState, type InvitationState } from "../invitations.js";
import { adminKeys, useRoles } from "../shared/queries.js";
import { EmptyState, LoadError, LoadMore, Loading, SectionPage } from "../shared/SectionPage.js";
import { useIdempotencyKeys } from "../../../api/idempotency.js";
import { usePaged } from "../shared/usePaged.js";
import { InviteDialog } from "./InviteDialog.js";

const TONE: Record<InvitationState, string> = {
  pending: "text-accent border-accent",
  expired: "text-warn border-warn",
  accepted: "text-ok border-ok",
  revoked: "text-muted",
};

export function InvitationsSection() {
  const { t } = useTranslation();
  const locale = useLocale();
  const queries = useQueryClient();
  const [showAll, setShowAll] = useState(false);
  const [inviting, setInviting] = useState(false);
  const [sent, setSent] = useState("");
  const [revoking, setRevoking] = useState<Invitation>();
  const revoke = useSubmit();
  const keys = useIdempotencyKeys();
  const roles = useRoles();
  const roleNames = useMemo(() => new Map((roles.data ?? []).map((r) => [r.id, r.name])), [roles.data]);
  const list = usePaged(adminKeys.invitations(showAll), async (pageToken) => {
    const answer = await admin.listInvitations({ showAll, page: { pageSize: 100, pageToken } });
    return { items: answer.invitations, next: answer.page?.nextPageToken ?? "" };
  });

  const confirmRevoke = async () => {
    if (!revoking) return;
    const request = { id: revoking.id };
    const answer = await revoke.run(() => admin.revokeInvitation(request, keys.options(request)));
    if (!answer) return;
    keys.settle();
    setRevoking(undefined);
    await queries.invalidateQueries({ queryKey: ["admin", "invitations"] });
  };

  return (
    <SectionPage title={t("admin.sections.invitations")} intro={t("admin.invitations.intro")}
      actions={<Button type="button" onClick={() => { setSent(""); setInviting(true); }}>{t("admin.invitations.invite")}</Button>}>
      <div aria-live="polite">{sent && <Notice tone="ok">{t("admin.invitations.sent", { email: sent })}</Notice>}</div>
      <label className="check self-start">
        <input type="checkbox" checked={showAll} onChange={(e) => setShowAll(e.target.checked)} />
        <span>{t("admin.invitations.showAll")}</span>
      </label>
      {list.query.isPending ? <Loading /> : list.query.isError ? <LoadError error={list.query.error} /> : null}
      {list.query.isSuccess && list.items.length === 0 && (
        <EmptyState>{showAll ? t("admin.invitations.emptyAll") : t("admin.invitations.empty")}</EmptyState>
      )}
      {list.items.length > 0 && (
        <ul className="card divide-y divide-line" aria-label={t("admin.sections.invitations")}>
          {list.items.map((inv) => {
            const state = invitationState({ expire: toDate(inv.expireTime), accept: toDate(inv.acceptTime), revoke: toDate(inv.revokeTime) });
            return (
              <li key={inv.id} className="flex flex-wrap items-center gap-x-4 gap-y-2 p-4">
                <div className="mr-auto flex min-w-0 flex-col">
                  <span className="font-semibold break-all">{inv.email}</span>
                  <span className="text-sm text-muted">
                    {t("admin.invitations.sentOn", { date: formatDateTime(toDate(inv.createTime), locale) })}
                    {state === "pending" && ` · ${t("admin.invitations.until", { date: formatDateTime(toDate(inv.expireTime), locale) })}`}
                  </span>
                </div>
                <ul className="flex flex-wrap gap-1" aria-label={t("admin.users.roles")}>
                  {inv.roleIds.map((id) => <li key={id} className="badge">{roleNames.get(id) ?? "…"}</li>)}
                </ul>
                <span className={`badge ${TONE[state]}`}>{t(`admin.invitations.state.${state}`)}</span>
                {state === "pending" && (
                  <Button type="button" variant="secondary" className="btn-danger"
                    onClick={() => { revoke.reset(); setRevoking(inv); }}>
                    {t("admin.invitations.revoke")}
                  </Button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      <LoadMore {...list.more} />
      <InviteDialog open={inviting} onOpenChange={setInviting} onInvited={setSent} />
      <ConfirmDialog open={revoking !== undefined} onOpenChange={(open) => !open && setRevoking(undefined)}
        title={t("admin.invitations.revokeTitle", { email: revoking?.email ?? "" })}
        description={t("admin.invitations.revokeText")} confirmLabel={t("admin.invitations.revoke")}
        cancelLabel={t("admin.cancel")} busy={revoke.busy} error={revoke.error?.message} onConfirm={() => void confirmRevoke()} />
    </SectionPage>
  );
}
