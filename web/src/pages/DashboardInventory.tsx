/**
 * The dashboard's warehouse widgets: overdue returns (events still out after their period),
 * assets in maintenance and bulk stock at or below its reorder level. Each reads what the API
 * has; none is shown to someone who may not read it.
 */
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";
import { inventory, planning } from "../api/clients.js";
import { productsQuery } from "../api/lists.js";
import { fetchAll } from "../api/paging.js";
import { useLocale } from "../app/useLocale.js";
import { AssetStatus, type StockLevel } from "../gen/eventkit/v1/inventory_pb.js";
import { EventStatus } from "../gen/eventkit/v1/planning_pb.js";
import { formatDate, toDate } from "../lib/format.js";
import { daysFromNow } from "../lib/period.js";
import { Widget } from "./DashboardWidget.js";

export function OverdueReturns() {
  const { t } = useTranslation();
  const locale = useLocale();
  const overdue = useQuery({
    queryKey: ["dashboard", "overdue"],
    queryFn: async () => {
      const answer = await planning.listEvents({
        statuses: [EventStatus.OUT],
        period: daysFromNow(-365, 0),
        page: { pageSize: 100 },
      });
      const now = Date.now();
      return answer.events.filter((e) => (toDate(e.period?.end)?.getTime() ?? Infinity) < now);
    },
  });
  const list = overdue.data ?? [];
  return (
    <Widget id="overdue-title" title={t("dashboard.overdue")} empty={t("dashboard.noOverdue")}
      isEmpty={overdue.isSuccess && list.length === 0}>
      {list.map((event) => (
        <li key={event.id} className="py-2 flex flex-col gap-1 sm:flex-row sm:items-center sm:gap-3">
          <Link to="/events/$eventId" params={{ eventId: event.id }} className="font-medium hover:underline sm:mr-auto">
            {event.name}
          </Link>
          <span className="text-sm text-danger">
            {t("dashboard.dueSince", { date: formatDate(toDate(event.period?.end), locale) })}
          </span>
        </li>
      ))}
    </Widget>
  );
}

export function InMaintenance() {
  const { t } = useTranslation();
  const assets = useQuery({
    queryKey: ["dashboard", "maintenance"],
    queryFn: () => inventory.listAssets({ status: AssetStatus.IN_REPAIR, page: { pageSize: 50 } }),
  });
  const list = assets.data?.assets ?? [];
  return (
    <Widget id="maintenance-title" title={t("dashboard.maintenance")} empty={t("dashboard.noMaintenance")}
      isEmpty={assets.isSuccess && list.length === 0}>
      {list.map((asset) => (
        <li key={asset.id} className="py-2">
          <Link to="/assets/$assetId" params={{ assetId: asset.id }} className="font-medium hover:underline">
            {asset.code}
          </Link>
        </li>
      ))}
    </Widget>
  );
}

export function LowStock() {
  const { t } = useTranslation();
  const low = useQuery({
    queryKey: ["dashboard", "low-stock"],
    queryFn: () =>
      fetchAll(async (pageToken) => {
        const answer = await inventory.listStockLevels({ page: { pageSize: 500, pageToken } });
        return { items: answer.stockLevels, next: answer.page?.nextPageToken ?? "" };
      }),
    select: (levels: StockLevel[]) =>
      levels.filter((l) => l.reorderLevel > 0 && l.quantity - l.inRepairQuantity <= l.reorderLevel),
  });
  const products = useQuery(productsQuery);
  const names = new Map((products.data ?? []).map((p) => [p.id, p.name]));
  const list = (low.data ?? []).map((l) => ({ ...l, name: names.get(l.productId) ?? "" }));
  return (
    <Widget id="low-stock-title" title={t("dashboard.lowStock")} empty={t("dashboard.noLowStock")}
      isEmpty={low.isSuccess && list.length === 0}>
      {list.map((level) => (
        <li key={level.id} className="py-2 flex flex-wrap items-center gap-x-3">
          <Link to="/products/$productId" params={{ productId: level.productId }} className="font-medium hover:underline mr-auto">
            {level.name}
          </Link>
          <span className="badge text-warn">
            {t("dashboard.stockLeft", { count: level.quantity - level.inRepairQuantity, reorder: level.reorderLevel })}
          </span>
        </li>
      ))}
    </Widget>
  );
}
