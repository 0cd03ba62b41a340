/** The events list: what is planned from today on, with period and status. */
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { planning } from "../api/clients.js";
import { useLocale } from "../app/useLocale.js";
import { EventStatus } from "../gen/eventkit/v1/planning_pb.js";
import { formatPeriod, toDate } from "../lib/format.js";

export function Events() {
  const { t } = useTranslation();
  const locale = useLocale();
  const events = useQuery({
    queryKey: ["events", "list"],
    queryFn: () => {
      const start = new Date();
      const end = new Date(start.getTime() + 365 * 86_400_000);
      return planning.listEvents({
        period: { start: timestampFromDate(start), end: timestampFromDate(end) },
        page: { pageSize: 200 },
      });
    },
  });
  const list = events.data?.events ?? [];
  return (
    <section className="flex flex-col gap-4" aria-labelledby="events-title">
      <h1 id="events-title" className="text-2xl font-bold">{t("events.title")}</h1>
      {events.isSuccess && list.length === 0 ? (
        <p className="card p-6 text-muted">{t("events.empty")}</p>
      ) : (
        <div className="card overflow-x-auto">
          <table className="w-full text-left">
            <thead className="bg-raised text-sm">
              <tr>
                <th scope="col" className="px-4 py-2">{t("events.name")}</th>
                <th scope="col" className="px-4 py-2 hidden sm:table-cell">{t("events.client")}</th>
                <th scope="col" className="px-4 py-2">{t("events.period")}</th>
                <th scope="col" className="px-4 py-2">{t("events.status")}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((event) => (
                <tr key={event.id} className="border-t border-line">
                  <td className="px-4 py-2 font-medium">{event.name}</td>
                  <td className="px-4 py-2 hidden sm:table-cell text-muted">{event.clientName || "—"}</td>
                  <td className="px-4 py-2 text-sm whitespace-nowrap">
                    {formatPeriod(toDate(event.period?.start), toDate(event.period?.end), locale)}
                  </td>
                  <td className="px-4 py-2">
                    <span className="badge">{t(`status.EVENT_STATUS_${EventStatus[event.status]}`)}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
