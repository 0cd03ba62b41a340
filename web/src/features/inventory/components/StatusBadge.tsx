/** An asset's status as a coloured badge (colour is never the only cue: the word is there). */
import { useTranslation } from "react-i18next";
import { AssetStatus } from "../../../gen/eventkit/v1/inventory_pb.js";

export const ASSET_STATUSES = [
  AssetStatus.AVAILABLE,
  AssetStatus.CHECKED_OUT,
  AssetStatus.IN_REPAIR,
  AssetStatus.LOST,
  AssetStatus.RETIRED,
] as const;

const TONE: Partial<Record<AssetStatus, string>> = {
  [AssetStatus.AVAILABLE]: "text-ok border-ok",
  [AssetStatus.CHECKED_OUT]: "text-warn border-warn",
  [AssetStatus.IN_REPAIR]: "text-danger border-danger",
  [AssetStatus.LOST]: "text-danger border-danger",
};

export function statusKey(status: AssetStatus): string {
  return `status.ASSET_STATUS_${AssetStatus[status] ?? "UNSPECIFIED"}`;
}

export function StatusBadge({ status }: { status: AssetStatus }) {
  const { t } = useTranslation();
  return <span className={`badge ${TONE[status] ?? ""}`}>{t(statusKey(status))}</span>;
}
