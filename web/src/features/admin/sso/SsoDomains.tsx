/**
 * Proof that the tenant owns each allowed SSO domain: StartSsoDomainVerification makes the DNS TXT
 * record to publish (shown with copy buttons), VerifySsoDomain looks it up now. Until a domain
 * is verified only people with an account already can sign in through the provider.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { admin } from "../../../api/clients.js";
import { useSubmit } from "../../../api/useSubmit.js";
import { useLocale } from "../../../app/useLocale.js";
import type { SsoDomain } from "../../../gen/eventkit/v1/identity_pb.js";
import { formatDateTime, toDate } from "../../../lib/format.js";
import { Button, Notice } from "../../../ui/controls.js";
import { CopyButton } from "../../../ui/CopyButton.js";
import { adminKeys } from "../shared/queries.js";
import { EmptyState } from "../shared/SectionPage.js";

export function SsoDomains({ domains }: { domains: SsoDomain[] }) {
  const { t } = useTranslation();
  return (
    <section aria-labelledby="sso-domains-title" className="flex flex-col gap-3">
      <h3 id="sso-domains-title" className="text-lg font-semibold">{t("admin.sso.domainsTitle")}</h3>
      <p className="text-sm text-muted">{t("admin.sso.domainsText")}</p>
      {domains.length === 0 ? (
        <EmptyState>{t("admin.sso.noDomains")}</EmptyState>
      ) : (
        <ul className="flex flex-col gap-3">
          {domains.map((d) => <DomainCard key={d.domain} domain={d} />)}
        </ul>
      )}
    </section>
  );
}

function DomainCard({ domain }: { domain: SsoDomain }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const queries = useQueryClient();
  const submit = useSubmit();
  const [checked, setChecked] = useState(false);
  const copy = { label: t("admin.copy"), copiedLabel: t("admin.copied"), failedLabel: t("admin.copyFailed") };

  const act = async (verify: boolean) => {
    setChecked(false);
    const request = { domain: domain.domain };
    const answer = await submit.run((): Promise<unknown> => (verify ? admin.verifySsoDomain(request) : admin.startSsoDomainVerification(request)));
    if (verify) setChecked(true);
    if (answer) await queries.invalidateQueries({ queryKey: adminKeys.sso });
  };
  const notYet = submit.error?.code === "failed_precondition";

  return (
    <li className="card flex flex-col gap-3 p-4">
      <div className="flex flex-wrap items-center gap-2">
        <span className="mr-auto font-mono font-semibold break-all">{domain.domain}</span>
        {domain.verified ? (
          <span className="badge text-ok border-ok">
            {t("admin.sso.verifiedOn", { date: formatDateTime(toDate(domain.verifyTime), locale) })}
          </span>
        ) : (
          <span className="badge text-warn border-warn">{t("admin.sso.unverified")}</span>
        )}
      </div>
      {!domain.verified && domain.txtRecordName && (
        <div className="flex flex-col gap-2">
          <p className="text-sm">{t("admin.sso.publish")}</p>
          <dl className="grid gap-2 rounded-md border border-line bg-raised p-3 sm:grid-cols-[max-content_minmax(0,1fr)_auto] sm:items-center">
            <dt className="text-sm text-muted">{t("admin.sso.recordType")}</dt>
            <dd className="font-mono sm:col-span-2">TXT</dd>
            <dt className="text-sm text-muted">{t("admin.sso.recordName")}</dt>
            <dd className="font-mono break-all">{domain.txtRecordName}</dd>
            <dd><CopyButton value={domain.txtRecordName} {...copy} /></dd>
            <dt className="text-sm text-muted">{t("admin.sso.recordValue")}</dt>
            <dd className="font-mono break-all">{domain.txtRecordValue}</dd>
            <dd><CopyButton value={domain.txtRecordValue} {...copy} /></dd>
          </dl>
        </div>
      )}
      {!domain.verified && (
        <div className="flex flex-wrap gap-2">
          {domain.txtRecordName ? (
            <Button type="button" disabled={submit.busy} aria-busy={submit.busy} onClick={() => void act(true)}>
              {t("admin.sso.verify")}
            </Button>
          ) : (
            <Button type="button" disabled={submit.busy} aria-busy={submit.busy} onClick={() => void act(false)}>
              {t("admin.sso.startVerification")}
            </Button>
          )}
        </div>
      )}
      <div aria-live="polite">
        {submit.error && <Notice tone={notYet ? "info" : "error"}>{notYet ? t("admin.sso.notYet") : submit.error.message}</Notice>}
        {checked && !submit.error && <Notice tone="ok">{t("admin.sso.verified")}</Notice>}
      </div>
    </li>
  );
}
