/**
 * The event types a webhook endpoint can subscribe to. The API has no RPC that lists them, so
 * this copies the table in docs/api.md ("Events"), which a server test keeps equal to the code's
 * catalogue; the API refuses any type that is not in it. An endpoint subscribes to exact types,
 * a whole entity (`product.*`) or everything (`*`).
 */
export const ALL_EVENTS = "*";

export const EVENT_TYPES: readonly string[] = [
  "product.created", "product.updated", "product.deleted", "product.restored",
  "location.created",
  "asset.created", "asset.updated", "asset.status_changed",
  "case.created", "case.asset_added", "case.asset_removed", "case.case_added", "case.case_removed",
  "kit.updated",
  "stock_level.created", "stock_level.updated",
  "stock.low",
  "maintenance_record.created", "maintenance_record.updated",
  "project.created",
  "event.created", "event.updated", "event.deleted", "event.restored", "event.status_changed",
  "pull_list_line.created", "pull_list_line.updated", "pull_list_line.deleted",
  "planning_settings.updated",
  "sub_rent.created", "sub_rent.deleted",
  "scan.created",
  "stocktake.created", "stocktake.closed",
  "api_key.created", "api_key.revoked",
  "role.created", "role.updated", "role.deleted",
  "user.roles_changed", "user.removed",
  "branding.updated",
  "webhook_endpoint.created", "webhook_endpoint.updated", "webhook_endpoint.deleted",
  "webhook_endpoint.secret_rotated", "webhook_endpoint.disabled",
  "webhook.test",
  "quota.warning",
  "tenant.approved", "tenant.provisioned", "tenant.suspended", "tenant.resumed",
  "tenant.deletion_requested", "tenant.deletion_cancelled", "tenant.plan_changed",
];

export interface EventGroup {
  entity: string;
  /** `entity.*`: every event of the entity. */
  wildcard: string;
  types: string[];
}

export function eventGroups(types: readonly string[] = EVENT_TYPES): EventGroup[] {
  const groups = new Map<string, string[]>();
  for (const type of types) {
    const entity = type.split(".")[0] ?? type;
    groups.set(entity, [...(groups.get(entity) ?? []), type]);
  }
  return [...groups].map(([entity, list]) => ({ entity, wildcard: `${entity}.*`, types: list }));
}

/** How a checkbox shows: chosen itself, covered by a wider choice (`*` or `entity.*`), or off. */
export type ChoiceState = "chosen" | "covered" | "off";

export function choiceState(chosen: readonly string[], type: string): ChoiceState {
  if (chosen.includes(type)) return "chosen";
  if (type !== ALL_EVENTS && chosen.includes(ALL_EVENTS)) return "covered";
  const entity = type.split(".")[0];
  if (!type.endsWith(".*") && chosen.includes(`${entity}.*`)) return "covered";
  return "off";
}

/**
 * Turns a choice on or off. A wider choice drops the narrower ones it covers, so the saved list
 * says exactly what was meant (`["product.*"]`, not `["product.*", "product.created"]`).
 */
export function toggleEventType(chosen: readonly string[], type: string, on: boolean): string[] {
  const without = chosen.filter((t) => t !== type);
  if (!on) return without;
  if (type === ALL_EVENTS) return [ALL_EVENTS];
  if (type.endsWith(".*")) {
    const prefix = type.slice(0, -1);
    return [...without.filter((t) => !t.startsWith(prefix)), type];
  }
  return [...without, type];
}
