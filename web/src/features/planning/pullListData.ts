/**
 * The reads behind an event's pull list: its lines, a CheckAvailability per product line for
 * the event's period, the conflicts of its serialised assets and cases, and what each asset or
 * case line is (code, name, status). Every key starts with the event, so one invalidation after
 * a change refreshes the availability of the whole list.
 */
import { useQueries, useQuery } from "@tanstack/react-query";
import { inventory, planning } from "../../api/clients.js";
import type { Event, PullListLine } from "../../gen/eventkit/v1/planning_pb.js";
import { clashesOf, lineAvailability, type Clash, type LineAvailability } from "./availability.js";
import { periodMessage, periodOf } from "./queries.js";

/** ListConflicts and ListShortages take at most 366 days. */
const MAX_SPAN_MS = 366 * 86_400_000;

export function usePullListLines(eventId: string) {
  return useQuery({
    queryKey: ["planning", "lines", eventId],
    queryFn: async () => {
      const lines: PullListLine[] = [];
      let pageToken = "";
      do {
        const answer = await planning.listPullListLines({ eventId, page: { pageSize: 500, pageToken } });
        lines.push(...answer.lines);
        pageToken = answer.page?.nextPageToken ?? "";
      } while (pageToken);
      return lines;
    },
  });
}

export interface CheckedLine {
  availability?: LineAvailability;
  isKit: boolean;
  loading: boolean;
  error?: string;
}

/** Line id → its availability for the event's period (product lines only). */
export function useAvailability(event: Event, lines: readonly PullListLine[]): Map<string, CheckedLine> {
  const period = periodOf(event);
  const productLines = lines.filter((l) => l.item.case === "productId");
  const results = useQueries({
    queries: productLines.map((line) => ({
      queryKey: ["planning", "availability", event.id, line.item.value, line.quantity, period?.start.getTime(), period?.end.getTime()],
      queryFn: () => planning.checkAvailability({
        productId: String(line.item.value),
        quantity: Math.max(1, line.quantity),
        period: period ? periodMessage(period) : undefined,
      }),
      enabled: period !== undefined,
    })),
  });
  const checked = new Map<string, CheckedLine>();
  productLines.forEach((line, i) => {
    const result = results[i];
    checked.set(line.id, {
      availability: result?.data ? lineAvailability(result.data, event.id, line.quantity) : undefined,
      isKit: (result?.data?.components.length ?? 0) > 0,
      loading: result?.isFetching ?? false,
      error: result?.error?.message,
    });
  });
  return checked;
}

/** The clashes of this event's serialised assets and cases with other events. */
export function useClashes(event: Event, enabled: boolean) {
  const period = periodOf(event);
  const span = period && {
    start: period.start,
    end: new Date(Math.min(period.end.getTime(), period.start.getTime() + MAX_SPAN_MS)),
  };
  return useQuery({
    queryKey: ["planning", "conflicts", event.id, span?.start.getTime(), span?.end.getTime()],
    queryFn: async (): Promise<Clash[]> =>
      clashesOf((await planning.listConflicts({ period: span ? periodMessage(span) : undefined })).conflicts, event.id),
    enabled: enabled && span !== undefined,
  });
}

export interface ItemInfo {
  label: string;
  /** The asset's product (asset lines). */
  productId?: string;
  assetStatus?: number;
  /** The assets inside (case lines). */
  assetIds?: readonly string[];
}

/** An asset's code, product and status; shared by asset lines and the assets inside cases. */
export const assetInfoQuery = (id: string) => ({
  queryKey: ["planning", "item", "assetId", id],
  queryFn: async (): Promise<ItemInfo> => {
    const asset = (await inventory.getAsset({ id })).asset;
    return { label: asset?.code ?? id, productId: asset?.productId, assetStatus: asset?.status };
  },
  staleTime: 60_000,
});

/** What asset and case lines name: an asset's code and status, a case's code and contents. */
export function useItemInfo(lines: readonly PullListLine[]): Map<string, ItemInfo> {
  const items = lines.filter((l) => l.item.case === "assetId" || l.item.case === "caseId");
  const results = useQueries({
    queries: items.map((line) => line.item.case === "assetId" ? assetInfoQuery(String(line.item.value)) : ({
      queryKey: ["planning", "item", "caseId", line.item.value],
      queryFn: async (): Promise<ItemInfo> => {
        const id = String(line.item.value);
        const found = (await inventory.getCase({ id })).case;
        return { label: found ? [found.code, found.name].filter(Boolean).join(" · ") : id, assetIds: found?.assetIds ?? [] };
      },
      staleTime: 60_000,
    })),
  });
  const info = new Map<string, ItemInfo>();
  items.forEach((line, i) => {
    const data = results[i]?.data;
    if (data) info.set(line.id, data);
  });
  return info;
}
