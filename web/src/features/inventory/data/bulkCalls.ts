/**
 * The one API call per asset behind each bulk action, each sent with the idempotency key the
 * bulk runner gives it, and which errors are worth another try.
 */
import { Code, ConnectError } from "@connectrpc/connect";
import { inventory, planning } from "../../../api/clients.js";
import { formError } from "../../../api/errors.js";
import type { AssetStatus } from "../../../gen/eventkit/v1/inventory_pb.js";
import { idempotent } from "./queries.js";

export type BulkAction =
  | { kind: "status"; status: AssetStatus }
  | { kind: "location"; locationId: string }
  | { kind: "event"; eventId: string };

export function bulkCall(action: BulkAction, assetId: string, key: string): Promise<unknown> {
  switch (action.kind) {
    case "status":
      return inventory.updateAsset({ asset: { id: assetId, status: action.status }, updateMask: { paths: ["status"] } }, idempotent(key));
    case "location":
      return inventory.updateAsset(
        { asset: { id: assetId, locationId: action.locationId }, updateMask: { paths: ["location_id"] } },
        idempotent(key),
      );
    case "event":
      return planning.addPullListLine({ eventId: action.eventId, item: { case: "assetId", value: assetId } }, idempotent(key));
  }
}

const RETRY = new Set([Code.ResourceExhausted, Code.Unavailable, Code.Aborted, Code.DeadlineExceeded]);

export function retryable(err: unknown): boolean {
  return RETRY.has(ConnectError.from(err).code);
}

export function describeError(err: unknown): string {
  return formError(err).message;
}
