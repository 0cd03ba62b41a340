/**
 * The planning forms' labelled select and the error line under a group of controls, in the
 * look of ui/controls' Field (same classes, same error wiring).
 */
import { useId, type ReactNode, type SelectHTMLAttributes } from "react";

type SelectFieldProps = SelectHTMLAttributes<HTMLSelectElement> & {
  label: string;
  error?: string;
  children: ReactNode;
};

export function SelectField({ label, error, id, children, ...select }: SelectFieldProps) {
  const fallback = useId();
  const fieldId = id ?? fallback;
  return (
    <div className="field">
      <label htmlFor={fieldId} className="field-label">{label}</label>
      <select id={fieldId} className="select" aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${fieldId}-error` : undefined} {...select}>
        {children}
      </select>
      <FieldError id={`${fieldId}-error`} error={error} />
    </div>
  );
}

export function FieldError({ id, error }: { id?: string; error?: string }) {
  if (!error) return null;
  return <p id={id} className="field-error" role="alert">{error}</p>;
}
