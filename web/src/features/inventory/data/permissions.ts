/** What the signed-in person may do in inventory (the API checks every call anyway). */
import { useSuspenseQuery } from "@tanstack/react-query";
import { meQuery } from "../../../app/session.js";
import { holds, PERMISSIONS } from "../../../lib/navigation.js";

export function useCan() {
  const { data: me } = useSuspenseQuery(meQuery);
  const held = me?.permissions ?? [];
  return {
    userId: me?.userId ?? "",
    write: holds(held, PERMISSIONS.inventoryWrite),
    history: holds(held, PERMISSIONS.historyRead),
    planRead: holds(held, PERMISSIONS.planningRead),
    planWrite: holds(held, PERMISSIONS.planningWrite),
  };
}
