/**
 * Check-out and check-in against one event: pick the event, then scan. Bulk products take a
 * number of units; a check-in can mark what comes back as damaged, with a note (this applies to
 * the next scan only, so a damaged flag never sticks to the rest of the truck).
 */
import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { useLocale } from "../../app/useLocale.js";
import { EventStatus } from "../../gen/eventkit/v1/planning_pb.js";
import { formatPeriod, toDate } from "../../lib/format.js";
import { eventQuery } from "./api.js";
import { EventPicker } from "./EventPicker.js";
import { EventProgress } from "./EventProgress.js";
import type { Feedback } from "./outcome.js";
import { newScanId, type PendingScan } from "./scanQueue.js";
import { ScanStation } from "./ScanStation.js";

interface Props {
  mode: "checkOut" | "checkIn";
  eventId?: string;
  scan: (pending: PendingScan) => Promise<Feedback>;
  onEvent: (eventId: string | undefined) => void;
}

const MAX_UNITS = 100_000;

export function EventScanPanel({ mode, eventId, scan, onEvent }: Props) {
  const { t } = useTranslation();
  const locale = useLocale();
  const id = useId();
  const [units, setUnits] = useState("1");
  const [damaged, setDamaged] = useState(false);
  const [note, setNote] = useState("");
  const event = useQuery({ ...eventQuery(eventId ?? ""), enabled: !!eventId });

  if (!eventId) return <EventPicker mode={mode} onPick={onEvent} />;

  const onCode = (code: string) => {
    const quantity = Math.min(MAX_UNITS, Math.max(1, Math.floor(Number(units)) || 1));
    const base = { clientScanId: newScanId(), code, eventId, quantity, madeAt: Date.now() };
    const pending: PendingScan =
      mode === "checkOut" ? { ...base, kind: "checkOut" } : { ...base, kind: "checkIn", damaged, note: damaged ? note.trim() : "" };
    setUnits("1");
    setDamaged(false);
    setNote("");
    return scan(pending);
  };

  const current = event.data;
  return (
    <div className="flex flex-col gap-4">
      <div className="scan-context">
        <div className="min-w-0 mr-auto">
          <p className="font-semibold truncate">{current?.name ?? (event.isError ? t("scanning.event.unknown") : t("app.loading"))}</p>
          {current && (
            <p className="text-sm text-muted truncate">
              {formatPeriod(toDate(current.period?.start), toDate(current.period?.end), locale)} ·{" "}
              {t(`status.EVENT_STATUS_${EventStatus[current.status]}`)}
            </p>
          )}
        </div>
        <button type="button" className="btn btn-secondary scan-touch" aria-label={t("scanning.event.change")}
          onClick={() => onEvent(undefined)}>
          {t("scanning.event.changeShort")}
        </button>
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <label className="scan-inline" htmlFor={`${id}-units`}>
          <span className="field-label">{t("scanning.units")}</span>
          <input id={`${id}-units`} className="input w-24 scan-touch" type="number" inputMode="numeric" min={1} max={MAX_UNITS}
            value={units} onChange={(e) => setUnits(e.target.value)} aria-describedby={`${id}-units-hint`} />
        </label>
        {mode === "checkIn" && (
          <label className="scan-check scan-touch">
            <input type="checkbox" checked={damaged} onChange={(e) => setDamaged(e.target.checked)} />
            <span>{t("scanning.damaged")}</span>
          </label>
        )}
        {/* On a phone the hint only reaches screen readers: the scan field must stay in view. */}
        <p id={`${id}-units-hint`} className="field-hint hidden sm:block sm:flex-1">
          {mode === "checkIn" ? t("scanning.unitsHintIn") : t("scanning.unitsHint")}
        </p>
      </div>
      {mode === "checkIn" && damaged && (
        <label className="field" htmlFor={`${id}-note`}>
          <span className="field-label">{t("scanning.damageNote")}</span>
          <input id={`${id}-note`} className="input" maxLength={1000} value={note} onChange={(e) => setNote(e.target.value)} />
        </label>
      )}
      <ScanStation label={mode === "checkOut" ? t("scanning.field.checkOut") : t("scanning.field.checkIn")} onCode={onCode} />
      <EventProgress eventId={eventId} mode={mode} />
    </div>
  );
}
