/**
 * The permissions a role or API key can be given, from what the API tells: the caller's own
 * permissions (GetMe spells out every one for a role holding `*`) and those of the roles ListRoles
 * answers. Only held ones can be granted (the API refuses the rest), so the others are shown but
 * cannot be chosen. No permission list is written into the app.
 */
export const EVERY_PERMISSION = "*";

export interface PermissionChoice {
  name: string;
  grantable: boolean;
}

export interface PermissionGroup {
  /** The part before `:`, e.g. `inventory`. */
  group: string;
  choices: PermissionChoice[];
}

export function permissionChoices(
  held: readonly string[],
  roles: readonly { permissions: readonly string[] }[],
): PermissionGroup[] {
  const heldSet = new Set(held);
  const names = new Set([...held, ...roles.flatMap((r) => r.permissions)]);
  names.delete(EVERY_PERMISSION);
  const groups = new Map<string, PermissionChoice[]>();
  for (const name of [...names].sort()) {
    const group = name.split(":")[0] ?? name;
    const list = groups.get(group) ?? [];
    list.push({ name, grantable: heldSet.has(name) });
    groups.set(group, list);
  }
  return [...groups].map(([group, choices]) => ({ group, choices }));
}

/** A catalogue key for a permission's or group's label (i18next splits keys at `:` and `.`). */
export function permissionKey(name: string): string {
  return name === EVERY_PERMISSION ? "all" : name.replace(/[^a-z0-9]/gi, "_");
}

/** Whether the caller holds every permission there is (only then can it grant `*`). */
export function holdsAll(groups: readonly PermissionGroup[]): boolean {
  return groups.every((g) => g.choices.every((c) => c.grantable));
}

/** Whether a grant of these permissions (a role's, a key's scopes) is within what the caller holds. */
export function canGrant(permissions: readonly string[], held: readonly string[], all: boolean): boolean {
  return permissions.every((p) => (p === EVERY_PERMISSION ? all : held.includes(p)));
}
