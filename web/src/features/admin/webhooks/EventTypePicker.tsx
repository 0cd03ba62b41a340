/**
 * The event types an endpoint subscribes to, grouped by entity: every event (`*`), a whole
 * entity (`product.*`) or single types. Types covered by a wider choice show as checked and
 * disabled. A search narrows the long list.
 */
import { useMemo, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { ALL_EVENTS, choiceState, eventGroups, toggleEventType } from "../eventTypes.js";
import { ChoiceList } from "../shared/ChoiceList.js";

interface EventTypePickerProps {
  chosen: string[];
  onChange: (types: string[]) => void;
  error?: string;
}

export function EventTypePicker({ chosen, onChange, error }: EventTypePickerProps) {
  const { t } = useTranslation();
  const [filter, setFilter] = useState("");
  const groups = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    return eventGroups().filter((g) => !needle || g.types.some((type) => type.includes(needle)));
  }, [filter]);
  const choice = (type: string, label: ReactNode) => {
    const state = choiceState(chosen, type);
    return { value: type, label, checked: state !== "off", disabled: state === "covered" };
  };
  const toggle = (type: string, on: boolean) => onChange(toggleEventType(chosen, type, on));

  return (
    <fieldset className="flex flex-col gap-3" aria-describedby={error ? "event-types-error" : undefined}
      aria-invalid={error ? true : undefined}>
      <legend className="field-label mb-1">{t("admin.webhooks.eventTypes")}</legend>
      <p className="field-hint">{t("admin.webhooks.eventTypesHint", { count: chosen.length })}</p>
      <ChoiceList legend={t("admin.webhooks.everything")} onToggle={toggle}
        choices={[choice(ALL_EVENTS, <>{t("admin.webhooks.allEvents")} <code className="text-sm text-muted">*</code></>)]} />
      <label className="field">
        <span className="sr-only">{t("admin.webhooks.filterTypes")}</span>
        <input className="input" type="search" placeholder={t("admin.webhooks.filterTypes")} value={filter}
          onChange={(e) => setFilter(e.target.value)} />
      </label>
      <div className="grid max-h-[50vh] gap-3 overflow-y-auto sm:grid-cols-2">
        {groups.map((g) => (
          <div key={g.entity} className="rounded-lg border border-line p-3">
            <ChoiceList legend={g.entity} onToggle={toggle}
              choices={[
                choice(g.wildcard, <>{t("admin.webhooks.allOf", { entity: g.entity })} <code className="text-sm text-muted">{g.wildcard}</code></>),
                ...g.types.map((type) => choice(type, <code className="text-sm">{type}</code>)),
              ]} />
          </div>
        ))}
      </div>
      {error && <p id="event-types-error" className="field-error" role="alert">{error}</p>}
    </fieldset>
  );
}
