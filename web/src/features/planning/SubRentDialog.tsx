/**
 * Hire in stock from a supplier for a period (CreateSubRent): prefilled with the missing units
 * and the event's period; the cost is typed in the currency's units and sent as minor units.
 */
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { planning } from "../../api/clients.js";
import { useSubmit } from "../../api/useSubmit.js";
import { useLocale } from "../../app/useLocale.js";
import { Button, Field, Notice } from "../../ui/controls.js";
import { Dialog } from "../../ui/Dialog.js";
import { useIdempotencyKeys } from "../../api/idempotency.js";
import { currencyDigits, parseAmount } from "./money.js";
import { periodMessage, useRefreshPlanning } from "./queries.js";
import { fromLocalInput, toLocalInput } from "./zonedTime.js";

interface Props {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  productId: string;
  name: string;
  quantity: number;
  period: { start: Date; end: Date };
  currency: string;
}

const FIELDS = new Set(["supplier", "quantity", "period", "start", "end", "cost", "amountMinor", "currency"]);

export function SubRentDialog({ open, onOpenChange, ...props }: Props) {
  const { t } = useTranslation();
  return (
    <Dialog open={open} onOpenChange={onOpenChange} title={t("planning.subRent.dialogTitle", { name: props.name })}
      description={t("planning.subRent.dialogText")}>
      {open && <SubRentForm {...props} onDone={() => onOpenChange(false)} />}
    </Dialog>
  );
}

function SubRentForm({ productId, quantity, period, currency, onDone }: Omit<Props, "open" | "onOpenChange" | "name"> & { onDone: () => void }) {
  const { t } = useTranslation();
  const { timeZone } = useLocale();
  const [supplier, setSupplier] = useState("");
  const [count, setCount] = useState(String(quantity));
  const [start, setStart] = useState(toLocalInput(period.start, timeZone));
  const [end, setEnd] = useState(toLocalInput(period.end, timeZone));
  const [amount, setAmount] = useState("");
  const [code, setCode] = useState(currency);
  const [problem, setProblem] = useState<Record<string, string>>({});
  const { run, busy, error } = useSubmit();
  const keys = useIdempotencyKeys();
  const refresh = useRefreshPlanning();
  const field = (...names: string[]) => names.map((n) => problem[n] ?? error?.fields[n]).find(Boolean);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const currencyCode = code.trim().toUpperCase();
    const minor = amount.trim() === "" ? undefined : parseAmount(amount, currencyDigits(currencyCode || "EUR"));
    const from = fromLocalInput(start, timeZone);
    const to = fromLocalInput(end, timeZone);
    const found: Record<string, string> = {};
    if (amount.trim() !== "" && minor === undefined) found.cost = t("planning.subRent.amountInvalid");
    if (minor !== undefined && !/^[A-Z]{3}$/.test(currencyCode)) found.currency = t("planning.subRent.currencyInvalid");
    if (!from) found.start = t("planning.form.startMissing");
    if (!to) found.end = t("planning.form.endMissing");
    if (from && to && to <= from) found.end = t("planning.form.endBeforeStart");
    setProblem(found);
    if (Object.keys(found).length > 0 || !from || !to) return;
    const request = {
      productId,
      supplier: supplier.trim(),
      quantity: Number(count),
      period: periodMessage({ start: from, end: to }),
      cost: minor !== undefined ? { amountMinor: minor, currency: currencyCode } : undefined,
    };
    const answer = await run(() => planning.createSubRent(request, keys.options(request)));
    if (!answer) return;
    keys.settle();
    await refresh();
    onDone();
  }

  const onField = error && Object.keys(error.fields).some((f) => FIELDS.has(f));
  return (
    <form className="flex flex-col gap-4" onSubmit={(e) => void submit(e)} noValidate>
      {error && !onField && <Notice tone="error">{t("errors.generic", { message: error.message })}</Notice>}
      <Field label={t("planning.subRent.supplier")} value={supplier} onChange={(e) => setSupplier(e.target.value)}
        required maxLength={200} error={field("supplier")} autoFocus />
      <Field label={t("planning.subRent.quantity")} type="number" min={1} max={100000} inputMode="numeric" value={count}
        onChange={(e) => setCount(e.target.value)} error={field("quantity")} />
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label={t("planning.form.start")} type="datetime-local" value={start} onChange={(e) => setStart(e.target.value)}
          error={field("start", "period")} />
        <Field label={t("planning.form.end")} type="datetime-local" value={end} onChange={(e) => setEnd(e.target.value)}
          error={field("end")} />
      </div>
      <div className="grid gap-4 grid-cols-[minmax(0,1fr)_6rem]">
        <Field label={t("planning.subRent.cost")} inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)}
          hint={t("planning.subRent.costHint")} error={field("cost", "amountMinor")} />
        <Field label={t("planning.subRent.currency")} value={code} maxLength={3} autoCapitalize="characters"
          onChange={(e) => setCode(e.target.value)} error={field("currency")} />
      </div>
      <div className="flex flex-wrap justify-end gap-2">
        <Button type="button" variant="secondary" onClick={onDone}>{t("planning.cancel")}</Button>
        <Button type="submit" disabled={busy}>{busy ? t("planning.saving") : t("planning.subRent.create")}</Button>
      </div>
    </form>
  );
}
