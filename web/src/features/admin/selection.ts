/** Checkbox lists: turning one value on or off in a list of chosen values, order kept, no duplicates. */
export function toggleIn<T>(chosen: readonly T[], value: T, on: boolean): T[] {
  const without = chosen.filter((v) => v !== value);
  return on ? [...without, value] : without;
}

/** The same values, whatever their order. */
export function sameSet<T>(a: readonly T[], b: readonly T[]): boolean {
  const set = new Set(a);
  return set.size === new Set(b).size && b.every((v) => set.has(v));
}
