/**
 * The inventory reads shared by the pages: whole lists that are small enough to hold (products,
 * locations, cases) and lookups by id. Every key starts with "inventory", so one invalidation
 * after a write refreshes them all.
 */
import { queryOptions, useQuery, type QueryClient } from "@tanstack/react-query";
import { inventory } from "../../../api/clients.js";
import { casesQuery, KEY, locationsQuery, productsQuery } from "../../../api/lists.js";
import type { Case, Location, Product } from "../../../gen/eventkit/v1/inventory_pb.js";

export { casesQuery, fetchAll, KEY, locationsQuery, productsQuery } from "../../../api/lists.js";

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

export { idempotent } from "../../../api/idempotency.js";
