/**
 * An event's pull list with live availability: every line says whether it is covered for the
 * event's period and, when not, why (the other events holding the stock, units in repair, kit
 * components, double-booked assets and cases). Lines can be added, resized and removed; the
 * availability of every line is asked again after each change.
 */
import { useIsFetching } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import type { Event } from "../../gen/eventkit/v1/planning_pb.js";
import { Notice } from "../../ui/controls.js";
import { AddLineForm } from "./AddLineForm.js";
import { clashesForLine } from "./availability.js";
import { useEventProgress } from "./EventProgress.js";
import { useAvailability, useClashes, useItemInfo, usePullListLines } from "./pullListData.js";
import { PullListRow } from "./PullListRow.js";
import { periodOf, useProducts } from "./queries.js";
import { isUnderWay, pullListOpen } from "./status.js";

export function PullList({ event, canWrite }: { event: Event; canWrite: boolean }) {
  const { t } = useTranslation();
  const lines = usePullListLines(event.id);
  const list = lines.data ?? [];
  const products = useProducts();
  const checked = useAvailability(event, list);
  const serialised = list.some((l) => l.item.case !== "productId");
  const clashes = useClashes(event, serialised);
  const items = useItemInfo(list);
  const progress = useEventProgress(event.id, isUnderWay(event.status));
  const progressByLine = new Map((progress.data?.lines ?? []).map((p) => [p.lineId, p]));
  const checking = useIsFetching({ queryKey: ["planning", "availability", event.id] }) > 0;
  const editable = canWrite && pullListOpen(event.status);
  const hasPeriod = periodOf(event) !== undefined;

  const shortLines = list.filter((l) => {
    if (l.item.case === "productId") return (checked.get(l.id)?.availability?.short ?? 0) > 0;
    return clashesForLine(clashes.data ?? [], { [l.item.case ?? "productId"]: l.item.value }).length > 0;
  }).length;

  return (
    <section className="flex flex-col gap-3" aria-labelledby="pull-list-title">
      <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
        <h2 id="pull-list-title" className="text-xl font-semibold mr-auto">{t("planning.pull.title")}</h2>
        <p className="text-sm" aria-live="polite">
          {checking ? <span className="text-muted">{t("planning.pull.checking")}</span>
            : !hasPeriod || list.length === 0 ? null
            : shortLines > 0 ? <span className="text-danger font-semibold">{t("planning.pull.shortLines", { count: shortLines })}</span>
            : <span className="text-ok">{t("planning.pull.allCovered")}</span>}
        </p>
      </div>
      {!hasPeriod && <Notice tone="info">{t("planning.pull.noPeriod")}</Notice>}
      {lines.isError && <Notice tone="error">{t("errors.generic", { message: lines.error.message })}</Notice>}
      {clashes.isError && <Notice tone="error">{t("errors.generic", { message: clashes.error.message })}</Notice>}
      {lines.isPending && <p className="text-muted">{t("app.loading")}</p>}
      {lines.isSuccess && list.length === 0 && (
        <p className="card p-6 text-muted">{editable ? t("planning.pull.emptyEditable") : t("planning.pull.empty")}</p>
      )}
      {list.length > 0 && (
        <ul className="card divide-y divide-line" aria-label={t("planning.pull.title")}>
          {list.map((line) => (
            <PullListRow key={line.id} line={line} event={event} editable={editable} canWrite={canWrite}
              products={products.data} checked={checked.get(line.id)} info={items.get(line.id)}
              clashes={clashesForLine(clashes.data ?? [], { [line.item.case ?? "productId"]: line.item.value })}
              progress={progressByLine.get(line.id)} />
          ))}
        </ul>
      )}
      {editable && <AddLineForm eventId={event.id} />}
      {canWrite && !pullListOpen(event.status) && <p className="text-sm text-muted">{t("planning.pull.closed")}</p>}
    </section>
  );
}
