/**
 * The locations as a tree (warehouse → zone → bin), each with a link to the assets kept there,
 * and creating a location under the right kind of parent.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { inventory } from "../../../api/clients.js";
import { useSubmit } from "../../../api/useSubmit.js";
import { LocationKind } from "../../../gen/eventkit/v1/inventory_pb.js";
import { Button, Field, Notice } from "../../../ui/controls.js";
import { Dialog } from "../../../ui/Dialog.js";
import { InventoryPage } from "../components/InventoryPage.js";
import { QueryNotice } from "../components/QueryNotice.js";
import { SelectField } from "../components/SelectField.js";
import { idempotent, invalidateInventory, locationsQuery } from "../data/queries.js";
import { useCan } from "../data/permissions.js";
import { allowedParents, locationPath, treeRows } from "../logic/locationTree.js";

const KINDS = [LocationKind.WAREHOUSE, LocationKind.ZONE, LocationKind.BIN] as const;
const kindKey = (kind: LocationKind) => `inventory.location.kinds.${LocationKind[kind] ?? "UNSPECIFIED"}`;

export function LocationsPage() {
  const { t, i18n } = useTranslation();
  const can = useCan();
  const locations = useQuery(locationsQuery);
  const [creating, setCreating] = useState<{ kind: LocationKind; parentId: string }>();
  const rows = treeRows(locations.data ?? [], i18n.language);
  const child = (kind: LocationKind) => (kind === LocationKind.WAREHOUSE ? LocationKind.ZONE : kind === LocationKind.ZONE ? LocationKind.BIN : undefined);

  return (
    <InventoryPage title={t("inventory.locations.title")}
      actions={can.write && (
        <Button onClick={() => setCreating({ kind: LocationKind.WAREHOUSE, parentId: "" })}>{t("inventory.locations.create")}</Button>
      )}>
      <QueryNotice loading={locations.isPending} error={locations.error} />
      {locations.isSuccess && rows.length === 0 && <p className="card p-6 text-muted">{t("inventory.locations.empty")}</p>}
      {rows.length > 0 && (
        <ul className="card divide-y divide-line" role="tree" aria-label={t("inventory.locations.title")}>
          {rows.map(({ location: l, depth, hasChildren }) => {
            const next = child(l.kind);
            return (
              <li key={l.id} role="treeitem" aria-level={depth + 1} aria-expanded={hasChildren || undefined} aria-selected={false}
                className="flex flex-wrap items-center gap-x-3 gap-y-1 py-2 pr-3" style={{ paddingLeft: `${1 + depth * 1.5}rem` }}>
                <span className="font-medium">{l.name}</span>
                <span className="badge">{t(kindKey(l.kind))}</span>
                <span className="ml-auto flex flex-wrap items-center gap-x-3">
                  <Link to="/assets" search={{ locationId: l.id }} className="text-sm text-accent hover:underline">
                    {t("inventory.locations.assets")}
                  </Link>
                  {can.write && next && (
                    <Button variant="ghost"
                      aria-label={t(next === LocationKind.ZONE ? "inventory.locations.addZoneIn" : "inventory.locations.addBinIn", { name: l.name })}
                      onClick={() => setCreating({ kind: next, parentId: l.id })}>
                      {t(next === LocationKind.ZONE ? "inventory.locations.addZone" : "inventory.locations.addBin")}
                    </Button>
                  )}
                </span>
              </li>
            );
          })}
        </ul>
      )}
      {creating && <CreateLocationDialog initial={creating} onClose={() => setCreating(undefined)} />}
    </InventoryPage>
  );
}

function CreateLocationDialog({ initial, onClose }: { initial: { kind: LocationKind; parentId: string }; onClose: () => void }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const locations = useQuery(locationsQuery);
  const submit = useSubmit();
  const [draft, setDraft] = useState({ name: "", ...initial });
  const all = locations.data ?? [];
  const byId = new Map(all.map((l) => [l.id, l]));
  const parents = allowedParents(draft.kind, all);
  const err = submit.error?.fields ?? {};
  const save = async () => {
    const answer = await submit.run(() => inventory.createLocation({ ...draft, name: draft.name.trim() }, idempotent()));
    if (answer) {
      await invalidateInventory(queries);
      onClose();
    }
  };
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title={t("inventory.locations.create")}
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>{t("inventory.common.cancel")}</Button>
          <Button type="submit" form="location-form" disabled={submit.busy}>{t("inventory.common.create")}</Button>
        </>
      }>
      <form id="location-form" className="flex flex-col gap-3" onSubmit={(e) => { e.preventDefault(); void save(); }}>
        <Field label={t("inventory.location.name")} value={draft.name} error={err.name} required maxLength={200} autoFocus
          onChange={(e) => setDraft((d) => ({ ...d, name: e.target.value }))} />
        <SelectField label={t("inventory.location.kind")} value={draft.kind} error={err.kind} hint={t("inventory.location.kindHint")}
          onChange={(e) => setDraft((d) => ({ ...d, kind: Number(e.target.value) as LocationKind, parentId: "" }))}>
          {KINDS.map((k) => <option key={k} value={k}>{t(kindKey(k))}</option>)}
        </SelectField>
        {draft.kind !== LocationKind.WAREHOUSE && (
          <SelectField label={t("inventory.location.parent")} value={draft.parentId} error={err.parentId} required
            hint={parents.length === 0 ? t("inventory.location.noParents") : undefined}
            onChange={(e) => setDraft((d) => ({ ...d, parentId: e.target.value }))}>
            <option value="">{t("inventory.location.chooseParent")}</option>
            {parents.map((p) => <option key={p.id} value={p.id}>{locationPath(p.id, byId)}</option>)}
          </SelectField>
        )}
        {submit.error && <Notice tone="error">{submit.error.message}</Notice>}
      </form>
    </Dialog>
  );
}
