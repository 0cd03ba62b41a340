/**
 * Why a line is short or in conflict, as the API tells it: stock owned, in repair and
 * sub-rented at the tightest moment, the other events holding it (linked), a kit's short
 * components, and for assets and cases the events they are also booked on. Product lines offer
 * a sub-rent for the missing units.
 */
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";
import { useLocale } from "../../app/useLocale.js";
import type { Booking, Event, PullListLine } from "../../gen/eventkit/v1/planning_pb.js";
import { formatDateTime, formatNumber, toDate } from "../../lib/format.js";
import type { Clash } from "./availability.js";
import { assetInfoQuery, type CheckedLine, type ItemInfo } from "./pullListData.js";
import { StatusBadge } from "./StatusBadge.js";
import { SubRents } from "./SubRents.js";

interface Props {
  line: PullListLine;
  event: Event;
  name: string;
  checked?: CheckedLine;
  clashes: Clash[];
  info?: ItemInfo;
  inRepair: boolean;
  products?: Map<string, { name: string; currency: string }>;
  canWrite: boolean;
}

export function LineDetails({ line, event, name, checked, clashes, info, inRepair, products, canWrite }: Props) {
  const { t } = useTranslation();
  const locale = useLocale();
  const a = checked?.availability;
  const n = (value: number) => formatNumber(value, locale);

  if (line.item.case !== "productId") {
    return (
      <div className="planning-details">
        {inRepair && <p className="text-danger">{t("planning.why.assetInRepair")}</p>}
        {line.item.case === "caseId" && info?.assetIds && (
          <p className="text-sm text-muted">{t("planning.why.caseHolds", { count: info.assetIds.length })}</p>
        )}
        {clashes.length === 0 && !inRepair && <p className="text-muted">{t("planning.why.noClash")}</p>}
        {clashes.length > 0 && (
          <>
            <h3 className="font-semibold">{t("planning.why.alsoBooked")}</h3>
            <ul className="flex flex-col gap-2">
              {clashes.map((c, i) => (
                <li key={`${c.assetId}-${c.other.eventId}-${i}`} className="flex flex-col">
                  <BookingLink booking={c.other} />
                  <span className="text-sm text-muted">
                    {c.doubleBooked ? t("planning.why.doubleBooked") : t("planning.why.notReserving")}
                    {line.item.case === "caseId" && c.assetId ? ` · ${t("planning.why.insideCase")} ` : ""}
                    {line.item.case === "caseId" && c.assetId && <AssetCode id={c.assetId} />}
                  </span>
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
    );
  }

  const productId = line.item.value;
  return (
    <div className="planning-details">
      {a ? (
        <>
          <p className="text-sm">
            {t("planning.why.numbers", { owned: n(a.owned), repair: n(a.inRepair), subRented: n(a.subRented), free: n(a.free) })}
          </p>
          {a.tightest && a.short > 0 && (
            <p className="text-sm text-muted">
              {t("planning.why.tightest", { start: formatDateTime(a.tightest.start, locale), end: formatDateTime(a.tightest.end, locale) })}
            </p>
          )}
          {a.inRepair > 0 && a.short > 0 && <p className="text-sm text-warn">{t("planning.why.repairCount", { count: a.inRepair })}</p>}
          {a.components.length > 0 && (
            <>
              <h3 className="font-semibold">{t("planning.why.components")}</h3>
              <ul className="text-sm flex flex-col gap-1">
                {a.components.map((c) => (
                  <li key={c.productId}>
                    {t("planning.why.component", { name: products?.get(c.productId)?.name ?? "…", short: n(c.short), perKit: n(c.perKit) })}
                  </li>
                ))}
              </ul>
            </>
          )}
          {a.otherBookings.length > 0 ? (
            <>
              <h3 className="font-semibold">{t("planning.why.heldBy")}</h3>
              <ul className="flex flex-col gap-2">
                {a.otherBookings.map((b) => (
                  <li key={b.eventId} className="flex flex-col">
                    <BookingLink booking={b} />
                    <span className="text-sm text-muted">{t("planning.why.holds", { count: b.quantity })}</span>
                  </li>
                ))}
              </ul>
            </>
          ) : a.short > 0 && <p className="text-sm text-muted">{t("planning.why.notEnoughStock")}</p>}
        </>
      ) : (
        <p className="text-muted">{checked?.error ? t("errors.generic", { message: checked.error }) : t("planning.pull.checking")}</p>
      )}
      <SubRents productId={productId} name={name} event={event} suggested={a?.short ?? 0}
        currency={products?.get(productId)?.currency ?? ""} canWrite={canWrite} />
    </div>
  );
}

/** Another event that holds the stock: linked, with its status and period. */
function BookingLink({ booking }: { booking: Booking }) {
  const { t } = useTranslation();
  const locale = useLocale();
  const period = booking.period
    ? `${formatDateTime(toDate(booking.period.start), locale)} – ${formatDateTime(toDate(booking.period.end), locale)}`
    : t("planning.noPeriod");
  return (
    <span className="flex flex-wrap items-center gap-2">
      <Link to="/events/$eventId" params={{ eventId: booking.eventId }} className="text-accent hover:underline font-medium">
        {booking.eventName || t("planning.why.unnamed")}
      </Link>
      <StatusBadge status={booking.eventStatus} />
      <span className="text-sm text-muted">{period}</span>
    </span>
  );
}

function AssetCode({ id }: { id: string }) {
  const asset = useQuery(assetInfoQuery(id));
  return <span className="font-mono">{asset.data?.label ?? "…"}</span>;
}
