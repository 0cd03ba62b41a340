/**
 * Whole lists that are small enough to hold (products, locations, cases), read page by page to
 * the end and shared by every feature under one key each, so the dashboard, planning, scanning
 * and inventory ask for them once. Keys start with "inventory": an inventory write's
 * invalidation refreshes them everywhere.
 */
import { queryOptions } from "@tanstack/react-query";
import { inventory } from "./clients.js";
import { fetchAll } from "./paging.js";

export { fetchAll };
import type { Case, Location, Product } from "../gen/eventkit/v1/inventory_pb.js";

export const KEY = "inventory";
const PAGE = 500;

/** Every product, deleted ones too (old lines and history still name them). */
export const productsQuery = queryOptions({
  queryKey: [KEY, "products", "all"],
  queryFn: () =>
    fetchAll<Product>(async (pageToken) => {
      const a = await inventory.listProducts({ page: { pageSize: PAGE, pageToken }, showDeleted: true });
      return { items: a.products, next: a.page?.nextPageToken ?? "" };
    }),
  staleTime: 60_000,
});

export const locationsQuery = queryOptions({
  queryKey: [KEY, "locations", "all"],
  queryFn: () =>
    fetchAll<Location>(async (pageToken) => {
      const a = await inventory.listLocations({ page: { pageSize: PAGE, pageToken } });
      return { items: a.locations, next: a.page?.nextPageToken ?? "" };
    }),
  staleTime: 60_000,
});

export const casesQuery = queryOptions({
  queryKey: [KEY, "cases", "all"],
  queryFn: () =>
    fetchAll<Case>(async (pageToken) => {
      const a = await inventory.listCases({ page: { pageSize: PAGE, pageToken } });
      return { items: a.cases, next: a.page?.nextPageToken ?? "" };
    }),
  staleTime: 60_000,
});

