/**
 * Names for the references in the security log: members (with `admin:users`) and API keys,
 * revoked ones too (with `admin:keys`). Without the permission the reference stays as it is.
 */
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { admin } from "../../../api/clients.js";
import { fetchAll } from "../../../api/paging.js";
import { PERMISSIONS } from "../../../lib/navigation.js";
import type { Names } from "../principals.js";
import { useHeld } from "../shared/queries.js";

export function usePrincipalNames(): Names {
  const held = useHeld();
  const users = useQuery({
    queryKey: ["admin", "users", "names"],
    enabled: held.includes(PERMISSIONS.adminUsers),
    staleTime: 5 * 60_000,
    queryFn: () =>
      fetchAll(async (pageToken) => {
        const answer = await admin.listUsers({ page: { pageSize: 500, pageToken } });
        return { items: answer.users, next: answer.page?.nextPageToken ?? "" };
      }),
  });
  const keys = useQuery({
    queryKey: ["admin", "apiKeys", "names"],
    enabled: held.includes(PERMISSIONS.adminKeys),
    staleTime: 5 * 60_000,
    queryFn: () =>
      fetchAll(async (pageToken) => {
        const answer = await admin.listApiKeys({ showRevoked: true, page: { pageSize: 500, pageToken } });
        return { items: answer.apiKeys, next: answer.page?.nextPageToken ?? "" };
      }),
  });
  return useMemo(
    () => ({
      users: new Map((users.data ?? []).map((u) => [u.id, u.displayName || u.email])),
      apiKeys: new Map((keys.data ?? []).map((k) => [k.id, k.name])),
    }),
    [users.data, keys.data],
  );
}
