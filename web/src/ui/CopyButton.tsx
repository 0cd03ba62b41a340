/**
 * Copies a value to the clipboard and says so in a live region (or that it could not, so the
 * person selects the text by hand). The labels come from the caller's catalogue.
 */
import { useState } from "react";
import { Button } from "./controls.js";

interface CopyButtonProps {
  value: string;
  label: string;
  copiedLabel: string;
  failedLabel: string;
  className?: string;
}

export function CopyButton({ value, label, copiedLabel, failedLabel, className = "" }: CopyButtonProps) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  const copy = () => {
    navigator.clipboard.writeText(value).then(
      () => setState("copied"),
      () => setState("failed"),
    );
  };
  return (
    <span className={`inline-flex items-center gap-2 ${className}`}>
      <Button type="button" variant="secondary" onClick={copy}>{label}</Button>
      <span aria-live="polite" className={`text-sm ${state === "failed" ? "text-danger" : "text-ok"}`}>
        {state === "copied" ? copiedLabel : state === "failed" ? failedLabel : ""}
      </span>
    </span>
  );
}
