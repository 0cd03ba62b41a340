/**
 * The start page: upcoming events (7/14/30 days) and shortages for those who may read planning,
 * then overdue returns, assets in maintenance and low stock (DashboardInventory). No widget stands in for data the API does not have.
 */
import { useQuery, useSuspenseQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { planning } from "../api/clients.js";
import { meQuery } from "../app/session.js";
import { useLocale } from "../app/useLocale.js";
import { EventStatus } from "../gen/eventkit/v1/planning_pb.js";
import { formatPeriod, toDate } from "../lib/format.js";
import { holds, PERMISSIONS } from "../lib/navigation.js";
import { daysFromNow } from "../lib/period.js";
import { InMaintenance, LowStock, OverdueReturns } from "./DashboardInventory.js";
import { Widget } from "./DashboardWidget.js";


export function Dashboard() {
  const { t } = useTranslation();
  const { data: me } = useSuspenseQuery(meQuery);
  const held = me?.permissions ?? [];
  const canPlan = holds(held, PERMISSIONS.planningRead);
  const canSeeStock = holds(held, PERMISSIONS.inventoryRead);
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-bold">{t("dashboard.title")}</h1>
      {canPlan && (
        <div className="grid gap-6 lg:grid-cols-2">
          <UpcomingEvents />
          <Shortages />
        </div>
      )}
      <div className="grid gap-6 lg:grid-cols-3">
        {canPlan && <OverdueReturns />}
        {canSeeStock && <InMaintenance />}
        {canSeeStock && <LowStock />}
      </div>
    </div>
  );
}

function UpcomingEvents() {
  const { t } = useTranslation();
  const locale = useLocale();
  const [days, setDays] = useState(14);
  const events = useQuery({
    queryKey: ["events", "upcoming", days],
    queryFn: () => planning.listEvents({ period: daysFromNow(0, days), page: { pageSize: 100 } }),
  });
  const list = (events.data?.events ?? []).filter((e) => e.status !== EventStatus.CANCELLED);
  return (
    <Widget id="upcoming-title" title={t("dashboard.upcoming")} empty={t("events.empty")}
      isEmpty={events.isSuccess && list.length === 0}
      action={
        <>
          <label className="sr-only" htmlFor="upcoming-days">{t("dashboard.upcoming")}</label>
          <select id="upcoming-days" className="select" value={days} onChange={(e) => setDays(Number(e.target.value))}>
            {[7, 14, 30].map((d) => (
              <option key={d} value={d}>{t("events.days", { count: d })}</option>
            ))}
          </select>
        </>
      }>
      {list.map((event) => (
          <li key={event.id} className="py-2 flex flex-col gap-1 sm:flex-row sm:items-center sm:gap-3">
            <Link to="/events/$eventId" params={{ eventId: event.id }} className="font-medium hover:underline sm:mr-auto">
              {event.name}
            </Link>
            <span className="flex items-center gap-3">
              <span className="text-sm text-muted">
                {formatPeriod(toDate(event.period?.start), toDate(event.period?.end), locale)}
              </span>
              <span className="badge">{t(`status.EVENT_STATUS_${EventStatus[event.status]}`)}</span>
            </span>
          </li>
        ))}
    </Widget>
  );
}

function Shortages() {
  const { t } = useTranslation();
  const locale = useLocale();
  const shortages = useQuery({
    queryKey: ["shortages", 30],
    queryFn: () => planning.listShortages({ period: daysFromNow(0, 30) }),
  });
  const list = shortages.data?.shortages ?? [];
  return (
    <Widget id="shortages-title" title={t("dashboard.shortages")} empty={t("dashboard.noShortages")}
      isEmpty={shortages.isSuccess && list.length === 0}>
      {list.map((s) => (
          <li key={`${s.productId}-${s.period?.start?.seconds}`} className="py-2 flex flex-wrap items-center gap-x-3">
            <span className="font-medium mr-auto">{s.productName}</span>
            <span className="text-sm text-muted">
              {formatPeriod(toDate(s.period?.start), toDate(s.period?.end), locale)}
            </span>
            <span className="badge text-danger border-danger">{t("dashboard.short", { count: s.shortQuantity })}</span>
          </li>
        ))}
    </Widget>
  );
}
