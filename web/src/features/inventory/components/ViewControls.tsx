/**
 * The table toolbar's view controls: choose columns, apply or delete a saved view, save the
 * current filters, columns and sort under a name, and go back to the default view.
 */
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ChecklistMenu, ChecklistMenuAction } from "../../../ui/ChecklistMenu.js";
import { Button, Field } from "../../../ui/controls.js";
import { Dialog } from "../../../ui/Dialog.js";
import { toggleColumn } from "../logic/tableState.js";
import type { TableView } from "../data/useTableView.js";

interface ViewControlsProps<F> {
  view: TableView<F>;
  columns: readonly { id: string; label: string }[];
}

export function ViewControls<F>({ view, columns }: ViewControlsProps<F>) {
  const { t } = useTranslation();
  const [saving, setSaving] = useState(false);
  const [name, setName] = useState("");
  const [error, setError] = useState<string>();
  const all = columns.map((c) => c.id);

  const save = () => {
    if (name.trim() === "") {
      setError(t("inventory.views.nameRequired"));
      return;
    }
    view.saveView(name);
    setSaving(false);
  };

  return (
    <div className="flex flex-wrap gap-2">
      <ChecklistMenu label={t("inventory.views.columns")} checkable
        items={columns.map((c) => ({ id: c.id, label: c.label, checked: view.state.columns.includes(c.id) }))}
        onSelect={(id) => view.setColumns(toggleColumn(view.state.columns, id, all))} />
      <ChecklistMenu label={t("inventory.views.views")}
        items={view.views.map((v) => ({ id: v.name, label: v.name }))}
        empty={t("inventory.views.none")}
        onSelect={(id) => view.applyView(id)}
        footer={
          <>
            <ChecklistMenuAction className="menu-item" onSelect={() => { setName(""); setError(undefined); setSaving(true); }}>
              {t("inventory.views.save")}
            </ChecklistMenuAction>
            <ChecklistMenuAction className="menu-item" onSelect={() => view.reset()}>
              {t("inventory.views.reset")}
            </ChecklistMenuAction>
            {view.views.map((v) => (
              <ChecklistMenuAction key={v.name} className="menu-item text-danger" onSelect={() => view.deleteView(v.name)}>
                {t("inventory.views.delete", { name: v.name })}
              </ChecklistMenuAction>
            ))}
          </>
        } />
      <Dialog open={saving} onOpenChange={setSaving} title={t("inventory.views.saveTitle")}
        description={t("inventory.views.saveHint")}
        footer={
          <>
            <Button variant="secondary" onClick={() => setSaving(false)}>{t("inventory.common.cancel")}</Button>
            <Button type="submit" form="save-view">{t("inventory.views.save")}</Button>
          </>
        }>
        <form id="save-view" onSubmit={(e) => { e.preventDefault(); save(); }}>
          <Field label={t("inventory.views.name")} value={name} error={error} maxLength={60} autoFocus
            onChange={(e) => setName(e.target.value)} />
        </form>
      </Dialog>
    </div>
  );
}
