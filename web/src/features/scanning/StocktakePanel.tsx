/**
 * Stocktake of a location: pick it, start (the expected assets are fixed then), scan what is
 * there, watch the discrepancies (expected but not scanned, scanned but not expected), and close
 * it after a confirm. The open stocktake is remembered on this device (the API cannot list
 * stocktakes), so a reload carries on with it.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { scanning } from "../../api/clients.js";
import { formError } from "../../api/errors.js";
import { useSubmit } from "../../api/useSubmit.js";
import { StocktakeStatus, type Stocktake } from "../../gen/eventkit/v1/scanning_pb.js";
import { Button, Notice } from "../../ui/controls.js";
import { Dialog } from "../../ui/Dialog.js";
import { idempotent, locationsQuery, stocktakeQuery } from "./api.js";
import { locationChoices } from "./choices.js";
import { StocktakeSummary } from "./StocktakeSummary.js";
import type { Feedback } from "./outcome.js";
import { newScanId, type PendingScan } from "./scanQueue.js";
import { ScanStation } from "./ScanStation.js";

const memoryKey = (owner: string) => `ek.stocktake.${owner}`;
function remembered(owner: string): string {
  try {
    return globalThis.localStorage?.getItem(memoryKey(owner)) ?? "";
  } catch {
    return "";
  }
}
function remember(owner: string, id: string) {
  try {
    if (id) globalThis.localStorage?.setItem(memoryKey(owner), id);
    else globalThis.localStorage?.removeItem(memoryKey(owner));
  } catch {
    // Without storage the stocktake is remembered for this page only.
  }
}

interface Props {
  owner: string;
  scan: (pending: PendingScan) => Promise<Feedback>;
}

export function StocktakePanel({ owner, scan }: Props) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [stocktakeId, setStocktakeId] = useState(() => remembered(owner));
  const [confirming, setConfirming] = useState(false);
  const stocktake = useQuery({ ...stocktakeQuery(stocktakeId), enabled: !!stocktakeId });
  const locations = useQuery(locationsQuery);
  const closing = useSubmit();
  const closeKey = useRef(newScanId());

  const choose = (id: string) => {
    remember(owner, id);
    setStocktakeId(id);
  };
  const started = (value: Stocktake) => {
    queries.setQueryData(stocktakeQuery(value.id).queryKey, value);
    choose(value.id);
  };

  if (!stocktakeId || (stocktake.isError && formError(stocktake.error).code === "not_found")) {
    return <StartStocktake onStarted={started} lost={!!stocktakeId} />;
  }
  if (stocktake.isPending) return <p className="text-muted">{t("app.loading")}</p>;
  if (stocktake.isError || !stocktake.data) {
    return <Notice tone="error">{t("errors.generic", { message: formError(stocktake.error).message })}</Notice>;
  }
  const current = stocktake.data;
  const where = locationChoices(locations.data ?? []).find((l) => l.id === current.locationId)?.label ?? "…";
  const open = current.status === StocktakeStatus.OPEN;

  const close = async () => {
    const answer = await closing.run(() => scanning.closeStocktake({ id: current.id }, idempotent(closeKey.current)));
    if (!answer?.stocktake) return;
    closeKey.current = newScanId();
    queries.setQueryData(stocktakeQuery(current.id).queryKey, answer.stocktake);
    setConfirming(false);
  };
  const onCode = (code: string) =>
    scan({ kind: "stocktake", clientScanId: newScanId(), code, stocktakeId: current.id, madeAt: Date.now() });

  return (
    <div className="flex flex-col gap-4">
      <div className="scan-context">
        <div className="min-w-0 mr-auto">
          <p className="font-semibold">{t("scanning.stocktake.of", { location: where })}</p>
          <p className="text-sm text-muted">
            {open ? t("scanning.stocktake.open") : t("scanning.stocktake.closed")} ·{" "}
            {t("scanning.stocktake.countedShort", { counted: current.countedCount, expected: current.expectedCount })}
          </p>
        </div>
        {open ? (
          <Button variant="secondary" className="scan-touch" aria-label={t("scanning.stocktake.close")}
            onClick={() => setConfirming(true)}>
            {t("scanning.stocktake.closeShort")}
          </Button>
        ) : (
          <Button variant="secondary" className="scan-touch" onClick={() => choose("")}>
            {t("scanning.stocktake.new")}
          </Button>
        )}
      </div>
      {open && <ScanStation label={t("scanning.field.stocktake")} onCode={onCode} />}
      <StocktakeSummary stocktake={current} />
      <Dialog open={confirming} onOpenChange={setConfirming} title={t("scanning.stocktake.confirmTitle")}
        description={t("scanning.stocktake.confirmText", {
          missing: current.missingAssetIds.length,
          unexpected: current.unexpectedAssetIds.length,
        })}
        footer={
          <>
            <Button variant="secondary" onClick={() => setConfirming(false)}>{t("scanning.cancel")}</Button>
            <Button onClick={() => void close()} disabled={closing.busy}>{t("scanning.stocktake.closeConfirm")}</Button>
          </>
        }>
        {closing.error && <Notice tone="error">{closing.error.message}</Notice>}
      </Dialog>
    </div>
  );
}

function StartStocktake({ onStarted, lost }: { onStarted: (stocktake: Stocktake) => void; lost: boolean }) {
  const { t } = useTranslation();
  const id = useId();
  const locations = useQuery(locationsQuery);
  const [locationId, setLocationId] = useState("");
  const starting = useSubmit();
  const key = useRef(newScanId());
  const choices = locationChoices(locations.data ?? []);
  const fieldError = starting.error?.fields.locationId;

  const start = async () => {
    const answer = await starting.run(() => scanning.startStocktake({ locationId }, idempotent(key.current)));
    if (answer?.stocktake) {
      key.current = newScanId();
      onStarted(answer.stocktake);
    }
  };

  return (
    <form className="card p-4 flex flex-col gap-3" aria-labelledby={`${id}-title`}
      onSubmit={(e) => {
        e.preventDefault();
        void start();
      }}>
      <h2 id={`${id}-title`} className="text-lg font-semibold">{t("scanning.stocktake.startTitle")}</h2>
      {lost && <Notice tone="info">{t("scanning.stocktake.lost")}</Notice>}
      <p className="text-sm text-muted">{t("scanning.stocktake.startHint")}</p>
      {locations.isSuccess && choices.length === 0 ? (
        <p className="text-muted">{t("scanning.stocktake.noLocations")}</p>
      ) : (
        <div className="field">
          <label htmlFor={`${id}-location`} className="field-label">{t("scanning.stocktake.location")}</label>
          <select id={`${id}-location`} className="select scan-touch" value={locationId} required
            aria-invalid={fieldError ? true : undefined} aria-describedby={fieldError ? `${id}-error` : undefined}
            onChange={(e) => {
              setLocationId(e.target.value);
              starting.reset();
            }}>
            <option value="">{locations.isPending ? t("app.loading") : t("scanning.stocktake.choose")}</option>
            {choices.map((choice) => (
              <option key={choice.id} value={choice.id}>{choice.label}</option>
            ))}
          </select>
          {fieldError && <p id={`${id}-error`} className="field-error" role="alert">{fieldError}</p>}
        </div>
      )}
      {starting.error && !fieldError && <Notice tone="error">{starting.error.message}</Notice>}
      <Button type="submit" className="scan-touch self-start" disabled={!locationId || starting.busy}>
        {t("scanning.stocktake.start")}
      </Button>
    </form>
  );
}
