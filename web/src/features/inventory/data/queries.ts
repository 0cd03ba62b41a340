/**
 * The inventory reads shared by the pages: whole lists that are small enough to hold (products,
 * locations, cases) and lookups by id. Every key starts with "inventory", so one invalidation
 * after a write refreshes them all.
 */
import { queryOptions, useQuery, type QueryClient } from "@tanstack/react-query";
import { inventory } from "../../../api/clients.js";
import type { Case, Location, Product } from "../../../gen/eventkit/v1/inventory_pb.js";

export const KEY = "inventory";
const PAGE = 500;

/** Reads every page of a list (the API pages at most 500 at a time). */
export async function fetchAll<T>(
  page: (pageToken: string) => Promise<{ items: T[]; next: string }>,
  onPage?: (loaded: number) => void,
): Promise<T[]> {
  const all: T[] = [];
  let token = "";
  do {
    const answer = await page(token);
    all.push(...answer.items);
    onPage?.(all.length);
    token = answer.next;
  } while (token);
  return all;
}

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

function byId<T extends { id: string }>(list: T[] | undefined): Map<string, T> {
  return new Map((list ?? []).map((item) => [item.id, item]));
}

/** Products, locations and cases by id, for showing names instead of ids. */
export function useLookups() {
  const products = useQuery({ ...productsQuery, select: byId });
  const locations = useQuery({ ...locationsQuery, select: byId });
  const cases = useQuery({ ...casesQuery, select: byId });
  return {
    products: products.data ?? new Map<string, Product>(),
    locations: locations.data ?? new Map<string, Location>(),
    cases: cases.data ?? new Map<string, Case>(),
  };
}

export const assetQuery = (id: string) =>
  queryOptions({ queryKey: [KEY, "asset", id], queryFn: async () => (await inventory.getAsset({ id })).asset });

export const productQuery = (id: string) =>
  queryOptions({ queryKey: [KEY, "product", id], queryFn: async () => (await inventory.getProduct({ id })).product });

export const caseQuery = (id: string) =>
  queryOptions({ queryKey: [KEY, "case", id], queryFn: async () => (await inventory.getCase({ id })).case });

export const kitQuery = (productId: string) =>
  queryOptions({
    queryKey: [KEY, "kit", productId],
    queryFn: async () => (await inventory.getKit({ productId })).kit?.components ?? [],
  });

/** After any inventory write: every inventory read is fetched again. */
export function invalidateInventory(queries: QueryClient) {
  return queries.invalidateQueries({ queryKey: [KEY] });
}

/** One Idempotency-Key per attempted write, as the second argument of a client call. */
export function idempotent(key: string = crypto.randomUUID()) {
  return { headers: { "Idempotency-Key": key } };
}
