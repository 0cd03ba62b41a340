/**
 * What a planner can do to an event: the status moves the machine allows (TransitionEvent),
 * edit, delete after a confirmation, restore. The API's refusal (e.g. a double booking on
 * confirming, naming the other event) shows as a notice.
 */
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { planning } from "../../api/clients.js";
import { useSubmit } from "../../api/useSubmit.js";
import type { Event, EventStatus } from "../../gen/eventkit/v1/planning_pb.js";
import { Button, Notice } from "../../ui/controls.js";
import { Dialog } from "../../ui/Dialog.js";
import { EventFormDialog } from "./EventFormDialog.js";
import { idempotent } from "../../api/idempotency.js";
import { useRefreshPlanning } from "./queries.js";
import { allowedTransitions, statusKey } from "./status.js";

export function EventActions({ event }: { event: Event }) {
  const { t } = useTranslation();
  const { run, busy, error } = useSubmit();
  const refresh = useRefreshPlanning();
  const [editing, setEditing] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [done, setDone] = useState("");
  const deleted = Boolean(event.deleteTime);

  async function act(call: () => Promise<unknown>, message: string) {
    setDone("");
    const answer = await run(call);
    if (answer === undefined) return;
    await refresh();
    setDone(message);
  }
  const transition = (status: EventStatus) =>
    act(() => planning.transitionEvent({ id: event.id, status }, idempotent()),
      t("planning.actions.moved", { status: t(statusKey(status)) }));

  return (
    <section aria-label={t("planning.actions.label")} className="flex flex-col gap-3">
      <div className="flex flex-wrap items-center gap-2">
        {!deleted && allowedTransitions(event.status).map((status) => (
          <Button key={status} variant="secondary" disabled={busy} onClick={() => void transition(status)}>
            {t("planning.actions.moveTo", { status: t(statusKey(status)) })}
          </Button>
        ))}
        <span className="grow" />
        {!deleted && <Button variant="secondary" onClick={() => setEditing(true)}>{t("planning.actions.edit")}</Button>}
        {deleted ? (
          <Button disabled={busy} onClick={() => void act(() => planning.restoreEvent({ id: event.id }), t("planning.actions.restored"))}>
            {t("planning.actions.restore")}
          </Button>
        ) : (
          <Button variant="ghost" className="text-danger" onClick={() => setConfirmDelete(true)}>{t("planning.actions.delete")}</Button>
        )}
      </div>
      {error && <Notice tone="error">{t("errors.generic", { message: error.message })}</Notice>}
      <p className="sr-only" role="status">{done}</p>
      <EventFormDialog open={editing} onOpenChange={setEditing} event={event} onSaved={() => setEditing(false)} />
      <Dialog open={confirmDelete} onOpenChange={setConfirmDelete} title={t("planning.actions.deleteTitle", { name: event.name })}
        description={t("planning.actions.deleteText")}
        footer={
          <>
            <Button variant="secondary" onClick={() => setConfirmDelete(false)}>{t("planning.cancel")}</Button>
            <Button disabled={busy} onClick={() => {
              setConfirmDelete(false);
              void act(() => planning.deleteEvent({ id: event.id }), t("planning.actions.deletedDone"));
            }}>
              {t("planning.actions.deleteConfirm")}
            </Button>
          </>
        }>
        <p>{t("planning.actions.deleteRestoreHint")}</p>
      </Dialog>
    </section>
  );
}
