/**
 * One pull-list line: what it asks for, how many (editable inline for products), whether it is
 * covered for the event's period, and, opened, why not and what to do about it.
 */
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { planning } from "../../api/clients.js";
import { useSubmit } from "../../api/useSubmit.js";
import { useLocale } from "../../app/useLocale.js";
import { AssetStatus } from "../../gen/eventkit/v1/inventory_pb.js";
import type { Event, PullListLine } from "../../gen/eventkit/v1/planning_pb.js";
import type { LineProgress } from "../../gen/eventkit/v1/scanning_pb.js";
import { formatNumber } from "../../lib/format.js";
import { Button } from "../../ui/controls.js";
import type { Clash } from "./availability.js";
import { FieldError } from "./FormBits.js";
import { LineDetails } from "./LineDetails.js";
import type { CheckedLine, ItemInfo } from "./pullListData.js";
import { useRefreshPlanning } from "./queries.js";

interface Props {
  line: PullListLine;
  event: Event;
  editable: boolean;
  canWrite: boolean;
  products?: Map<string, { name: string; currency: string }>;
  checked?: CheckedLine;
  info?: ItemInfo;
  clashes: Clash[];
  progress?: LineProgress;
}

export function PullListRow({ line, event, editable, canWrite, products, checked, info, clashes, progress }: Props) {
  const { t } = useTranslation();
  const locale = useLocale();
  const [open, setOpen] = useState(false);
  const detailsId = useId();
  const remove = useSubmit();
  const refresh = useRefreshPlanning();
  const kind = line.item.case === "productId" ? (checked?.isKit ? "kit" : "product") : line.item.case === "assetId" ? "asset" : "case";
  const name = line.item.case === "productId"
    ? products?.get(line.item.value)?.name ?? "…"
    : info?.label ?? "…";
  const assetProduct = info?.productId ? products?.get(info.productId)?.name : undefined;
  const inRepair = info?.assetStatus === AssetStatus.IN_REPAIR;
  const short = checked?.availability?.short ?? 0;
  const hasReasons = short > 0 || clashes.length > 0 || inRepair || (checked?.availability?.components.length ?? 0) > 0;

  async function removeLine() {
    if (await remove.run(() => planning.removePullListLine({ id: line.id }))) await refresh();
  }

  return (
    <li className="p-3 sm:px-4 flex flex-col gap-2">
      <div className="planning-line">
        <div className="min-w-0">
          <span className="font-medium break-words">{name}</span>
          <span className="badge ml-2">{t(`planning.pull.kind.${kind}`)}</span>
          {assetProduct && <span className="block text-sm text-muted truncate">{assetProduct}</span>}
        </div>
        <div>
          {line.item.case === "productId" && editable
            ? <QuantityEditor line={line} name={name} />
            : <span>{t("planning.pull.quantity", { count: line.quantity })}</span>}
        </div>
        <div className="text-sm" aria-live="polite">
          <AvailabilityText checked={checked} clashes={clashes} inRepair={inRepair} serialised={line.item.case !== "productId"} />
          {progress && (
            <span className="block text-muted">{t("planning.pull.out", { out: formatNumber(progress.outQuantity, locale), total: formatNumber(progress.quantity, locale) })}</span>
          )}
        </div>
        <div className="flex flex-wrap justify-end gap-1">
          {(hasReasons || line.item.case === "productId") && (
            <Button variant="ghost" aria-expanded={open} aria-controls={open ? detailsId : undefined} onClick={() => setOpen(!open)}
              aria-label={t(hasReasons ? "planning.pull.whyFor" : "planning.pull.detailsFor", { name })}>
              {hasReasons ? t("planning.pull.why") : t("planning.pull.details")}
            </Button>
          )}
          {editable && (
            <Button variant="ghost" className="text-danger" disabled={remove.busy} onClick={() => void removeLine()}
              aria-label={t("planning.pull.removeFor", { name })}>
              {t("planning.pull.remove")}
            </Button>
          )}
        </div>
      </div>
      {remove.error && <FieldError error={remove.error.message} />}
      {open && (
        <div id={detailsId}>
          <LineDetails line={line} event={event} name={name} checked={checked} clashes={clashes} info={info}
            inRepair={inRepair} products={products} canWrite={canWrite} />
        </div>
      )}
    </li>
  );
}

function AvailabilityText({ checked, clashes, inRepair, serialised }: { checked?: CheckedLine; clashes: Clash[]; inRepair: boolean; serialised: boolean }) {
  const { t } = useTranslation();
  if (serialised) {
    if (inRepair) return <span className="text-danger font-semibold">{t("planning.pull.inRepair")}</span>;
    if (clashes.some((c) => c.doubleBooked)) return <span className="text-danger font-semibold">{t("planning.pull.doubleBooked", { count: clashes.length })}</span>;
    if (clashes.length > 0) return <span className="text-warn font-semibold">{t("planning.pull.alsoWanted", { count: clashes.length })}</span>;
    return <span className="text-ok">{t("planning.pull.noConflict")}</span>;
  }
  if (!checked || (checked.loading && !checked.availability)) return <span className="text-muted">{t("planning.pull.checking")}</span>;
  if (checked.error) return <span className="text-danger">{t("planning.pull.checkFailed")}</span>;
  const a = checked.availability;
  if (!a) return <span className="text-muted">—</span>;
  if (a.short > 0) return <span className="text-danger font-semibold">{t("planning.pull.short", { count: a.short, free: a.free })}</span>;
  return <span className="text-ok">{t("planning.pull.available", { free: a.free })}</span>;
}

/** The quantity of a product line, saved on Enter or when focus leaves (UpdatePullListLine). */
function QuantityEditor({ line, name }: { line: PullListLine; name: string }) {
  const { t } = useTranslation();
  const [value, setValue] = useState(String(line.quantity));
  const [seen, setSeen] = useState(line.quantity);
  const save = useSubmit();
  const refresh = useRefreshPlanning();
  const errorId = useId();
  if (seen !== line.quantity) {
    setSeen(line.quantity);
    setValue(String(line.quantity));
  }
  async function commit() {
    const quantity = Number(value);
    if (quantity === line.quantity) return;
    if (!Number.isInteger(quantity) || quantity < 1) {
      save.setError({ message: t("planning.pull.quantityInvalid"), fields: {}, code: "invalid_argument" });
      return;
    }
    const answer = await save.run(() =>
      planning.updatePullListLine({ line: { id: line.id, quantity }, updateMask: { paths: ["quantity"] } }));
    if (answer) await refresh();
  }
  const error = save.error && (save.error.fields.quantity ?? save.error.message);
  return (
    <div className="flex flex-col gap-1">
      <input className="input w-24" type="number" min={1} max={100000} inputMode="numeric" value={value}
        aria-label={t("planning.pull.quantityOf", { name })} aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined} aria-busy={save.busy}
        onChange={(e) => setValue(e.target.value)} onBlur={() => void commit()}
        onKeyDown={(e) => { if (e.key === "Enter") void commit(); }} />
      <FieldError id={errorId} error={error} />
    </div>
  );
}
