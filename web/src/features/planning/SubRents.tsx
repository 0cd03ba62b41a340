/**
 * Sub-rents of one product that overlap the event's period (ListSubRents), each deletable after
 * a second click, and a dialog to hire in the missing units (CreateSubRent, prefilled with the
 * shortage and the event's period).
 */
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { planning } from "../../api/clients.js";
import { useSubmit } from "../../api/useSubmit.js";
import { useLocale } from "../../app/useLocale.js";
import type { Event, SubRent } from "../../gen/eventkit/v1/planning_pb.js";
import { formatDateTime, formatMoney, toDate } from "../../lib/format.js";
import { Button } from "../../ui/controls.js";
import { overlaps } from "./availability.js";
import { FieldError } from "./FormBits.js";
import { periodOf, useRefreshPlanning } from "./queries.js";
import { SubRentDialog } from "./SubRentDialog.js";

interface Props {
  productId: string;
  name: string;
  event: Event;
  suggested: number;
  currency: string;
  canWrite: boolean;
}

export function SubRents({ productId, name, event, suggested, currency, canWrite }: Props) {
  const { t } = useTranslation();
  const [creating, setCreating] = useState(false);
  const period = periodOf(event);
  const subRents = useQuery({
    queryKey: ["planning", "subrents", productId],
    queryFn: async () => {
      const all: SubRent[] = [];
      let pageToken = "";
      do {
        const answer = await planning.listSubRents({ productId, page: { pageSize: 500, pageToken } });
        all.push(...answer.subRents);
        pageToken = answer.page?.nextPageToken ?? "";
      } while (pageToken);
      return all;
    },
  });
  const relevant = (subRents.data ?? []).filter((s) => {
    const p = periodOf(s);
    return !period || (p !== undefined && overlaps(p, period));
  });

  return (
    <div className="flex flex-col gap-2 border-t border-line pt-3">
      <div className="flex flex-wrap items-center gap-2">
        <h3 className="font-semibold mr-auto">{t("planning.subRent.title")}</h3>
        {canWrite && period && (
          <Button variant={suggested > 0 ? "primary" : "secondary"} onClick={() => setCreating(true)}>
            {suggested > 0 ? t("planning.subRent.forShortage", { count: suggested }) : t("planning.subRent.add")}
          </Button>
        )}
      </div>
      {subRents.isSuccess && relevant.length === 0 && <p className="text-sm text-muted">{t("planning.subRent.none")}</p>}
      {relevant.length > 0 && (
        <ul className="flex flex-col gap-2">
          {relevant.map((s) => <SubRentItem key={s.id} subRent={s} canWrite={canWrite} />)}
        </ul>
      )}
      {period && (
        <SubRentDialog open={creating} onOpenChange={setCreating} productId={productId} name={name}
          quantity={Math.max(1, suggested)} period={period} currency={currency} />
      )}
    </div>
  );
}

function SubRentItem({ subRent, canWrite }: { subRent: SubRent; canWrite: boolean }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const [confirming, setConfirming] = useState(false);
  const remove = useSubmit();
  const refresh = useRefreshPlanning();
  const cost = subRent.cost?.currency ? formatMoney(subRent.cost.amountMinor, subRent.cost.currency, locale) : "";
  async function confirm() {
    if (await remove.run(() => planning.deleteSubRent({ id: subRent.id }))) await refresh();
    setConfirming(false);
  }
  return (
    <li className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm">
      <span className="font-medium">{t("planning.subRent.line", { count: subRent.quantity, supplier: subRent.supplier })}</span>
      <span className="text-muted">
        {formatDateTime(toDate(subRent.period?.start), locale)} – {formatDateTime(toDate(subRent.period?.end), locale)}
      </span>
      {cost && <span>{cost}</span>}
      {canWrite && (
        <span className="ml-auto flex gap-1">
          {confirming && <Button variant="ghost" onClick={() => setConfirming(false)}>{t("planning.cancel")}</Button>}
          <Button variant="ghost" className="text-danger" disabled={remove.busy}
            aria-label={confirming ? t("planning.subRent.confirmDeleteFor", { supplier: subRent.supplier }) : t("planning.subRent.deleteFor", { supplier: subRent.supplier })}
            onClick={() => (confirming ? void confirm() : setConfirming(true))}>
            {confirming ? t("planning.subRent.confirmDelete") : t("planning.subRent.delete")}
          </Button>
        </span>
      )}
      <FieldError error={remove.error?.message} />
    </li>
  );
}
