/**
 * How many scans wait to be sent, whether there is a connection, and what went wrong last time
 * the queue was replayed (a network failure, or a waiting scan the server refused).
 */
import { useTranslation } from "react-i18next";
import { formError } from "../../api/errors.js";
import type { ReplayState } from "./replay.js";

export interface ReplayProblem {
  code: string;
  message: string;
}

interface Props {
  state: ReplayState;
  online: boolean;
  persistent: boolean;
  refused?: ReplayProblem;
  onReplay: () => void;
}

export function QueueStatus({ state, online, persistent, refused, onReplay }: Props) {
  const { t } = useTranslation();
  const failure = state.lastError === undefined ? undefined : formError(state.lastError).message;
  return (
    <section aria-label={t("scanning.queue.label")} className="flex flex-col gap-2">
      <div className="flex flex-wrap items-center gap-2" aria-live="polite">
        <span className={`badge ${online ? "text-ok border-ok" : "text-warn border-warn"}`}>
          {online ? t("scanning.queue.online") : t("scanning.queue.offline")}
        </span>
        <span className={`badge ${state.waiting > 0 ? "text-warn border-warn" : ""}`}>
          {state.waiting > 0 ? t("scanning.queue.waiting", { count: state.waiting }) : t("scanning.queue.empty")}
        </span>
        {state.running && <span className="text-sm text-muted">{t("scanning.queue.sending")}</span>}
        {state.waiting > 0 && !state.running && (
          <button type="button" className="btn btn-secondary btn-small" onClick={onReplay}>
            {t("scanning.queue.retry")}
          </button>
        )}
      </div>
      {failure && state.waiting > 0 && (
        <p className="text-sm text-warn">{t("scanning.queue.failure", { message: failure })}</p>
      )}
      {refused && (
        <p className="text-sm text-danger">{t("scanning.queue.refused", { code: refused.code, message: refused.message })}</p>
      )}
      {!persistent && <p className="text-sm text-warn">{t("scanning.queue.notPersistent")}</p>}
    </section>
  );
}
