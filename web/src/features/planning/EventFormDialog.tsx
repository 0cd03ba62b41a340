/**
 * Create or edit an event in a dialog: name, client, venue, project, preparation time and the
 * planning period as local date-times in the person's time zone. A new event can repeat
 * (CreateRecurringEvents). The API's field errors show next to their fields.
 */
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { planning } from "../../api/clients.js";
import { useSubmit } from "../../api/useSubmit.js";
import { useLocale } from "../../app/useLocale.js";
import type { Event } from "../../gen/eventkit/v1/planning_pb.js";
import { Button, Field, Notice } from "../../ui/controls.js";
import { Dialog } from "../../ui/Dialog.js";
import { weekStartFor } from "./calendar.js";
import { draftFrom, draftProblems, eventFields, NO_RECURRENCE, rruleOf, UPDATE_MASK, type EventDraft } from "./eventDraft.js";
import { SelectField } from "./FormBits.js";
import { useIdempotencyKeys } from "../../api/idempotency.js";
import { useProjects, useRefreshPlanning } from "./queries.js";
import { RecurrenceFields } from "./RecurrenceFields.js";

const FIELD_NAMES = new Set(["name", "clientName", "venue", "projectId", "prepTime", "period", "start", "end", "rrule"]);

interface Props {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** The event to edit; a new event when absent. */
  event?: Event;
  /** The saved event (the first of a new series). */
  onSaved: (event: Event) => void;
}

export function EventFormDialog({ open, onOpenChange, event, onSaved }: Props) {
  const { t } = useTranslation();
  return (
    <Dialog open={open} onOpenChange={onOpenChange} size="wide"
      title={event ? t("planning.form.editTitle") : t("planning.form.newTitle")}
      description={t("planning.form.timeZone", { zone: useLocale().timeZone })}>
      {open && <EventForm event={event} onSaved={onSaved} onCancel={() => onOpenChange(false)} />}
    </Dialog>
  );
}

function EventForm({ event, onSaved, onCancel }: Omit<Props, "open" | "onOpenChange"> & { onCancel: () => void }) {
  const { t } = useTranslation();
  const { timeZone, language } = useLocale();
  const [draft, setDraft] = useState<EventDraft>(() => draftFrom(event, timeZone));
  const [recurrence, setRecurrence] = useState(NO_RECURRENCE);
  const [problems, setProblems] = useState<Record<string, string>>({});
  const { run, busy, error } = useSubmit();
  const keys = useIdempotencyKeys();
  const projects = useProjects();
  const refresh = useRefreshPlanning();

  const set = (field: keyof EventDraft) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [field]: e.target.value }));
  const fieldError = (...names: string[]) => {
    for (const name of names) {
      if (problems[name]) return t(problems[name]);
      if (error?.fields[name]) return error.fields[name];
    }
    return undefined;
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    const found = draftProblems(draft, recurrence, timeZone);
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    const fields = eventFields(draft, timeZone);
    const saved = await run(async () => {
      if (event) {
        const answer = await planning.updateEvent({ event: { ...fields, id: event.id }, updateMask: { paths: UPDATE_MASK } });
        return answer.event;
      }
      if (recurrence.repeat) {
        const request = { ...fields, rrule: rruleOf(recurrence, draft, timeZone) };
        const answer = await planning.createRecurringEvents(request, keys.options(request));
        return answer.events[0];
      }
      const answer = await planning.createEvent(fields, keys.options(fields));
      return answer.event;
    });
    if (!saved) return;
    keys.settle();
    await refresh();
    onSaved(saved);
  }

  // A message no field shows goes to the whole form.
  const shownOnField = error && Object.keys(error.fields).some((f) => FIELD_NAMES.has(f));
  return (
    <form className="flex flex-col gap-4" onSubmit={(e) => void submit(e)} noValidate>
      {error && !shownOnField && <Notice tone="error">{t("errors.generic", { message: error.message })}</Notice>}
      <Field label={t("planning.form.name")} value={draft.name} onChange={set("name")} required maxLength={200}
        error={fieldError("name")} autoFocus />
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label={t("planning.form.client")} value={draft.clientName} onChange={set("clientName")} maxLength={200}
          error={fieldError("clientName")} />
        <Field label={t("planning.form.venue")} value={draft.venue} onChange={set("venue")} maxLength={500}
          error={fieldError("venue")} />
      </div>
      <SelectField label={t("planning.form.project")} value={draft.projectId} onChange={set("projectId")}
        error={fieldError("projectId")}>
        <option value="">{t("planning.form.noProject")}</option>
        {(projects.data ?? []).map((p) => (
          <option key={p.id} value={p.id}>{p.clientName ? `${p.name} · ${p.clientName}` : p.name}</option>
        ))}
      </SelectField>
      <div className="grid gap-4 sm:grid-cols-3">
        <Field label={t("planning.form.start")} type="datetime-local" value={draft.start} onChange={set("start")}
          error={fieldError("start", "period")} hint={t("planning.form.startHint")} />
        <Field label={t("planning.form.end")} type="datetime-local" value={draft.end} onChange={set("end")}
          error={fieldError("end")} hint={t("planning.form.endHint")} />
        <Field label={t("planning.form.prep")} type="datetime-local" value={draft.prepTime} onChange={set("prepTime")}
          error={fieldError("prepTime")} hint={t("planning.form.prepHint")} />
      </div>
      {!event && (
        <RecurrenceFields value={recurrence} onChange={setRecurrence} weekStart={weekStartFor(language)}
          errors={{ interval: fieldError("interval"), count: fieldError("count"), until: fieldError("until"), rrule: error?.fields.rrule }} />
      )}
      {shownOnField && <p className="sr-only" role="status">{t("planning.form.fixFields")}</p>}
      <div className="flex flex-wrap justify-end gap-2">
        <Button type="button" variant="secondary" onClick={onCancel}>{t("planning.cancel")}</Button>
        <Button type="submit" disabled={busy}>
          {busy ? t("planning.saving") : event ? t("planning.form.save") : recurrence.repeat ? t("planning.form.createSeries") : t("planning.form.create")}
        </Button>
      </div>
    </form>
  );
}
