/**
 * The app's small form controls (shadcn-style, written here): labelled fields whose API error
 * shows next to the field, buttons, and a notice for whole-form messages.
 */
import { Label } from "@radix-ui/react-label";
import { Slot } from "@radix-ui/react-slot";
import { useId, type ButtonHTMLAttributes, type InputHTMLAttributes, type ReactNode } from "react";

type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: "primary" | "secondary" | "ghost";
  asChild?: boolean;
};

export function Button({ variant = "primary", asChild, className = "", ...props }: ButtonProps) {
  const Component = asChild ? Slot : "button";
  return <Component className={`btn btn-${variant} ${className}`} {...props} />;
}

type FieldProps = InputHTMLAttributes<HTMLInputElement> & {
  label: string;
  error?: string;
  hint?: string;
};

export function Field({ label, error, hint, id, ...input }: FieldProps) {
  const fallback = useId();
  const fieldId = id ?? fallback;
  const describedBy = [error ? `${fieldId}-error` : "", hint ? `${fieldId}-hint` : ""]
    .filter(Boolean)
    .join(" ");
  return (
    <div className="field">
      <Label htmlFor={fieldId} className="field-label">
        {label}
      </Label>
      <input
        id={fieldId}
        className="input"
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy || undefined}
        {...input}
      />
      {hint && (
        <p id={`${fieldId}-hint`} className="field-hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${fieldId}-error`} className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

export function Notice({ tone, children }: { tone: "error" | "ok" | "info"; children: ReactNode }) {
  return (
    <div className={`notice notice-${tone}`} role={tone === "error" ? "alert" : "status"}>
      {children}
    </div>
  );
}
