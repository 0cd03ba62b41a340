/**
 * Checkbox lists of the admin forms: a fieldset with its legend, one labelled checkbox per
 * choice, an optional hint per choice, and the API's error for the whole list below it.
 */
import { useId, type ReactNode } from "react";

export interface Choice {
  value: string;
  label: ReactNode;
  hint?: ReactNode;
  checked: boolean;
  disabled?: boolean;
}

interface ChoiceListProps {
  legend: string;
  choices: readonly Choice[];
  onToggle: (value: string, on: boolean) => void;
  error?: string;
  /** Lay the choices out in columns on wider screens. */
  columns?: boolean;
  children?: ReactNode;
}

export function ChoiceList({ legend, choices, onToggle, error, columns, children }: ChoiceListProps) {
  const id = useId();
  return (
    <fieldset className="flex flex-col gap-2" aria-describedby={error ? `${id}-error` : undefined}
      aria-invalid={error ? true : undefined}>
      <legend className="field-label mb-1">{legend}</legend>
      {children}
      <div className={columns ? "grid gap-2 sm:grid-cols-2" : "flex flex-col gap-2"}>
        {choices.map((c) => (
          <label key={c.value} className={`check ${c.disabled ? "check-disabled" : ""}`}>
            <input type="checkbox" checked={c.checked} disabled={c.disabled}
              onChange={(e) => onToggle(c.value, e.target.checked)} />
            <span className="flex min-w-0 flex-col">
              <span className="break-words">{c.label}</span>
              {c.hint && <span className="text-sm text-muted">{c.hint}</span>}
            </span>
          </label>
        ))}
      </div>
      {error && <p id={`${id}-error`} className="field-error" role="alert">{error}</p>}
    </fieldset>
  );
}
