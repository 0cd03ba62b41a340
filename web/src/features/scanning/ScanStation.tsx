/**
 * Where codes come in: a scan field that keeps the focus (on a laptop or a handheld with a
 * keyboard wedge), the document-wide burst listener, the phone camera, and manual typing. Codes
 * are handled one after another in the order they came, each answered by a result line and a
 * sound.
 */
import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { CameraView } from "./CameraView.js";
import { feedbackForError, type Feedback } from "./outcome.js";
import { ResultLine, type ResultState } from "./ResultLine.js";
import { playTone, primeAudio } from "./sound.js";
import { useWedge } from "./useWedge.js";

interface Props {
  label: string;
  hint?: string;
  onCode: (code: string) => Promise<Feedback>;
}

/** Taking the focus back on a touch screen would open its keyboard over the screen. */
const keepsFocus = () => globalThis.matchMedia?.("(pointer: fine)").matches ?? true;

export function ScanStation({ label, hint, onCode }: Props) {
  const { t } = useTranslation();
  const id = useId();
  const field = useRef<HTMLInputElement>(null);
  const [typed, setTyped] = useState("");
  const [result, setResult] = useState<ResultState>({ kind: "idle" });
  const [camera, setCamera] = useState(false);
  const chain = useRef<Promise<void>>(Promise.resolve());
  const latest = useRef(onCode);
  useEffect(() => {
    latest.current = onCode;
  });

  const handle = useCallback((raw: string) => {
    const code = raw.trim();
    if (!code) return;
    primeAudio();
    chain.current = chain.current.then(async () => {
      setResult({ kind: "sending", code });
      const feedback = await latest.current(code).catch(feedbackForError);
      playTone(feedback.tone);
      setResult({ kind: "done", code, feedback });
    });
  }, []);
  useWedge(handle, field);

  useEffect(() => {
    if (keepsFocus()) field.current?.focus();
    // The camera goes off when the person leaves the page or switches apps.
    const hidden = () => document.visibilityState === "hidden" && setCamera(false);
    document.addEventListener("visibilitychange", hidden);
    return () => document.removeEventListener("visibilitychange", hidden);
  }, []);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    handle(typed);
    setTyped("");
    field.current?.focus();
  };

  const refocus = () => {
    if (!keepsFocus()) return;
    setTimeout(() => {
      const active = document.activeElement;
      if (!active || active === document.body) field.current?.focus();
    }, 0);
  };

  return (
    <div className="flex flex-col gap-3">
      <form onSubmit={submit} className="field">
        <label htmlFor={id} className="field-label">{label}</label>
        <div className="flex gap-2">
          <input ref={field} id={id} className="input scan-input min-w-0 flex-1" value={typed}
            onChange={(e) => setTyped(e.target.value)} onBlur={refocus}
            autoComplete="off" autoCorrect="off" autoCapitalize="off" spellCheck={false} enterKeyHint="send"
            aria-describedby={hint ? `${id}-hint` : undefined} />
          <button type="submit" className="btn btn-primary scan-touch">{t("scanning.send")}</button>
          <button type="button" className="btn btn-secondary scan-touch" aria-pressed={camera}
            onClick={() => {
              primeAudio();
              setCamera((on) => !on);
            }}>
            {camera ? t("scanning.camera.stop") : t("scanning.camera.start")}
          </button>
        </div>
        {hint && <p id={`${id}-hint`} className="field-hint">{hint}</p>}
      </form>
      <ResultLine state={result} />
      {camera && <CameraView onCode={handle} />}
    </div>
  );
}
