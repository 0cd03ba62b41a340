/**
 * The "repeat this event" part of the new-event form: frequency, interval, weekdays of a weekly
 * rule, and an end by number of occurrences or by date (CreateRecurringEvents).
 */
import { useTranslation } from "react-i18next";
import { Field } from "../../ui/controls.js";
import { FieldError, SelectField } from "./FormBits.js";
import type { RecurrenceDraft } from "./eventDraft.js";
import { FREQUENCIES, MAX_OCCURRENCES, WEEKDAYS, type Frequency, type Weekday } from "./recurrence.js";

interface Props {
  value: RecurrenceDraft;
  onChange: (value: RecurrenceDraft) => void;
  errors: Record<string, string | undefined>;
  /** 0 = Sunday first, 1 = Monday first. */
  weekStart: number;
}

export function RecurrenceFields({ value, onChange, errors, weekStart }: Props) {
  const { t } = useTranslation();
  const set = (patch: Partial<RecurrenceDraft>) => onChange({ ...value, ...patch });
  const days = Array.from({ length: 7 }, (_, i) => WEEKDAYS[(weekStart + i) % 7] as Weekday);
  const toggleDay = (day: Weekday) =>
    set({ byDay: value.byDay.includes(day) ? value.byDay.filter((d) => d !== day) : [...value.byDay, day] });

  return (
    <fieldset className="flex flex-col gap-3 rounded-lg border border-line p-3">
      <legend className="px-1 font-semibold">{t("planning.repeat.legend")}</legend>
      <label className="flex items-center gap-2">
        <input type="checkbox" checked={value.repeat} onChange={(e) => set({ repeat: e.target.checked })} />
        {t("planning.repeat.toggle")}
      </label>
      {value.repeat && (
        <>
          <div className="grid gap-3 sm:grid-cols-2">
            <SelectField label={t("planning.repeat.frequency")} value={value.frequency}
              onChange={(e) => set({ frequency: e.target.value as Frequency })}>
              {FREQUENCIES.map((f) => <option key={f} value={f}>{t(`planning.repeat.${f}`)}</option>)}
            </SelectField>
            <Field label={t("planning.repeat.interval")} type="number" min={1} inputMode="numeric"
              value={value.interval} onChange={(e) => set({ interval: e.target.value })}
              hint={t(`planning.repeat.intervalHint_${value.frequency}`)} error={errors.interval} />
          </div>
          {value.frequency === "WEEKLY" && (
            <fieldset>
              <legend className="field-label mb-1">{t("planning.repeat.onDays")}</legend>
              <div className="flex flex-wrap gap-2">
                {days.map((day) => (
                  <label key={day} className="planning-chip">
                    <input type="checkbox" checked={value.byDay.includes(day)} onChange={() => toggleDay(day)} />
                    {t(`planning.weekday.${day}`)}
                  </label>
                ))}
              </div>
              <p className="field-hint mt-1">{t("planning.repeat.onDaysHint")}</p>
            </fieldset>
          )}
          <fieldset className="flex flex-col gap-2">
            <legend className="field-label mb-1">{t("planning.repeat.ends")}</legend>
            <label className="flex items-center gap-2">
              <input type="radio" name="recurrence-end" checked={value.endKind === "count"}
                onChange={() => set({ endKind: "count" })} />
              {t("planning.repeat.afterCount")}
            </label>
            <label className="flex items-center gap-2">
              <input type="radio" name="recurrence-end" checked={value.endKind === "until"}
                onChange={() => set({ endKind: "until" })} />
              {t("planning.repeat.untilDate")}
            </label>
            {value.endKind === "count" ? (
              <Field label={t("planning.repeat.count")} type="number" min={1} max={MAX_OCCURRENCES} inputMode="numeric"
                value={value.count} onChange={(e) => set({ count: e.target.value })} error={errors.count}
                hint={t("planning.repeat.countHint", { max: MAX_OCCURRENCES })} />
            ) : (
              <Field label={t("planning.repeat.until")} type="date" value={value.until}
                onChange={(e) => set({ until: e.target.value })} error={errors.until} />
            )}
          </fieldset>
          <FieldError error={errors.rrule} />
        </>
      )}
    </fieldset>
  );
}
