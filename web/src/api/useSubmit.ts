/**
 * The one way a form calls the API: `run` sets busy, clears the last error, and keeps the
 * API's error (whole-form message and per-field messages) for the form to show next to its
 * fields. Returns the answer, or undefined when the call failed.
 */
import { useCallback, useState } from "react";
import { formError, type FormError } from "./errors.js";

export function useSubmit() {
  const [error, setError] = useState<FormError>();
  const [busy, setBusy] = useState(false);
  const run = useCallback(async <T,>(call: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(undefined);
    try {
      return await call();
    } catch (err) {
      setError(formError(err));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { run, busy, error, setError, reset: () => setError(undefined) };
}
