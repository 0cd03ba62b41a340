/** An event's status as a coloured badge, the colour from status.ts's tone. */
import { useTranslation } from "react-i18next";
import type { EventStatus } from "../../gen/eventkit/v1/planning_pb.js";
import { statusKey, statusTone } from "./status.js";

export function StatusBadge({ status }: { status: EventStatus }) {
  const { t } = useTranslation();
  return <span className={`badge planning-badge ${statusTone(status)}`}>{t(statusKey(status))}</span>;
}
