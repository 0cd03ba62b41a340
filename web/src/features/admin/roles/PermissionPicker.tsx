/**
 * Permissions as grouped checkboxes, for a custom role or an API key's scopes. The choices come
 * from the API (see ../permissions.ts); those the person does not hold are shown but disabled,
 * and "every permission" (`*`) is offered only to someone holding all of them.
 */
import { useTranslation } from "react-i18next";
import { EVERY_PERMISSION, permissionKey, type PermissionGroup } from "../permissions.js";
import { toggleIn } from "../selection.js";
import { ChoiceList } from "../shared/ChoiceList.js";

interface PermissionPickerProps {
  legend: string;
  groups: readonly PermissionGroup[];
  chosen: string[];
  onChange: (permissions: string[]) => void;
  allowEvery: boolean;
  error?: string;
}

export function PermissionPicker({ legend, groups, chosen, onChange, allowEvery, error }: PermissionPickerProps) {
  const { t } = useTranslation();
  const every = chosen.includes(EVERY_PERMISSION);
  const label = (name: string) => (
    <>
      {t(`admin.permissions.${permissionKey(name)}`, { defaultValue: name })}{" "}
      <code className="text-sm text-muted">{name}</code>
    </>
  );
  return (
    <fieldset className="flex flex-col gap-3" aria-describedby={error ? "permission-picker-error" : undefined}
      aria-invalid={error ? true : undefined}>
      <legend className="field-label mb-1">{legend}</legend>
      {(allowEvery || every) && (
        <label className="check">
          <input type="checkbox" checked={every} disabled={!allowEvery && !every}
            onChange={(e) => onChange(e.target.checked ? [EVERY_PERMISSION] : [])} />
          <span className="flex flex-col">
            <span>{label(EVERY_PERMISSION)}</span>
            <span className="text-sm text-muted">{t("admin.permissions.allHint")}</span>
          </span>
        </label>
      )}
      <div className="grid gap-4 sm:grid-cols-2">
        {groups.map((g) => (
          <div key={g.group} className="rounded-lg border border-line p-3">
            <ChoiceList legend={t(`admin.permissionGroups.${permissionKey(g.group)}`, { defaultValue: g.group })}
              onToggle={(name, on) => onChange(toggleIn(chosen, name, on))}
              choices={g.choices.map((c) => ({
                value: c.name,
                label: label(c.name),
                hint: c.grantable ? undefined : t("admin.permissions.notHeld"),
                checked: every || chosen.includes(c.name),
                disabled: every || (!c.grantable && !chosen.includes(c.name)),
              }))} />
          </div>
        ))}
      </div>
      {error && <p id="permission-picker-error" className="field-error" role="alert">{error}</p>}
    </fieldset>
  );
}
