/** A delivery's state badge and its attempts: when, the HTTP status (or why none came), how long, the answer's start. */
import { useTranslation } from "react-i18next";
import { useLocale } from "../../../app/useLocale.js";
import { WebhookDeliveryStatus, type WebhookAttempt } from "../../../gen/eventkit/v1/admin_pb.js";
import { formatDateTime, formatNumber, toDate } from "../../../lib/format.js";

const TONE: Partial<Record<WebhookDeliveryStatus, string>> = {
  [WebhookDeliveryStatus.PENDING]: "text-warn border-warn",
  [WebhookDeliveryStatus.DELIVERED]: "text-ok border-ok",
  [WebhookDeliveryStatus.FAILED]: "text-danger border-danger",
};

export function DeliveryStatusBadge({ status }: { status: WebhookDeliveryStatus }) {
  const { t } = useTranslation();
  return <span className={`badge ${TONE[status] ?? ""}`}>{t(`admin.deliveries.state.${WebhookDeliveryStatus[status]}`)}</span>;
}

export function DeliveryAttempts({ attempts }: { attempts: WebhookAttempt[] }) {
  const { t } = useTranslation();
  const locale = useLocale();
  if (attempts.length === 0) return <p className="text-sm text-muted">{t("admin.deliveries.noAttempts")}</p>;
  return (
    <details>
      <summary className="cursor-pointer text-sm text-accent">{t("admin.deliveries.attempts", { count: attempts.length })}</summary>
      <ol className="mt-2 flex flex-col gap-2">
        {attempts.map((a, i) => {
          const ok = a.statusCode >= 200 && a.statusCode < 300;
          return (
            <li key={i} className="rounded-md border border-line bg-raised p-3 text-sm">
              <div className="flex flex-wrap gap-x-4 gap-y-1">
                <span>{formatDateTime(toDate(a.attemptTime), locale)}</span>
                <span className={ok ? "text-ok" : "text-danger"}>
                  {a.statusCode ? t("admin.deliveries.httpStatus", { code: a.statusCode }) : t("admin.deliveries.noAnswer")}
                </span>
                <span className="text-muted">{t("admin.deliveries.latency", { ms: formatNumber(a.latencyMs, locale) })}</span>
              </div>
              {a.error && <p className="mt-1 text-danger break-words">{a.error}</p>}
              {a.responseExcerpt && (
                <pre className="mt-1 max-h-40 overflow-auto whitespace-pre-wrap break-all text-muted">{a.responseExcerpt}</pre>
              )}
            </li>
          );
        })}
      </ol>
    </details>
  );
}
