/**
 * The admin portal's sections and the permission each needs (the `rule` options of AdminService
 * in proto/eventkit/v1/admin.proto). A section is shown only to those holding its permission;
 * the API checks every call anyway.
 */
import { PERMISSIONS, type Permission } from "../../lib/navigation.js";

export type SectionPath =
  | "/admin/users"
  | "/admin/invitations"
  | "/admin/roles"
  | "/admin/api-keys"
  | "/admin/webhooks"
  | "/admin/sso"
  | "/admin/branding"
  | "/admin/security-log";

export interface AdminSection {
  /** The message key under `admin.sections`. */
  key: string;
  to: SectionPath;
  permission: Permission;
}

export const SECTIONS: readonly AdminSection[] = [
  { key: "users", to: "/admin/users", permission: PERMISSIONS.adminUsers },
  { key: "invitations", to: "/admin/invitations", permission: PERMISSIONS.adminUsers },
  { key: "roles", to: "/admin/roles", permission: PERMISSIONS.adminUsers },
  { key: "apiKeys", to: "/admin/api-keys", permission: PERMISSIONS.adminKeys },
  { key: "webhooks", to: "/admin/webhooks", permission: PERMISSIONS.adminWebhooks },
  { key: "sso", to: "/admin/sso", permission: PERMISSIONS.adminUsers },
  { key: "branding", to: "/admin/branding", permission: PERMISSIONS.adminSettings },
  { key: "securityLog", to: "/admin/security-log", permission: PERMISSIONS.adminAudit },
];

export function sectionsFor(held: readonly string[]): AdminSection[] {
  const set = new Set(held);
  return SECTIONS.filter((s) => set.has(s.permission));
}

/** The section a path belongs to (its own page or one below it, e.g. a user's page). */
export function sectionOf(pathname: string): AdminSection | undefined {
  return SECTIONS.find((s) => pathname === s.to || pathname.startsWith(`${s.to}/`));
}
