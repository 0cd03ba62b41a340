/** A labelled `<select>` whose API error shows next to it, like `Field` does for inputs. */
import { Label } from "@radix-ui/react-label";
import { useId, type ReactNode, type SelectHTMLAttributes } from "react";

type Props = SelectHTMLAttributes<HTMLSelectElement> & { label: string; error?: string; hint?: string; children: ReactNode };

export function SelectField({ label, error, hint, id, children, ...select }: Props) {
  const fallback = useId();
  const fieldId = id ?? fallback;
  const describedBy = [error ? `${fieldId}-error` : "", hint ? `${fieldId}-hint` : ""].filter(Boolean).join(" ");
  return (
    <div className="field">
      <Label htmlFor={fieldId} className="field-label">{label}</Label>
      <select id={fieldId} className="select" aria-invalid={error ? true : undefined} aria-describedby={describedBy || undefined} {...select}>
        {children}
      </select>
      {hint && <p id={`${fieldId}-hint`} className="field-hint">{hint}</p>}
      {error && <p id={`${fieldId}-error`} className="field-error" role="alert">{error}</p>}
    </div>
  );
}
