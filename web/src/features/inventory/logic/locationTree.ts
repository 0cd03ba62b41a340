/**
 * The warehouse → zone → bin tree from the flat list ListLocations answers, the path of a
 * location ("Main › Zone A › Bin 3"), and which parents a new location of a kind may have.
 */
export interface LocationLike {
  id: string;
  name: string;
  kind: number;
  parentId: string;
}

export interface TreeRow<L extends LocationLike> {
  location: L;
  depth: number;
  hasChildren: boolean;
}

/** Kinds as in the proto: 1 warehouse, 2 zone, 3 bin. */
export const WAREHOUSE = 1;
export const ZONE = 2;
export const BIN = 3;

/** Depth-first rows, children under their parent, siblings by name; orphans at the top. */
export function treeRows<L extends LocationLike>(locations: readonly L[], language: string): TreeRow<L>[] {
  const collator = new Intl.Collator(language, { numeric: true, sensitivity: "base" });
  const ids = new Set(locations.map((l) => l.id));
  const children = new Map<string, L[]>();
  for (const location of locations) {
    const parent = location.parentId && ids.has(location.parentId) ? location.parentId : "";
    children.set(parent, [...(children.get(parent) ?? []), location]);
  }
  const rows: TreeRow<L>[] = [];
  const seen = new Set<string>();
  const visit = (parent: string, depth: number) => {
    const list = [...(children.get(parent) ?? [])].sort((a, b) => collator.compare(a.name, b.name));
    for (const location of list) {
      if (seen.has(location.id)) continue;
      seen.add(location.id);
      rows.push({ location, depth, hasChildren: (children.get(location.id) ?? []).length > 0 });
      visit(location.id, depth + 1);
    }
  };
  visit("", 0);
  return rows;
}

export function locationPath<L extends LocationLike>(id: string, byId: ReadonlyMap<string, L>): string {
  const names: string[] = [];
  const seen = new Set<string>();
  for (let at = byId.get(id); at && !seen.has(at.id); at = byId.get(at.parentId)) {
    seen.add(at.id);
    names.unshift(at.name);
  }
  return names.join(" › ");
}

/** A warehouse has no parent, a zone sits in a warehouse, a bin in a zone. */
export function parentKindOf(kind: number): number | undefined {
  if (kind === ZONE) return WAREHOUSE;
  if (kind === BIN) return ZONE;
  return undefined;
}

export function allowedParents<L extends LocationLike>(kind: number, locations: readonly L[]): L[] {
  const parentKind = parentKindOf(kind);
  return parentKind === undefined ? [] : locations.filter((l) => l.kind === parentKind);
}
