/**
 * The signed-in person (GetMe), shared through TanStack Query. `null` means signed out: the
 * router sends the person to /sign-in. The session itself is in HttpOnly cookies only.
 */
import { Code, ConnectError } from "@connectrpc/connect";
import { queryOptions, type QueryClient } from "@tanstack/react-query";
import { auth } from "../api/clients.js";
import { mayHaveSession } from "../api/transport.js";
import type { GetMeResponse } from "../gen/eventkit/v1/auth_pb.js";

export const meQuery = queryOptions({
  queryKey: ["me"],
  queryFn: async (): Promise<GetMeResponse | null> => {
    if (!mayHaveSession()) return null;
    try {
      return await auth.getMe({});
    } catch (err) {
      const code = ConnectError.from(err).code;
      if (code === Code.Unauthenticated || code === Code.PermissionDenied) return null;
      throw err;
    }
  },
  staleTime: 60_000,
});

export async function signOut(queries: QueryClient) {
  await auth.signOut({}).catch(() => undefined);
  queries.clear();
  queries.setQueryData(meQuery.queryKey, null);
}

export async function switchTenant(queries: QueryClient, tenantId: string) {
  await auth.refreshSession({ tenantId });
  queries.clear();
  await queries.fetchQuery(meQuery);
}
