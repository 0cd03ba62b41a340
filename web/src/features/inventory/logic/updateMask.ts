/**
 * The update mask of an edit form: the proto field names (snake_case) of the fields whose value
 * differs from what was loaded, so an update touches only what the person changed.
 */
export function changedPaths<T extends Record<string, unknown>>(before: T, after: T, fields: readonly (keyof T & string)[]): string[] {
  return fields.filter((f) => !same(before[f], after[f])).map(snake);
}

function same(a: unknown, b: unknown): boolean {
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
    return JSON.stringify(a, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)) ===
      JSON.stringify(b, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  }
  return a === b;
}

export function snake(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
