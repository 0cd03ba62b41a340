/** An endpoint's state at a glance: enabled, failing since when, or disabled and why. */
import { useTranslation } from "react-i18next";
import { useLocale } from "../../../app/useLocale.js";
import type { WebhookEndpoint } from "../../../gen/eventkit/v1/admin_pb.js";
import { formatDateTime, toDate } from "../../../lib/format.js";

export function EndpointStatus({ endpoint }: { endpoint: WebhookEndpoint }) {
  const { t } = useTranslation();
  const locale = useLocale();
  if (!endpoint.enabled) {
    return (
      <span className="badge text-danger border-danger" title={endpoint.disabledReason || undefined}>
        {endpoint.disabledReason ? t("admin.webhooks.disabledBecause", { reason: endpoint.disabledReason }) : t("admin.webhooks.disabled")}
      </span>
    );
  }
  if (endpoint.failingSinceTime) {
    return (
      <span className="badge text-warn border-warn">
        {t("admin.webhooks.failingSince", { date: formatDateTime(toDate(endpoint.failingSinceTime), locale) })}
      </span>
    );
  }
  return <span className="badge text-ok border-ok">{t("admin.webhooks.enabled")}</span>;
}
