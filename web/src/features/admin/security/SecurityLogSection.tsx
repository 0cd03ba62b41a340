/**
 * The security log (ListSecurityEvents), newest first, a page at a time: sign-ins and failures,
 * role changes, invitations, API keys, SSO — who did it, to what, from where, with the details.
 * It can be narrowed to one kind (an exact name such as `sign_in.failed`).
 */
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { admin } from "../../../api/clients.js";
import { useLocale } from "../../../app/useLocale.js";
import { formatDateTime, toDate } from "../../../lib/format.js";
import { Button } from "../../../ui/controls.js";
import { adminKeys } from "../shared/queries.js";
import { EmptyState, LoadError, LoadMore, Loading, SectionPage } from "../shared/SectionPage.js";
import { usePaged } from "../shared/usePaged.js";
import { principal, type Names } from "../principals.js";
import { usePrincipalNames } from "./usePrincipalNames.js";

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** A reference from the log as a person reads it (see ../principals.ts). */
function usePrincipalText(names: Names) {
  const { t } = useTranslation();
  return (reference: string) => {
    const p = principal(reference, names);
    if (p.kind === "system") return t("admin.security.system");
    if (p.kind === "other") return p.text;
    return p.kind === "user" ? t("admin.security.user", { name: p.name }) : t("admin.security.apiKey", { name: p.name });
  };
}

export function SecurityLogSection() {
  const { t } = useTranslation();
  const locale = useLocale();
  const [typed, setTyped] = useState("");
  const [kind, setKind] = useState("");
  const log = usePaged(adminKeys.securityEvents(kind), async (pageToken) => {
    const answer = await admin.listSecurityEvents({ kind, page: { pageSize: 100, pageToken } });
    return { items: answer.events, next: answer.page?.nextPageToken ?? "" };
  });
  const who = usePrincipalText(usePrincipalNames());
  const kindsSeen = useMemo(() => [...new Set(log.items.map((e) => e.kind))].sort(), [log.items]);

  return (
    <SectionPage title={t("admin.sections.securityLog")} intro={t("admin.security.intro")}>
      <form className="flex flex-wrap items-end gap-2" role="search" onSubmit={(e) => { e.preventDefault(); setKind(typed.trim()); }}>
        <label className="field grow sm:grow-0 sm:w-72">
          <span className="field-label">{t("admin.security.kind")}</span>
          <input className="input font-mono" list="security-kinds" value={typed} placeholder={t("admin.security.kindPlaceholder")}
            spellCheck={false} onChange={(e) => setTyped(e.target.value)} />
          <datalist id="security-kinds">
            {kindsSeen.map((k) => <option key={k} value={k} />)}
          </datalist>
        </label>
        <Button type="submit" variant="secondary">{t("admin.security.filter")}</Button>
        {kind && (
          <Button type="button" variant="ghost" onClick={() => { setTyped(""); setKind(""); }}>{t("admin.security.clear")}</Button>
        )}
      </form>
      {log.query.isPending ? <Loading /> : log.query.isError ? <LoadError error={log.query.error} /> : null}
      {log.query.isSuccess && log.items.length === 0 && (
        <EmptyState>{kind ? t("admin.security.emptyKind", { kind }) : t("admin.security.empty")}</EmptyState>
      )}
      {log.items.length > 0 && (
        <ol className="card divide-y divide-line" aria-label={t("admin.sections.securityLog")}>
          {log.items.map((event) => (
            <li key={event.id} className="flex flex-col gap-1 p-4">
              <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
                <code className={`badge ${event.kind.endsWith(".failed") || event.kind.includes("reused") ? "text-danger border-danger" : ""}`}>
                  {event.kind}
                </code>
                <span className="mr-auto" />
                <time className="text-sm text-muted" dateTime={toDate(event.occurTime)?.toISOString()}>
                  {formatDateTime(toDate(event.occurTime), locale)}
                </time>
              </div>
              <p className="text-sm break-all">
                {t("admin.security.actor", { actor: event.actor ? who(event.actor) : "—" })}
                {event.subject && ` · ${t("admin.security.subject", { subject: who(event.subject) })}`}
                {event.address && ` · ${t("admin.security.address", { address: event.address })}`}
              </p>
              {event.detailJson && event.detailJson !== "{}" && (
                <details>
                  <summary className="cursor-pointer text-sm text-accent">{t("admin.security.details")}</summary>
                  <pre className="mt-2 max-h-60 overflow-auto rounded-md border border-line bg-raised p-3 text-sm whitespace-pre-wrap break-all">
                    {prettyJson(event.detailJson)}
                  </pre>
                </details>
              )}
            </li>
          ))}
        </ol>
      )}
      <LoadMore {...log.more} />
    </SectionPage>
  );
}
