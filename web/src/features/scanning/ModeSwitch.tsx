/**
 * The mode switch: check-out, check-in, stocktake, case packing — a radio group styled as big
 * segments (arrow keys move between them, as in any radio group).
 */
import { useTranslation } from "react-i18next";
import type { ScanMode } from "./search.js";

interface Props {
  modes: readonly ScanMode[];
  value: ScanMode;
  onChange: (mode: ScanMode) => void;
}

export function ModeSwitch({ modes, value, onChange }: Props) {
  const { t } = useTranslation();
  return (
    <fieldset className="scan-modes">
      <legend className="sr-only">{t("scanning.mode.label")}</legend>
      {modes.map((mode) => (
        <label key={mode} className="scan-mode">
          <input type="radio" name="scan-mode" className="sr-only" value={mode} checked={mode === value}
            onChange={() => onChange(mode)} />
          <span>{t(`scanning.mode.${mode}`)}</span>
        </label>
      ))}
    </fieldset>
  );
}
