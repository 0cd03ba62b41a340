/**
 * Registers a webhook endpoint (CreateWebhookEndpoint, whose answer holds the signing secret once)
 * or changes one (UpdateWebhookEndpoint with a mask of the changed fields): URL, description,
 * event types, enabled.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { admin } from "../../../api/clients.js";
import { useSubmit } from "../../../api/useSubmit.js";
import type { WebhookEndpoint } from "../../../gen/eventkit/v1/admin_pb.js";
import { Button, Field, Notice } from "../../../ui/controls.js";
import { Dialog } from "../../../ui/Dialog.js";
import { sameSet } from "../selection.js";
import { adminKeys } from "../shared/queries.js";
import { useFocusError } from "../shared/useFocusError.js";
import { useIdempotencyKeys } from "../../../api/idempotency.js";
import { EventTypePicker } from "./EventTypePicker.js";

interface EndpointDialogProps {
  endpoint?: WebhookEndpoint;
  onClose: () => void;
  /** A new endpoint's signing secret, to show once. */
  onCreated?: (secret: string, endpoint: WebhookEndpoint | undefined) => void;
}

export function EndpointDialog({ endpoint, onClose, onCreated }: EndpointDialogProps) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [url, setUrl] = useState(endpoint?.url ?? "");
  const [description, setDescription] = useState(endpoint?.description ?? "");
  const [eventTypes, setEventTypes] = useState<string[]>(endpoint?.eventTypes ?? []);
  const [enabled, setEnabled] = useState(endpoint?.enabled ?? true);
  const submit = useSubmit();
  const formRef = useFocusError(submit.error);
  const keys = useIdempotencyKeys();

  const save = async () => {
    const values = { url: url.trim(), description: description.trim(), eventTypes, enabled };
    if (!endpoint) {
      const answer = await submit.run(() => admin.createWebhookEndpoint(values));
      if (!answer) return;
      await queries.invalidateQueries({ queryKey: adminKeys.endpoints });
      onCreated?.(answer.secret, answer.endpoint);
      return;
    }
    const paths = [
      values.url !== endpoint.url ? "url" : "",
      values.description !== endpoint.description ? "description" : "",
      !sameSet(eventTypes, endpoint.eventTypes) ? "event_types" : "",
      enabled !== endpoint.enabled ? "enabled" : "",
    ].filter(Boolean);
    const request = { endpoint: { ...values, id: endpoint.id }, updateMask: { paths } };
    const answer = await submit.run(() => admin.updateWebhookEndpoint(request, keys.options(request)));
    if (!answer) return;
    keys.settle();
    if (answer.endpoint) queries.setQueryData(adminKeys.endpoint(endpoint.id), answer.endpoint);
    await queries.invalidateQueries({ queryKey: adminKeys.endpoints, exact: true });
    onClose();
  };
  const fields = submit.error?.fields ?? {};
  const known = fields.url || fields.description || fields.eventTypes;

  return (
    <Dialog open onOpenChange={(open) => !open && onClose()} size="wide"
      title={endpoint ? t("admin.webhooks.editTitle") : t("admin.webhooks.createTitle")}
      description={t("admin.webhooks.dialogText")}
      footer={
        <>
          <Button type="button" variant="secondary" onClick={onClose}>{t("admin.cancel")}</Button>
          <Button type="submit" form="endpoint-form" disabled={submit.busy} aria-busy={submit.busy}>
            {endpoint ? t("admin.save") : t("admin.webhooks.create")}
          </Button>
        </>
      }>
      <form id="endpoint-form" ref={formRef} className="flex flex-col gap-4" noValidate onSubmit={(e) => { e.preventDefault(); void save(); }}>
        <Field label={t("admin.webhooks.url")} hint={t("admin.webhooks.urlHint")} type="url" inputMode="url" required
          value={url} onChange={(e) => setUrl(e.target.value)} error={fields.url} />
        <Field label={t("admin.webhooks.description")} value={description} maxLength={500}
          onChange={(e) => setDescription(e.target.value)} error={fields.description} />
        <label className="check self-start">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
          <span>{t("admin.webhooks.enabledLabel")}</span>
        </label>
        <EventTypePicker chosen={eventTypes} onChange={setEventTypes} error={fields.eventTypes} />
        {submit.error && !known && <Notice tone="error">{submit.error.message}</Notice>}
      </form>
    </Dialog>
  );
}
