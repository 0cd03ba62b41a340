/**
 * How the tenant's emails look (GetBranding, UpdateBranding): the name, an https logo URL and the
 * header colour, with a live preview of an email's header. The API takes a logo by URL only.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { admin } from "../../../api/clients.js";
import { useSubmit } from "../../../api/useSubmit.js";
import { useLocale } from "../../../app/useLocale.js";
import type { Branding } from "../../../gen/eventkit/v1/admin_pb.js";
import { formatDateTime, toDate } from "../../../lib/format.js";
import { Button, Field, Notice } from "../../../ui/controls.js";
import { changedFields, normaliseColour, type BrandingFields } from "../branding.js";
import { adminKeys } from "../shared/queries.js";
import { LoadError, Loading, SectionPage } from "../shared/SectionPage.js";
import { useFocusError } from "../shared/useFocusError.js";
import { useIdempotencyKeys } from "../../../api/idempotency.js";
import { BrandingPreview } from "./BrandingPreview.js";

export function BrandingSection() {
  const { t } = useTranslation();
  const branding = useQuery({ queryKey: adminKeys.branding, queryFn: async () => (await admin.getBranding({})).branding ?? null });
  return (
    <SectionPage title={t("admin.sections.branding")} intro={t("admin.branding.intro")}>
      {branding.isPending && <Loading />}
      {branding.isError && <LoadError error={branding.error} />}
      {branding.isSuccess && <BrandingForm branding={branding.data ?? undefined} />}
    </SectionPage>
  );
}

function fieldsOf(b?: Branding): BrandingFields {
  return { displayName: b?.displayName ?? "", logoUrl: b?.logoUrl ?? "", primaryColor: b?.primaryColor ?? "" };
}

function BrandingForm({ branding }: { branding?: Branding }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const queries = useQueryClient();
  const saved = fieldsOf(branding);
  const [form, setForm] = useState(saved);
  const [done, setDone] = useState(false);
  const submit = useSubmit();
  const formRef = useFocusError(submit.error);
  const keys = useIdempotencyKeys();
  const colour = normaliseColour(form.primaryColor);
  const edit = (patch: Partial<BrandingFields>) => { setForm({ ...form, ...patch }); setDone(false); };

  const save = async () => {
    const next = { ...form, displayName: form.displayName.trim(), logoUrl: form.logoUrl.trim(), primaryColor: colour ?? form.primaryColor };
    const paths = changedFields(saved, next);
    const request = { branding: next, updateMask: { paths } };
    const answer = await submit.run(() => admin.updateBranding(request, keys.options(request)));
    if (!answer) return;
    keys.settle();
    queries.setQueryData(adminKeys.branding, answer.branding ?? null);
    setForm(fieldsOf(answer.branding));
    setDone(true);
  };
  const fields = submit.error?.fields ?? {};
  const known = fields.displayName || fields.logoUrl || fields.primaryColor;
  const unchanged = changedFields(saved, form).length === 0;

  return (
    <div className="grid gap-6 xl:grid-cols-2">
      <form ref={formRef} className="card flex flex-col gap-4 p-4" noValidate onSubmit={(e) => { e.preventDefault(); void save(); }}>
        <Field label={t("admin.branding.name")} hint={t("admin.branding.nameHint")} maxLength={200} value={form.displayName}
          onChange={(e) => edit({ displayName: e.target.value })} error={fields.displayName} />
        <Field label={t("admin.branding.logo")} hint={t("admin.branding.logoHint")} type="url" inputMode="url"
          value={form.logoUrl} onChange={(e) => edit({ logoUrl: e.target.value })} error={fields.logoUrl} />
        <Field label={t("admin.branding.colour")} hint={t("admin.branding.colourHint")} value={form.primaryColor}
          placeholder={t("admin.branding.colourPlaceholder")} spellCheck={false} onChange={(e) => edit({ primaryColor: e.target.value })}
          error={fields.primaryColor ?? (colour === undefined ? t("admin.branding.colourInvalid") : undefined)} />
        <label className="flex items-center gap-3 self-start">
          <input type="color" className="colour-swatch" value={colour || "#000000"}
            onChange={(e) => edit({ primaryColor: e.target.value.toUpperCase() })} />
          <span>{t("admin.branding.colourPicker")}</span>
        </label>
        {submit.error && !known && <Notice tone="error">{submit.error.message}</Notice>}
        <div aria-live="polite">{done && <Notice tone="ok">{t("admin.branding.saved")}</Notice>}</div>
        <div className="flex flex-wrap items-center gap-3">
          <Button type="submit" disabled={submit.busy || unchanged || colour === undefined} aria-busy={submit.busy}>{t("admin.save")}</Button>
          {branding?.updateTime && (
            <span className="text-sm text-muted">{t("admin.branding.updated", { date: formatDateTime(toDate(branding.updateTime), locale) })}</span>
          )}
        </div>
      </form>
      <BrandingPreview name={form.displayName} logoUrl={form.logoUrl} colour={colour || undefined} />
    </div>
  );
}
