/**
 * Which sections a person sees, from the permissions GetMe answers. Hiding is a courtesy: the
 * API's gate checks every call on its own.
 */
export const PERMISSIONS = {
  inventoryRead: "inventory:read",
  inventoryWrite: "inventory:write",
  planningRead: "planning:read",
  planningWrite: "planning:write",
  historyRead: "history:read",
  scanningWrite: "scanning:write",
  adminUsers: "admin:users",
  adminAudit: "admin:audit",
  adminKeys: "admin:keys",
  adminWebhooks: "admin:webhooks",
  adminSettings: "admin:settings",
} as const;

export type Permission = (typeof PERMISSIONS)[keyof typeof PERMISSIONS];

export interface NavItem {
  to: "/" | "/products" | "/assets" | "/events" | "/calendar" | "/scan" | "/admin";
  label: "nav.dashboard" | "nav.products" | "nav.assets" | "nav.events" | "nav.calendar" | "nav.scan" | "nav.admin";
  /** Shown when the person holds any of these (none: everyone). */
  anyOf: readonly Permission[];
}

const ITEMS: readonly NavItem[] = [
  { to: "/", label: "nav.dashboard", anyOf: [] },
  { to: "/products", label: "nav.products", anyOf: [PERMISSIONS.inventoryRead] },
  { to: "/assets", label: "nav.assets", anyOf: [PERMISSIONS.inventoryRead] },
  { to: "/events", label: "nav.events", anyOf: [PERMISSIONS.planningRead] },
  { to: "/calendar", label: "nav.calendar", anyOf: [PERMISSIONS.planningRead] },
  { to: "/scan", label: "nav.scan", anyOf: [PERMISSIONS.scanningWrite] },
  {
    to: "/admin",
    label: "nav.admin",
    anyOf: [
      PERMISSIONS.adminUsers,
      PERMISSIONS.adminAudit,
      PERMISSIONS.adminKeys,
      PERMISSIONS.adminWebhooks,
      PERMISSIONS.adminSettings,
    ],
  },
];

export function navigationFor(held: readonly string[]): NavItem[] {
  const set = new Set(held);
  return ITEMS.filter((item) => item.anyOf.length === 0 || item.anyOf.some((p) => set.has(p)));
}

export function holds(held: readonly string[], permission: Permission): boolean {
  return held.includes(permission);
}
