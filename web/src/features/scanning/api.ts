/**
 * The scanning screen's calls: scans (with `Idempotency-Key` = the client scan id, so a retried
 * call is answered, not repeated) and the reads it shows, as TanStack Query options under
 * `["scanning", …]`. Lists are read page by page to the end.
 */
import { queryOptions } from "@tanstack/react-query";
import { inventory, planning, scanning } from "../../api/clients.js";
import type { PageResponse } from "../../gen/eventkit/v1/common_pb.js";
import type { ScanResult } from "../../gen/eventkit/v1/scanning_pb.js";
import { EVENT_STATUSES } from "./choices.js";
import type { PendingScan } from "./scanQueue.js";

export function idempotent(key: string) {
  return { headers: { "Idempotency-Key": key } };
}

/** Sends one scan; answers the server's result (undefined only if the answer had none). */
export async function sendScan(scan: PendingScan): Promise<ScanResult | undefined> {
  const options = idempotent(scan.clientScanId);
  const { clientScanId, code } = scan;
  switch (scan.kind) {
    case "checkOut":
      return (await scanning.checkOut({ clientScanId, code, eventId: scan.eventId, quantity: scan.quantity }, options)).result;
    case "checkIn":
      return (
        await scanning.checkIn(
          { clientScanId, code, eventId: scan.eventId, quantity: scan.quantity, damaged: scan.damaged, note: scan.note },
          options,
        )
      ).result;
    case "stocktake":
      return (await scanning.stocktakeScan({ clientScanId, code, stocktakeId: scan.stocktakeId }, options)).result;
  }
}

/** The query key a scan changes, to refresh after its answer. */
export function keyAfter(scan: PendingScan): readonly unknown[] {
  return scan.kind === "stocktake" ? ["scanning", "stocktake", scan.stocktakeId] : ["scanning", "progress", scan.eventId];
}

const MAX_PAGES = 20;

async function allPages<T>(load: (pageToken: string) => Promise<{ items: T[]; page?: PageResponse }>): Promise<T[]> {
  const all: T[] = [];
  let pageToken = "";
  for (let i = 0; i < MAX_PAGES; i++) {
    const { items, page } = await load(pageToken);
    all.push(...items);
    pageToken = page?.nextPageToken ?? "";
    if (!pageToken) break;
  }
  return all;
}

const page = (pageToken: string) => ({ pageSize: 500, pageToken });

export const eventsQuery = (mode: "checkOut" | "checkIn") =>
  queryOptions({
    queryKey: ["scanning", "events", mode],
    queryFn: () =>
      allPages(async (token) => {
        const answer = await planning.listEvents({ statuses: [...EVENT_STATUSES[mode]], page: page(token) });
        return { items: answer.events, page: answer.page };
      }),
    staleTime: 60_000,
  });

export const eventQuery = (id: string) =>
  queryOptions({
    queryKey: ["scanning", "event", id],
    queryFn: async () => (await planning.getEvent({ id })).event,
    staleTime: 60_000,
  });

export const progressQuery = (eventId: string) =>
  queryOptions({
    queryKey: ["scanning", "progress", eventId],
    queryFn: () => scanning.getEventProgress({ eventId }),
  });

export const locationsQuery = queryOptions({
  queryKey: ["scanning", "locations"],
  queryFn: () =>
    allPages(async (token) => {
      const answer = await inventory.listLocations({ page: page(token) });
      return { items: answer.locations, page: answer.page };
    }),
  staleTime: 5 * 60_000,
});

export const productNamesQuery = queryOptions({
  queryKey: ["scanning", "products"],
  queryFn: async () => {
    const products = await allPages(async (token) => {
      const answer = await inventory.listProducts({ page: page(token) });
      return { items: answer.products, page: answer.page };
    });
    return new Map(products.map((p) => [p.id, p.name]));
  },
  staleTime: 5 * 60_000,
});

/** Every case (the API finds cases by id only, so codes are matched here). */
export const casesQuery = queryOptions({
  queryKey: ["scanning", "cases"],
  queryFn: () =>
    allPages(async (token) => {
      const answer = await inventory.listCases({ page: page(token) });
      return { items: answer.cases, page: answer.page };
    }),
  staleTime: 60_000,
});

export const caseQuery = (id: string) =>
  queryOptions({
    queryKey: ["scanning", "case", id],
    queryFn: async () => (await inventory.getCase({ id })).case,
  });

export const assetQuery = (id: string) =>
  queryOptions({
    queryKey: ["scanning", "asset", id],
    queryFn: async () => (await inventory.getAsset({ id })).asset,
    staleTime: 5 * 60_000,
  });

export const stocktakeQuery = (id: string) =>
  queryOptions({
    queryKey: ["scanning", "stocktake", id],
    queryFn: async () => (await scanning.getStocktake({ id })).stocktake,
  });
