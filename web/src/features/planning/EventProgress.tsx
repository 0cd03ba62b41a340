/**
 * "Packed x of y" while the warehouse works on an event (GetEventProgress of the scanning
 * service): units out against units asked for, and what came back.
 */
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { scanning } from "../../api/clients.js";

export function useEventProgress(eventId: string, enabled = true) {
  return useQuery({
    queryKey: ["planning", "progress", eventId],
    queryFn: () => scanning.getEventProgress({ eventId }),
    enabled,
    refetchInterval: 30_000,
  });
}

/** `returned`: the event is back, so what is out and not back is missing. */
export function EventProgress({ eventId, returned }: { eventId: string; returned: boolean }) {
  const { t } = useTranslation();
  const progress = useEventProgress(eventId);
  if (!progress.data) return null;
  const lines = progress.data.lines;
  const asked = lines.reduce((sum, l) => sum + l.quantity, 0);
  const out = lines.reduce((sum, l) => sum + l.outQuantity, 0);
  const back = lines.reduce((sum, l) => sum + l.returnedQuantity, 0);
  const missing = lines.reduce((sum, l) => sum + l.missingQuantity, 0);
  return (
    <section className="card p-4 flex flex-col gap-2" aria-labelledby="progress-title">
      <h2 id="progress-title" className="font-semibold">{t("planning.progress.title")}</h2>
      <p aria-live="polite">{t("planning.progress.packed", { out, total: asked })}</p>
      <progress className="planning-progress" max={Math.max(asked, 1)} value={out} aria-label={t("planning.progress.title")} />
      {back > 0 && <p className="text-sm text-muted">{t("planning.progress.back", { back, out })}</p>}
      {returned && missing > 0 && <p className="text-sm text-warn">{t("planning.progress.missing", { count: missing })}</p>}
    </section>
  );
}
