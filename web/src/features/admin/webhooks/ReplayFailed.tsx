/** Sends every failed delivery of the endpoint created in a date range again (ReplayWebhookDeliveries, `failed`). */
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { admin } from "../../../api/clients.js";
import { useSubmit } from "../../../api/useSubmit.js";
import { useLocale } from "../../../app/useLocale.js";
import { Button, Field, Notice } from "../../../ui/controls.js";
import { startOfDay, todayIn } from "../expiry.js";
import { useIdempotencyKeys } from "../../../api/idempotency.js";

export function ReplayFailed({ endpointId, onReplayed }: { endpointId: string; onReplayed: () => void }) {
  const { t } = useTranslation();
  const { timeZone } = useLocale();
  const today = todayIn(timeZone);
  const [from, setFrom] = useState(today);
  const [to, setTo] = useState(today);
  const [replayed, setReplayed] = useState<number>();
  const submit = useSubmit();
  const keys = useIdempotencyKeys();

  const replay = async () => {
    setReplayed(undefined);
    const start = startOfDay(from, timeZone);
    const end = startOfDay(to, timeZone, 1);
    const period = start && end ? { start: timestampFromDate(start), end: timestampFromDate(end) } : undefined;
    const request = { target: { case: "failed" as const, value: { endpointId, period } } };
    const answer = await submit.run(() => admin.replayWebhookDeliveries(request, keys.options(request)));
    if (!answer) return;
    keys.settle();
    setReplayed(answer.replayed);
    onReplayed();
  };
  const fields = submit.error?.fields ?? {};

  return (
    <form className="card flex flex-col gap-3 p-4" noValidate onSubmit={(e) => { e.preventDefault(); void replay(); }}>
      <h4 className="font-semibold">{t("admin.deliveries.replayFailedTitle")}</h4>
      <p className="text-sm text-muted">{t("admin.deliveries.replayFailedText")}</p>
      <div className="flex flex-wrap items-end gap-3">
        <Field label={t("admin.deliveries.from")} type="date" max={to} value={from} onChange={(e) => setFrom(e.target.value)}
          error={fields.start} />
        <Field label={t("admin.deliveries.to")} type="date" min={from} value={to} onChange={(e) => setTo(e.target.value)}
          error={fields.end} />
        <Button type="submit" variant="secondary" disabled={submit.busy || !from || !to} aria-busy={submit.busy}>
          {t("admin.deliveries.replayFailedButton")}
        </Button>
      </div>
      <div aria-live="polite">
        {replayed !== undefined && <Notice tone="ok">{t("admin.deliveries.replayed", { count: replayed })}</Notice>}
        {submit.error && !fields.start && !fields.end && <Notice tone="error">{submit.error.message}</Notice>}
      </div>
    </form>
  );
}
