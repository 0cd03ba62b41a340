/**
 * The scanning screen's calls: scans (with `Idempotency-Key` = the client scan id, so a retried
 * call is answered, not repeated) and the reads it shows, as TanStack Query options under
 * `["scanning", …]`; the whole lists (products, locations, cases) are the shared ones of api/lists.ts.
 */
import { queryOptions } from "@tanstack/react-query";
import { inventory, planning, scanning } from "../../api/clients.js";
import { casesQuery, fetchAll, locationsQuery, productsQuery } from "../../api/lists.js";
import type { Product } from "../../gen/eventkit/v1/inventory_pb.js";
import type { ScanResult } from "../../gen/eventkit/v1/scanning_pb.js";
import { EVENT_STATUSES } from "./choices.js";
import type { PendingScan } from "./scanQueue.js";

import { idempotent } from "../../api/idempotency.js";

export { idempotent };

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

export const eventsQuery = (mode: "checkOut" | "checkIn") =>
  queryOptions({
    queryKey: ["scanning", "events", mode],
    queryFn: () =>
      fetchAll(async (pageToken) => {
        const answer = await planning.listEvents({ statuses: [...EVENT_STATUSES[mode]], page: { pageSize: 500, pageToken } });
        return { items: answer.events, next: answer.page?.nextPageToken ?? "" };
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

/** Product id → name, from the shared product list. */
export const productNamesQuery = queryOptions({
  ...productsQuery,
  select: (products: Product[]) => new Map(products.map((p) => [p.id, p.name])),
});

export { casesQuery, locationsQuery };

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
