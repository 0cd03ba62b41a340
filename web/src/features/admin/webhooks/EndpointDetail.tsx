/**
 * One webhook endpoint (GetWebhookEndpoint): what it receives, its state, and its actions — edit,
 * send a test event, rotate the signing secret (shown once; the old one signs 24 hours more),
 * delete — above its deliveries.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "@tanstack/react-router";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { admin } from "../../../api/clients.js";
import { useSubmit } from "../../../api/useSubmit.js";
import { useLocale } from "../../../app/useLocale.js";
import type { WebhookEndpoint } from "../../../gen/eventkit/v1/admin_pb.js";
import { formatDateTime, toDate } from "../../../lib/format.js";
import { ConfirmDialog } from "../../../ui/ConfirmDialog.js";
import { Button, Notice } from "../../../ui/controls.js";
import { adminKeys } from "../shared/queries.js";
import { SecretDialog } from "../shared/SecretDialog.js";
import { LoadError, Loading, SectionPage } from "../shared/SectionPage.js";
import { useIdempotencyKeys } from "../../../api/idempotency.js";
import { Deliveries } from "./Deliveries.js";
import { EndpointDialog } from "./EndpointDialog.js";
import { EndpointStatus } from "./EndpointStatus.js";

export function EndpointDetail() {
  const { t } = useTranslation();
  const { endpointId = "" } = useParams({ strict: false });
  const endpoint = useQuery({
    queryKey: adminKeys.endpoint(endpointId),
    queryFn: async () => (await admin.getWebhookEndpoint({ id: endpointId })).endpoint,
  });
  return (
    <SectionPage title={t("admin.webhooks.endpoint")}
      actions={<Link to="/admin/webhooks" className="btn btn-secondary">{t("admin.webhooks.back")}</Link>}>
      {endpoint.isPending && <Loading />}
      {endpoint.isError && <LoadError error={endpoint.error} />}
      {endpoint.data && <EndpointCard endpoint={endpoint.data} />}
      {endpoint.data && <Deliveries endpointId={endpoint.data.id} />}
    </SectionPage>
  );
}

type Confirming = "rotate" | "delete";

function EndpointCard({ endpoint }: { endpoint: WebhookEndpoint }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const queries = useQueryClient();
  const navigate = useNavigate();
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState<Confirming>();
  const [secret, setSecret] = useState<string>();
  const [tested, setTested] = useState(false);
  const action = useSubmit();
  const test = useSubmit();
  const keys = useIdempotencyKeys();
  const id = endpoint.id;

  const confirm = async () => {
    if (confirming === "rotate") {
      const answer = await action.run(() => admin.rotateWebhookSecret({ id }));
      if (!answer) return;
      if (answer.endpoint) queries.setQueryData(adminKeys.endpoint(id), answer.endpoint);
      setConfirming(undefined);
      setSecret(answer.secret);
      return;
    }
    const answer = await action.run(() => admin.deleteWebhookEndpoint({ id }, keys.options({ id })));
    if (!answer) return;
    keys.settle();
    setConfirming(undefined);
    queries.removeQueries({ queryKey: adminKeys.endpoint(id) });
    await queries.invalidateQueries({ queryKey: adminKeys.endpoints, exact: true });
    await navigate({ to: "/admin/webhooks" });
  };
  const sendTest = async () => {
    setTested(false);
    const request = { endpointId: id };
    const answer = await test.run(() => admin.sendTestWebhook(request, keys.options(request)));
    if (!answer) return;
    keys.settle();
    setTested(true);
    await queries.invalidateQueries({ queryKey: ["admin", "deliveries", id] });
  };

  return (
    <div className="card flex flex-col gap-3 p-4">
      <div className="flex flex-wrap items-center gap-2">
        <span className="mr-auto min-w-0 font-mono font-semibold break-all">{endpoint.url}</span>
        <EndpointStatus endpoint={endpoint} />
      </div>
      {endpoint.description && <p className="text-sm text-muted break-words">{endpoint.description}</p>}
      <ul className="flex flex-wrap gap-1" aria-label={t("admin.webhooks.eventTypes")}>
        {endpoint.eventTypes.map((type) => <li key={type}><code className="badge">{type}</code></li>)}
      </ul>
      <p className="text-sm text-muted">
        {t("admin.webhooks.created", { date: formatDateTime(toDate(endpoint.createTime), locale) })}
        {endpoint.previousSecretExpireTime &&
          ` · ${t("admin.webhooks.previousSecret", { date: formatDateTime(toDate(endpoint.previousSecretExpireTime), locale) })}`}
      </p>
      <div className="flex flex-wrap gap-2">
        <Button type="button" variant="secondary" onClick={() => setEditing(true)}>{t("admin.edit")}</Button>
        <Button type="button" variant="secondary" disabled={test.busy} aria-busy={test.busy} onClick={() => void sendTest()}>
          {t("admin.webhooks.sendTest")}
        </Button>
        <Button type="button" variant="secondary" onClick={() => { action.reset(); setConfirming("rotate"); }}>
          {t("admin.webhooks.rotate")}
        </Button>
        <Button type="button" variant="secondary" className="btn-danger" onClick={() => { action.reset(); setConfirming("delete"); }}>
          {t("admin.delete")}
        </Button>
      </div>
      <div aria-live="polite">
        {tested && <Notice tone="ok">{t("admin.webhooks.testSent")}</Notice>}
        {test.error && <Notice tone="error">{test.error.message}</Notice>}
      </div>
      {editing && <EndpointDialog endpoint={endpoint} onClose={() => setEditing(false)} />}
      <SecretDialog secret={secret} title={t("admin.webhooks.secretTitle")} usage={t("admin.webhooks.rotatedUsage")}
        onClose={() => setSecret(undefined)} />
      <ConfirmDialog open={confirming !== undefined} onOpenChange={(open) => !open && setConfirming(undefined)}
        title={confirming === "rotate" ? t("admin.webhooks.rotateTitle") : t("admin.webhooks.deleteTitle")}
        description={confirming === "rotate" ? t("admin.webhooks.rotateText") : t("admin.webhooks.deleteText")}
        confirmLabel={confirming === "rotate" ? t("admin.webhooks.rotate") : t("admin.delete")}
        cancelLabel={t("admin.cancel")} busy={action.busy} error={action.error?.message} onConfirm={() => void confirm()} />
    </div>
  );
}
