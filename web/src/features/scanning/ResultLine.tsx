/**
 * The big result line of the last scan: colour, a symbol and words (never colour alone), read
 * out by screen readers as it changes.
 */
import { useTranslation } from "react-i18next";
import type { Feedback, Tone } from "./outcome.js";

const SYMBOL: Record<Tone, string> = { ok: "✓", warn: "!", problem: "✕", queued: "⟳" };

export type ResultState = { kind: "idle" } | { kind: "sending"; code: string } | { kind: "done"; code: string; feedback: Feedback };

export function ResultLine({ state }: { state: ResultState }) {
  const { t } = useTranslation();
  const tone = state.kind === "done" ? state.feedback.tone : "idle";
  return (
    <div className={`scan-result scan-result-${tone}`} role="status" aria-live="polite" aria-atomic="true">
      {state.kind === "idle" && <p className="scan-result-title">{t("scanning.result.ready")}</p>}
      {state.kind === "sending" && (
        <p className="scan-result-title">{t("scanning.result.sending", { code: state.code })}</p>
      )}
      {state.kind === "done" && (
        <>
          <p className="scan-result-title">
            <span aria-hidden="true" className="scan-result-symbol">{SYMBOL[state.feedback.tone]}</span>
            <span className="sr-only">{t(`scanning.tone.${state.feedback.tone}`)}: </span>
            {t(`scanning.${state.feedback.title}`, state.feedback.values)}
          </p>
          <p className="scan-result-detail">
            <span className="font-mono">{state.code}</span>
            {state.feedback.detail ? ` · ${state.feedback.detail}` : ""}
          </p>
        </>
      )}
    </div>
  );
}
