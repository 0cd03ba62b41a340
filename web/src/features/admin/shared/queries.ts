/**
 * The admin portal's reads that several sections share, under query keys starting with "admin".
 * Secrets never enter this cache: create and rotate answers stay in the dialog that shows them.
 */
import { useQuery, useSuspenseQuery } from "@tanstack/react-query";
import { admin } from "../../../api/clients.js";
import { meQuery } from "../../../app/session.js";
import type { Role } from "../../../gen/eventkit/v1/identity_pb.js";

export const adminKeys = {
  all: ["admin"] as const,
  roles: ["admin", "roles"] as const,
  users: ["admin", "users"] as const,
  user: (id: string) => ["admin", "users", id] as const,
  invitations: (showAll: boolean) => ["admin", "invitations", showAll] as const,
  apiKeys: (showRevoked: boolean) => ["admin", "apiKeys", showRevoked] as const,
  endpoints: ["admin", "webhooks"] as const,
  endpoint: (id: string) => ["admin", "webhooks", id] as const,
  deliveries: (endpointId: string, status: number) => ["admin", "deliveries", endpointId, status] as const,
  sso: ["admin", "sso"] as const,
  branding: ["admin", "branding"] as const,
  securityEvents: (kind: string) => ["admin", "securityEvents", kind] as const,
};

/** Every role of the tenant (built-in and custom), all pages. */
export function useRoles(enabled = true) {
  return useQuery({
    queryKey: adminKeys.roles,
    enabled,
    queryFn: async () => {
      const roles: Role[] = [];
      let pageToken = "";
      do {
        const answer = await admin.listRoles({ page: { pageSize: 500, pageToken } });
        roles.push(...answer.roles);
        pageToken = answer.page?.nextPageToken ?? "";
      } while (pageToken);
      return roles;
    },
    staleTime: 60_000,
  });
}

/** The signed-in person's permissions (the admin layout is only reached signed in). */
export function useHeld(): string[] {
  const { data: me } = useSuspenseQuery(meQuery);
  return me?.permissions ?? [];
}
