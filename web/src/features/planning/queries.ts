/**
 * The planning feature's reads (TanStack Query, keys under "planning") and the one place that
 * refreshes them after a write. Lists the screens need whole are paged through here.
 */
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { queryOptions, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { planning } from "../../api/clients.js";
import { productsQuery } from "../../api/lists.js";
import type { Product } from "../../gen/eventkit/v1/inventory_pb.js";
import type { Event, EventStatus } from "../../gen/eventkit/v1/planning_pb.js";
import { toDate } from "../../lib/format.js";

const MAX_PAGE = 500;

export function periodOf(event: Pick<Event, "period">): { start: Date; end: Date } | undefined {
  const start = toDate(event.period?.start);
  const end = toDate(event.period?.end);
  return start && end ? { start, end } : undefined;
}

export function periodMessage(period: { start: Date; end: Date }) {
  return { start: timestampFromDate(period.start), end: timestampFromDate(period.end) };
}

export const eventQuery = (id: string) =>
  queryOptions({
    queryKey: ["planning", "event", id],
    queryFn: async () => (await planning.getEvent({ id })).event,
  });

/** Every event overlapping a span (the calendar), all pages. */
export async function listEventsIn(span: { start: Date; end: Date }, statuses: EventStatus[] = []): Promise<Event[]> {
  const events: Event[] = [];
  let pageToken = "";
  do {
    const answer = await planning.listEvents({ period: periodMessage(span), statuses, page: { pageSize: MAX_PAGE, pageToken } });
    events.push(...answer.events);
    pageToken = answer.page?.nextPageToken ?? "";
  } while (pageToken);
  return events;
}

export function useProjects() {
  return useQuery({
    queryKey: ["planning", "projects"],
    queryFn: async () => {
      const projects = [];
      let pageToken = "";
      do {
        const answer = await planning.listProjects({ page: { pageSize: MAX_PAGE, pageToken } });
        projects.push(...answer.projects);
        pageToken = answer.page?.nextPageToken ?? "";
      } while (pageToken);
      return projects;
    },
    staleTime: 5 * 60_000,
  });
}

type ProductInfo = { name: string; currency: string };

function productInfo(products: Product[]): Map<string, ProductInfo> {
  return new Map(products.map((p) => [p.id, { name: p.name, currency: p.dailyRate?.currency ?? "" }]));
}

/** Product id → product, for naming pull-list lines, kit components and sub-rents. */
export function useProducts() {
  return useQuery({ ...productsQuery, select: productInfo });
}

/** Lists a planning write does not change. */
const STABLE = new Set(["projects"]);

/**
 * After a planning write: this feature's reads, and the dashboard's event and shortage lists,
 * which show the same data under their own keys.
 */
export function useRefreshPlanning() {
  const queries = useQueryClient();
  return useCallback(
    () =>
      Promise.all([
        queries.invalidateQueries({
          predicate: (q) => q.queryKey[0] === "planning" && !STABLE.has(String(q.queryKey[1])),
        }),
        queries.invalidateQueries({ queryKey: ["events"] }),
        queries.invalidateQueries({ queryKey: ["shortages"] }),
      ]),
    [queries],
  );
}
