/**
 * Picks the event to scan for: the events in a status that allows it, searchable by name,
 * client or venue, soonest first.
 */
import { useQuery } from "@tanstack/react-query";
import { useDeferredValue, useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { formError } from "../../api/errors.js";
import { useLocale } from "../../app/useLocale.js";
import { EventStatus } from "../../gen/eventkit/v1/planning_pb.js";
import { Notice } from "../../ui/controls.js";
import { formatPeriod, toDate } from "../../lib/format.js";
import { eventsQuery } from "./api.js";
import { matchEvents } from "./choices.js";

const SHOWN = 50;

export function EventPicker({ mode, onPick }: { mode: "checkOut" | "checkIn"; onPick: (id: string) => void }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const id = useId();
  const [query, setQuery] = useState("");
  const deferred = useDeferredValue(query);
  const events = useQuery(eventsQuery(mode));
  const matches = matchEvents(events.data ?? [], deferred);

  return (
    <section aria-labelledby={`${id}-title`} className="card p-4 flex flex-col gap-3">
      <h2 id={`${id}-title`} className="text-lg font-semibold">{t(`scanning.event.pick.${mode}`)}</h2>
      <label className="field" htmlFor={`${id}-search`}>
        <span className="sr-only">{t("scanning.event.search")}</span>
        <input id={`${id}-search`} className="input" type="search" placeholder={t("scanning.event.search")}
          value={query} onChange={(e) => setQuery(e.target.value)} />
      </label>
      {events.isPending && <p className="text-muted">{t("app.loading")}</p>}
      {events.isError && <Notice tone="error">{t("errors.generic", { message: formError(events.error).message })}</Notice>}
      {events.isSuccess && matches.length === 0 && (
        <p className="text-muted">{query ? t("scanning.event.noMatch") : t(`scanning.event.none.${mode}`)}</p>
      )}
      <ul className="flex flex-col gap-2 overflow-y-auto scan-pick-list">
        {matches.slice(0, SHOWN).map((event) => (
          <li key={event.id}>
            <button type="button" className="scan-pick" onClick={() => onPick(event.id)}>
              <span className="font-semibold">{event.name}</span>
              <span className="text-sm text-muted">
                {formatPeriod(toDate(event.period?.start), toDate(event.period?.end), locale)}
                {event.clientName ? ` · ${event.clientName}` : ""}
              </span>
              <span className="badge self-start">{t(`status.EVENT_STATUS_${EventStatus[event.status]}`)}</span>
            </button>
          </li>
        ))}
      </ul>
      {matches.length > SHOWN && (
        <p className="text-sm text-muted">{t("scanning.event.more", { shown: SHOWN, count: matches.length })}</p>
      )}
    </section>
  );
}
