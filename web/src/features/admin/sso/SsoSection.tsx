/**
 * Single sign-on with the tenant's own OpenID Connect provider (GetSsoSettings, UpdateSsoSettings):
 * issuer, client, allowed email domains, the role newcomers get, on or off; the redirect URI to
 * register with the provider; and each domain's DNS proof below (SsoDomains).
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { admin } from "../../../api/clients.js";
import { useSubmit } from "../../../api/useSubmit.js";
import type { SsoSettings } from "../../../gen/eventkit/v1/identity_pb.js";
import { Button, Field, Notice } from "../../../ui/controls.js";
import { CopyButton } from "../../../ui/CopyButton.js";
import { parseDomains } from "../domains.js";
import { adminKeys, useRoles } from "../shared/queries.js";
import { LoadError, Loading, SectionPage } from "../shared/SectionPage.js";
import { useFocusError } from "../shared/useFocusError.js";
import { useIdempotencyKeys } from "../../../api/idempotency.js";
import { SsoDomains } from "./SsoDomains.js";

export function SsoSection() {
  const { t } = useTranslation();
  const sso = useQuery({ queryKey: adminKeys.sso, queryFn: async () => (await admin.getSsoSettings({})).settings ?? null });
  return (
    <SectionPage title={t("admin.sections.sso")} intro={t("admin.sso.intro")}>
      {sso.isPending && <Loading />}
      {sso.isError && <LoadError error={sso.error} />}
      {sso.isSuccess && (
        <>
          {!sso.data && <Notice tone="info">{t("admin.sso.notConfigured")}</Notice>}
          <SsoForm settings={sso.data ?? undefined} />
          {sso.data && <SsoDomains domains={sso.data.domains} />}
        </>
      )}
    </SectionPage>
  );
}

function SsoForm({ settings }: { settings?: SsoSettings }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const roles = useRoles();
  const [issuerUrl, setIssuerUrl] = useState(settings?.issuerUrl ?? "");
  const [clientId, setClientId] = useState(settings?.clientId ?? "");
  const [clientSecret, setClientSecret] = useState("");
  const [domains, setDomains] = useState((settings?.allowedDomains ?? []).join(", "));
  const [defaultRoleId, setDefaultRoleId] = useState(settings?.defaultRoleId ?? "");
  const [enabled, setEnabled] = useState(settings?.enabled ?? false);
  const [saved, setSaved] = useState(false);
  const submit = useSubmit();
  const formRef = useFocusError(submit.error);
  const keys = useIdempotencyKeys();

  const save = async () => {
    setSaved(false);
    const request = {
      settings: { issuerUrl: issuerUrl.trim(), clientId: clientId.trim(), clientSecret, allowedDomains: parseDomains(domains), defaultRoleId, enabled },
    };
    const answer = await submit.run(() => admin.updateSsoSettings(request, keys.options(request)));
    if (!answer) return;
    keys.settle();
    queries.setQueryData(adminKeys.sso, answer.settings ?? null);
    setSaved(true);
  };
  const fields = submit.error?.fields ?? {};
  const known = fields.issuerUrl || fields.clientId || fields.clientSecret || fields.allowedDomains || fields.defaultRoleId;

  return (
    <form ref={formRef} className="card flex flex-col gap-4 p-4" noValidate onSubmit={(e) => { e.preventDefault(); void save(); }}>
      <label className="check self-start">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
        <span>{t("admin.sso.enabled")}</span>
      </label>
      <Field label={t("admin.sso.issuer")} hint={t("admin.sso.issuerHint")} type="url" inputMode="url" value={issuerUrl}
        onChange={(e) => setIssuerUrl(e.target.value)} error={fields.issuerUrl} />
      <div className="grid gap-4 md:grid-cols-2">
        <Field label={t("admin.sso.clientId")} value={clientId} autoComplete="off" onChange={(e) => setClientId(e.target.value)}
          error={fields.clientId} />
        <Field label={t("admin.sso.clientSecret")} type="password" autoComplete="new-password" value={clientSecret}
          hint={settings ? t("admin.sso.clientSecretKeep") : t("admin.sso.clientSecretHint")}
          onChange={(e) => setClientSecret(e.target.value)} error={fields.clientSecret} />
      </div>
      <Field label={t("admin.sso.domains")} hint={t("admin.sso.domainsHint")} value={domains}
        onChange={(e) => setDomains(e.target.value)} error={fields.allowedDomains} />
      <label className="field">
        <span className="field-label">{t("admin.sso.defaultRole")}</span>
        <select className="select" value={defaultRoleId} onChange={(e) => setDefaultRoleId(e.target.value)}
          aria-invalid={fields.defaultRoleId ? true : undefined}>
          <option value="">{t("admin.sso.defaultRoleNone")}</option>
          {(roles.data ?? []).map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}
        </select>
        {fields.defaultRoleId && <span className="field-error" role="alert">{fields.defaultRoleId}</span>}
      </label>
      {settings?.redirectUri && (
        <div className="field">
          <span className="field-label">{t("admin.sso.redirectUri")}</span>
          <p className="field-hint">{t("admin.sso.redirectUriHint")}</p>
          <div className="flex flex-wrap items-center gap-2">
            <code className="input min-w-0 flex-1 break-all">{settings.redirectUri}</code>
            <CopyButton value={settings.redirectUri} label={t("admin.copy")} copiedLabel={t("admin.copied")} failedLabel={t("admin.copyFailed")} />
          </div>
        </div>
      )}
      {submit.error && !known && <Notice tone="error">{submit.error.message}</Notice>}
      <div aria-live="polite">{saved && <Notice tone="ok">{t("admin.sso.saved")}</Notice>}</div>
      <div>
        <Button type="submit" disabled={submit.busy} aria-busy={submit.busy}>{t("admin.save")}</Button>
      </div>
    </form>
  );
}
