/**
 * After a refused submit, moves focus to the first field the API named (or brings the form's
 * message into view), so the error is seen even in a long dialog scrolled to its buttons.
 */
import { useEffect, useRef } from "react";
import type { FormError } from "../../../api/errors.js";

export function useFocusError(error: FormError | undefined) {
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    const root = form.current;
    if (!error || !root) return;
    const invalid = root.querySelector<HTMLElement>('[aria-invalid="true"]');
    const target = invalid?.matches("fieldset") ? invalid.querySelector<HTMLElement>("input:not(:disabled)") : invalid;
    if (target) target.focus();
    else root.querySelector('[role="alert"]')?.scrollIntoView({ block: "nearest" });
  }, [error]);
  return form;
}
