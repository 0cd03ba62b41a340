/**
 * What the signed-in person may hand out: the permission choices (see ../permissions.ts) and
 * which roles they may give. The API refuses any grant beyond the caller's own permissions.
 */
import { useMemo } from "react";
import { canGrant, holdsAll, permissionChoices } from "../permissions.js";
import { useHeld, useRoles } from "./queries.js";

export function useGrants(loadRoles = true) {
  const held = useHeld();
  const roles = useRoles(loadRoles);
  return useMemo(() => {
    const list = roles.data ?? [];
    const groups = permissionChoices(held, list);
    const all = holdsAll(groups);
    return {
      roles,
      groups,
      holdsAll: all,
      canGrant: (permissions: readonly string[]) => canGrant(permissions, held, all),
    };
  }, [held, roles]);
}
