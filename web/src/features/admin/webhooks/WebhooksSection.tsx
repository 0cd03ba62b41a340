/**
 * Webhook endpoints (ListWebhookEndpoints), oldest first: where events go, which ones, and whether
 * they arrive. Each opens its page with the deliveries and the endpoint's actions; a new
 * endpoint's signing secret is shown once.
 */
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { admin } from "../../../api/clients.js";
import { Button } from "../../../ui/controls.js";
import { adminKeys } from "../shared/queries.js";
import { SecretDialog } from "../shared/SecretDialog.js";
import { EmptyState, LoadError, LoadMore, Loading, SectionPage } from "../shared/SectionPage.js";
import { usePaged } from "../shared/usePaged.js";
import { EndpointDialog } from "./EndpointDialog.js";
import { EndpointStatus } from "./EndpointStatus.js";

export function WebhooksSection() {
  const { t } = useTranslation();
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string>();
  const list = usePaged(adminKeys.endpoints, async (pageToken) => {
    const answer = await admin.listWebhookEndpoints({ page: { pageSize: 100, pageToken } });
    return { items: answer.endpoints, next: answer.page?.nextPageToken ?? "" };
  });

  return (
    <SectionPage title={t("admin.sections.webhooks")} intro={t("admin.webhooks.intro")}
      actions={<Button type="button" onClick={() => setCreating(true)}>{t("admin.webhooks.new")}</Button>}>
      {list.query.isPending ? <Loading /> : list.query.isError ? <LoadError error={list.query.error} /> : null}
      {list.query.isSuccess && list.items.length === 0 && <EmptyState>{t("admin.webhooks.empty")}</EmptyState>}
      {list.items.length > 0 && (
        <ul className="card divide-y divide-line" aria-label={t("admin.sections.webhooks")}>
          {list.items.map((endpoint) => (
            <li key={endpoint.id} className="flex flex-col gap-2 p-4">
              <div className="flex flex-wrap items-center gap-2">
                <Link to="/admin/webhooks/$endpointId" params={{ endpointId: endpoint.id }}
                  className="mr-auto min-w-0 font-mono font-semibold text-accent hover:underline break-all">
                  {endpoint.url}
                </Link>
                <EndpointStatus endpoint={endpoint} />
              </div>
              {endpoint.description && <p className="text-sm text-muted break-words">{endpoint.description}</p>}
              <ul className="flex flex-wrap gap-1" aria-label={t("admin.webhooks.eventTypes")}>
                {endpoint.eventTypes.map((type) => <li key={type}><code className="badge">{type}</code></li>)}
              </ul>
            </li>
          ))}
        </ul>
      )}
      <LoadMore {...list.more} />
      {creating && (
        <EndpointDialog onClose={() => setCreating(false)}
          onCreated={(value) => { setCreating(false); setSecret(value); }} />
      )}
      <SecretDialog secret={secret} title={t("admin.webhooks.secretTitle")} usage={t("admin.webhooks.secretUsage")}
        onClose={() => setSecret(undefined)} />
    </SectionPage>
  );
}
