/**
 * API keys (ListApiKeys): name, the start of the key, scopes, expiry and last use; new keys and
 * rotated ones show their secret once (SecretDialog), revocation stops a key at once. Secrets live
 * only in this component's state while the dialog is open.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { admin } from "../../../api/clients.js";
import { useSubmit } from "../../../api/useSubmit.js";
import { useLocale } from "../../../app/useLocale.js";
import type { ApiKey } from "../../../gen/eventkit/v1/admin_pb.js";
import { formatDate, formatDateTime, toDate } from "../../../lib/format.js";
import { ConfirmDialog } from "../../../ui/ConfirmDialog.js";
import { Button } from "../../../ui/controls.js";
import { permissionKey } from "../permissions.js";
import { useIdempotencyKeys } from "../../../api/idempotency.js";
import { adminKeys } from "../shared/queries.js";
import { SecretDialog } from "../shared/SecretDialog.js";
import { EmptyState, LoadError, LoadMore, Loading, SectionPage } from "../shared/SectionPage.js";
import { usePaged } from "../shared/usePaged.js";
import { CreateKeyDialog } from "./CreateKeyDialog.js";

type Pending = { kind: "revoke" | "rotate"; key: ApiKey };

export function ApiKeysSection() {
  const { t } = useTranslation();
  const locale = useLocale();
  const queries = useQueryClient();
  const [showRevoked, setShowRevoked] = useState(false);
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string>();
  const [pending, setPending] = useState<Pending>();
  const action = useSubmit();
  const keys = useIdempotencyKeys();
  const list = usePaged(adminKeys.apiKeys(showRevoked), async (pageToken) => {
    const answer = await admin.listApiKeys({ showRevoked, page: { pageSize: 100, pageToken } });
    return { items: answer.apiKeys, next: answer.page?.nextPageToken ?? "" };
  });
  const refresh = () => queries.invalidateQueries({ queryKey: ["admin", "apiKeys"] });

  const confirm = async () => {
    if (!pending) return;
    const id = pending.key.id;
    if (pending.kind === "rotate") {
      const answer = await action.run(() => admin.rotateApiKey({ id }));
      if (!answer) return;
      setSecret(answer.secret);
    } else {
      const answer = await action.run(() => admin.revokeApiKey({ id }, keys.options({ id })));
      if (!answer) return;
      keys.settle();
    }
    setPending(undefined);
    await refresh();
  };

  return (
    <SectionPage title={t("admin.sections.apiKeys")} intro={t("admin.keys.intro")}
      actions={<Button type="button" onClick={() => setCreating(true)}>{t("admin.keys.new")}</Button>}>
      <label className="check self-start">
        <input type="checkbox" checked={showRevoked} onChange={(e) => setShowRevoked(e.target.checked)} />
        <span>{t("admin.keys.showRevoked")}</span>
      </label>
      {list.query.isPending ? <Loading /> : list.query.isError ? <LoadError error={list.query.error} /> : null}
      {list.query.isSuccess && list.items.length === 0 && <EmptyState>{t("admin.keys.empty")}</EmptyState>}
      {list.items.length > 0 && (
        <ul className="card divide-y divide-line" aria-label={t("admin.sections.apiKeys")}>
          {list.items.map((key) => (
            <li key={key.id} className="flex flex-col gap-2 p-4">
              <div className="flex flex-wrap items-center gap-2">
                <span className="mr-auto flex min-w-0 flex-col">
                  <span className="font-semibold break-words">{key.name}</span>
                  <code className="text-sm text-muted break-all">{key.displayPrefix}…</code>
                </span>
                {key.revokeTime ? (
                  <span className="badge text-muted">{t("admin.keys.revokedOn", { date: formatDate(toDate(key.revokeTime), locale) })}</span>
                ) : (
                  <>
                    <Button type="button" variant="secondary" onClick={() => { action.reset(); setPending({ kind: "rotate", key }); }}>
                      {t("admin.keys.rotate")}
                    </Button>
                    <Button type="button" variant="secondary" className="btn-danger"
                      onClick={() => { action.reset(); setPending({ kind: "revoke", key }); }}>
                      {t("admin.keys.revoke")}
                    </Button>
                  </>
                )}
              </div>
              <ul className="flex flex-wrap gap-1" aria-label={t("admin.keys.scopes")}>
                {key.scopes.map((s) => <li key={s} className="badge" title={s}>{t(`admin.permissions.${permissionKey(s)}`, { defaultValue: s })}</li>)}
              </ul>
              <p className="text-sm text-muted">
                {t("admin.keys.created", { date: formatDate(toDate(key.createTime), locale) })}
                {" · "}
                {key.expireTime ? t("admin.keys.expires", { date: formatDateTime(toDate(key.expireTime), locale) }) : t("admin.keys.noExpiry")}
                {" · "}
                {key.lastUseTime ? t("admin.keys.lastUsed", { date: formatDateTime(toDate(key.lastUseTime), locale) }) : t("admin.keys.neverUsed")}
              </p>
            </li>
          ))}
        </ul>
      )}
      <LoadMore {...list.more} />
      {creating && (
        <CreateKeyDialog onClose={() => setCreating(false)}
          onCreated={(value) => { setCreating(false); setSecret(value); void refresh(); }} />
      )}
      <SecretDialog secret={secret} title={t("admin.keys.secretTitle")} usage={t("admin.keys.secretUsage")}
        onClose={() => setSecret(undefined)} />
      <ConfirmDialog open={pending !== undefined} onOpenChange={(open) => !open && setPending(undefined)}
        title={pending?.kind === "rotate" ? t("admin.keys.rotateTitle", { name: pending.key.name }) : t("admin.keys.revokeTitle", { name: pending?.key.name ?? "" })}
        description={pending?.kind === "rotate" ? t("admin.keys.rotateText") : t("admin.keys.revokeText")}
        confirmLabel={pending?.kind === "rotate" ? t("admin.keys.rotate") : t("admin.keys.revoke")}
        cancelLabel={t("admin.cancel")} busy={action.busy} error={action.error?.message} onConfirm={() => void confirm()} />
    </SectionPage>
  );
}
