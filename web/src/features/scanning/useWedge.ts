/**
 * Listens on the whole document for a keyboard-wedge scanner's burst, so a scan counts even when
 * the scan field is not focused (the person tapped a button, or typed a note). Keys typed into
 * the scan field itself are left to that field. A burst that went into another text field is
 * taken back out of it.
 */
import { useEffect, useRef, type RefObject } from "react";
import { WedgeDetector } from "./wedge.js";

function isTextField(target: EventTarget | null): target is HTMLInputElement | HTMLTextAreaElement {
  return target instanceof HTMLTextAreaElement || (target instanceof HTMLInputElement && target.type !== "checkbox");
}

/** Removes `code` from the end of a (React-controlled) text field the scanner typed into. */
function takeBack(field: HTMLInputElement | HTMLTextAreaElement, code: string) {
  if (!field.value.endsWith(code)) return;
  const prototype = field instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  const setter = Object.getOwnPropertyDescriptor(prototype, "value")?.set;
  setter?.call(field, field.value.slice(0, -code.length));
  field.dispatchEvent(new Event("input", { bubbles: true }));
}

export function useWedge(onCode: (code: string) => void, scanField: RefObject<HTMLInputElement | null>, enabled = true) {
  const latest = useRef(onCode);
  useEffect(() => {
    latest.current = onCode;
  });
  useEffect(() => {
    if (!enabled) return;
    const detector = new WedgeDetector();
    const onKey = (event: KeyboardEvent) => {
      if (event.target === scanField.current || event.ctrlKey || event.metaKey || event.isComposing) {
        detector.reset();
        return;
      }
      const verdict = detector.feed(event.key, event.timeStamp);
      if (verdict.kind !== "code") return;
      // Enter ends the burst: it must not press a focused button or submit another form.
      event.preventDefault();
      event.stopPropagation();
      if (isTextField(event.target)) takeBack(event.target, verdict.code);
      latest.current(verdict.code);
    };
    document.addEventListener("keydown", onKey, true);
    return () => document.removeEventListener("keydown", onKey, true);
  }, [enabled, scanField]);
}
