/**
 * Editing a kit's components before saving: add a product (or raise its count), change a
 * quantity, remove one, and check what the API will accept (1 to 100000 units, not itself).
 */
export interface ComponentDraft {
  productId: string;
  quantity: number;
}

export const MAX_UNITS = 100_000;

export function addComponent(list: readonly ComponentDraft[], productId: string, quantity = 1): ComponentDraft[] {
  if (!productId) return [...list];
  const at = list.findIndex((c) => c.productId === productId);
  if (at < 0) return [...list, { productId, quantity }];
  return list.map((c, i) => (i === at ? { ...c, quantity: Math.min(MAX_UNITS, c.quantity + quantity) } : c));
}

export function setQuantity(list: readonly ComponentDraft[], productId: string, quantity: number): ComponentDraft[] {
  return list.map((c) => (c.productId === productId ? { ...c, quantity } : c));
}

export function removeComponent(list: readonly ComponentDraft[], productId: string): ComponentDraft[] {
  return list.filter((c) => c.productId !== productId);
}

/** Ids of components whose quantity the API would refuse, and whether the kit names itself. */
export function kitProblems(kitId: string, list: readonly ComponentDraft[]) {
  return {
    badQuantity: list.filter((c) => !Number.isInteger(c.quantity) || c.quantity < 1 || c.quantity > MAX_UNITS).map((c) => c.productId),
    containsItself: list.some((c) => c.productId === kitId),
  };
}
